"""Money to the last digit on both databases: 10^15 rupiah with sen stay exact when stored,
summed, rolled up and imported; a value finer than its column is refused, not rounded; and
amounts still order and filter as numbers (SQLite keeps them as integers of cents)."""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import DataError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from kam.ledger.importing import ImportRefused, import_file
from kam.ledger.models import (
    AccountQuarter,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    LedgerSettings,
    Payment,
)
from kam.ledger.rollups import rollup_refresh

pytestmark = pytest.mark.django_db

HUGE = Decimal("1000000000000000.37")  # 10^15 rupiah and 37 sen
LARGE = Decimal("2345678901234.56")
BOTH = Decimal("1002345678901234.93")
HEADER = (
    "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,"
    "net_revenue,cost"
)


def rupiah_rows(number: str, day: str = "2024-03-05") -> list[tuple]:
    return [
        (number, 1, day, "B1", "IDR", "RAIL", 1, str(HUGE), "0.01"),
        (number, 2, day, "B1", "IDR", "HINGE", 3, str(LARGE), "0.02"),
    ]


def revenue_by_quarter() -> dict[date, Decimal]:
    """Quarters with sales (an unpaid invoice also gives the quarter it falls due in a row)."""
    rows = AccountQuarter.objects.exclude(lines=0).values_list("quarter", "revenue")
    return dict(rows)


@pytest.fixture
def rupiah_reporting(db):
    settings = LedgerSettings.current()
    settings.reporting_currency = "IDR"
    settings.save()


def test_a_quadrillion_rupiah_with_sen_is_stored_summed_and_rolled_up_exactly(
    rupiah_reporting, buyers, catalogue, ledger_csv, caplog
):
    caplog.set_level(logging.INFO, logger="kam.ledger.importing.direct")
    import_file(kind="ledger", path=ledger_csv(rupiah_rows("R-1"), header=HEADER))
    assert "direct load:" in caplog.text

    assert sorted(InvoiceLine.objects.values_list("net_revenue", flat=True)) == [LARGE, HUGE]
    assert InvoiceLine.objects.aggregate(total=Sum("net_revenue"))["total"] == BOTH
    assert Invoice.objects.get().total == BOTH
    assert revenue_by_quarter() == {date(2024, 1, 1): BOTH}
    rollup_refresh()
    assert revenue_by_quarter() == {date(2024, 1, 1): BOTH}


def test_the_usual_import_path_sums_a_quadrillion_rupiah_exactly(
    rupiah_reporting, buyers, catalogue, ledger_csv, caplog
):
    import_file(kind="ledger", path=ledger_csv(rupiah_rows("R-1"), header=HEADER))
    caplog.set_level(logging.INFO, logger="kam.ledger.importing.engine")
    caplog.clear()
    # R-1 stored already: this file goes through the staging tables.
    rows = rupiah_rows("R-1") + rupiah_rows("R-2", day="2024-04-05")
    import_file(kind="ledger", path=ledger_csv(rows, header=HEADER))

    assert "takes the usual path" in caplog.text
    assert set(Invoice.objects.values_list("total", flat=True)) == {BOTH}
    assert revenue_by_quarter() == {date(2024, 1, 1): BOTH, date(2024, 4, 1): BOTH}
    assert Payment.objects.count() == 0


def test_rupiah_converted_to_dollars_are_rounded_once_per_quarter_as_in_decimals(
    buyers, catalogue, ledger_csv
):
    rate = Decimal("0.0000612345")
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=rate)
    ExchangeRate.objects.create(month=date(2024, 2, 1), currency="IDR", rate=Decimal("0.000064"))
    rows = rupiah_rows("R-1") + rupiah_rows("R-2", day="2024-02-29")
    import_file(kind="ledger", path=ledger_csv(rows, header=HEADER))
    rollup_refresh()

    exact = BOTH * rate + BOTH * Decimal("0.000064")
    expected = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert expected == Decimal("125528259924.36")
    assert revenue_by_quarter() == {date(2024, 1, 1): expected}


def test_a_value_with_more_decimals_than_its_column_is_refused_not_rounded(buyers):
    with pytest.raises(DataError), transaction.atomic():
        Payment.objects.create(
            reference="P-1",
            account=buyers["B1"],
            paid_on=date(2024, 3, 1),
            amount=Decimal("10.005"),
            currency="IDR",
        )
    with pytest.raises(DataError), transaction.atomic():
        ExchangeRate.objects.create(
            month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.00006123456789")
        )
    assert not Payment.objects.exists()
    assert not ExchangeRate.objects.exists()


def test_a_value_finer_than_its_column_is_refused_by_validation_too(buyers):
    payment = Payment(
        reference="P-1",
        account=buyers["B1"],
        paid_on=date(2024, 3, 1),
        amount=Decimal("10.005"),
        currency="IDR",
    )
    with pytest.raises(Exception, match="decimal places"):
        payment.full_clean()


def test_amounts_order_and_filter_as_numbers(buyers):
    for n, amount in enumerate(["100", "9.5", "10.25", "-3", HUGE]):
        Payment.objects.create(
            reference=f"P-{n}",
            account=buyers["B1"],
            paid_on=date(2024, 3, 1),
            amount=Decimal(amount),
            currency="IDR",
        )
    amounts = Payment.objects.order_by("amount").values_list("amount", flat=True)

    assert list(amounts) == [Decimal(x) for x in ("-3", "9.5", "10.25", "100", HUGE)]
    assert list(amounts.filter(amount__gt=Decimal("9.6"))) == [
        Decimal("10.25"),
        Decimal("100"),
        HUGE,
    ]
    assert list(amounts.filter(amount__lt=10)) == [Decimal("-3"), Decimal("9.5")]
    assert list(amounts.filter(amount=Decimal("10.250"))) == [Decimal("10.25")]
    assert list(amounts.filter(amount__gte=Decimal("10.255"), amount__lte=HUGE)) == [
        Decimal("100"),
        HUGE,
    ]
    assert amounts.filter(amount__lt=Decimal("1e24")).count() == 5  # past any column: no error
    assert Payment.objects.aggregate(total=Sum("amount"))["total"] == HUGE + Decimal("116.75")


def test_an_import_refuses_amounts_past_what_both_databases_hold(buyers, catalogue, ledger_csv):
    """10^16 and more: given, or computed from a price, it is refused with its row."""
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.0001"))
    header = (
        "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,"
        "unit_price,net_revenue,cost"
    )
    rows = [
        ("R-1", 1, "2024-03-05", "B1", "IDR", "RAIL", 1, "", "10000000000000000.00", "1"),
        ("R-2", 1, "2024-03-05", "B1", "IDR", "RAIL", 100, "100000000000000", "", "1"),
        ("R-3", 1, "2024-03-05", "B1", "IDR", "RAIL", 1, "", str(HUGE), "1"),
    ]

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=ledger_csv(rows, header=header))

    errors = {(e.row, e.column): e.reason for e in refused.value.result.errors}
    assert set(errors) == {(2, "net_revenue"), (3, "net_revenue")}
    assert all(reason.startswith("too large a number") for reason in errors.values())
    assert not InvoiceLine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_stored_amounts(db):
    """Amounts stored before the exact field (SQLite: floating point) read back the same
    after it (SQLite: converted to integers of their last place; PostgreSQL: untouched)."""
    executor = MigrationExecutor(connection)
    before = [("ledger", "0008_lines_default_in_database")]
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_exchangerate (month, currency, rate) VALUES (%s, %s, %s)",
            [date(2024, 3, 1), "IDR", "0.0000612345"],
        )
        cursor.execute(
            "INSERT INTO ledger_accountquarter (account_id, quarter, revenue, cost, discount, "
            "rebate, units, lines, invoices, invoices_due, paid_on_time, days_late_sum, "
            "days_late_max) VALUES (1, %s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 0, 0)",
            [date(2024, 1, 1), "1234567.89", "-0.07", "0", "12", "12.5"],
        )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ExchangeRate.objects.get().rate == Decimal("0.0000612345")
    stored = AccountQuarter.objects.values_list("revenue", "cost", "discount", "rebate", "units")
    assert list(stored) == [
        (Decimal("1234567.89"), Decimal("-0.07"), Decimal("0"), Decimal("12"), Decimal("12.5"))
    ]
    assert AccountQuarter.objects.filter(revenue__gt=Decimal("1234567.8")).count() == 1
