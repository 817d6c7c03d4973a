from django.db import models


class DemoLoad(models.Model):
    """Marks a database that holds the generated demo company, so it is never mixed with real
    data and ``kam demo --reset`` only ever wipes a demo database."""

    seed = models.IntegerField()
    generator_version = models.IntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo company (seed {self.seed}, v{self.generator_version})"
