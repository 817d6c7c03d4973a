"""One batch of a file, parsed and checked row by row (no database involved)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from kam.ledger.importing import formats
from kam.ledger.importing.columns import ColumnPlan, number_lines
from kam.ledger.importing.kinds.base import Kind
from kam.ledger.importing.parse import ParseOptions, parse_fields, reason_column
from kam.ledger.importing.reader import ROW, ROW_PROBLEM
from kam.ledger.importing.rounding import round_money


@dataclass
class CheckedBatch:
    rows: int  # the rows read, blank rows not counted
    raw: pl.DataFrame  # the rows as text, named by field
    parsed: pl.DataFrame  # typed values, and a reason column (!field) per field
    reasons: list[str]  # the reason columns, in the order of the kind's fields
    bad: pl.Series  # per row: refused?


def check_batch(
    batch: pl.DataFrame, plan: ColumnPlan, options: ParseOptions, job: Kind
) -> CheckedBatch | None:
    """Parse and check one batch of ``job``'s kind; None when it held only blank rows."""
    data_columns = [name for name in batch.columns if name not in (ROW, ROW_PROBLEM)]
    # Blank rows (a CSV reader gives nulls for their empty cells) are skipped, not refused.
    blank = pl.all_horizontal([pl.col(c).is_null() for c in data_columns])
    kept = batch.select(~blank | pl.col(ROW_PROBLEM).is_not_null()).to_series()
    if not kept.all():  # most batches have no blank row: no copy of them
        batch = batch.filter(kept)
    if batch.is_empty():
        return None
    raw = plan.select(batch)
    if options.number_lines:
        raw = number_lines(raw, job.line_counts)
    if options.round_money:
        raw = round_money(raw, plan.kind, decimal_comma=options.decimal_comma, tally=job.rounding)
    parsed = job.enrich(parse_fields(raw, formats.FIELDS[plan.kind], options))
    # A row's problems are reported in the order of the kind's fields.
    order = {reason_column(f.name): i for i, f in enumerate(formats.FIELDS[plan.kind])}
    reasons = sorted(
        (c for c in parsed.columns if c.startswith("!")), key=lambda c: order.get(c, 99)
    )
    bad = (
        pl.any_horizontal([pl.col(c).is_not_null() for c in reasons])
        | pl.col(ROW_PROBLEM).is_not_null()
    )
    flags = parsed.select(bad.alias("bad")).get_column("bad")
    return CheckedBatch(rows=batch.height, raw=raw, parsed=parsed, reasons=reasons, bad=flags)
