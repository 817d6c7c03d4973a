"""The audit trail moved from kam.relationships to kam.accounts (issue 9): the rows stay."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0002_initial"), ("relationships", "0002_relationship_map")]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_audit_entry_and_gives_accounts_a_first_version():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    account = old.get_model("accounts", "Account").objects.create(
        code="C-1", name="PT Lama", country="ID", currency="IDR", industry="retail"
    )
    kind = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="accounts", model="account"
    )[0]
    old.get_model("relationships", "AuditEntry").objects.create(
        account_id=account.pk,
        content_type_id=kind.pk,
        object_id=account.pk,
        object_label="account #1",
        action="update",
        changes={"name": ["PT Baru", "PT Lama"]},
        at=timezone.now(),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    new = executor.loader.project_state(leaves).apps
    entry = new.get_model("accounts", "AuditEntry").objects.get()
    assert (entry.account_id, entry.changes) == (account.pk, {"name": ["PT Baru", "PT Lama"]})
    assert new.get_model("accounts", "Account").objects.get(pk=account.pk).version == 1
