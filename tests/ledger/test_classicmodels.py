"""The classicmodels sample imports with mappings alone and gives its documented totals."""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from tests.ledger.conftest import EXAMPLES, REPO, database_snapshot

from kam.accounts.models import Account
from kam.ledger.importing import import_file
from kam.ledger.models import AccountQuarter, Invoice, InvoiceLine, Payment, Product

DATA = REPO / ".." / "shared" / "data" / "classicmodels"
MAPPINGS = EXAMPLES / "classicmodels"
FILES = (
    ("accounts", "customers.csv"),
    ("products", "products.csv"),
    ("ledger", "ledger_lines.csv"),
    ("payments", "payments.csv"),
)

if not DATA.is_dir():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the classicmodels sample is missing: expected it in {DATA.resolve()}")
    pytest.skip(f"classicmodels sample not found at {DATA}", allow_module_level=True)

pytestmark = pytest.mark.django_db


@pytest.fixture
def classicmodels(db):
    for kind, name in FILES:
        call_command(
            "import",
            kind,
            str(DATA / name),
            "--map-file",
            str(MAPPINGS / f"{kind}.toml"),
            stdout=StringIO(),
            stderr=StringIO(),
        )


def test_it_imports_every_record_of_the_sample(classicmodels):
    assert Account.objects.count() == 122
    assert Account.objects.filter(invoices__isnull=False).distinct().count() == 98
    assert Invoice.objects.count() == 326
    assert Invoice.objects.filter(status="cancelled").count() == 6
    assert InvoiceLine.objects.count() == 2996
    assert Product.objects.count() == 110
    assert Payment.objects.count() == 273


def test_it_reproduces_the_documented_totals(classicmodels):
    lines = list(InvoiceLine.objects.values_list("invoice__account__code", "net_revenue", "cost"))
    assert sum(net for _, net, _ in lines) == Decimal("9604190.61")
    assert sum(net - cost for _, net, cost in lines) == Decimal("3825880.25")
    assert sum(Payment.objects.values_list("amount", flat=True)) == Decimal("8853839.23")
    by_account: dict[str, Decimal] = {}
    for code, net, _ in lines:
        by_account[code] = by_account.get(code, Decimal(0)) + net
    largest = sorted(by_account.items(), key=lambda item: -item[1])[:2]
    assert largest == [("141", Decimal("820689.54")), ("124", Decimal("591827.34"))]
    assert Account.objects.get(code="141").name == "Euro+ Shopping Channel"


def test_its_rollups_hold_the_sales_that_were_not_cancelled(classicmodels):
    rolled = sum(AccountQuarter.objects.values_list("revenue", flat=True))
    cancelled = sum(
        InvoiceLine.objects.filter(invoice__status="cancelled").values_list(
            "net_revenue", flat=True
        )
    )
    assert rolled + cancelled == Decimal("9604190.61")
    assert AccountQuarter.objects.aggregate(n=Sum("lines"))["n"] == 2996 - 79
    assert AccountQuarter.objects.aggregate(n=Sum("invoices"))["n"] == 320


def test_importing_the_sample_again_changes_nothing(classicmodels):
    before = database_snapshot()
    for kind, name in FILES:
        mapping = tomllib.loads((MAPPINGS / f"{kind}.toml").read_text(encoding="utf-8"))
        result = import_file(
            kind=kind,
            path=Path(DATA / name),
            mapping=mapping.get("columns"),
            constants=mapping.get("constants"),
        )
        assert (result.created, result.updated, result.deleted) == (0, 0, 0), kind
    assert database_snapshot() == before
