from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kam.planning"
    label = "planning"
