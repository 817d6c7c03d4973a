"""A new programme starts with the catalogue's criteria and the three named tier schemes."""

from django.db import migrations

from kam.selection.defaults import seed


def forwards(apps, schema_editor):
    seed(
        apps.get_model("selection", "SelectionCriterion"),
        apps.get_model("selection", "TierScheme"),
        apps.get_model("selection", "Tier"),
    )


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
