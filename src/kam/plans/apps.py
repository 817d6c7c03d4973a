from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kam.plans"
    label = "plans"
