"""What every kind of import shares: a staging table of the good rows, duplicate-key checks,
holding bad rows back, and the counts of an apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing.columns import ColumnPlan
from kam.ledger.importing.errors import ErrorSink
from kam.ledger.importing.parse import ParseOptions, first_reason, reason_column, render, when
from kam.ledger.importing.reader import ROW
from kam.ledger.importing.rounding import Rounding
from kam.ledger.importing.staging import Staging


@dataclass
class Applied:
    """What an apply changed, and the accounts whose rollups must follow."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    touched_account_ids: list[int] = field(default_factory=list)


class Kind:
    """One kind of file. Subclasses give the staging columns and the SQL that applies them."""

    name = ""
    refreshes_rollups = False
    # (column, staging type) of the staging table; ``row`` first.
    columns: Sequence[tuple[str, str]] = ()

    def __init__(
        self,
        *,
        staging: Staging,
        plan: ColumnPlan,
        options: ParseOptions,
        sink: ErrorSink,
        skip_bad: bool,
        reporting_currency: str,
    ) -> None:
        self.staging = staging
        self.plan = plan
        self.options = options
        self.sink = sink
        self.skip_bad = skip_bad
        self.reporting_currency = reporting_currency
        self.table = staging.create("rows", [("row", "int"), *self.columns])
        # Rows found bad by the checks after staging; hold_back removes them.
        self.bad = staging.create("bad_rows", [("row", "int")])
        self.rounding = Rounding()
        self.line_counts: dict[str, int] = {}  # number_lines: the lines of each invoice so far

    # --- per batch ---------------------------------------------------------------------------

    def enrich(self, parsed: pl.DataFrame) -> pl.DataFrame:
        """Look up what the rows refer to, adding reasons; keep the rows in their order."""
        return parsed

    def stage(self, good: pl.DataFrame) -> None:
        names = [name for name, _ in self.columns]
        self.staging.write(self.table, good.rename({ROW: "row"}).select(["row", *names]))

    def note_bad(self, bad: pl.DataFrame) -> None:
        """Hear of the rows refused in a batch (the raw text frame)."""

    # --- after staging -----------------------------------------------------------------------

    def check(self) -> None:
        """Checks across rows, run on the staged rows."""

    def hold_back(self) -> None:
        """Drop from the staging table the rows the checks refused (with skip_bad)."""
        self.staging.execute(f"DELETE FROM {self.table} WHERE row IN (SELECT row FROM {self.bad})")  # noqa: S608

    def apply(self) -> Applied:
        raise NotImplementedError

    # --- helpers -----------------------------------------------------------------------------

    def add_reason(self, frame: pl.DataFrame, field_name: str, reason: pl.Expr) -> pl.DataFrame:
        """Add ``reason`` to the field's reasons, unless the field already has one."""
        column = reason_column(field_name)
        if column in frame.columns:
            return frame.with_columns(first_reason(pl.col(column), reason).alias(column))
        return frame.with_columns(reason.alias(column))

    def add_reason_where(
        self, frame: pl.DataFrame, field_name: str, condition: pl.Expr, reason: pl.Expr
    ) -> pl.DataFrame:
        """Add ``reason`` to the field's reasons on the rows where ``condition`` holds (see
        add_reason). polars would build the sentence of every row, needed or not: only a
        frame with such a row gets them."""
        if frame.select(condition.fill_null(False).any()).item():
            return self.add_reason(frame, field_name, when(condition, reason))
        if reason_column(field_name) in frame.columns:
            return frame
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(reason_column(field_name)))

    def resolve(
        self, frame: pl.DataFrame, lookup: pl.DataFrame, *, code: str, found: str, message: str
    ) -> pl.DataFrame:
        """Join ``lookup`` on the ``code`` column; a code given but not found gets ``message``
        (a sentence with ``%(value)s``) as the reason for that field."""
        frame = frame.join(lookup, on=code, how="left", maintain_order="left")
        unknown = pl.col(code).is_not_null() & pl.col(found).is_null()
        return self.add_reason_where(frame, code, unknown, render(message, value=pl.col(code)))

    def refuse_rows(self, rows: list[tuple[int, str, str, str]]) -> None:
        """Report rows found bad after staging: (row, field, value, reason)."""
        if not rows:
            return
        labelled = [
            (row, self.plan.label(name), value, reason) for row, name, value, reason in rows
        ]
        self.sink.add_rows(sorted(labelled, key=lambda error: error[0]))
        self.staging.write(self.bad, pl.DataFrame({"row": [row for row, *_ in rows]}))

    def check_duplicates(self, keys: Sequence[str], where: str = "") -> None:
        """Refuse every row whose key (``keys``, staged columns) is on more than one row:
        which of them is right is the user's call, not the importer's."""
        key_list = ", ".join(keys)
        condition = f"WHERE {where}" if where else ""
        match = " AND ".join(f"s.{key} = d.{key}" for key in keys)
        rows = self.staging.fetchall(
            f"SELECT s.row, d.first_row, d.copies, {', '.join('s.' + k for k in keys)} "  # noqa: S608
            f"FROM {self.table} s JOIN ("
            f"  SELECT {key_list}, MIN(row) AS first_row, COUNT(*) AS copies "
            f"  FROM {self.table} {condition} GROUP BY {key_list} HAVING COUNT(*) > 1"
            f") d ON {match} ORDER BY s.row"
        )
        fields = ", ".join(keys)
        refused = []
        for row, first_row, copies, *values in rows:
            reason = gettext(
                "the same %(fields)s is on %(count)s rows (first on row %(first)s): keep one"
            ) % {"fields": fields, "count": copies, "first": first_row}
            refused.append((row, keys[0], " ".join(str(v) for v in values), reason))
        self.refuse_rows(refused)
