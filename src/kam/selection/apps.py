from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "kam.selection"
    label = "selection"
