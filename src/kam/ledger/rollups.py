"""Keep AccountQuarter, the per-account quarterly rollup that metrics and scoring read.

Only imports and ``kam ledger refresh-rollups`` scan the ledger; scoring reads the rollups.
One refresh, set-based, for a set of accounts (or all):

1. the invoices' paid dates from the payments (kam.ledger.allocation);
2. the sales lines summed per account, month and currency (cancelled invoices excluded), each
   month converted to the reporting currency with that month's ExchangeRate (the reporting
   currency has rate 1). A missing rate refuses the refresh, naming the currency-months:
   revenue is never silently dropped. (Ledger imports refuse such lines up front.)
3. per account and quarter: the sales of step 2; the invoices issued; and the payment
   behaviour of the invoices falling due in the quarter, once paid or overdue. An invoice
   without a due date falls due DEFAULT_PAYMENT_DAYS after its issue date; an unpaid one is
   late by the days from its due date to ``today``, so a daily refresh keeps that current
   (scoring measures those up to its own as-of date from the unpaid_* columns, and leaves
   them out for an account with no payment record at all: no payment data is not "never
   paid", see kam.selection.run).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kam.ledger.allocation import paid_dates_refresh
from kam.ledger.importing.staging import Staging
from kam.ledger.models import DEFAULT_PAYMENT_DAYS, LedgerSettings

EPOCH = date(2000, 1, 1)  # due dates are kept as days since this one
# Converted to the reporting currency; ``uncosted`` is the revenue of lines of unknown cost.
AMOUNTS = ("revenue", "cost", "uncosted", "discount", "rebate")


class MissingExchangeRates(Exception):
    """Lines in a currency and month with no exchange rate: the rollup would lose them."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs
        listed = ", ".join(f"{currency} {month}" for currency, month in pairs[:20])
        more = f" (+{len(pairs) - 20})" if len(pairs) > 20 else ""
        super().__init__(
            gettext("no exchange rate for: %(pairs)s; import the rates and refresh again")
            % {"pairs": listed + more}
        )


@transaction.atomic
def rollup_refresh(*, account_ids: Iterable[int] | None = None, today: date | None = None) -> int:
    """Recompute the AccountQuarter rows (and the invoices' paid dates) of the given accounts,
    or of all accounts when ``account_ids`` is None; the number of rows written."""
    today = today or timezone.localdate()
    s = Staging()
    scope = _scope(s, account_ids)
    reporting = LedgerSettings.current().reporting_currency
    paid_dates_refresh(staging=s, scope=scope)

    # A line's account, date and currency are its invoice's; cancelled invoices count nothing.
    sales = s.create_as(
        "sales",
        f"SELECT i.account_id, {s.month_start('i.issue_date')} AS month, i.currency, "  # noqa: S608
        # A line of unknown cost (NULL) adds nothing to cost and its revenue to uncosted.
        f"SUM(l.net_revenue) AS revenue, COALESCE(SUM(l.cost), 0) AS cost, "
        f"SUM(CASE WHEN l.cost IS NULL THEN l.net_revenue ELSE 0 END) AS uncosted, "
        f"SUM(l.discount) AS discount, SUM(l.rebate) AS rebate, "
        f"SUM(l.base_quantity) AS units, COUNT(*) AS lines "
        f"FROM ledger_invoice i JOIN ledger_invoiceline l ON l.invoice_id = i.id "
        f"WHERE i.status = 'issued' AND {scope('i.account_id')} "
        f"GROUP BY i.account_id, {s.month_start('i.issue_date')}, i.currency",
    )
    missing = s.fetchall(
        f"SELECT DISTINCT x.currency, x.month FROM {sales} x "  # noqa: S608
        f"LEFT JOIN ledger_exchangerate r ON r.currency = x.currency AND r.month = x.month "
        f"WHERE x.currency <> %s AND r.id IS NULL ORDER BY x.currency, x.month",
        [reporting],
    )
    if missing:
        raise MissingExchangeRates([(currency, str(month)[:7]) for currency, month in missing])

    s.execute(f"DELETE FROM ledger_accountquarter WHERE {scope('account_id')}")  # noqa: S608
    if s.postgres:
        rate = "CASE WHEN x.currency = %s THEN 1 ELSE r.rate END"
        sold = {name: f"x.{name} * {rate}" for name in AMOUNTS}
        converted = ""
    else:
        # SQLite's integers cannot hold cents times a rate of 10 places: polars converts the
        # other currencies, exactly (see _converted); the reporting currency's stay here.
        sold = {name: f"CASE WHEN x.currency = %s THEN x.{name} ELSE 0 END" for name in AMOUNTS}
        converted = (
            f"UNION ALL SELECT account_id, quarter, {', '.join(AMOUNTS)}, "  # noqa: S608
            f"0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CAST(NULL AS integer), 0 "
            f"FROM {_converted(s, sales, reporting)}"
        )
    due = f"COALESCE(i.due_date, {s.add_days('i.issue_date', DEFAULT_PAYMENT_DAYS)})"
    late = s.greatest("0", s.days_between("COALESCE(d.paid_on, %s)", "d.due"))
    epoch_days = s.days_between("d.due", "%s")
    unpaid = "CASE WHEN d.paid_on IS NULL THEN {} ELSE 0 END"
    zeros = "0, 0, 0, 0, 0, 0, 0, CAST(NULL AS integer), 0"
    written = s.execute(
        f"""
        INSERT INTO ledger_accountquarter (account_id, quarter, revenue, cost, uncosted_revenue,
            discount, rebate,
            units, lines, invoices, invoices_due, paid_on_time, days_late_sum, days_late_max,
            unpaid_due, unpaid_late_sum, unpaid_due_days, unpaid_first_due, paid_late_max)
        SELECT account_id, quarter,
            {s.round("SUM(revenue)")}, {s.round("SUM(cost)")}, {s.round("SUM(uncosted)")},
            {s.round("SUM(discount)")}, {s.round("SUM(rebate)")},
            {s.round("SUM(units)", 4)}, SUM(lines), SUM(invoices), SUM(due),
            SUM(on_time), SUM(late_sum), MAX(late_max), SUM(unpaid_due), SUM(unpaid_late),
            SUM(unpaid_days), COALESCE(MIN(first_due), 0), MAX(paid_max)
        FROM (
            SELECT x.account_id, {s.quarter_start("x.month")} AS quarter,
                {sold["revenue"]} AS revenue, {sold["cost"]} AS cost,
                {sold["uncosted"]} AS uncosted,
                {sold["discount"]} AS discount, {sold["rebate"]} AS rebate,
                x.units AS units, x.lines AS lines, 0 AS invoices, 0 AS due, 0 AS on_time,
                0 AS late_sum, 0 AS late_max, 0 AS unpaid_due, 0 AS unpaid_late,
                0 AS unpaid_days, CAST(NULL AS integer) AS first_due, 0 AS paid_max
            FROM {sales} x
            LEFT JOIN ledger_exchangerate r ON r.currency = x.currency AND r.month = x.month
            {converted}
            UNION ALL
            SELECT i.account_id, {s.quarter_start("i.issue_date")}, 0, 0, 0, 0, 0, 0, 0, COUNT(*),
                {zeros}
            FROM ledger_invoice i
            WHERE i.status = 'issued' AND NOT i.credit_note AND {scope("i.account_id")}
            GROUP BY i.account_id, {s.quarter_start("i.issue_date")}
            UNION ALL
            SELECT d.account_id, {s.quarter_start("d.due")}, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*),
                SUM(CASE WHEN d.paid_on <= d.due THEN 1 ELSE 0 END), SUM({late}), MAX({late}),
                SUM({unpaid.format(1)}), SUM({unpaid.format(late)}),
                SUM({unpaid.format(epoch_days)}),
                MIN(CASE WHEN d.paid_on IS NULL THEN {epoch_days} END),
                MAX(CASE WHEN d.paid_on IS NULL THEN 0 ELSE {late} END)
            FROM (
                SELECT i.account_id, i.paid_on, {due} AS due FROM ledger_invoice i
                WHERE i.status = 'issued' AND NOT i.credit_note AND i.total > 0
                    AND {scope("i.account_id")}
            ) d
            WHERE d.paid_on IS NOT NULL OR d.due < %s
            GROUP BY d.account_id, {s.quarter_start("d.due")}
        ) parts
        GROUP BY account_id, quarter
        """,  # noqa: S608
        [reporting] * 5 + [today] * 3 + [EPOCH] * 2 + [today, today],
    )
    s.drop_all()
    return written


def _converted(s: Staging, sales: str, reporting: str) -> str:
    """SQLite: a table of the ``sales`` in other currencies than ``reporting``, converted with
    their month's rate and summed per account and quarter, in cents (as SQLite stores them),
    rounded half away from zero once per quarter: what PostgreSQL computes in numeric."""
    table = s.create(
        "converted",
        [("account_id", "int"), ("quarter", "text"), *((name, "decimal2") for name in AMOUNTS)],
    )
    rows = s.fetchall(
        f"SELECT x.account_id, {s.quarter_start('x.month')}, r.rate, "  # noqa: S608
        f"{', '.join('x.' + name for name in AMOUNTS)} FROM {sales} x "
        f"JOIN ledger_exchangerate r ON r.currency = x.currency AND r.month = x.month "
        f"WHERE x.currency <> %s",
        [reporting],
    )
    if not rows:
        return table
    names = ["account_id", "quarter", "rate", *AMOUNTS]
    frame = pl.DataFrame(
        rows, schema=dict.fromkeys(names, pl.Int64) | {"quarter": pl.String}, orient="row"
    )
    # Units back to decimals: cents (at 12 places, where cents times a rate of 10 places is
    # exact) and the rate's 10 places.
    rate = pl.col("rate").cast(pl.Decimal(38, 10)) / 10**10
    exact = [(pl.col(name).cast(pl.Decimal(38, 12)) / 100 * rate).sum() for name in AMOUNTS]
    summed = frame.group_by("account_id", "quarter").agg(exact)
    cents = [
        pl.col(name)
        .round(2, mode="half_away_from_zero")
        .cast(pl.Decimal(38, 2))
        .to_physical()
        .cast(pl.Int64)
        for name in AMOUNTS
    ]
    s.write(table, summed.with_columns(cents))
    return table


def _scope(s: Staging, account_ids: Iterable[int] | None):
    """A function turning an account id column into the SQL condition of the refresh."""
    if account_ids is None:
        return lambda column: "1 = 1"
    table = s.create("scope", [("account_id", "int")])
    ids = sorted(set(account_ids))
    s.write(table, pl.DataFrame({"account_id": ids}, schema={"account_id": pl.Int64}))
    s.analyze(table)
    return lambda column: f"{column} IN (SELECT account_id FROM {table})"  # noqa: S608
