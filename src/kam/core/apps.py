from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"

    def ready(self) -> None:
        # Importing the Celery app makes it the current one, so that tasks sent from the web
        # process go to KAM_BROKER_URL rather than Celery's built-in default.
        from kam import celery  # noqa: F401
