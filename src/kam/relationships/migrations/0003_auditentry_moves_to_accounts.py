# The audit trail moves to kam.accounts (the home of every account record); its table and rows
# stay, and accounts.0003 takes the model over in the migration state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0002_relationship_map"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
