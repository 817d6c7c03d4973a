"""AccountQuarter rows computed in memory from invoices and lines about to be stored.

The direct ledger load (kam.ledger.importing.direct) uses these for accounts whose whole ledger
arrives in the file (nothing stored before, no payments): the same figures kam.ledger.rollups
computes in SQL, without reading back ten million lines just written. Sums are exact: each line
is converted with its month's rate in decimal arithmetic, which distributes over the sum, and
rounded once per quarter, as the SQL does on PostgreSQL. Such accounts have no payments, so an
invoice is counted as due once its due date has passed, late by the days up to ``today``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kam.ledger.models import DEFAULT_PAYMENT_DAYS

D12 = pl.Decimal(38, 12)
RATE = pl.Decimal(38, 10)
AMOUNTS = ("revenue", "cost", "discount", "rebate")
COUNTS = ("lines", "invoices", "invoices_due", "paid_on_time", "days_late_sum")
SCHEMA = {
    "account_id": pl.Int64,
    "quarter": pl.Date,
    **dict.fromkeys(AMOUNTS, D12),
    "units": D12,
    **dict.fromkeys(COUNTS, pl.Int64),
    "days_late_max": pl.Int64,
}


def line_parts(lines: pl.DataFrame, rates: pl.DataFrame, reporting_currency: str) -> pl.DataFrame:
    """Sales per account and quarter of ``lines`` (account_id, issue_date, currency, cancelled,
    net_revenue, cost, discount, rebate, base_quantity) in the reporting currency, unrounded.
    ``rates``: currency, month, rate. A line in another currency must have its month's rate."""
    sold = lines.filter(~pl.col("cancelled").cast(pl.Boolean)).with_columns(
        pl.col("issue_date").dt.month_start().alias("month")
    )
    sold = sold.join(rates, on=["currency", "month"], how="left")
    rate = (
        pl.when(pl.col("currency") == reporting_currency)
        .then(pl.lit(1).cast(RATE))
        .otherwise(pl.col("rate").cast(RATE))
    )
    return (
        sold.group_by("account_id", pl.col("issue_date").dt.truncate("1q").alias("quarter"))
        .agg(
            *[(pl.col(name).cast(D12) * rate).sum().cast(D12).alias(kind) for name, kind in (
                ("net_revenue", "revenue"), ("cost", "cost"), ("discount", "discount"),
                ("rebate", "rebate"),
            )],
            pl.col("base_quantity").cast(D12).sum().alias("units"),
            pl.len().cast(pl.Int64).alias("lines"),
        )
    )  # fmt: skip


def invoice_parts(invoices: pl.DataFrame, today: date) -> pl.DataFrame:
    """Invoices issued per quarter, and those fallen due per quarter with their days late, of
    unpaid ``invoices`` (account_id, issue_date, due_date, cancelled, total)."""
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
    fallen = overdue.group_by("account_id", pl.col("due").dt.truncate("1q").alias("quarter")).agg(
        pl.len().cast(pl.Int64).alias("invoices_due"),
        pl.col("late").sum().cast(pl.Int64).alias("days_late_sum"),
        pl.col("late").max().cast(pl.Int64).alias("days_late_max"),
    )
    return pl.concat([counted, fallen], how="diagonal")


def combine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """Parts from line_parts and invoice_parts merged: one row per account and quarter."""
    if not parts:
        return pl.DataFrame(schema=SCHEMA)
    frame = pl.concat(
        [part.select([c for c in SCHEMA if c in part.columns]) for part in parts],
        how="diagonal_relaxed",
    )
    sums = [c for c in SCHEMA if c not in ("account_id", "quarter", "days_late_max")]
    missing = [pl.lit(None, dtype=SCHEMA[c]).alias(c) for c in SCHEMA if c not in frame.columns]
    return (
        frame.with_columns(missing)
        .group_by("account_id", "quarter")
        .agg(
            *[pl.col(c).sum().cast(SCHEMA[c]).alias(c) for c in sums],
            pl.col("days_late_max").max().cast(pl.Int64),
        )
        .select(list(SCHEMA))
    )


def stored(combined: pl.DataFrame) -> pl.DataFrame:
    """The rows as AccountQuarter stores them: amounts rounded half away from zero to cents,
    units to four places, no nulls."""
    rounded = [
        pl.col(c).round(2, mode="half_away_from_zero").cast(pl.Decimal(20, 2)) for c in AMOUNTS
    ]
    return combined.with_columns(
        *rounded,
        pl.col("units").round(4, mode="half_away_from_zero").cast(pl.Decimal(18, 4)),
        *[pl.col(c).fill_null(0) for c in (*COUNTS, "days_late_max")],
    ).sort("account_id", "quarter")
