"""Background job (kam.core.jobs) for an import started from the web app."""

from __future__ import annotations

from pathlib import Path

from kam.ledger.importing import import_file


def import_job(
    *,
    job,
    progress,
    kind: str,
    path: str,
    mapping: dict | None = None,
    constants: dict | None = None,
    skip_bad: bool = False,
    reject_path: str | None = None,
    encoding: str | None = None,
    round_money: bool = False,
    number_lines: bool = False,
    credit_prefix: str | None = None,
    create_accounts: bool = False,
) -> dict:
    """Run one import with progress on the job row; its ImportResult as a dict. A refusal
    raises ImportRefused, whose ``job_result`` the job records."""
    result = import_file(
        kind=kind,
        path=Path(path),
        mapping=mapping,
        constants=constants,
        skip_bad=skip_bad,
        reject_path=Path(reject_path) if reject_path else None,
        progress=lambda read: progress(read, None, ""),
        encoding=encoding,
        round_money=round_money,
        number_lines=number_lines,
        credit_prefix=credit_prefix,
        create_accounts=create_accounts,
    )
    return result.as_dict()
