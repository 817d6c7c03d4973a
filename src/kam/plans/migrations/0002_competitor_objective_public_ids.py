"""Public ids for competitors and team objectives, so the API and the version diff can name
them (filled for rows that exist, then made unique)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    for name in ("Competitor", "TeamObjective"):
        model = apps.get_model("plans", name)
        for row in model.objects.filter(public_id__isnull=True).only("pk"):
            row.public_id = uuid.uuid4()
            row.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="competitor",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="teamobjective",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="competitor",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="teamobjective",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
