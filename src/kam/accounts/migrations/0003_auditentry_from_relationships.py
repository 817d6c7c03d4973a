# The audit trail moves here from kam.relationships: the model enters the state on its old
# table (no data moves); the next migration renames the table and its indexes.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("relationships", "0003_auditentry_moves_to_accounts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("object_label", models.CharField(max_length=100)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("create", "created"),
                                    ("update", "changed"),
                                    ("delete", "deleted"),
                                    ("export", "exported"),
                                    ("erase", "erased"),
                                ],
                                max_length=8,
                            ),
                        ),
                        ("changes", models.JSONField(blank=True, default=dict)),
                        ("at", models.DateTimeField(db_index=True)),
                        ("redacted", models.BooleanField(default=False)),
                        (
                            "account",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.account",
                            ),
                        ),
                        (
                            "by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                help_text="The person this entry is about, if any.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="relationships.contact",
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-at", "-pk"],
                        "db_table": "relationships_auditentry",
                        "indexes": [
                            models.Index(
                                fields=["account", "-at"], name="relationshi_account_ed9ca2_idx"
                            ),
                            models.Index(
                                fields=["content_type", "object_id"],
                                name="relationshi_content_63b327_idx",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
