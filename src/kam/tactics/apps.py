from django.apps import AppConfig


class TacticsConfig(AppConfig):
    name = "kam.tactics"
    label = "tactics"
