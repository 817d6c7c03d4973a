"""The default column set of each kind of file (docs/import-formats.md describes the same).

A file's column is found by the field's name (case and surrounding spaces ignored) unless the
import maps the field to another column; a field may instead get one value for every row (a
constant). Fields not required may be absent: their default is used.
"""

from __future__ import annotations

from dataclasses import dataclass

# What each value type accepts, and how many decimal places for numbers.
TEXT = "text"
INT = "int"  # a whole number >= 1
DATE = "date"
MONTH = "month"
CURRENCY = "currency"
COUNTRY = "country"
CHOICE = "choice"
STATUS = "status"
# Number types: (decimal places, total digits), as the columns that store them hold on both
# databases (at most 18 digits: see kam.core.fields.ExactDecimalField).
NUMBERS = {
    "money": (2, 18),
    "quantity": (4, 18),
    "unit_cost": (4, 18),
    "price": (6, 24),
    "factor": (6, 18),
    "rate": (10, 18),
}

# Types read untrimmed: a cheap parse takes the plain values, the rest get the full one.
CHEAP_FIRST = frozenset({INT, DATE, MONTH, *NUMBERS})


@dataclass(frozen=True)
class Field:
    """One column the importer understands."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    max_length: int = 64
    choices: tuple[tuple[str, ...], ...] = ()  # (stored value, other accepted words...)
    minimum: str | None = None  # numbers: smallest allowed value, exclusive when strict
    strict_minimum: bool = False
    # Names may hold a line break (a cell typed with Alt+Enter); in a code it is a quote left
    # open that swallowed the next rows.
    multiline: bool = False


def _text(name: str, *, required: bool = False, max_length: int = 64, **kw) -> Field:
    return Field(name, TEXT, required=required, max_length=max_length, **kw)


ACCOUNTS = (
    _text("code", required=True),
    _text("name", required=True, max_length=300, multiline=True),
    Field("country", COUNTRY, required=True),
    Field("currency", CURRENCY, required=True),
    Field(
        "industry",
        CHOICE,
        default="other",
        choices=(
            ("furniture", "furniture maker"),
            ("construction", "builder", "contractor", "builder / contractor"),
            ("distribution", "distributor", "wholesale", "wholesaler"),
            ("hospitality", "hotel", "hotel group"),
            ("retail", "retailer"),
            ("manufacturing", "manufacturer"),
            ("other",),
        ),
    ),
    Field(
        "coverage",
        CHOICE,
        default="local",
        choices=(
            ("local",),
            ("national", "national account"),
            ("international", "international account"),
        ),
    ),
    _text("parent_code"),
    _text("owner", max_length=150),
)

PRODUCTS = (
    _text("code", required=True),
    _text("name", required=True, max_length=300, multiline=True),
    _text("base_unit", default="piece", max_length=32),
    Field("unit_cost", "unit_cost", minimum="0"),
    Field("cost_currency", CURRENCY),
    Field("cost_valid_from", DATE),
)

LEDGER = (
    _text("invoice_number", required=True),
    Field("line_number", INT, required=True),
    Field("issue_date", DATE, required=True),
    Field("due_date", DATE),
    _text("account_code", required=True),
    Field("currency", CURRENCY, required=True),
    _text("product_code"),
    Field("quantity", "quantity", required=True),
    _text("unit", max_length=32),
    Field("net_revenue", "money"),
    Field("unit_price", "price"),
    Field("cost", "money"),
    Field("gross_profit", "money"),
    Field("discount", "money", default="0"),
    Field("rebate", "money", default="0"),
    Field("status", STATUS, default="issued"),
)

PAYMENTS = (
    _text("reference", required=True),
    _text("account_code", required=True),
    Field("paid_on", DATE, required=True),
    Field("amount", "money", required=True),
    Field("currency", CURRENCY, required=True),
    _text("invoice_number"),
)

RATES = (
    Field("month", MONTH, required=True),
    Field("currency", CURRENCY, required=True),
    Field("rate", "rate", required=True, minimum="0", strict_minimum=True),
)

UNITS = (
    _text("product_code"),
    _text("unit", required=True, max_length=32),
    Field("factor", "factor", required=True, minimum="0", strict_minimum=True),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "accounts": ACCOUNTS,
    "products": PRODUCTS,
    "ledger": LEDGER,
    "payments": PAYMENTS,
    "rates": RATES,
    "units": UNITS,
}

# Fields of which at least one must be present (a column or a constant).
ONE_OF: dict[str, tuple[tuple[str, ...], ...]] = {"ledger": (("net_revenue", "unit_price"),)}

# Options given like constants (``--set date_format=%d/%m/%Y``) that are not fields.
DATE_FORMAT = "date_format"
DECIMAL_SEPARATOR = "decimal_separator"
SHEET = "sheet"
# What a ledger line without any cost gets: "refuse" (the default) or "unknown", for exports
# that carry no cost at all: its margin is then unknown, never 100%.
COST_MISSING = "cost_missing"
COST_CHOICES = ("refuse", "unknown")
OPTIONS = (DATE_FORMAT, DECIMAL_SEPARATOR, SHEET, COST_MISSING)

# Status words (compared lower-cased) that mark an invoice cancelled; anything else is issued.
CANCELLED_WORDS = frozenset(
    {
        "cancelled",
        "canceled",
        "cancel",
        "void",
        "voided",
        "annulled",
        "storno",
        "reversed",
        "dibatalkan",
        "batal",
        "已取消",
        "取消",
        "作廢",
        "作废",
    }
)
