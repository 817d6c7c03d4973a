"""Collect the refused rows of an import: the first ones in memory, all of them counted,
and (when a reject file is wanted) every bad row's reasons in a temporary table."""

from __future__ import annotations

import polars as pl

from kam.ledger.importing.reader import ROW
from kam.ledger.importing.result import ERRORS_KEPT, RowError
from kam.ledger.importing.staging import Staging

# Columns of an error frame.
COLUMN, VALUE, REASON = "column", "value", "reason"


class ErrorSink:
    """Where every refused value goes."""

    def __init__(self, staging: Staging, *, record: bool, keep: int = ERRORS_KEPT) -> None:
        self.staging = staging
        self.keep = keep
        self.kept: list[RowError] = []
        self.total = 0
        self.rows = 0
        self.table = (
            staging.create("errors", [("row", "int"), ("reason", "text")]) if record else None
        )

    def add(self, errors: pl.DataFrame) -> None:
        """Take a frame of (ROW, column, value, reason); rows not seen before count as bad.
        A row's errors must arrive together (one batch, or one check)."""
        if errors.is_empty():
            return
        self.total += errors.height
        self.rows += errors.get_column(ROW).n_unique()
        room = self.keep - len(self.kept)
        if room > 0:
            for row, column, value, reason in errors.head(room).iter_rows():
                self.kept.append(RowError(int(row), column or "", value or "", reason))
        if self.table:
            per_row = errors.group_by(ROW, maintain_order=True).agg(
                pl.concat_str(
                    [
                        pl.when(pl.col(COLUMN) != "")
                        .then(pl.col(COLUMN) + ": ")
                        .otherwise(pl.lit("")),
                        pl.col(REASON),
                    ]
                )
                .str.join("; ")
                .alias("reason")
            )
            self.staging.write(self.table, per_row.rename({ROW: "row"}))

    def add_rows(self, rows: list[tuple[int, str, str, str]]) -> None:
        """Like ``add``, from (row, column, value, reason) tuples (the SQL checks' results)."""
        if rows:
            self.add(
                pl.DataFrame(
                    rows,
                    schema={ROW: pl.Int64, COLUMN: pl.String, VALUE: pl.String, REASON: pl.String},
                    orient="row",
                )
            )

    def errors(self) -> list[RowError]:
        return sorted(self.kept, key=lambda error: error.row)
