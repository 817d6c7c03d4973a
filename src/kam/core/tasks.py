from celery import shared_task
from django.db import close_old_connections

from kam.core.jobs import job_execute, jobs_sweep


# No acks_late / reject_on_worker_lost: a job whose worker is killed is not delivered again on
# its own. What killed it (the OOM killer, a deploy) would most likely kill the new attempt
# too, and the person who started it should see that it failed and choose to run it again
# (the job page's "Run again"). The message is acknowledged as the worker takes it; the job
# row, not the broker, says what became of it (and job_execute never runs a job twice).
@shared_task(name="kam.run_job", acks_late=False, reject_on_worker_lost=False)
def run_job(job_id: int) -> str:
    """Celery runs a job by id; the job row carries its parameters and records its outcome."""
    close_old_connections()  # a worker lives long: drop connections the database has closed
    return job_execute(job_id).status


@shared_task(name="kam.jobs_sweep", ignore_result=True)
def sweep_dead_jobs() -> int:
    """Celery beat's periodic look for jobs whose worker has gone (see settings)."""
    close_old_connections()
    return jobs_sweep()
