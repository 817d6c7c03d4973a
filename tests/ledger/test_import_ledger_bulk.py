"""The bulk path of a large ledger import (PostgreSQL: the secondary indexes and constraints
of the invoice and line tables dropped before the insert and built again after it) gives the
same results as the ordinary one: every ledger import test runs again with it forced on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from tests.ledger.test_import_direct import rows_for
from tests.ledger.test_import_ledger import *  # noqa: F403 - the same tests, on the bulk path

from kam.ledger.importing import import_file, reader
from kam.ledger.importing.kinds import ledger as ledger_kind
from kam.ledger.models import Invoice


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


# --- the direct load of a large file: invoice numbers checked once, at the end ----------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_stored_invoice_late_in_a_large_file_is_corrected_not_stored_twice(
    buyers, catalogue, ledger_csv, monkeypatch, caplog
):

    import_file(kind="ledger", path=ledger_csv([r for r in rows_for(60) if r[0] == "INV-0055"]))
    schema = _schema()
    monkeypatch.setattr(reader, "CHUNK_BYTES", 1024)  # INV-0055 is far from the first piece
    corrected = [r if r[0] != "INV-0055" else (*r[:7], "9.00", r[8]) for r in rows_for(60)]
    caplog.set_level("INFO")

    result = import_file(kind="ledger", path=ledger_csv(corrected))

    assert "one_invoice_number" in caplog.text  # found when the constraint came back
    assert "takes the usual path" in caplog.text
    assert (result.created, result.updated) == (177, 3)
    assert Invoice.objects.count() == 60
    assert Invoice.objects.get(number="INV-0055").total == Decimal("54.00")
    assert _schema() == schema  # the unique constraint on numbers among the rest


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_a_large_file_starting_with_stored_invoices_takes_the_usual_path_at_once(
    buyers, catalogue, ledger_csv, caplog
):

    import_file(kind="ledger", path=ledger_csv(rows_for(3)))
    caplog.set_level("INFO")

    result = import_file(kind="ledger", path=ledger_csv(rows_for(5)))

    assert "first invoices are stored already" in caplog.text
    assert (result.created, result.unchanged) == (6, 9)
