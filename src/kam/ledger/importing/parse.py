"""Vectorised parsing of text columns into typed ones, with a reason for every value refused.

For each field ``name`` the parsed frame holds the typed value in ``name`` (null when empty
or refused) and, in ``!name``, why the value was refused (null when it is fine). Reasons are
translated sentences whose placeholders polars fills in per row (see ``render``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing import formats
from kam.ledger.importing.countries import country_code
from kam.ledger.importing.formats import Field
from kam.ledger.importing.reader import ROW

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_TIME_SUFFIX = r"^(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class ParseOptions:
    date_format: str | None = None  # a strftime format tried before ISO, e.g. %d/%m/%Y
    decimal_comma: bool = False
    # Amounts with more decimals than their currency are rounded (see importing.rounding).
    round_money: bool = False
    # The ledger file has no line numbers: they are given in file order (columns.number_lines)
    number_lines: bool = False
    # Invoices numbered with this prefix, or all returns, are credit notes (see credits).
    credit_prefix: str | None = None
    # Accounts: create the missing ones only, leave the stored ones alone (create_accounts).
    create_only: bool = False
    cost_unknown: bool = False  # a ledger line without cost is stored with cost unknown


def reason_column(name: str) -> str:
    return f"!{name}"


def render(template: str, **values: pl.Expr | str) -> pl.Expr:
    """A translated ``template`` with ``%(name)s`` placeholders filled from expressions.

    Translators may reorder placeholders; the template is split around them, so each row gets
    its own sentence without a Python call per row."""
    parts: list[pl.Expr] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(pl.lit(template[position : match.start()]))
        value = values[match.group(1)]
        expr = pl.lit(value) if isinstance(value, str) else value
        parts.append(expr.cast(pl.String).fill_null(""))
        position = match.end()
    if position < len(template):
        parts.append(pl.lit(template[position:]))
    return pl.concat_str(parts) if parts else pl.lit("")


def when(condition: pl.Expr, reason: pl.Expr) -> pl.Expr:
    """``reason`` where ``condition`` holds, else null."""
    return pl.when(condition).then(reason).otherwise(pl.lit(None, dtype=pl.String))


def as_written(name: str) -> str:
    """The column holding a country field's text as the file wrote it."""
    return f"{name}_as_written"


def first_reason(*reasons: pl.Expr) -> pl.Expr:
    """The first non-null reason: one problem per cell is enough to fix it."""
    return pl.coalesce([*reasons, pl.lit(None, dtype=pl.String)])


def parse_fields(
    frame: pl.DataFrame, fields: Iterable[Field], options: ParseOptions
) -> pl.DataFrame:
    """Parse every field of ``frame`` (text columns named by field).

    Numbers, dates and line numbers first get a cheap parse that only accepts the plain
    form (``1234.5``, ``2024-03-31``); the rows it doubts (a refusal, a date with a time, a
    leading dot) get the full parse with its reasons. Most files have no such row, and the
    full parse (several regular expressions per value) would triple the time of a batch.
    """
    fields = list(fields)
    exprs: list[pl.Expr] = []
    careful = [field for field in fields if field.type in _FAST]
    for field in fields:
        if field in careful:
            # The value first, then (below) its doubt from it: one expression holding both
            # would compute the value twice.
            value = _FAST[field.type](_filled(pl.col(field.name), field), field, options)
            exprs.append(value.alias(_cheap(field.name)))
            continue
        lookup = None
        if field.type == formats.COUNTRY:
            # Names to codes once per distinct value, not once per row.
            names = frame.get_column(field.name).drop_nulls().unique().to_list()
            lookup = {name: country_code(name) for name in names}
            # The text as the file wrote it stays beside the code (an alias, or "Channel
            # Islands" stored as unknown, must not be lost).
            exprs.append(pl.col(field.name).str.strip_chars().alias(as_written(field.name)))
        if field.type == formats.CURRENCY:
            value, reason = _per_distinct_value(frame.get_column(field.name), field, options)
        else:
            odd = field.type in _ODD_CHECKED and _has_odd(frame.get_column(field.name))
            value, reason = parse_expr(field, options, lookup, odd=odd)
        exprs += [value.alias(field.name), reason.alias(reason_column(field.name))]
    parsed = frame.with_columns(exprs)
    if not careful:
        return parsed
    doubted = parsed.select(pl.any_horizontal([_doubt(f) for f in careful])).to_series()
    no_reasons = [pl.lit(None, dtype=pl.String).alias(reason_column(f.name)) for f in careful]
    values = [pl.col(_cheap(f.name)).alias(f.name) for f in careful]
    parsed = parsed.with_columns(*values, *no_reasons).drop([_cheap(f.name) for f in careful])
    if not doubted.any():
        return parsed
    redone = frame.filter(doubted).select(
        expr.alias(name)
        for field in careful
        for expr, name in zip(
            parse_expr(field, options), (field.name, reason_column(field.name)), strict=True
        )
    )
    again = parsed.filter(doubted).with_columns(redone)
    return pl.concat([parsed.filter(~doubted), again]).sort(ROW)


def _per_distinct_value(
    column: pl.Series, field: Field, options: ParseOptions
) -> tuple[pl.Expr, pl.Expr]:
    """The parse of a column of few distinct values (currencies): each value parsed once,
    then looked up row by row."""
    distinct = pl.DataFrame({field.name: column.unique()})
    value, reason = parse_expr(field, options)
    parsed = distinct.select(field.name, value.alias("value"), reason.alias("reason"))
    raw = pl.col(field.name)
    keys = parsed.filter(pl.col(field.name).is_not_null())
    looked_up = [
        raw.replace_strict(keys.get_column(field.name), keys.get_column(name), default=None)
        for name in ("value", "reason")
    ]
    if column.has_nulls():  # a null is no key: the parse of the empty value, for those rows
        empty = parsed.filter(pl.col(field.name).is_null())
        looked_up = [
            pl.when(raw.is_null()).then(pl.lit(empty.get_column(name)[0])).otherwise(expr)
            for name, expr in zip(("value", "reason"), looked_up, strict=True)
        ]
    return looked_up[0].cast(pl.String), looked_up[1].cast(pl.String)


def parse_expr(
    field: Field, options: ParseOptions, lookup: dict | None = None, *, odd: bool = True
) -> tuple[pl.Expr, pl.Expr]:
    """The typed value and the refusal reason of one field, as expressions. ``odd``: whether
    text may hold a NUL or line break (parse_fields looks once per column, for speed)."""
    raw = pl.col(field.name)
    if field.type in formats.CHEAP_FIRST:
        # The cheap parse took these untrimmed; here they are trimmed like text.
        raw = raw.str.strip_chars()
        raw = pl.when(raw == "").then(None).otherwise(raw)
    raw = _filled(raw, field)
    missing = None
    if field.required:
        missing = when(raw.is_null(), pl.lit(gettext("a value is required")))
    if field.type == formats.COUNTRY:
        value, reason = _country(raw, lookup or {})
    elif field.type in _ODD_CHECKED:
        value, reason = _PARSERS[field.type](raw, field, options, odd=odd)
    else:
        value, reason = _PARSERS.get(field.type, _number)(raw, field, options)
    reasons = [r for r in (missing, reason) if r is not None]
    return value, first_reason(*reasons)


def _filled(raw: pl.Expr, field: Field) -> pl.Expr:
    return raw.fill_null(pl.lit(field.default)) if field.default is not None else raw


def _cheap(name: str) -> str:
    return f"~{name}"


def _doubt(field: Field) -> pl.Expr:
    """Whether the cheap parse of ``field`` doubts a row: it accepted no value from the text
    there, or the value is below the field's minimum, or a required value is missing."""
    value = pl.col(_cheap(field.name))
    doubt = _filled(pl.col(field.name), field).is_not_null() & value.is_null()
    if field.minimum is not None:
        places, _ = formats.NUMBERS[field.type]
        minimum = pl.lit(field.minimum).cast(pl.Decimal(38, places))
        doubt = doubt | (value <= minimum if field.strict_minimum else value < minimum)
    if field.required:
        doubt = doubt | pl.col(field.name).is_null()
    return doubt


# --- the cheap parses: a value only where the text has the plain form -----------------------


def _fast_number(raw: pl.Expr, field: Field, options: ParseOptions) -> pl.Expr:
    places, digits = formats.NUMBERS[field.type]
    text = raw.str.replace(",", ".", literal=True) if options.decimal_comma else raw
    plain = text.str.contains(rf"^[+-]?\d{{1,{digits - places}}}(\.\d{{0,{places}}})?$")
    return pl.when(plain).then(text.cast(pl.Decimal(38, places), strict=False))


def _fast_date(raw: pl.Expr, field: Field, options: ParseOptions) -> pl.Expr:
    value = raw.str.to_date(options.date_format or "%Y-%m-%d", strict=False)
    return pl.when(value.is_between(pl.lit(EARLIEST), pl.lit(LATEST))).then(value)


def _fast_month(raw: pl.Expr, field: Field, options: ParseOptions) -> pl.Expr:
    value = (raw + pl.lit("-01")).str.to_date("%Y-%m-%d", strict=False)
    return pl.when(value.is_between(pl.lit(EARLIEST), pl.lit(LATEST))).then(value)


def _fast_int(raw: pl.Expr, field: Field, options: ParseOptions) -> pl.Expr:
    value = raw.cast(pl.Int64, strict=False)
    return pl.when(value.is_between(1, 999_999_999)).then(value)


# --- the full parses: (value, reason) ----------------------------------------------------


def _text(
    raw: pl.Expr, field: Field, options: ParseOptions, *, odd: bool = True
) -> tuple[pl.Expr, pl.Expr]:
    too_long = raw.str.len_chars() > field.max_length
    reason = when(
        too_long,
        render(
            gettext("longer than %(max)s characters: %(value)s"),
            max=str(field.max_length),
            value=raw.str.slice(0, 40) + pl.lit("…"),
        ),
    )
    if not odd:  # the usual column: the plain check only
        return pl.when(too_long).then(None).otherwise(raw), reason
    reason = first_reason(reason, _odd_characters(raw, field))
    return pl.when(reason.is_null()).then(raw), reason


_ODD = r"[\x00\r\n]"


def _has_odd(column: pl.Series) -> bool:
    """Whether any value of ``column`` holds a NUL or a line break (one quick scan)."""
    return bool(column.str.contains(_ODD).any())


def _odd_characters(raw: pl.Expr, field: Field) -> pl.Expr:
    """Why a text holds a character no value of ``field`` may hold (the database refuses a
    NUL; a line break in a code is a quote left open that swallowed the next rows)."""
    nul = when(
        raw.str.contains("\x00", literal=True),
        pl.lit(gettext("contains a NUL character (byte 0): the file is damaged or not text")),
    )
    if field.multiline:
        return nul
    line_break = when(
        raw.str.contains(r"[\r\n]"),
        pl.lit(
            gettext(
                'contains a line break: is a quote (") left open in this row, swallowing the '
                "rows after it?"
            )
        ),
    )
    return first_reason(nul, line_break)


def _int(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    good = raw.str.contains(r"^\+?0*[1-9]\d{0,8}(\.0*)?$")
    value = pl.when(good).then(raw.str.replace(r"\..*$", "").cast(pl.Int64, strict=False))
    reason = when(
        raw.is_not_null() & ~good,
        render(gettext("not a whole number of 1 or more: %(value)s"), value=raw),
    )
    return value, reason


def date_expr(raw: pl.Expr, options: ParseOptions) -> pl.Expr:
    """A date from ISO text (a time of day after it is ignored), or from ``date_format``."""
    iso = raw.str.replace(_TIME_SUFFIX, "$1").str.to_date("%Y-%m-%d", strict=False)
    if options.date_format:
        return pl.coalesce(raw.str.to_date(options.date_format, strict=False), iso)
    return iso


def _date(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    parsed = date_expr(raw, options)
    in_range = parsed.is_between(pl.lit(EARLIEST), pl.lit(LATEST))
    expected = options.date_format or "YYYY-MM-DD"
    reason = first_reason(
        when(
            raw.is_not_null() & parsed.is_null(),
            render(
                gettext("not a date: expected %(format)s, got %(value)s"),
                format=expected,
                value=raw,
            ),
        ),
        when(
            parsed.is_not_null() & ~in_range,
            render(gettext("date out of range (1900 to 2199): %(value)s"), value=raw),
        ),
    )
    return pl.when(in_range).then(parsed), reason


def _month(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    as_date = pl.coalesce(
        (raw + pl.lit("-01")).str.to_date("%Y-%m-%d", strict=False), date_expr(raw, options)
    )
    parsed = as_date.dt.month_start()
    in_range = parsed.is_between(pl.lit(EARLIEST), pl.lit(LATEST))
    reason = when(
        raw.is_not_null() & (parsed.is_null() | ~in_range),
        render(gettext("not a month: expected YYYY-MM, got %(value)s"), value=raw),
    )
    return pl.when(in_range).then(parsed), reason


def _currency(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    upper = raw.str.to_uppercase()
    good = upper.str.contains(r"^[A-Z]{3}$")
    reason = when(
        raw.is_not_null() & ~good,
        render(
            gettext("not a currency: expected a three-letter code like USD, got %(value)s"),
            value=raw,
        ),
    )
    return pl.when(good).then(upper), reason


def _choice(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    words = {word.casefold(): choice[0] for choice in field.choices for word in choice}
    key = raw.str.to_lowercase().str.replace_all(r"[\s_-]+", " ")
    words.update({value.replace("_", " "): value for value in words.values()})
    value = key.replace_strict(words, default=None, return_dtype=pl.String)
    reason = when(
        raw.is_not_null() & value.is_null(),
        render(
            gettext("unknown value %(value)s; expected one of: %(choices)s"),
            value=raw,
            choices=", ".join(choice[0] for choice in field.choices),
        ),
    )
    return value, reason


def _status(
    raw: pl.Expr, field: Field, options: ParseOptions, *, odd: bool = True
) -> tuple[pl.Expr, pl.Expr]:
    cancelled = raw.str.to_lowercase().is_in(list(formats.CANCELLED_WORDS))
    value = pl.when(cancelled).then(pl.lit("cancelled")).otherwise(pl.lit("issued"))
    return value, _odd_characters(raw, field) if odd else pl.lit(None, dtype=pl.String)


def _country(raw: pl.Expr, lookup: dict[str, str | None]) -> tuple[pl.Expr, pl.Expr]:
    value = raw.replace_strict(lookup, default=None, return_dtype=pl.String)
    reason = when(
        raw.is_not_null() & value.is_null(),
        render(
            gettext(
                "unknown country %(value)s: give an ISO code (ID, CN), an English name, "
                "or ZZ for unknown / other"
            ),
            value=raw,
        ),
    )
    return value, reason


def _number(raw: pl.Expr, field: Field, options: ParseOptions) -> tuple[pl.Expr, pl.Expr]:
    places, digits = formats.NUMBERS[field.type]
    text = raw
    if options.decimal_comma:
        # "1.234,56" keeps its dot and is refused below as a thousands separator.
        text = pl.when(text.str.contains(r"\.")).then(text).otherwise(text.str.replace(",", "."))
    well_formed = text.str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$")
    places_ok = text.str.contains(rf"^[+-]?\d*(\.\d{{0,{places}}})?$")
    whole = text.str.replace(r"^[+-]", "").str.replace(r"\..*$", "").str.replace(r"^0+", "")
    size_ok = whole.str.len_chars() <= digits - places
    good = well_formed & places_ok & size_ok
    value = pl.when(good).then(text.cast(pl.Decimal(38, places), strict=False))
    # 12.345 is a decimal (too many places), not a thousands separator: only a separator
    # that is not the decimal one, or more than one of them, groups thousands.
    decimal = "," if options.decimal_comma else "."
    grouped = raw.str.contains(r"^[+-]?\d{1,3}([,.' \u2019]\d{3})+([.,]\d*)?$") & ~raw.str.contains(
        rf"^[+-]?\d+\{decimal}\d*$"
    )
    if field.type == "money":
        too_precise = gettext(
            "too many decimal places for an amount: at most %(places)s, got %(value)s (ask "
            "to round amounts, --round-money, to round them to the currency's minor unit)"
        )
    else:
        too_precise = gettext("too many decimal places: at most %(places)s, got %(value)s")
    reason = when(
        raw.is_not_null() & ~good,
        pl.when(grouped)
        .then(
            render(
                gettext("not a number: thousands separators are not accepted, got %(value)s"),
                value=raw,
            )
        )
        .when(well_formed & ~places_ok)
        .then(
            render(
                too_precise,
                places=str(places),
                value=raw,
            )
        )
        .when(well_formed)
        .then(render(gettext("too large a number: %(value)s"), value=raw))
        .otherwise(render(gettext("not a number: %(value)s"), value=raw)),
    )
    if field.minimum is not None:
        minimum = pl.lit(field.minimum).cast(pl.Decimal(38, places))
        low = value <= minimum if field.strict_minimum else value < minimum
        template = (
            gettext("must be more than %(minimum)s: %(value)s")
            if field.strict_minimum
            else gettext("must be at least %(minimum)s: %(value)s")
        )
        reason = first_reason(reason, when(low, render(template, minimum=field.minimum, value=raw)))
        value = pl.when(low).then(None).otherwise(value)
    return value, reason


_FAST = {
    formats.INT: _fast_int,
    formats.DATE: _fast_date,
    formats.MONTH: _fast_month,
    **dict.fromkeys(formats.NUMBERS, _fast_number),
}

# Types whose values may hold a NUL or line break the database or the reader should refuse.
_ODD_CHECKED = frozenset({formats.TEXT, formats.STATUS})

_PARSERS = {
    formats.TEXT: _text,
    formats.INT: _int,
    formats.DATE: _date,
    formats.MONTH: _month,
    formats.CURRENCY: _currency,
    formats.CHOICE: _choice,
    formats.STATUS: _status,
}
