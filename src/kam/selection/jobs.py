"""The rescore as a background job (see kam.core.jobs)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from kam.selection.run import scoring_run_execute


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
