"""Invoice lines are keyed by (invoice, line_number): no surrogate id, one index fewer.

Django cannot move a table from a single to a composite primary key by itself (it would leave
the table with no key at all), so the database side is written out per backend here.
"""

from django.db import migrations, models

POSTGRESQL = [
    "ALTER TABLE ledger_invoiceline DROP CONSTRAINT one_line_number",
    "ALTER TABLE ledger_invoiceline DROP COLUMN id",
    "ALTER TABLE ledger_invoiceline ADD PRIMARY KEY (invoice_id, line_number)",
]
COLUMNS = (
    '"line_number" integer unsigned NOT NULL CHECK ("line_number" >= 0), '
    '"issue_date" date NOT NULL, "currency" varchar(3) NOT NULL, "cancelled" bool NOT NULL, '
    '"quantity" decimal NOT NULL, "unit" varchar(32) NOT NULL, '
    '"base_quantity" decimal NOT NULL, "net_revenue" decimal NOT NULL, '
    '"cost" decimal NOT NULL, "discount" decimal NOT NULL, "rebate" decimal NOT NULL, '
    '"account_id" bigint NOT NULL, "invoice_id" bigint NOT NULL, "product_id" bigint NULL'
)
NAMES = (
    "line_number, issue_date, currency, cancelled, quantity, unit, base_quantity, "
    "net_revenue, cost, discount, rebate, account_id, invoice_id, product_id"
)
SQLITE = [
    f'CREATE TABLE "ledger_invoiceline_new" ({COLUMNS}, '
    'PRIMARY KEY ("invoice_id", "line_number"))',
    f"INSERT INTO ledger_invoiceline_new ({NAMES}) SELECT {NAMES} FROM ledger_invoiceline",
    "DROP TABLE ledger_invoiceline",
    "ALTER TABLE ledger_invoiceline_new RENAME TO ledger_invoiceline",
    'CREATE INDEX "ledger_invo_account_8b3dd0_idx" '
    'ON "ledger_invoiceline" ("account_id", "issue_date")',
]


def key_lines(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_lean_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(key_lines)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="invoiceline",
                    name="one_line_number",
                ),
                migrations.RemoveField(
                    model_name="invoiceline",
                    name="id",
                ),
                migrations.AddField(
                    model_name="invoiceline",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "invoice",
                        "line_number",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
    ]
