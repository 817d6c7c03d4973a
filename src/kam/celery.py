"""The Celery app: long work (imports, rescoring) runs here when KAM_BROKER_URL is set."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

app = Celery("kam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _fail_jobs_of_stopped_workers(**_) -> None:
    # A worker restarting after a kill finds the jobs its old processes left running.
    from kam.core.jobs import jobs_sweep_at_start

    jobs_sweep_at_start()
