"""AccountQuarter: the rollups scoring reads instead of the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from kam.core.periods import quarter_start
from kam.ledger.importing import import_file
from kam.ledger.models import AccountQuarter, ExchangeRate, Invoice, InvoiceLine, Payment
from kam.ledger.rollups import MissingExchangeRates, rollup_refresh

pytestmark = pytest.mark.django_db

RATES = {date(2024, 2, 1): Decimal("0.0000640"), date(2024, 5, 1): Decimal("0.0000612345")}


@pytest.fixture
def small_ledger(buyers, catalogue, ledger_csv):
    """Three accounts over three quarters, in USD and IDR, with a cancelled invoice,
    discounts and rebates."""
    for month, rate in RATES.items():
        ExchangeRate.objects.create(month=month, currency="IDR", rate=rate)
    header = (
        "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,"
        "net_revenue,cost,discount,rebate,status"
    )
    rows = [
        ("U1", 1, "2024-01-15", "A1", "USD", "HINGE", 10, "100.10", "60", "5", "1.5", ""),
        ("U1", 2, "2024-01-15", "A1", "USD", "RAIL", 4, "40.05", "20", "0", "0", ""),
        ("U2", 1, "2024-03-31", "A1", "USD", "RAIL", 2, "19.99", "9", "1", "0", ""),
        ("U3", 1, "2024-04-01", "A1", "USD", "HINGE", 1, "10", "6", "0", "0", ""),
        ("U4", 1, "2024-04-02", "A1", "USD", "HINGE", 9, "90", "50", "0", "0", "Cancelled"),
        ("U5", 1, "2024-07-09", "A2", "USD", "RAIL", 3, "33.33", "12", "0", "2", ""),
        ("R1", 1, "2024-02-10", "B1", "IDR", "RAIL", 5, "1500000.55", "900000", "0", "0", ""),
        ("R1", 2, "2024-02-10", "B1", "IDR", "HINGE", 7, "2100000", "1000000", "0", "0", ""),
        ("R2", 1, "2024-05-20", "B1", "IDR", "RAIL", 1, "987654.32", "1", "0", "0", ""),
    ]
    import_file(kind="ledger", path=ledger_csv(rows, header=header))


def expected_sales() -> dict:
    """The quarterly sums done the plain way, line by line in Python."""
    sums = defaultdict(lambda: defaultdict(Decimal))
    for line in InvoiceLine.objects.filter(invoice__status="issued").select_related("invoice"):
        invoice = line.invoice
        rate = Decimal(1) if invoice.currency == "USD" else RATES[invoice.issue_date.replace(day=1)]
        key = (invoice.account_id, quarter_start(invoice.issue_date))
        for field in ("net_revenue", "cost", "discount", "rebate"):
            sums[key][field] += getattr(line, field) * rate
        sums[key]["units"] += line.base_quantity
        sums[key]["lines"] += 1
    cent = Decimal("0.01")
    return {
        key: (
            values["net_revenue"].quantize(cent, ROUND_HALF_UP),
            values["cost"].quantize(cent, ROUND_HALF_UP),
            values["discount"].quantize(cent, ROUND_HALF_UP),
            values["rebate"].quantize(cent, ROUND_HALF_UP),
            values["units"],
            values["lines"],
        )
        for key, values in sums.items()
    }


def test_rollups_equal_a_plain_recomputation_of_the_ledger(small_ledger):
    stored = {
        (q.account_id, q.quarter): (q.revenue, q.cost, q.discount, q.rebate, q.units, q.lines)
        for q in AccountQuarter.objects.filter(lines__gt=0)
    }

    assert stored == expected_sales()


def test_rollups_count_the_invoices_issued_without_the_cancelled_ones(small_ledger, buyers):
    invoices = dict(
        AccountQuarter.objects.filter(account=buyers["A1"]).values_list("quarter", "invoices")
    )

    assert invoices == {date(2024, 1, 1): 2, date(2024, 4, 1): 1}


def test_a_full_refresh_rebuilds_the_same_rollups(small_ledger):
    before = sorted(AccountQuarter.objects.values_list(*_ROLLUP_FIELDS))
    AccountQuarter.objects.all().delete()

    rollup_refresh(today=date.today())

    assert sorted(AccountQuarter.objects.values_list(*_ROLLUP_FIELDS)) == before


def test_a_refresh_without_a_needed_rate_is_refused_naming_it(small_ledger):
    ExchangeRate.objects.filter(month=date(2024, 5, 1)).delete()

    with pytest.raises(MissingExchangeRates) as missing:
        rollup_refresh()

    assert missing.value.pairs == [("IDR", "2024-05")]
    assert AccountQuarter.objects.exists()  # the old rollups stay


def test_importing_a_rate_refreshes_the_accounts_that_use_it(small_ledger, buyers, write_file):
    result = import_file(
        kind="rates", path=write_file("rates.csv", "month,currency,rate\n2024-05,IDR,0.0001\n")
    )

    assert result.touched_account_ids == [buyers["B1"].pk]
    quarter = AccountQuarter.objects.get(account=buyers["B1"], quarter=date(2024, 4, 1))
    assert quarter.revenue == Decimal("98.77")  # 987,654.32 IDR at 0.0001


_ROLLUP_FIELDS = (
    "account_id",
    "quarter",
    "revenue",
    "cost",
    "discount",
    "rebate",
    "units",
    "lines",
    "invoices",
    "invoices_due",
    "paid_on_time",
    "days_late_sum",
    "days_late_max",
)


@pytest.fixture
def open_invoices(buyers, catalogue, ledger_csv):
    """A1 owes 100 (issued 10 Jan), 50 (1 Feb) and 80 (1 Mar); due 30 days later."""
    import_file(
        kind="ledger",
        path=ledger_csv(
            [
                ("INV1", 1, "2024-01-10", "A1", "USD", "HINGE", 1, "100", "1"),
                ("INV2", 1, "2024-02-01", "A1", "USD", "HINGE", 1, "50", "1"),
                ("INV3", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "80", "1"),
            ]
        ),
    )


def test_unlinked_payments_pay_the_oldest_invoices_first(open_invoices, buyers, write_file):
    import_file(
        kind="payments",
        path=write_file(
            "payments.csv",
            "reference,account_code,paid_on,amount,currency\n"
            "CHQ1,A1,2024-02-05,60,USD\n"
            "CHQ2,A1,2024-02-20,60,USD\n"
            "CHQ3,A1,2024-03-10,100,USD\n",
        ),
    )
    rollup_refresh(account_ids=[buyers["A1"].pk], today=date(2024, 4, 15))

    paid = dict(Invoice.objects.values_list("number", "paid_on"))
    # 60 + 60 covers INV1's 100 on 20 Feb; 220 covers INV2 (150) on 10 Mar; INV3 needs 230.
    assert paid == {"INV1": date(2024, 2, 20), "INV2": date(2024, 3, 10), "INV3": None}
    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter=date(2024, 1, 1))
    # Due 9 Feb (paid 11 days late), 2 Mar (8 days late), 31 Mar (unpaid: 15 days by 15 Apr).
    assert (quarter.invoices_due, quarter.paid_on_time) == (3, 0)
    assert (quarter.days_late_sum, quarter.days_late_max) == (11 + 8 + 15, 15)


def test_a_payment_that_names_its_invoice_pays_that_invoice(open_invoices, buyers, write_file):
    import_file(
        kind="payments",
        path=write_file(
            "payments.csv",
            "reference,account_code,paid_on,amount,currency,invoice_number\n"
            "CHQ1,A1,2024-03-05,80,USD,INV3\n"
            "CHQ2,A1,2024-03-06,100,USD,\n",
        ),
    )
    rollup_refresh(account_ids=[buyers["A1"].pk], today=date(2024, 3, 20))

    paid = dict(Invoice.objects.values_list("number", "paid_on"))
    assert paid == {"INV1": date(2024, 3, 6), "INV2": None, "INV3": date(2024, 3, 5)}
    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter=date(2024, 1, 1))
    # INV1 paid 26 days late, INV2 (due 2 Mar) unpaid 18 days by 20 Mar, INV3 on time;
    # INV3 counts because it is paid although its due date (31 Mar) is still to come.
    assert (quarter.invoices_due, quarter.paid_on_time) == (3, 1)
    assert (quarter.days_late_sum, quarter.days_late_max) == (26 + 18, 26)


def test_an_unpaid_invoice_not_yet_due_is_not_counted_yet(open_invoices, buyers):
    rollup_refresh(account_ids=[buyers["A1"].pk], today=date(2024, 3, 15))

    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter=date(2024, 1, 1))
    # INV1 and INV2 are overdue by 15 Mar; INV3 (due 31 Mar) is not due yet.
    assert (quarter.invoices_due, quarter.days_late_sum) == (2, 35 + 13)


def test_payment_figures_match_a_plain_fifo_on_random_payments(open_invoices, buyers, write_file):
    amounts = [Decimal("17.50"), Decimal("33.25"), Decimal("49.25"), Decimal("12"), Decimal("90")]
    start = date(2024, 1, 20)
    lines = [
        f"P{i},A1,{start + timedelta(days=9 * i)},{amount},USD" for i, amount in enumerate(amounts)
    ]
    import_file(
        kind="payments",
        path=write_file(
            "payments.csv", "reference,account_code,paid_on,amount,currency\n" + "\n".join(lines)
        ),
    )
    rollup_refresh(account_ids=[buyers["A1"].pk], today=date(2024, 6, 1))

    expected, paid_so_far, payments = {}, Decimal(0), list(Payment.objects.order_by("paid_on"))
    need = Decimal(0)
    for invoice in Invoice.objects.order_by("issue_date"):
        need += invoice.total
        expected[invoice.number] = None
        running = Decimal(0)
        for payment in payments:
            running += payment.amount
            if running >= need:
                expected[invoice.number] = max(payment.paid_on, invoice.issue_date)
                break
        paid_so_far = running
    assert paid_so_far >= 0
    assert dict(Invoice.objects.values_list("number", "paid_on")) == expected
