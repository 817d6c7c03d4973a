"""The reject file: the refused rows as they were in the file, with their row number and why.

Written by reading the file a second time, batch by batch, and picking the rows the error
table names, so memory stays flat however many rows were refused.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from kam.ledger.importing.errors import ErrorSink
from kam.ledger.importing.reader import ROW, Source, column_names


def write_rejects(source: Source, sink: ErrorSink, path: Path) -> None:
    """Write every refused row of ``source`` to ``path`` (CSV UTF-8)."""
    names = column_names(len(source.header))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*source.header, "row", "reason"])
        # Problems with the file as a whole or its header (row 1) come first.
        for row, reason in sink.staging.fetchall(
            f"SELECT row, reason FROM {sink.table} WHERE row < 2 ORDER BY row"  # noqa: S608
        ):
            writer.writerow([""] * len(names) + [row, reason])
        for batch in source.batches():
            rows = batch.get_column(ROW)
            found = sink.staging.fetchall(
                f"SELECT row, reason FROM {sink.table} WHERE row BETWEEN %s AND %s",  # noqa: S608
                [int(rows.min()), int(rows.max())],
            )
            if not found:
                continue
            reasons = (
                pl.DataFrame(found, schema={ROW: pl.Int64, "reason": pl.String}, orient="row")
                .group_by(ROW)
                .agg(pl.col("reason").str.join("; "))
            )
            picked = batch.join(reasons, on=ROW, how="inner").sort(ROW)
            for record in picked.select([*names, ROW, "reason"]).iter_rows():
                writer.writerow(["" if value is None else value for value in record])
