"""The allocation as a background job (see kam.core.jobs): the page and the API start it and
show its progress; the CLI runs the same work in the foreground."""

from __future__ import annotations

from kam.core.models import Period
from kam.priorities.allocating import allocation_run
from kam.users.models import User


def allocate_job(*, job, progress, period: int, kam: int | None = None) -> dict:
    run = allocation_run(
        period=Period.objects.get(pk=period),
        kam=User.objects.get(pk=kam) if kam else None,
        by=job.created_by,
        progress=lambda done, total, message: progress(done, total, message),
    )
    return {"run": str(run.public_id), "status": run.summary.get("status")}
