"""The rescore as a background job (see kam.core.jobs)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from kam.selection.run import scoring_run_execute, scoring_runs_abandon


def score_job(*, job, progress, as_of: str) -> dict:
    try:
        run = scoring_run_execute(
            as_of=date.fromisoformat(as_of),
            by=job.created_by,
            progress=lambda label, done, total: progress(done, total, label),
        )
    except ValidationError as error:
        # The job page shows the failure's text: the sentence, not a dict of field errors.
        raise ValueError(" ".join(error.messages)) from error
    return {"run": run.pk, "accounts": run.accounts}


def score_job_abandoned(job) -> None:
    """A score job died before its run could say so: its run, left running, failed. Its
    scores were written in one transaction and are not there."""
    scoring_runs_abandon(by=job.created_by, since=job.started_at)
