from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"

    # The Celery app is not imported here: it costs most of a second at every start of every
    # command. kam.core.jobs imports it just before it sends a task (see _start).
