from celery import shared_task
from django.db import close_old_connections

from kam.core.jobs import job_execute


@shared_task(name="kam.run_job")
def run_job(job_id: int) -> str:
    """Celery runs a job by id; the job row carries its parameters and records its outcome."""
    close_old_connections()  # a worker lives long: drop connections the database has closed
    return job_execute(job_id).status
