"""The example files of docs/import-formats.md import as the page says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.ledger.conftest import EXAMPLES

from kam.ledger.importing import import_file
from kam.ledger.models import AccountQuarter, Invoice, InvoiceLine
from kam.ledger.rollups import rollup_refresh

pytestmark = pytest.mark.django_db

ORDER = ("accounts", "products", "units", "rates", "ledger", "payments")


def test_the_documented_examples_import_in_order(db):
    results = {kind: import_file(kind=kind, path=EXAMPLES / f"{kind}.csv") for kind in ORDER}

    assert {kind: r.rejected for kind, r in results.items()} == dict.fromkeys(ORDER, 0)
    lines = {(li.invoice.number, li.line_number): li for li in InvoiceLine.objects.all()}
    first = lines[("INV-25-0001", 1)]
    # 3 cartons of 200 hinges at the 2025 cost of 1.32 USD, in rupiah at 0.0000620
    assert (first.base_quantity, first.net_revenue) == (Decimal("600"), Decimal("12600000.00"))
    assert first.cost == Decimal("12774193.55")
    assert lines[("INV-25-0001", 2)].cost == Decimal("2220000.00")
    invoices = {i.number: i for i in Invoice.objects.all()}
    assert invoices["INV-25-0004"].total == Decimal("90.85")
    assert invoices["INV-25-0003"].status == "cancelled"
    assert invoices["INV-25-0001"].paid_on == date(2025, 2, 10)
    assert invoices["INV-25-0002"].paid_on == date(2025, 3, 1)

    rollup_refresh(today=date(2025, 6, 30))
    quarter = AccountQuarter.objects.get(account__code="C4001", quarter=date(2025, 1, 1))
    assert quarter.revenue == Decimal("113.74")  # 90.85 GBP at 1.2520
    assert (quarter.invoices_due, quarter.days_late_sum) == (1, 4)
