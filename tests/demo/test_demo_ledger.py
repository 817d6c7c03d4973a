"""The demo ledger: three years, large enough, deterministic, with its planted cases true."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest

from kam.demo.generator import build_company
from kam.demo.ledger import (
    CHINESE_NEW_YEAR,
    PAYMENT_TERMS,
    PLANTED_CASES,
    UNITS,
    DemoLedger,
    build_ledger,
    money,
    planted_accounts,
)
from kam.demo.loader import NotADemoDatabase, demo_load
from kam.ledger.models import (
    AccountQuarter,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    LedgerSettings,
    Payment,
    Product,
    ProductCost,
    UnitConversion,
)

TODAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def ledger(company):
    return build_ledger(company)


def quarter_key(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


@dataclass
class Quarterly:
    """Per account (rows) and complete quarter (columns, oldest first), in CNY, from the ledger.

    Revenue is what the customer pays in the end: net revenue less the rebate; discounts are
    discounts plus rebates, so revenue + discounts is the list value.
    """

    revenue: np.ndarray
    cost: np.ndarray
    discounts: np.ndarray
    rebates: np.ndarray

    def window(self, quarters: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """Revenue and margin % per account over the last ``quarters`` (NaN without revenue)."""
        revenue = self.revenue[:, -quarters:].sum(axis=1)
        cost = self.cost[:, -quarters:].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return revenue, np.where(revenue > 0, (revenue - cost) / revenue * 100, np.nan)

    def rank(self, account: int) -> int:
        revenue, _ = self.window()
        return int((revenue > revenue[account]).sum()) + 1


@pytest.fixture(scope="module")
def quarterly(ledger) -> Quarterly:
    return quarterly_of(ledger)


def quarterly_of(ledger: DemoLedger) -> Quarterly:
    """The 12 complete quarters before TODAY, computed independently of the generator."""
    last = quarter_key(TODAY) - 1
    rates = {(r.month, r.currency): float(r.rate) for r in ledger.rates}
    inv, lines = ledger.invoices, ledger.lines
    account = inv.account[lines.invoice]
    issue = [date.fromordinal(o) for o in inv.issue.tolist()]
    line_issue = [issue[i] for i in lines.invoice.tolist()]
    currency = [ledger.account_currencies[a] for a in account.tolist()]
    rate = np.array(
        [
            1.0 if c == "CNY" else rates[(d.replace(day=1), c)]
            for d, c in zip(line_issue, currency, strict=True)
        ]
    )
    column = np.array([quarter_key(d) - last + 11 for d in line_issue])
    keep = ~inv.cancelled[lines.invoice] & (column >= 0) & (column < 12)

    def table(cents: np.ndarray) -> np.ndarray:
        out = np.zeros((len(ledger.account_codes), 12))
        np.add.at(out, (account[keep], column[keep]), cents[keep] * rate[keep] / 100)
        return out

    return Quarterly(
        revenue=table(lines.net_revenue - lines.rebate),
        cost=table(lines.cost),
        discounts=table(lines.discount + lines.rebate),
        rebates=table(lines.rebate),
    )


def days_late(ledger: DemoLedger, account: int, quarters: int = 4) -> np.ndarray:
    """Days late of the account's invoices due in the last complete quarters (open ones count
    as late until TODAY), as AccountQuarter defines it."""
    inv = ledger.invoices
    last = quarter_key(TODAY) - 1
    days, position = np.unique(inv.due, return_inverse=True)
    due_quarter = np.array([quarter_key(date.fromordinal(int(o))) for o in days])[position]
    mine = (
        (inv.account == account)
        & ~inv.cancelled
        & (due_quarter > last - quarters)
        & (due_quarter <= last)
    )
    settled = np.where(inv.paid_on > 0, inv.paid_on, TODAY.toordinal())
    return np.maximum(settled[mine] - inv.due[mine], 0)


def index_of(ledger: DemoLedger, case: str) -> int:
    return ledger.account_codes.index(ledger.planted[case])


def test_it_has_over_200000_lines_over_the_36_months_before_today(ledger):
    assert len(ledger.lines) >= 200_000
    issued = {date.fromordinal(o).replace(day=1) for o in ledger.invoices.issue.tolist()}
    months = {date(2023 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(36)}
    assert ledger.start == date(2023, 11, 1)
    assert months <= issued
    assert max(ledger.invoices.issue) < TODAY.toordinal()
    assert min(ledger.invoices.issue) >= ledger.start.toordinal()


def fingerprint(ledger: DemoLedger) -> str:
    digest = hashlib.sha256()
    for columns in (ledger.invoices, ledger.lines, ledger.payments):
        for value in vars(columns).values():
            digest.update(np.asarray(value).tobytes() if isinstance(value, np.ndarray) else b"")
            if isinstance(value, list):
                digest.update("\n".join(value).encode())
    digest.update(repr([ledger.products, ledger.rates, ledger.conversions]).encode())
    return digest.hexdigest()


def test_the_same_seed_and_day_give_the_same_ledger(ledger):
    again = build_ledger(build_company(today=TODAY))
    assert fingerprint(again) == fingerprint(ledger)
    assert again.planted == ledger.planted


def test_another_seed_gives_another_ledger(ledger):
    other = build_ledger(build_company(seed=7, today=TODAY))
    assert fingerprint(other) != fingerprint(ledger)
    assert len(other.lines) >= 200_000


def test_revenue_follows_the_size_of_the_account(company, ledger, quarterly):
    sizes = np.array([a.size for a in company.accounts])
    revenue = quarterly.revenue.sum(axis=1)
    # Rank correlation: planted and new or lapsed customers move some, most follow their size.
    size_rank = np.argsort(np.argsort(-sizes))
    revenue_rank = np.argsort(np.argsort(-revenue))
    assert np.corrcoef(size_rank, revenue_rank)[0, 1] > 0.9
    lines = np.bincount(ledger.invoices.account[ledger.lines.invoice], minlength=len(sizes))
    assert lines[np.argmax(sizes)] > 20 * lines[np.argmin(sizes)]


def test_sales_dip_at_chinese_new_year(ledger):
    issue = ledger.invoices.issue
    per_day = np.bincount(issue - issue.min())
    typical = np.median(per_day[per_day > 0])
    for year in (2024, 2025, 2026):
        holiday = CHINESE_NEW_YEAR[year].toordinal() - issue.min()
        assert per_day[holiday - 3 : holiday + 9].mean() < 0.15 * typical, year


def test_about_120_products_with_a_cost_rise_every_march(ledger):
    assert 110 <= len(ledger.products) <= 130
    for product in ledger.products:
        days = [day for day, _ in product.costs]
        costs = [cost for _, cost in product.costs]
        assert days == [date(2023, 11, 1), date(2024, 3, 1), date(2025, 3, 1), date(2026, 3, 1)]
        assert all(later > earlier for earlier, later in pairwise(costs))


def test_lines_are_sold_in_units_that_convert_to_base_units(ledger):
    factors = {(c.product, c.unit): c.factor for c in ledger.conversions}
    lines = ledger.lines
    sold = np.bincount(lines.unit, minlength=len(UNITS))
    assert all(sold > 1000), sold  # pieces, boxes, cartons and pallets all occur
    for line in range(0, len(lines), 97):
        unit = ledger.line_unit(line)
        product = ledger.products[int(lines.product[line])]
        if unit == product.base_unit:
            factor = 1
        else:
            factor = factors.get((product.code, unit), factors[(None, unit)])
        assert lines.base_quantity[line] == lines.quantity[line] * factor


def test_amounts_are_whole_cents_that_add_up(ledger):
    inv, lines = ledger.invoices, ledger.lines
    assert (lines.discount >= 0).all() and (lines.rebate >= 0).all()
    assert (lines.net_revenue - lines.rebate > 0).all() and (lines.cost > 0).all()
    assert (np.bincount(lines.invoice, weights=lines.net_revenue) == inv.total).all()
    idr = np.array([ledger.account_currencies[a] == "IDR" for a in inv.account.tolist()])
    assert (inv.total[idr] % 100 == 0).all()  # whole rupiah
    yearly = np.bincount(inv.account[idr], weights=inv.total[idr]) / 3
    assert money(int(yearly.max())) > Decimal("10000000000")  # billions of rupiah a year
    assert money(12345) == Decimal("123.45")


def test_rates_are_monthly_for_four_currencies_and_drift_slowly(ledger):
    by_currency = defaultdict(list)
    for rate in ledger.rates:
        by_currency[rate.currency].append((rate.month, rate.rate))
    assert set(by_currency) == {"HKD", "IDR", "SGD", "GBP"}
    for currency, rows in by_currency.items():
        assert [m for m, _ in rows] == sorted({m for m, _ in rows})
        assert len(rows) == 37, currency  # November 2023 to November 2026
        values = np.array([float(r) for _, r in rows])
        assert (np.abs(np.diff(np.log(values))) < 0.05).all(), currency
    assert Decimal("0.0003") < by_currency["IDR"][0][1] < Decimal("0.0006")


def test_due_dates_follow_the_market(company, ledger):
    inv = ledger.invoices
    terms = np.array([PAYMENT_TERMS[company.accounts[a].country] for a in inv.account.tolist()])
    assert (inv.due - inv.issue == terms).all()


def test_payments_settle_invoices_by_reference_or_oldest_first(ledger):
    inv, pay = ledger.invoices, ledger.payments
    assert (pay.paid_on < TODAY.toordinal()).all()
    assert not np.isin(pay.invoice, np.flatnonzero(inv.cancelled)).any()
    assert (inv.paid_on[inv.cancelled] == 0).all()
    linked = pay.invoice >= 0
    assert 0.05 < (~linked).mean() < 0.3
    received = np.bincount(pay.invoice[linked], weights=pay.amount[linked], minlength=len(inv))
    last = np.zeros(len(inv), dtype=np.int64)
    np.maximum.at(last, pay.invoice[linked], pay.paid_on[linked])
    by_reference = np.isin(np.arange(len(inv)), pay.invoice[linked])
    assert (received[by_reference] <= inv.total[by_reference]).all()
    settled = by_reference & (received == inv.total)
    assert (inv.paid_on[settled] == last[settled]).all()
    assert (inv.paid_on[by_reference & ~settled] == 0).all()

    # Transfers without a reference pay whole runs of the oldest open invoices.
    for account in np.unique(pay.account[~linked]).tolist():
        open_invoices = list(np.flatnonzero((inv.account == account) & ~inv.cancelled))
        for p in np.flatnonzero((pay.account == account) & ~linked):
            remaining = int(pay.amount[p])
            while remaining > 0:
                oldest = open_invoices.pop(0)
                remaining -= int(inv.total[oldest])
                assert inv.paid_on[oldest] == pay.paid_on[p]
            assert remaining == 0
        assert (inv.paid_on[open_invoices] == 0).all()


def test_most_invoices_are_paid_on_time(ledger):
    inv = ledger.invoices
    due = ~inv.cancelled & (inv.due < TODAY.toordinal())
    settled = np.where(inv.paid_on > 0, inv.paid_on, TODAY.toordinal())
    assert (settled[due] <= inv.due[due]).mean() > 0.55
    assert 0.0015 < inv.cancelled.mean() < 0.005


def test_the_planted_accounts_depend_on_the_company_alone(company, ledger):
    assert set(ledger.planted) == set(PLANTED_CASES)
    assert len(set(ledger.planted.values())) == 4
    assert planted_accounts(build_company(today=date(2030, 1, 1))) == ledger.planted
    assert all(code in ledger.account_codes for code in ledger.planted.values())


def test_the_squeezer_is_a_top_10_buyer_below_cost_who_pays_late(ledger, quarterly):
    squeezer = index_of(ledger, "squeezer")
    _, margin = quarterly.window()
    assert quarterly.rank(squeezer) <= 10
    assert margin[squeezer] < 2
    # Also before its rebate is taken off, in case a page reads margin that way.
    invoiced = (quarterly.revenue + quarterly.rebates)[squeezer, -4:].sum()
    assert 1 - quarterly.cost[squeezer, -4:].sum() / invoiced < 0.02
    assert days_late(ledger, squeezer).mean() > 45
    others = [days_late(ledger, a).mean() for a in np.argsort(-quarterly.window()[0])[:30]]
    assert sorted(others)[-2] < 30  # nobody else among the 30 largest is nearly as slow


def test_the_fast_grower_is_small_and_grew_every_quarter(ledger, quarterly):
    grower = index_of(ledger, "fast_grower")
    assert quarterly.rank(grower) > 50
    revenue = quarterly.revenue[grower, -7:]
    growth = revenue[1:] / revenue[:-1] - 1
    assert (growth > 0.1).all() and (growth < 0.3).all(), growth


def test_the_volume_only_account_is_big_and_ordinary_otherwise(ledger, quarterly):
    volume = index_of(ledger, "volume_only")
    revenue, margin = quarterly.window()
    assert quarterly.rank(volume) <= 10
    top_30 = np.argsort(-revenue)[:30]
    assert abs(margin[volume] - np.median(margin[top_30])) < 2.5
    previous = quarterly.revenue[volume, -8:-4].sum()
    assert abs(revenue[volume] / previous - 1) < 0.05  # flat
    assert 0 < days_late(ledger, volume).mean() < 15


def test_the_discount_creep_account_gave_more_away_and_earned_less_every_quarter(ledger, quarterly):
    creep = index_of(ledger, "discount_creep")
    assert quarterly.rank(creep) <= 30
    revenue = quarterly.revenue[creep, -9:]
    share = quarterly.discounts[creep, -9:] / (revenue + quarterly.discounts[creep, -9:])
    margin = 1 - quarterly.cost[creep, -9:] / revenue
    assert (np.diff(share) > 0.01).all(), share
    assert (np.diff(margin) < 0).all(), margin


def cents_by_currency(rows) -> dict[tuple[str, int], Decimal]:
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for currency, *amounts in rows:
        for column, amount in enumerate(amounts):
            totals[currency, column] += amount
    return dict(totals)


def test_the_database_holds_the_generated_ledger_to_the_cent(loaded, db, ledger):
    assert LedgerSettings.current().reporting_currency == "CNY"
    assert Product.objects.count() == len(ledger.products)
    assert ProductCost.objects.count() == sum(len(p.costs) for p in ledger.products)
    assert UnitConversion.objects.filter(product=None).count() == 3
    assert ExchangeRate.objects.count() == len(ledger.rates)
    assert Invoice.objects.count() == len(ledger.invoices)
    assert Invoice.objects.filter(status="cancelled").count() == ledger.invoices.cancelled.sum()
    assert InvoiceLine.objects.count() == len(ledger.lines)
    assert Payment.objects.count() == len(ledger.payments)
    assert Payment.objects.filter(invoice=None).count() == (ledger.payments.invoice < 0).sum()

    # Sums in Python over Decimals read back: SQLite's SUM() would add floats.
    expected: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    currencies = [ledger.account_currencies[a] for a in ledger.invoices.account.tolist()]
    lines = ledger.lines
    for column, cents in enumerate(
        (lines.net_revenue, lines.cost, lines.discount, lines.rebate, lines.base_quantity * 100)
    ):
        per_currency = defaultdict(int)
        for invoice, amount in zip(lines.invoice.tolist(), cents.tolist(), strict=True):
            per_currency[currencies[invoice]] += amount
        for currency, total in per_currency.items():
            expected[currency, column] = money(total)
    stored = cents_by_currency(
        InvoiceLine.objects.values_list(
            "invoice__currency", "net_revenue", "cost", "discount", "rebate", "base_quantity"
        ).iterator(chunk_size=20_000)
    )
    assert stored == expected

    paid = defaultdict(int)
    for account, amount in zip(
        ledger.payments.account.tolist(), ledger.payments.amount.tolist(), strict=True
    ):
        paid[ledger.account_currencies[account]] += amount
    assert cents_by_currency(Payment.objects.values_list("currency", "amount")) == {
        (currency, 0): money(total) for currency, total in paid.items()
    }

    squeezer = Invoice.objects.filter(account__code=ledger.planted["squeezer"]).order_by("id")
    first = squeezer.first()
    assert first is not None and first.lines.count() >= 1
    assert sum(line.net_revenue for line in first.lines.all()) == first.total


def test_the_payment_allocation_agrees_with_the_generator_on_every_paid_date(loaded, db, ledger):
    # kam.ledger.allocation recomputed paid_on from the payments during the load, with FIFO
    # for the transfers that name no invoice.
    stored = dict(Invoice.objects.values_list("number", "paid_on"))
    generated = {
        number: date.fromordinal(paid) if paid else None
        for number, paid in zip(
            ledger.invoices.number, ledger.invoices.paid_on.tolist(), strict=True
        )
    }
    assert stored == generated


def test_the_rollups_show_the_planted_cases(loaded, db, ledger, quarterly):
    last = quarter_key(TODAY) - 1
    quarters = [date((last - k) // 4, (last - k) % 4 * 3 + 1, 1) for k in range(8, -1, -1)]
    rows = defaultdict(lambda: np.zeros((5, len(quarters))))
    for code, quarter, revenue, cost, discount, rebate, late, due in AccountQuarter.objects.filter(
        quarter__in=quarters
    ).values_list(
        "account__code",
        "quarter",
        "revenue",
        "cost",
        "discount",
        "rebate",
        "days_late_sum",
        "invoices_due",
    ):
        paid = float(revenue - rebate)  # AccountQuarter.revenue is before rebates
        column = quarters.index(quarter)
        rows[code][:, column] = [paid, float(cost), float(discount + rebate), late, due]
    planted = {case: rows[code] for case, code in ledger.planted.items()}
    year_revenue = {code: r[0, -4:].sum() for code, r in rows.items()}
    ranked = sorted(year_revenue, key=lambda code: -year_revenue[code])

    squeezer = planted["squeezer"]
    assert ranked.index(ledger.planted["squeezer"]) < 10
    assert 1 - squeezer[1, -4:].sum() / squeezer[0, -4:].sum() < 0.02
    assert squeezer[3, -4:].sum() / squeezer[4, -4:].sum() > 45
    assert ranked.index(ledger.planted["fast_grower"]) >= 50
    assert (np.diff(planted["fast_grower"][0, -7:]) > 0).all()
    assert ranked.index(ledger.planted["volume_only"]) < 10
    creep = planted["discount_creep"]
    assert ranked.index(ledger.planted["discount_creep"]) < 30
    assert (np.diff(creep[2] / (creep[0] + creep[2])) > 0).all()
    assert (np.diff(1 - creep[1] / creep[0]) < 0).all()
    # The database's sums are the ones computed here from the generated lines.
    mine = quarterly.revenue[ledger.account_codes.index(ledger.planted["squeezer"]), -9:]
    assert np.allclose(squeezer[0], mine, rtol=1e-9, atol=1.0)


def test_new_invoices_get_fresh_ids_after_the_demo(loaded, db, ledger):
    account = Invoice.objects.first().account
    invoice = Invoice.objects.create(
        number="NEW-1", account=account, issue_date=TODAY, currency=account.currency
    )
    assert invoice.pk > max(Invoice.objects.exclude(pk=invoice.pk).values_list("pk", flat=True))


def test_loading_the_demo_twice_is_refused(loaded, db, company, ledger):
    with pytest.raises(NotADemoDatabase):
        demo_load(company)
    assert InvoiceLine.objects.count() == len(ledger.lines)


def test_due_dates_and_dates_round_trip(loaded, db, ledger):
    first = Invoice.objects.get(number=ledger.invoices.number[0])
    assert first.issue_date == date.fromordinal(int(ledger.invoices.issue[0]))
    assert first.due_date - first.issue_date == timedelta(
        days=int(ledger.invoices.due[0] - ledger.invoices.issue[0])
    )
