"""What an import reports: counts, the rows it refused and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

# Errors kept in memory for the report; the rest are only counted, so that a 10-million-row
# broken file does not fill the memory with error objects.
ERRORS_KEPT = 1_000
# The exit status of `kam import` and `kam import-contacts` for a refused file, as for a wrong
# option: a script tells it from success (0).
REFUSED_EXIT = 2
SHOWN_CHARACTERS = 200  # of a value or reason: a damaged file may hold a megabyte in one cell


def shown(text: str) -> str:
    """``text`` for a terminal: one line, cut short, control characters replaced."""
    cut = "".join(c if c.isprintable() else "\ufffd" for c in text[:SHOWN_CHARACTERS])
    return cut + "…" if len(text) > SHOWN_CHARACTERS else cut


@dataclass(frozen=True)
class RowError:
    """One problem in one cell. ``row`` is the row number a spreadsheet shows (the header is
    row 1, as is the file as a whole); ``column`` the file's column name (or the field name
    for a value given as a constant), empty for a whole row or file."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    """The outcome of one import.

    ``read`` data rows were read (blank rows are skipped); ``applied`` of them were applied and
    ``rejected`` refused (``errors_total`` problems in all, the first ERRORS_KEPT of them in
    ``errors``, in row order). ``created`` / ``updated`` / ``deleted`` count the stored rows
    that changed (invoice lines for a ledger import); a re-import of the same file changes none.
    """

    kind: str
    read: int = 0
    applied: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_total: int = 0
    reject_path: Path | None = None
    touched_account_ids: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deleted: int = 0
    missing_rates: list[tuple[str, str]] = field(default_factory=list)
    # round_money: the values rounded, and the sum of (rounded - given) per currency.
    rounded: int = 0
    rounding_difference: dict[str, str] = field(default_factory=dict)
    # credit_prefix: the file's invoices stored as credit notes, and those linked to the
    # invoice they cancel.
    credit_notes: int = 0
    credit_notes_linked: int = 0
    # create_accounts: the accounts the ledger file created from its own columns.
    accounts_created: int = 0

    @property
    def unchanged(self) -> int:
        return max(self.applied - self.created - self.updated, 0)

    def as_dict(self) -> dict:
        """A JSON-ready summary (for background jobs): errors as lists, paths as strings."""
        data = asdict(self)
        data["reject_path"] = str(self.reject_path) if self.reject_path else None
        data["errors"] = [[e.row, e.column, e.value, e.reason] for e in self.errors]
        data["missing_rates"] = [list(pair) for pair in self.missing_rates]
        data["unchanged"] = self.unchanged
        return data


class ImportRefused(Exception):
    """The file has bad rows (and skip_bad was not asked for), or cannot be read at all:
    nothing was applied. ``result`` says which rows and why."""

    def __init__(self, result: ImportResult) -> None:
        first = result.errors[0] if result.errors else None
        detail = f": row {first.row}, {first.column}: {first.reason}" if first else ""
        super().__init__(f"{result.kind} import refused, {result.errors_total} problem(s){detail}")
        self.result = result

    @property
    def job_result(self) -> dict:
        """What kam.core.jobs records on a failed job."""
        return self.result.as_dict()
