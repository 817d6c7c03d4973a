"""The bulk path of a large ledger import (PostgreSQL: the secondary indexes and constraints
of the invoice and line tables dropped before the insert and built again after it) gives the
same results as the ordinary one: every ledger import test runs again with it forced on."""

from __future__ import annotations

import pytest
from django.db import connection
from tests.ledger.test_import_ledger import *  # noqa: F403 - the same tests, on the bulk path

from kam.ledger.importing import import_file
from kam.ledger.importing.kinds import ledger as ledger_kind


@pytest.fixture(autouse=True)
def bulk_path(monkeypatch):
    monkeypatch.setattr(ledger_kind, "REBUILD_MIN_LINES", 0)
    monkeypatch.setattr(ledger_kind, "REBUILD_SHARE", 0)


def _schema() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid IN "
            "('ledger_invoice'::regclass, 'ledger_invoiceline'::regclass) "
            "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('ledger_invoice', 'ledger_invoiceline') ORDER BY 1, 2, 3"
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_it_puts_back_every_index_and_constraint_as_it_was(buyers, catalogue, ledger_csv):
    before = _schema()
    path = ledger_csv(
        [
            ("INV-1", 1, "2024-03-01", "A1", "USD", "HINGE", 2, "10.00", "12.00"),
            ("INV-1", 2, "2024-03-01", "A1", "USD", "RAIL", 1, "100.00", "60.00"),
        ]
    )
    import_file(kind="ledger", path=path)
    assert _schema() == before
