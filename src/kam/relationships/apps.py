from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "kam.relationships"
    label = "relationships"

    def ready(self) -> None:
        from kam.relationships import background

        background.connect()
