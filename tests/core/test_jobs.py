"""Background jobs run on a real Celery worker over Redis when a broker is configured."""

from __future__ import annotations

import time

import pytest
import redis

from kam.core.jobs import job_execute, job_submit
from kam.core.models import Job, JobStatus

BROKER = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker_on_redis(settings):
    import os

    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("CI must run the Celery test, but Redis is not answering on 6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    from kam.celery import app

    settings.CELERY_BROKER_URL = BROKER
    app.conf.update(broker_url=BROKER, result_backend=None, task_always_eager=False)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        yield


def test_a_rescore_runs_on_the_celery_worker(celery_worker_on_redis, transactional_db, lee, ledger):
    from django.db import transaction

    with transaction.atomic():
        job = job_submit(kind="score", params={"as_of": "2026-11-02"}, by=lee)
    deadline = time.monotonic() + 60
    job.refresh_from_db()
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.result["accounts"] == len(ledger)


def test_a_failing_job_records_its_error(db, lee):
    job = Job.objects.create(kind="score", params={"as_of": "not a date"}, created_by=lee)
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "not a date" in job.message or "Invalid isoformat" in job.message


def test_a_job_never_runs_twice(db, lee):
    job = Job.objects.create(
        kind="score", params={"as_of": "2026-11-02"}, created_by=lee, status=JobStatus.RUNNING
    )
    assert job_execute(job.pk).status == JobStatus.RUNNING


def test_an_unknown_kind_is_refused(db, lee):
    with pytest.raises(ValueError, match="unknown job kind"):
        job_submit(kind="mine bitcoin", params={}, by=lee)


def test_a_jobs_progress_message_reads_in_the_readers_language():
    from django.utils import translation

    from kam.core.models import Job

    job = Job(kind="allocate", message="Done")
    with translation.override("id"):
        assert job.reason == "Selesai"
    with translation.override("zh-hant"):
        assert job.reason != "Done"
    assert Job(kind="allocate", message="").reason == ""
