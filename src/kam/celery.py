"""The Celery app: long work (imports, rescoring) runs here when KAM_BROKER_URL is set."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

app = Celery("kam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each person's "my week" by e-mail, Mondays at 06:00 in KAM_TIME_ZONE (kam.priorities.digest);
# without a broker, `kam digest` from cron does the same.
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "kam-weekly-digest": {
        "task": "kam.priorities.weekly_digest",
        "schedule": crontab(minute=0, hour=6, day_of_week=1),
    },
}


@worker_ready.connect
def _fail_jobs_of_stopped_workers(**_) -> None:
    # A worker restarting after a kill finds the jobs its old processes left running.
    from kam.core.jobs import jobs_sweep_at_start

    jobs_sweep_at_start()
