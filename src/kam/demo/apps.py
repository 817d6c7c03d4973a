from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kam.demo"
    label = "demo"
