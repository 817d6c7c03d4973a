"""Monthly exchange rates: units of the reporting currency per unit of a currency.

Upserted on (month, currency). A changed rate changes the rollups of every account with lines
in that currency and month, so those are refreshed; the cost of lines already imported stays
as it was converted (re-import the ledger to convert again).
"""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing.kinds.base import Applied, Kind
from kam.ledger.importing.parse import render, when


class RatesKind(Kind):
    name = "rates"
    refreshes_rollups = True
    columns = (
        ("month", "date"),
        ("month_end", "date"),
        ("currency", "text"),
        ("rate", "decimal10"),
    )

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        p = self.add_reason(
            p,
            "currency",
            when(
                pl.col("currency") == self.reporting_currency,
                render(
                    gettext("%(currency)s is the reporting currency: its rate is always 1"),
                    currency=pl.col("currency"),
                ),
            ),
        )
        return p.with_columns(pl.col("month").dt.offset_by("1mo").alias("month_end"))

    def check(self) -> None:
        self.check_duplicates(("month", "currency"))

    def apply(self) -> Applied:
        s, rows = self.staging, self.table
        changed = s.create_as(
            "changed",
            f"SELECT s.month, s.month_end, s.currency, r.id AS rate_id FROM {rows} s "  # noqa: S608
            f"LEFT JOIN ledger_exchangerate r ON r.month = s.month AND r.currency = s.currency "
            f"WHERE r.id IS NULL OR r.rate <> s.rate",
        )
        created = s.execute(
            f"INSERT INTO ledger_exchangerate (month, currency, rate) "  # noqa: S608
            f"SELECT s.month, s.currency, s.rate FROM {rows} s JOIN {changed} c "
            f"ON c.month = s.month AND c.currency = s.currency WHERE c.rate_id IS NULL"
        )
        updated = s.execute(
            f"UPDATE ledger_exchangerate SET rate = s.rate FROM {rows} s "  # noqa: S608
            f"WHERE ledger_exchangerate.month = s.month "
            f"AND ledger_exchangerate.currency = s.currency "
            f"AND ledger_exchangerate.rate <> s.rate"
        )
        touched = s.fetchall(
            # An invoice's lines share its currency and date: the invoices tell, four times fewer.
            f"SELECT DISTINCT i.account_id FROM ledger_invoice i JOIN {changed} c "  # noqa: S608
            f"ON i.currency = c.currency AND i.issue_date >= c.month AND i.issue_date < c.month_end"
        )
        return Applied(
            created=created, updated=updated, touched_account_ids=sorted(pk for (pk,) in touched)
        )
