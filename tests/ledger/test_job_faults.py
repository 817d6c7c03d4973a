"""An import whose Celery worker is killed, or whose database connection drops, midway leaves
the ledger exactly as it was; its job shows as failed with the reason, and runs again.

Midway is made certain, not left to timing: the test holds a write lock on the rollups table,
so the import stores every invoice and line of the file in its transaction and then waits to
write the rollups. That is where the worker is killed (or its connection dropped)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from tests.ledger.conftest import LEDGER_HEADER, database_snapshot

from kam.core import jobs
from kam.core.models import Job, JobFailure, JobStatus
from kam.ledger.importing import import_file
from kam.ledger.models import InvoiceLine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("KAM_DATABASE_URL", "").split(":")[0] not in {"postgres", "postgresql"},
        reason="a real Celery worker and a connection dropped from another one need "
        "PostgreSQL: SQLite has no server to end a connection, nor a second writer",
    ),
]

BROKER = os.environ.get("KAM_TEST_JOBS_BROKER_URL", "redis://127.0.0.1:6379/6")
INVOICES = 2_000  # three lines each; the lock, not the size, makes sure it is midway


def ledger_file(first: int, count: int) -> bytes:
    lines = [LEDGER_HEADER]
    for i in range(first, first + count):
        day = date(2025, 1 + i % 12, 1 + i % 28).isoformat()
        for n in (1, 2, 3):
            lines.append(f"F-{i:06d},{n},{day},{'A1' if i % 2 else 'A2'},USD,HINGE,{n},1.25,0.5")
    return ("\n".join(lines) + "\n").encode()


def wait_for(what: Callable, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := what()):
        assert time.monotonic() < deadline, f"gave up waiting for {what.__doc__}"
        time.sleep(0.1)
    return found


@contextlib.contextmanager
def rollups_held() -> Iterator[None]:
    """Reads of the rollups go on; an import's writes to them wait until the block ends."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or None, port=db["PORT"] or None,
    ) as holder:  # fmt: skip
        # Should the test stop while holding it, the server lets go by itself.
        holder.execute("SET idle_in_transaction_session_timeout = '90s'")
        holder.execute("LOCK TABLE ledger_accountquarter IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            holder.rollback()


def waiting_import() -> int | None:
    """The import's connection: waiting for the rollups, with the file's rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def gone(pid: int) -> Callable[[], bool]:
    def check() -> bool:
        """the killed worker's database session to end"""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", [pid]
            )
            return cursor.fetchone()[0]

    return check


def job_page(client, job: Job):
    return client.get(reverse("selection:job", kwargs={"public_id": job.public_id}))


def finished(job: Job) -> Callable[[], bool]:
    def check() -> bool:
        """the job to finish"""
        job.refresh_from_db()
        return job.finished

    return check


@pytest.fixture
def stored(buyers, catalogue, tmp_path, settings):
    """A ledger already imported: what a failed import must leave as it was."""
    settings.DATA_DIR = tmp_path
    settings.JOB_HEARTBEAT_TIMEOUT = 3
    path = tmp_path / "first.csv"
    path.write_bytes(ledger_file(0, 300))
    import_file(kind="ledger", path=path)
    return database_snapshot()


def _die_with_parent() -> None:
    """In the worker's process before it starts: killed with the test run, however it ends."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@pytest.fixture
def celery_worker(settings, tmp_path):
    """`celery -A kam worker` in a process of its own, on the test database and Redis db 6."""
    broker = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        broker.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Celery worker test, but {BROKER} is not answering")
        pytest.skip(f"Redis is not answering on {BROKER}")
    broker.flushdb()  # db 6 is this test's own
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kam.settings",
        "KAM_DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "KAM_BROKER_URL": BROKER,
        "KAM_DATA_DIR": str(tmp_path / "worker"),
        "KAM_JOB_HEARTBEAT_TIMEOUT": "3",
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [Path(sys.executable).with_name("celery"), "-A", "kam", "worker", "--pool=prefork",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=WARNING"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    from kam.celery import app

    settings.CELERY_BROKER_URL = BROKER
    earlier = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    app._after_fork()  # drop the connection pool to the broker another test may have opened
    try:
        yield worker
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        log.close()
        broker.flushdb()
        app.conf.update(broker_url=earlier[0], task_always_eager=earlier[1])
        app._after_fork()


def test_a_killed_worker_leaves_the_ledger_as_it_was_and_the_import_runs_again(
    celery_worker, stored, client_for, lee, tmp_path
):
    client = client_for(lee)
    with rollups_held():
        response = client.post(
            reverse("ledger:import"),
            {"kind": "ledger", "file": SimpleUploadedFile("more.csv", ledger_file(1000, INVOICES))},
        )
        assert response.status_code == 302
        job = Job.objects.get()

        def reading() -> bool:
            """the worker to report every row of the file read"""
            assert celery_worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            job.refresh_from_db()
            return job.status == JobStatus.RUNNING and job.progress_done == 3 * INVOICES

        wait_for(reading, seconds=60)  # the first task also waits for the worker to start
        session = wait_for(waiting_import)
        os.kill(int(job.worker.rsplit("/", 1)[1]), signal.SIGKILL)  # as the OOM killer does
    wait_for(gone(session))

    assert database_snapshot() == stored

    def failed_on_its_page() -> bool:
        """the job page to say the worker stopped (at the latest after the heartbeat timeout)"""
        return "The worker stopped while running this job" in job_page(client, job).text

    wait_for(failed_on_its_page)
    job.refresh_from_db()
    assert (job.status, job.failure) == (JobStatus.FAILED, JobFailure.WORKER_LOST)

    # The worker's parent has started a new process: it runs the import again, whole.
    again = client.post(reverse("selection:job_run_again", kwargs={"public_id": job.public_id}))
    rerun = Job.objects.get(rerun_of=job)
    assert again.url == reverse("selection:job", kwargs={"public_id": rerun.public_id})
    wait_for(finished(rerun), seconds=60)
    assert rerun.status == JobStatus.DONE, rerun.message
    assert rerun.result["applied"] == 3 * INVOICES
    assert InvoiceLine.objects.count() == len(stored["InvoiceLine"]) + 3 * INVOICES


def test_a_dropped_database_connection_fails_the_import_and_keeps_nothing(stored, client_for, lee):
    client = client_for(lee)
    with rollups_held():
        client.post(
            reverse("ledger:import"),
            # Half of it stored already: the import takes the usual path, through staging.
            {"kind": "ledger", "file": SimpleUploadedFile("more.csv", ledger_file(250, 100))},
        )
        job = Job.objects.get()
        session = wait_for(waiting_import)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [session])
        jobs.wait(job.pk)

    job.refresh_from_db()
    assert (job.status, job.failure) == (JobStatus.FAILED, JobFailure.DATABASE_LOST)
    assert database_snapshot() == stored
    page = job_page(client, job)
    assert "The connection to the database was lost while running this job" in page.text
    assert "Run again" in page.text
