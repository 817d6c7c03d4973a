"""Parsing columns of few values once per distinct value gives what parsing each row does."""

from __future__ import annotations

import polars as pl
from django.utils import translation

from kam.ledger.importing import formats
from kam.ledger.importing.parse import ParseOptions, parse_expr, parse_fields


def field(kind: str, name: str) -> formats.Field:
    return next(f for f in formats.FIELDS[kind] if f.name == name)


def row_by_row(frame: pl.DataFrame, f: formats.Field) -> pl.DataFrame:
    value, reason = parse_expr(f, ParseOptions())
    return frame.select(value.alias(f.name), reason.alias(f"!{f.name}"))


def test_currencies_parsed_once_each_read_as_if_parsed_row_by_row():
    currency = field("ledger", "currency")  # required
    raw = pl.DataFrame({"currency": ["usd", "IDR", None, "US", "idr", None, "€€€", "CNY"]})
    parsed = parse_fields(raw, [currency], ParseOptions())
    assert parsed.equals(row_by_row(raw, currency))
    assert parsed.get_column("currency").to_list() == [
        "USD", "IDR", None, None, "IDR", None, None, "CNY",
    ]  # fmt: skip
    reasons = parsed.get_column("!currency").to_list()
    assert reasons[2] == reasons[5] == "a value is required"
    assert "US" in reasons[3] and "€€€" in reasons[6]


def test_an_optional_currency_left_empty_is_no_problem_and_reasons_are_translated():
    currency = field("products", "cost_currency")  # optional
    raw = pl.DataFrame({"cost_currency": [None, "eur", "rupiah"]})
    with translation.override("id"):
        parsed = parse_fields(raw, [currency], ParseOptions())
        expected = row_by_row(raw, currency)
    assert parsed.equals(expected)
    assert parsed.get_column("!cost_currency").to_list()[:2] == [None, None]
    assert parsed.get_column("!cost_currency")[2].startswith("bukan mata uang")
    assert "rupiah" in parsed.get_column("!cost_currency")[2]
