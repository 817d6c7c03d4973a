from celery import shared_task
from django.db import close_old_connections


@shared_task(name="kam.priorities.weekly_digest", ignore_result=True)
def weekly_digest() -> int:
    """Celery beat's Monday digest (kam/celery.py schedules it); ``kam digest`` without one."""
    from kam.priorities.digest import send_digests

    close_old_connections()
    return len(send_digests().sent)
