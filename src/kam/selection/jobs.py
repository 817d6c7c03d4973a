"""The rescore as a background job (see kam.core.jobs)."""

from __future__ import annotations

from datetime import date

from kam.selection.run import scoring_run_execute


def score_job(*, job, progress, as_of: str) -> dict:
    run = scoring_run_execute(
        as_of=date.fromisoformat(as_of),
        by=job.created_by,
        progress=lambda label, done, total: progress(done, total, label),
    )
    return {"run": run.pk, "accounts": run.accounts}
