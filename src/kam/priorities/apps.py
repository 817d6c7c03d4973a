from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "kam.priorities"
    label = "priorities"
