"""``round_money``: amounts given with more decimals than their currency has (a spreadsheet's
12.345) rounded half to even to the currency's minor unit, counted and summed for the report.

Only the rows that need it are rounded in Python, in the file's own text form, before the
usual parse: the rest of the import sees a value it would have accepted as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import polars as pl

from kam.ledger.importing import formats
from kam.ledger.importing.reader import ROW as ROW_INDEX

# ISO 4217 minor units that are not 2. Money is stored with 2 decimal places, so a currency
# of 3 (BHD, KWD...) is rounded to 2 as well: kam cannot hold its third decimal.
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
ZERO_DECIMALS = _ZERO_DECIMALS.split()
MINOR_UNITS = dict.fromkeys(ZERO_DECIMALS, 0)
STORED_PLACES = formats.NUMBERS["money"][0]


def minor_unit(currency: str | None) -> int:
    """The decimal places an amount in ``currency`` is rounded to (2 when unknown)."""
    return min(MINOR_UNITS.get((currency or "").strip().upper(), 2), STORED_PLACES)


@dataclass
class Rounding:
    """What round_money changed: how many values, and the sum of (rounded - given) per
    currency."""

    count: int = 0
    difference: dict[str, Decimal] = field(default_factory=dict)

    def add(self, currency: str, delta: Decimal) -> None:
        self.count += 1
        self.difference[currency] = self.difference.get(currency, Decimal(0)) + delta

    def as_text(self) -> dict[str, str]:
        return {currency: str(delta) for currency, delta in sorted(self.difference.items())}


def round_money(raw: pl.DataFrame, kind: str, *, decimal_comma: bool, tally: Rounding):
    """``raw`` (text per field) with every money value holding more decimals than its row's
    currency rounded half to even; ``tally`` hears of each one changed."""
    money = [f.name for f in formats.FIELDS[kind] if f.type == "money" and f.name in raw.columns]
    if not money or "currency" not in raw.columns:
        return raw
    separator = "," if decimal_comma else "."
    # More decimals than are stored; or any at all in a currency without minor unit (JPY
    # 10.5). Most rows are neither and never reach Python.
    many = rf"^\s*[+-]?\d*\{separator}\d{{{STORED_PLACES + 1},}}\s*$"
    some = rf"^\s*[+-]?\d*\{separator}\d+\s*$"
    whole_currency = pl.col("currency").str.strip_chars().str.to_uppercase().is_in(ZERO_DECIMALS)
    replaced = []
    for name in money:
        column = pl.col(name)
        condition = column.str.contains(many) | (whole_currency & column.str.contains(some))
        needs = raw.select(condition.fill_null(False)).to_series()
        if not needs.any():
            continue
        rows = raw.filter(needs).select(pl.col(ROW_INDEX), column, pl.col("currency"))
        new_values = []
        for _, text, currency in rows.iter_rows():
            new_values.append(_rounded(text, currency, separator, tally))
        updates = pl.DataFrame(
            {ROW_INDEX: rows.get_column(ROW_INDEX), name: new_values},
            schema={ROW_INDEX: raw.schema[ROW_INDEX], name: pl.String},
        )
        replaced.append(updates)
    for updates in replaced:
        raw = raw.update(updates, on=ROW_INDEX)
    return raw


def _rounded(text: str, currency: str | None, separator: str, tally: Rounding) -> str:
    try:
        given = Decimal(text.strip().replace(separator, "."))
    except InvalidOperation:
        return text  # the parse names the problem
    places = minor_unit(currency)
    rounded = given.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if rounded == given:  # 12.3400: only zeros beyond the minor unit
        return str(rounded).replace(".", separator)
    tally.add((currency or "").strip().upper(), rounded - given)
    return str(rounded).replace(".", separator)
