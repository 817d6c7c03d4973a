"""A job whose process has gone is shown as failed, with the reason, and can be run again."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError as DjangoOperationalError
from django.urls import reverse
from django.utils import timezone

from kam.core.jobs import database_lost, job_check, jobs_sweep, jobs_sweep_at_start
from kam.core.liveness import this_process
from kam.core.models import Job, JobFailure, JobStatus
from kam.selection.models import RunStatus, ScoringRun

pytestmark = pytest.mark.django_db

LOST = "The worker stopped while running this job"


def ended_process() -> str:
    """The name a job row gives a process of this machine that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return this_process().rsplit("/", 1)[0] + f"/{child.pid}"


def running_job(lee, **fields) -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind="score",
        params={"as_of": "2026-11-02"},
        created_by=lee,
        status=JobStatus.RUNNING,
        started_at=now,
        **{"heartbeat_at": now, **fields},
    )


def test_a_job_whose_worker_process_ended_shows_as_failed_with_a_way_to_run_it_again(
    client_for, lee
):
    job = running_job(lee, worker=ended_process(), message="gather")
    page = client_for(lee).get(reverse("selection:job", kwargs={"public_id": job.public_id}))
    assert LOST in page.text
    assert reverse("selection:job_run_again", kwargs={"public_id": job.public_id}) in page.text
    job.refresh_from_db()
    assert (job.status, job.failure) == (JobStatus.FAILED, JobFailure.WORKER_LOST)
    assert job.finished_at is not None


def test_a_worker_elsewhere_is_dead_once_its_heartbeat_is_older_than_the_timeout(lee, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 3
    now = timezone.now()
    elsewhere = "another-host/4026531836/77"
    quiet = running_job(lee, worker=elsewhere, heartbeat_at=now - timedelta(seconds=4))
    beating = running_job(lee, worker=elsewhere, heartbeat_at=now - timedelta(seconds=1))
    assert jobs_sweep() == 1
    quiet.refresh_from_db()
    beating.refresh_from_db()
    assert quiet.status == JobStatus.FAILED and LOST in quiet.reason
    assert beating.status == JobStatus.RUNNING


def test_a_job_named_after_this_process_that_it_does_not_run_is_dead(lee):
    # A restarted container gives its new process the old one's id.
    job = job_check(running_job(lee, worker=this_process()))
    assert job.status == JobStatus.FAILED


def test_a_worker_or_web_process_starting_fails_the_jobs_of_one_that_stopped(lee, settings):
    from kam.core.tasks import sweep_dead_jobs

    job = running_job(lee, worker=ended_process())
    jobs_sweep_at_start()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    # and Celery beat runs the same sweep while they run
    assert settings.CELERY_BEAT_SCHEDULE["kam-jobs-sweep"]["task"] == sweep_dead_jobs.name


def test_a_live_worker_and_a_queued_celery_job_are_left_alone(lee, settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 3
    long_ago = timezone.now() - timedelta(hours=1)
    alive = running_job(lee, worker=this_process().rsplit("/", 1)[0] + "/1", heartbeat_at=None)
    queued = Job.objects.create(kind="score", params={}, created_by=lee)
    Job.objects.filter(pk=queued.pk).update(created_at=long_ago)
    assert jobs_sweep() == 0
    assert set(Job.objects.values_list("status", flat=True)) == {"running", "queued"}
    assert job_check(alive).status == JobStatus.RUNNING


def test_the_dead_jobs_scoring_run_fails_too_and_keeps_no_scores(lee):
    job = running_job(lee, worker=ended_process())
    run = ScoringRun.objects.create(
        as_of="2026-11-02", first_quarter="2024-10-01", window_quarters=4, by=lee,
        started_at=job.started_at, reporting_currency="USD",
    )  # fmt: skip
    assert jobs_sweep() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert not run.scores.exists()


def test_run_again_submits_the_same_work_as_a_new_job(client_for, lee, transactional_db):
    from kam.core import jobs

    job = running_job(lee, worker=ended_process())
    client = client_for(lee)
    response = client.post(reverse("selection:job_run_again", kwargs={"public_id": job.public_id}))
    again = Job.objects.get(rerun_of=job)
    assert response.url == reverse("selection:job", kwargs={"public_id": again.public_id})
    jobs.wait(again.pk)
    again.refresh_from_db()
    assert again.status == JobStatus.DONE, again.message
    assert (again.kind, again.params) == (job.kind, job.params)
    old_page = client.get(reverse("selection:job", kwargs={"public_id": job.public_id}))
    assert "see the new run" in old_page.text


def test_only_the_lead_runs_a_job_again_and_only_a_failed_one(client_for, lee, alice):
    failed = running_job(lee, worker=ended_process())
    Job.objects.filter(pk=failed.pk).update(created_by=alice)
    url = reverse("selection:job_run_again", kwargs={"public_id": failed.public_id})
    assert client_for(alice).post(url).status_code == 403
    done = Job.objects.create(kind="score", params={}, created_by=lee, status=JobStatus.DONE)
    url = reverse("selection:job_run_again", kwargs={"public_id": done.public_id})
    page = client_for(lee).post(url, follow=True)
    assert "Only a failed job can be run again." in page.text
    assert Job.objects.count() == 2


def test_run_again_refuses_an_import_whose_upload_is_gone(client_for, lee, tmp_path):
    params = {"kind": "ledger", "path": str(tmp_path / "gone.csv")}
    job = Job.objects.create(kind="import", params=params, created_by=lee, status="failed")
    url = reverse("selection:job_run_again", kwargs={"public_id": job.public_id})
    page = client_for(lee).post(url, follow=True)
    assert "upload it again" in page.text
    assert Job.objects.count() == 1


def test_the_api_gives_the_reason_in_the_callers_language_and_runs_it_again(
    client_for, lee, charlie
):
    job = running_job(lee, worker=ended_process())
    client = client_for(lee)
    body = client.get(
        f"/api/v1/selection/jobs/{job.public_id}", HTTP_ACCEPT_LANGUAGE="zh-hant"
    ).json()
    assert (body["status"], body["failure"]) == ("failed", "worker_lost")
    assert "The worker" not in body["message"] and body["message"]
    again = client.post(f"/api/v1/selection/jobs/{job.public_id}/rerun")
    assert again.status_code == 202
    assert again.json()["rerun_of"] == str(job.public_id)
    twice = client.post(f"/api/v1/selection/jobs/{again.json()['id']}/rerun")
    assert twice.status_code == 409
    other = client_for(charlie).post(f"/api/v1/selection/jobs/{job.public_id}/rerun")
    assert other.status_code == 404
    assert Job.objects.count() == 2


def test_a_bad_heartbeat_timeout_stops_start_up(tmp_path):
    from kam.config import ConfigError, load

    with pytest.raises(ConfigError, match="KAM_JOB_HEARTBEAT_TIMEOUT"):
        load({"KAM_DATA_DIR": str(tmp_path), "KAM_JOB_HEARTBEAT_TIMEOUT": "soon"})
    assert load({"KAM_DATA_DIR": str(tmp_path)}).job_heartbeat_timeout == 120


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.OperationalError("server closed the connection unexpectedly"), True),
        (psycopg.errors.DeadlockDetected("deadlock detected"), False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (ValueError("Invalid isoformat string"), False),
    ],
)
def test_only_a_connection_that_went_away_is_called_lost(error, lost):
    # Django raises its own error from psycopg's, which the job looks through.
    try:
        try:
            raise error
        except Exception as cause:
            raise DjangoOperationalError(str(cause)) from cause
    except Exception as raised:
        assert database_lost(raised) is lost
