"""The ready mapping files of docs/examples import the sample exports as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from tests.ledger.conftest import EXAMPLES

from kam.accounts.models import Account
from kam.ledger.models import Invoice, InvoiceLine, Payment

pytestmark = pytest.mark.django_db


def _import(kind: str, name: str, mapping: str | None = None) -> str:
    out = StringIO()
    args = ["import", kind, str(EXAMPLES / name)]
    if mapping:
        args += ["--map-file", str(EXAMPLES / mapping)]
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_salesforce_accounts_report_imports_with_its_mapping_file(db):
    _import("accounts", "salesforce-accounts.csv", "salesforce-accounts-mapping.toml")

    stored = {
        a.code: (a.name, a.country.code, a.country_as_written, a.currency, a.industry)
        for a in Account.objects.all()
    }
    assert stored == {
        "SF-1001": ("Harbour Interiors Ltd", "IE", "EIRE", "EUR", "retail"),
        "SF-1002": ("Cape Build (Pty) Ltd", "ZA", "RSA", "ZAR", "construction"),
        "SF-1003": ("Gulf Hospitality Group", "AE", "UAE", "USD", "hospitality"),
        "SF-1004": ("Pacific Furniture Works", "US", "USA", "USD", "manufacturing"),
        "SF-1005": ("Islands Trading Co", "", "Channel Islands", "GBP", "other"),
    }


def test_odoo_invoice_lines_and_payments_import_with_their_mapping_files(db):
    _import("accounts", "salesforce-accounts.csv", "salesforce-accounts-mapping.toml")
    _import("products", "products.csv")

    _import("ledger", "odoo-invoice-lines.csv", "odoo-invoice-lines-mapping.toml")
    _import("payments", "odoo-payments.csv", "odoo-payments-mapping.toml")

    first = Invoice.objects.get(number="INV/2025/00001")
    assert (first.account.code, first.issue_date, first.due_date) == (
        "SF-1004",
        date(2025, 1, 15),
        date(2025, 2, 14),
    )
    assert first.total == Decimal("3580.00")  # the Subtotal after the 10% discount of line 2
    line = InvoiceLine.objects.get(invoice=first, line_number=11)
    assert (line.product.code, line.net_revenue) == ("RL-450", Decimal("1080.00"))
    assert line.cost == Decimal("620.00")  # 200 pairs at the products' 3.10 USD
    assert Invoice.objects.get(number="INV/2025/00002").account.code == "SF-1003"
    payments = {p.reference: (p.account.code, p.paid_on, p.amount) for p in Payment.objects.all()}
    assert payments == {
        "PBNK1/2025/00001": ("SF-1004", date(2025, 2, 20), Decimal("3580.00")),
        "PBNK1/2025/00002": ("SF-1003", date(2025, 3, 1), Decimal("960.00")),
    }
