"""Rows sent to PostgreSQL in its binary COPY format arrive exactly as given: decimals to the
last place (rupiah in the billions too), negative amounts, NULLs, dates and Chinese text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.db import connection, transaction

from kam.core.bulk import frame_binary
from kam.ledger.importing.direct import Rows
from kam.ledger.models import Invoice, InvoiceLine
from tests.factories import AccountFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's COPY format"),
]

AMOUNTS = ["0", "-0.01", "1234.50", "987654321012.99", "-45000000000.00", "7"]


def invoices(account_id: int, totals: list[str], **columns) -> pl.DataFrame:
    n = len(totals)
    return pl.DataFrame(
        {
            "id": list(range(9_001, 9_001 + n)),
            "number": columns.get("number", [f"INV-{i}" for i in range(n)]),
            "account_id": [account_id] * n,
            "issue_date": columns.get("issue_date", [date(2026, 3, 31)] * n),
            "due_date": columns.get("due_date", [None] * n),
            "currency": ["IDR"] * n,
            "status": columns.get("status", ["issued"] * n),
            "total": pl.Series(totals).cast(pl.Decimal(38, 2)),
        },
        schema_overrides={"due_date": pl.Date},
    )


def store(model, frame: pl.DataFrame) -> None:
    with transaction.atomic():
        Rows.of(model, frame, postgres=True).insert()


def test_amounts_arrive_to_the_cent_whatever_their_size_or_sign():
    account = AccountFactory()
    store(Invoice, invoices(account.pk, AMOUNTS))
    stored = list(Invoice.objects.order_by("id").values_list("total", flat=True))
    assert stored == [Decimal(a) for a in AMOUNTS]


def test_nulls_dates_and_text_of_every_length_arrive_as_given():
    account = AccountFactory()
    numbers = ["发票-一", "FAKTUR/2026/000123", "x"]
    store(
        Invoice,
        invoices(
            account.pk,
            ["1.00", "2.00", "3.00"],
            number=numbers,
            issue_date=[date(1999, 12, 31), date(2000, 1, 1), date(2199, 12, 31)],
            due_date=[None, date(2000, 2, 1), None],
            status=["issued", "cancelled", "issued"],
        ),
    )
    rows = list(
        Invoice.objects.order_by("id").values_list("number", "issue_date", "due_date", "status")
    )
    assert rows == [
        ("发票-一", date(1999, 12, 31), None, "issued"),
        ("FAKTUR/2026/000123", date(2000, 1, 1), date(2000, 2, 1), "cancelled"),
        ("x", date(2199, 12, 31), None, "issued"),
    ]


def test_quantities_keep_four_places_and_a_missing_product_is_null():
    account = AccountFactory()
    store(Invoice, invoices(account.pk, ["10.00", "20.00"]))
    lines = pl.DataFrame(
        {
            "invoice_id": [9_001, 9_002],
            "line_number": [1, 1],
            "product_id": [None, None],
            "quantity": pl.Series(["0.0001", "12345678901234.5678"]).cast(pl.Decimal(38, 4)),
            "unit": ["", "箱"],
            "base_quantity": pl.Series(["1", "2"]).cast(pl.Decimal(38, 4)),
            "net_revenue": pl.Series(["10", "20"]).cast(pl.Decimal(38, 2)),
            "cost": pl.Series(["0", "0"]).cast(pl.Decimal(38, 2)),
            "discount": pl.Series(["0", "0"]).cast(pl.Decimal(38, 2)),
            "rebate": pl.Series(["0", "0"]).cast(pl.Decimal(38, 2)),
        },
        schema_overrides={"product_id": pl.Int64},
    )
    store(InvoiceLine, lines)
    stored = list(
        InvoiceLine.objects.order_by("invoice_id").values_list(
            "quantity", "unit", "product_id", "net_revenue"
        )
    )
    assert stored == [
        (Decimal("0.0001"), "", None, Decimal("10.00")),
        (Decimal("12345678901234.5678"), "箱", None, Decimal("20.00")),
    ]


def test_a_decimal_with_more_places_than_its_column_is_refused_not_rounded():
    frame = invoices(1, ["1.00"]).with_columns(
        pl.Series("total", ["1.005"]).cast(pl.Decimal(38, 3))
    )
    with pytest.raises(ValueError, match="3 decimal places"):
        frame_binary(Invoice, frame)
