"""Run long work in the background: on Celery when KAM_BROKER_URL is set, otherwise on a
thread of the web process (the embedded default, where one person uses one machine)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kam.core.models import Job, JobStatus

log = logging.getLogger(__name__)

# kind -> the function that does the work: fn(*, job, progress, **params) -> dict (the result)
REGISTRY = {
    "score": "kam.selection.jobs.score_job",
    "import": "kam.ledger.jobs.import_job",
}
_threads: dict[int, threading.Thread] = {}


def job_submit(*, kind: str, params: dict, by) -> Job:
    """Record the job and start it once the current transaction commits."""
    if kind not in REGISTRY:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, created_by=by)
    transaction.on_commit(lambda: _start(job.pk))
    return job


def _start(job_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        from kam.core.tasks import run_job

        run_job.delay(job_id)
        return
    thread = threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True)
    _threads[job_id] = thread
    thread.start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        job_execute(job_id)
    finally:
        connection.close()  # the thread's own connection; nobody else will close it


def wait(job_id: int, timeout: float = 60) -> None:
    """Wait for an in-process job (tests, and the CLI when it starts one)."""
    thread = _threads.pop(job_id, None)
    if thread is not None:
        thread.join(timeout)


def job_execute(job_id: int) -> Job:
    """Run one job to its end, recording progress, result or failure on its row."""
    updated = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not updated:
        return job  # already taken by another worker: never run twice
    work: Callable = import_string(REGISTRY[job.kind])

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        fields = {"progress_done": done, "progress_total": total}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=job_id).update(**fields)

    try:
        result = work(job=job, progress=progress, **job.params)
    except Exception as error:
        log.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=str(error)[:2000],
            result=getattr(error, "job_result", {}) or {},
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.DONE, finished_at=timezone.now(), result=result or {}
        )
    job.refresh_from_db()
    return job
