"""Rollups are keyed by (account, quarter): no surrogate id, and the account is not checked by
the database (see the model). As for lines (0003), the move to a composite primary key is
written out per backend: Django would leave the table with no key at all."""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    "ALTER TABLE ledger_accountquarter DROP CONSTRAINT one_rollup_per_quarter",
    "ALTER TABLE ledger_accountquarter DROP COLUMN id",
    "ALTER TABLE ledger_accountquarter ADD PRIMARY KEY (account_id, quarter)",
]
COLUMNS = (
    '"quarter" date NOT NULL, "revenue" decimal NOT NULL, "cost" decimal NOT NULL, '
    '"discount" decimal NOT NULL, "rebate" decimal NOT NULL, "units" decimal NOT NULL, '
    '"lines" integer unsigned NOT NULL CHECK ("lines" >= 0), '
    '"invoices" integer unsigned NOT NULL CHECK ("invoices" >= 0), '
    '"invoices_due" integer unsigned NOT NULL CHECK ("invoices_due" >= 0), '
    '"paid_on_time" integer unsigned NOT NULL CHECK ("paid_on_time" >= 0), '
    '"days_late_sum" bigint NOT NULL, "days_late_max" integer NOT NULL, '
    '"account_id" bigint NOT NULL'
)
NAMES = (
    "quarter, revenue, cost, discount, rebate, units, lines, invoices, invoices_due, "
    "paid_on_time, days_late_sum, days_late_max, account_id"
)
SQLITE = [
    f'CREATE TABLE "ledger_accountquarter_new" ({COLUMNS}, '
    'PRIMARY KEY ("account_id", "quarter"))',
    f"INSERT INTO ledger_accountquarter_new ({NAMES}) SELECT {NAMES} FROM ledger_accountquarter",
    "DROP TABLE ledger_accountquarter",
    "ALTER TABLE ledger_accountquarter_new RENAME TO ledger_accountquarter",
]


def key_rollups(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("ledger", "0006_lines_hold_only_their_own"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accountquarter",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="quarters",
                to="accounts.account",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(key_rollups)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="accountquarter",
                    name="one_rollup_per_quarter",
                ),
                migrations.RemoveField(
                    model_name="accountquarter",
                    name="id",
                ),
                migrations.AddField(
                    model_name="accountquarter",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "account",
                        "quarter",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
    ]
