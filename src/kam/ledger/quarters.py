"""AccountQuarter rows computed in memory from invoices and lines about to be stored.

The direct ledger load (kam.ledger.importing.direct) uses these for accounts whose whole ledger
arrives in the file (nothing stored before, no payments): the same figures kam.ledger.rollups
computes in SQL, without reading back ten million lines just written. The same steps too: lines
summed per account, month and currency, exactly; each month converted with its rate (exact in
decimals, so converting piece by piece and adding up gives the same); amounts rounded once per
quarter. Such accounts have no payments, so an invoice counts as due once its
due date has passed, late by the days up to ``today``.

Parts are computed batch by batch and summed up in a Tally.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kam.ledger.models import DEFAULT_PAYMENT_DAYS

# Parts pile up batch by batch and are merged (per account and quarter, as large as the
# accounts' quarters) once the rows come since the last merge outnumber the merged ones, and
# at least this many: memory stays within about twice the rollups, whatever the file's length,
# and each row is merged a few times at most.
MERGE_ROWS = 100_000

KEY = ("account_id", "quarter")
AMOUNTS = {"net_revenue": "revenue", "cost": "cost", "discount": "discount", "rebate": "rebate"}
SUMMED = (*AMOUNTS, "base_quantity")  # a line's amounts the rollups add up
D12 = pl.Decimal(38, 12)
RATE = pl.Decimal(38, 10)
STORED = (
    "account_id", "quarter", "revenue", "cost", "discount", "rebate", "units", "lines",
    "invoices", "invoices_due", "paid_on_time", "days_late_sum", "days_late_max",
    "unpaid_due", "unpaid_late_sum", "unpaid_due_days", "unpaid_first_due", "paid_late_max",
)  # fmt: skip
PAYMENTS = ("invoices_due", "days_late_sum", "days_late_max")
UNPAID = ("unpaid_due", "unpaid_late_sum", "unpaid_due_days", "unpaid_first_due")
EPOCH = date(2000, 1, 1)  # due dates kept as days since this one, as kam.ledger.rollups does


def sales_parts(sales: pl.DataFrame, rates: pl.DataFrame, reporting_currency: str) -> pl.DataFrame:
    """Per account and quarter: the sums of ``sales`` (account_id, issue_date, currency,
    cancelled, net_revenue, cost, discount, rebate, base_quantity, and ``lines``, the count of
    lines each row sums: one row per invoice with its lines' sums, say) not cancelled, in the
    reporting currency and unrounded, and the count of lines. As the SQL does, lines are
    summed per month and currency first, then converted with ``rates`` (currency, month,
    rate); a month in another currency must have its rate (the import refused lines that
    had none)."""
    sold = sales.filter(~pl.col("cancelled").cast(pl.Boolean))
    month = pl.col("issue_date").dt.month_start().alias("month")
    monthly = sold.group_by("account_id", month, "currency").agg(
        *[pl.col(name).sum() for name in (*SUMMED, "lines")]
    )
    rate = (
        pl.when(pl.col("currency") == reporting_currency)
        .then(pl.lit(1).cast(RATE))
        .otherwise(pl.col("rate").cast(RATE))
    )
    return (
        monthly.join(rates, on=["currency", "month"], how="left")
        .group_by("account_id", pl.col("month").dt.truncate("1q").alias("quarter"))
        .agg(
            *[(pl.col(name).cast(D12) * rate).sum().alias(kind) for name, kind in AMOUNTS.items()],
            pl.col("base_quantity").sum().alias("units"),
            pl.col("lines").sum(),
        )
    )


def invoice_parts(invoices: pl.DataFrame, today: date) -> pl.DataFrame:
    """Per account and quarter: the invoices issued, and those fallen due by ``today`` with
    their days late, of unpaid ``invoices`` (account_id, issue_date, due_date, cancelled,
    total)."""
    issued = invoices.filter(~pl.col("cancelled").cast(pl.Boolean))
    counted = issued.group_by(
        "account_id", pl.col("issue_date").dt.truncate("1q").alias("quarter")
    ).agg(pl.len().cast(pl.Int64).alias("invoices"))
    due = pl.coalesce("due_date", pl.col("issue_date") + pl.duration(days=DEFAULT_PAYMENT_DAYS))
    overdue = (
        issued.filter(pl.col("total") > 0)
        .with_columns(due.alias("due"))
        .filter(pl.col("due") < today)
        .with_columns((pl.lit(today) - pl.col("due")).dt.total_days().alias("late"))
    )
    epoch_days = (pl.col("due") - pl.lit(EPOCH)).dt.total_days()
    fallen = overdue.group_by("account_id", pl.col("due").dt.truncate("1q").alias("quarter")).agg(
        pl.len().cast(pl.Int64).alias("invoices_due"),
        pl.col("late").sum().cast(pl.Int64).alias("days_late_sum"),
        pl.col("late").max().cast(pl.Int64).alias("days_late_max"),
        # Every one of them is unpaid (see AccountQuarter's unpaid_* columns).
        pl.len().cast(pl.Int64).alias("unpaid_due"),
        pl.col("late").sum().cast(pl.Int64).alias("unpaid_late_sum"),
        epoch_days.sum().cast(pl.Int64).alias("unpaid_due_days"),
        epoch_days.min().cast(pl.Int64).alias("unpaid_first_due"),
    )
    return counted.join(
        fallen, on=["account_id", "quarter"], how="full", coalesce=True
    ).with_columns(pl.col("invoices", *UNPAID, *PAYMENTS).fill_null(0))


def merge(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Parts of one kind (sales or invoices) summed per account and quarter; days late the
    worst."""
    frame = pl.concat(parts)
    values = [name for name in frame.columns if name not in KEY]
    return frame.group_by(*KEY).agg(
        *[
            pl.col(v).max()
            if v == "days_late_max"
            else pl.col(v).filter(pl.col(v) > 0).min().fill_null(0)
            if v == "unpaid_first_due"
            else pl.col(v).sum()
            for v in values
        ]
    )


def account_quarters(sales: pl.DataFrame, invoices: pl.DataFrame) -> pl.DataFrame:
    """The AccountQuarter rows (columns as stored) from merged sales and invoice parts:
    amounts rounded half away from zero to cents once, as the SQL does."""
    joined = sales.join(invoices, on=["account_id", "quarter"], how="full", coalesce=True)
    return (
        joined.with_columns(
            *[
                pl.col(kind).round(2, mode="half_away_from_zero").cast(pl.Decimal(20, 2))
                for kind in AMOUNTS.values()
            ],
            pl.col("units").cast(pl.Decimal(18, 4)),
            pl.lit(0, dtype=pl.Int64).alias("paid_on_time"),
            pl.lit(0, dtype=pl.Int64).alias("paid_late_max"),
        )
        .with_columns(
            pl.col(name).fill_null(0)
            for name in STORED
            if name not in ("account_id", "quarter", "paid_on_time", "paid_late_max")
        )
        .select(STORED)
        .sort("account_id", "quarter")
    )


class Tally:
    """The sales and invoice parts of a file, added batch by batch."""

    def __init__(self) -> None:
        self.sales: list[pl.DataFrame] = []
        self.invoices: list[pl.DataFrame] = []
        self.merged_rows = 0
        self.result = pl.DataFrame(schema=dict.fromkeys(STORED))

    def add(self, invoices: pl.DataFrame, *, rates, reporting, today) -> None:
        """Add the parts of ``invoices``, each with the sums of its lines (see sales_parts
        and invoice_parts)."""
        self.sales.append(sales_parts(invoices, rates, reporting))
        self.invoices.append(invoice_parts(invoices, today))
        piled = sum(part.height for part in self.sales + self.invoices) - self.merged_rows
        if piled > max(MERGE_ROWS, self.merged_rows):
            self.merge()

    def merge(self) -> None:
        if len(self.sales) > 1:  # one part alone is already one row per account and quarter
            self.sales, self.invoices = [merge(self.sales)], [merge(self.invoices)]
            self.merged_rows = self.sales[0].height + self.invoices[0].height

    def finish(self) -> None:
        """Turn the parts into the stored rows (in the thread that added them, so that the
        caller's thread does not wait for it)."""
        self.merge()
        if self.sales:
            self.result = account_quarters(self.sales[0], self.invoices[0])
            self.sales, self.invoices = [], []

    def account_quarters(self) -> pl.DataFrame:
        """The AccountQuarter rows of everything added (see account_quarters)."""
        if self.sales:
            self.finish()
        return self.result
