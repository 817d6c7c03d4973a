from celery import shared_task

from kam.core.jobs import job_execute


@shared_task(name="kam.run_job")
def run_job(job_id: int) -> str:
    """Celery runs a job by id; the job row carries its parameters and records its outcome."""
    return job_execute(job_id).status
