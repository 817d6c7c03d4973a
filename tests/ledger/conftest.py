"""Fixtures for the ledger tests: files written on the fly, a small catalogue of products,
and the row counts of every table an import may touch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from tests.factories import AccountFactory

from kam.accounts.models import Account
from kam.ledger.models import (
    AccountQuarter,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    Payment,
    Product,
    ProductCost,
    UnitConversion,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"

LEDGER_HEADER = (
    "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,"
    "unit_price,cost"
)


@pytest.fixture
def write_file(tmp_path):
    """Write ``text`` to a file in tmp_path (UTF-8 unless bytes are given); its path."""

    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def ledger_csv(write_file):
    """A ledger CSV from rows (tuples or text lines) under LEDGER_HEADER or another header."""

    def write(rows, header: str = LEDGER_HEADER, name: str = "ledger.csv") -> Path:
        lines = [row if isinstance(row, str) else ",".join(str(v) for v in row) for row in rows]
        return write_file(name, "\n".join([header, *lines]) + "\n")

    return write


@pytest.fixture
def buyers(db):
    """Two accounts in USD and one in IDR."""
    return {
        "A1": AccountFactory(code="A1", name="Alpha Furniture", currency="USD", country="US"),
        "A2": AccountFactory(code="A2", name="Beta Hotels", currency="USD", country="SG"),
        "B1": AccountFactory(code="B1", name="PT Sinar Jaya", currency="IDR", country="ID"),
    }


@pytest.fixture
def catalogue(db):
    """Two products with a cost from 2024 on, and a carton of 12 for HINGE."""
    hinge = Product.objects.create(code="HINGE", name="Hinge", base_unit="piece")
    rail = Product.objects.create(code="RAIL", name="Rail", base_unit="metre")
    ProductCost.objects.create(
        product=hinge, valid_from=date(2024, 1, 1), unit_cost=Decimal("2.5000"), currency="USD"
    )
    ProductCost.objects.create(
        product=rail, valid_from=date(2024, 1, 1), unit_cost=Decimal("4.0000"), currency="USD"
    )
    UnitConversion.objects.create(product=hinge, unit="carton", factor=Decimal("12"))
    return {"HINGE": hinge, "RAIL": rail}


TABLES = (
    Account,
    Product,
    ProductCost,
    UnitConversion,
    Invoice,
    InvoiceLine,
    Payment,
    ExchangeRate,
    AccountQuarter,
)


def table_counts() -> dict[str, int]:
    """Rows in every table an import may write."""
    return {model.__name__: model.objects.count() for model in TABLES}


def database_snapshot() -> dict[str, list]:
    """Every row an import may write, as values: to show that nothing changed at all."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in TABLES}
