"""Run long work in the background: on Celery when KAM_BROKER_URL is set, otherwise on a
thread of the web process (the embedded default, where one person uses one machine).

The work is all or nothing (it writes in one transaction), so a job whose process is killed,
or whose database connection drops, leaves the database as it was. The job row then says so:
a lost connection is recorded by the job itself on a fresh connection; a process that is
gone cannot say anything, so whoever looks at the job (its page, the API, the periodic sweep,
a worker or web process starting) finds it dead and fails it. A failed job can be run again.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kam.core.liveness import is_this_process, process_gone, this_process
from kam.core.models import Job, JobFailure, JobStatus
from kam.core.pulse import Pulse

log = logging.getLogger(__name__)

# kind -> the function that does the work: fn(*, job, progress, **params) -> dict (the result)
REGISTRY = {
    "score": "kam.selection.jobs.score_job",
    "import": "kam.ledger.jobs.import_job",
    "allocate": "kam.priorities.jobs.allocate_job",
    "simulate": "kam.risk.jobs.simulate_job",
}
# kind -> fn(job): tidies what the work records outside its transaction (a scoring run's
# header row) when the job dies before it could do so itself.
ABANDONED = {
    "score": "kam.selection.jobs.score_job_abandoned",
}
_threads: dict[int, threading.Thread] = {}
_running: set[int] = set()  # jobs this process is running now


def job_submit(*, kind: str, params: dict, by, rerun_of: Job | None = None) -> Job:
    """Record the job and start it once the current transaction commits."""
    if kind not in REGISTRY:
        raise ValueError(f"unknown job kind {kind!r}")
    # Without a broker this process runs it: named now, so that a job whose web process
    # stops before its thread starts is found dead too.
    job = Job.objects.create(
        kind=kind,
        params=params,
        created_by=by,
        rerun_of=rerun_of,
        worker="" if settings.CELERY_BROKER_URL else this_process(),
    )
    transaction.on_commit(lambda: _start(job.pk))
    return job


def job_rerun(*, job: Job, by) -> Job:
    """Submit a failed job again with the same parameters, as a new job."""
    if not getattr(by, "is_lead", False):
        raise PermissionDenied(_("Only the programme lead runs this job."))
    job_check(job)
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("Only a failed job can be run again."))
    path = job.params.get("path")
    if path and not Path(path).exists():
        raise ValidationError(_("The uploaded file is no longer there; upload it again."))
    return job_submit(kind=job.kind, params=job.params, by=by, rerun_of=job)


def _start(job_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        # Importing kam's Celery app makes it the current one, so that the task goes to
        # KAM_BROKER_URL rather than Celery's built-in default (imported here, not at start-up:
        # it costs most of a second, and only a process that sends a task needs it).
        from kam import celery  # noqa: F401
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
    # The heartbeat needs a second connection that can write while the work's transaction
    # is open: PostgreSQL's. SQLite lives on one machine, where the process id tells alone.
    beating = connection.vendor == "postgresql"
    now = timezone.now()
    _running.add(job_id)  # first: a page read meanwhile must not find it running nowhere
    try:
        updated = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=now,
            worker=this_process(),
            heartbeat_at=now if beating else None,
        )
        job = Job.objects.get(pk=job_id)
    except BaseException:
        _running.discard(job_id)
        raise
    if not updated:
        _running.discard(job_id)
        return job  # already taken by another worker: never run twice
    work: Callable = import_string(REGISTRY[job.kind])
    pulse = Pulse(job_id) if beating else None

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        fields = {"progress_done": done, "progress_total": total}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=job_id).update(**fields)

    try:
        if pulse:
            pulse.start()
        result = work(job=job, progress=pulse.progress if pulse else progress, **job.params)
    except Exception as error:
        log.exception("job %s (%s) failed", job_id, job.kind)
        if pulse:
            pulse.stop()
        lost = database_lost(error)
        _fresh_connection()
        _record(
            job_id,
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            failure=JobFailure.DATABASE_LOST if lost else "",
            message=str(error)[:2000],
            result=getattr(error, "job_result", {}) or {},
        )
        _abandon(job)
    else:
        if pulse:
            pulse.stop()
        _record(job_id, status=JobStatus.DONE, finished_at=timezone.now(), result=result or {})
    finally:
        _running.discard(job_id)
    job.refresh_from_db()
    return job


# PostgreSQL's codes for a connection ended by the server (08: connection exception; 57P0x:
# shut down by an administrator or a crash). A lost socket has no code at all.
_LOST_STATES = ("08", "57P01", "57P02", "57P03")


def database_lost(error: BaseException) -> bool:
    """Did the work fail because its database connection went away (not for a refused
    statement such as a deadlock or a timeout, which the connection survives)?"""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:  # never connected to PostgreSQL: no error can come from it
        return False
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, psycopg.InterfaceError):
            return True
        if isinstance(error, psycopg.OperationalError):
            state = error.sqlstate
            return state is None or state.startswith(_LOST_STATES)
        error = error.__cause__ or error.__context__
    return False


def _fresh_connection() -> None:
    # Django reconnects by itself after a failed rollback; a connection broken some other
    # way is dropped here, so that the outcome is written on a new one.
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()


def _record(job_id: int, **fields) -> None:
    try:
        Job.objects.filter(pk=job_id).update(**fields)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        # The connection broke after the work ended: one more try on a new one.
        connection.close()
        Job.objects.filter(pk=job_id).update(**fields)


def _abandon(job: Job) -> None:
    hook = ABANDONED.get(job.kind)
    if hook:
        import_string(hook)(job)


# --- finding dead jobs ---------------------------------------------------------------------


def job_is_dead(job: Job, *, now=None) -> bool:
    """Has the process running (or about to run) this job gone, so it will never finish?"""
    if job.status == JobStatus.QUEUED:
        # Only a job of the web process has a worker while queued (Celery's wait in the
        # broker); this process starts its own jobs' threads itself.
        return (
            bool(job.worker) and not is_this_process(job.worker) and bool(process_gone(job.worker))
        )
    if job.status != JobStatus.RUNNING:
        return False
    if is_this_process(job.worker):
        # Ours by name: alive only if we run it (a restarted container reuses process ids).
        return job.pk not in _running
    if process_gone(job.worker):
        return True
    timeout = timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
    return job.heartbeat_at is not None and job.heartbeat_at < (now or timezone.now()) - timeout


def _fail_dead(job: Job) -> bool:
    with translation.override("en"):
        message = str(JobFailure.WORKER_LOST.label)
    # Only if nothing moved since it was read: a heartbeat just written means it lives.
    failed = Job.objects.filter(
        pk=job.pk, status=job.status, worker=job.worker, heartbeat_at=job.heartbeat_at
    ).update(
        status=JobStatus.FAILED,
        failure=JobFailure.WORKER_LOST,
        finished_at=timezone.now(),
        message=message,
    )
    if failed:
        log.warning("job %s (%s) failed: its worker %s has gone", job.pk, job.kind, job.worker)
        _abandon(job)
    return bool(failed)


def job_check(job: Job) -> Job:
    """The job as it stands, failed first if its process has gone (when a page reads it)."""
    if job_is_dead(job) and _fail_dead(job):
        job.refresh_from_db()
    return job


def jobs_sweep() -> int:
    """Fail every unfinished job whose process has gone; how many."""
    now = timezone.now()
    unfinished = Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    return sum(_fail_dead(job) for job in unfinished if job_is_dead(job, now=now))


def jobs_sweep_at_start() -> None:
    """Run at a worker's or web process's start: the jobs of one that stopped are dead."""
    try:
        swept = jobs_sweep()
    except DatabaseError:
        log.warning("could not look for dead jobs at start", exc_info=True)
        return
    finally:
        if not connection.in_atomic_block:
            connection.close()  # before any fork: a child must not share this connection
    if swept:
        log.warning("%s job(s) were found dead at start", swept)
