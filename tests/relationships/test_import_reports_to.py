"""The reports-to column of a contacts import, and the ready CRM mapping files."""

from __future__ import annotations

import csv
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.accounts.models import Account, AuditEntry
from kam.ledger.importing import import_file
from kam.ledger.importing.result import ImportRefused
from kam.relationships.importing import import_contacts
from kam.relationships.models import Contact
from kam.relationships.queries import account_relationship_snapshot
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = ["account", "external_id", "name", "email", "reports_to"]


def _write(tmp_path, rows, name="crm.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _managers(account_code: str) -> dict[str, str | None]:
    return {
        c.name: c.reports_to.name if c.reports_to else None
        for c in Contact.objects.filter(account__code=account_code).select_related("reports_to")
    }


def _accounts_from_salesforce():
    import_file(
        kind="accounts",
        path=EXAMPLES / "salesforce-accounts.csv",
        mapping={
            "code": "Account Number",
            "name": "Account Name",
            "country": "Billing Country",
            "industry": "Industry",
            "currency": "Account Currency",
        },
    )


def _import_contacts(name: str, mapping: str) -> str:
    out = StringIO()
    call_command(
        "import-contacts",
        str(EXAMPLES / name),
        "--map-file",
        str(EXAMPLES / mapping),
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_a_hubspot_export_builds_the_org_chart_from_its_reports_to_column(db):
    _accounts_from_salesforce()

    out = _import_contacts("hubspot-contacts.csv", "hubspot-contacts-mapping.toml")

    assert "5 contacts created" in out
    assert _managers("SF-1004") == {
        "Maria Lopez": None,
        "James Chen": "Maria Lopez",
        "Priya Nair": "James Chen",
        "Tom Reyes": "Priya Nair",
    }
    account = Account.objects.get(code="SF-1004")
    chart = account_relationship_snapshot(account=account, today=date(2025, 6, 30))
    names = {c.id: c.name for c in chart.contacts}
    assert {names[c.id]: names.get(c.reports_to) for c in chart.contacts} == {
        "Maria Lopez": None,
        "James Chen": "Maria Lopez",
        "Priya Nair": "James Chen",
        "Tom Reyes": "Priya Nair",
    }
    again = _import_contacts("hubspot-contacts.csv", "hubspot-contacts-mapping.toml")
    assert "0 contacts created, 0 updated, 5 unchanged" in again


def test_a_salesforce_contacts_report_links_managers_by_name(db):
    _accounts_from_salesforce()

    _import_contacts("salesforce-contacts.csv", "salesforce-contacts-mapping.toml")

    assert _managers("SF-1001") == {
        "Siobhan Byrne": None,
        "Ciaran Walsh": "Siobhan Byrne",
        "Aoife Kelly": "Ciaran Walsh",
    }
    aoife = Contact.objects.get(email="aoife.kelly@harbour.example")
    assert (aoife.external_id, aoife.title, aoife.department) == (
        "0035g00000AbCd3",
        "Buyer",
        "Purchasing",
    )


def test_a_manager_already_in_kam_is_found_and_the_change_is_audited(tmp_path, db):
    account = AccountFactory(code="A1")
    boss = ContactFactory(account=account, name="Dewi Lestari", email="dewi@example.id")
    worker = ContactFactory(account=account, name="Budi Santoso", external_id="B-1")
    path = _write(tmp_path, [["A1", "B-1", "Budi Santoso", "", "DEWI@example.id"]])

    result = import_contacts(path)

    assert (result.created, result.updated) == (0, 1)
    worker.refresh_from_db()
    assert worker.reports_to == boss
    entry = AuditEntry.objects.get(contact=worker, action="update")
    assert entry.changes == {"reports_to": [None, boss.pk]}


def test_unknown_ambiguous_and_self_managers_are_refused_naming_the_row(tmp_path, db):
    account = AccountFactory(code="A1")
    AccountFactory(code="A2")
    ContactFactory(account=account, name="Ani Wijaya", email="ani1@example.id")
    ContactFactory(account=account, name="Ani Wijaya", email="ani2@example.id")
    path = _write(
        tmp_path,
        [
            ["A1", "1", "Rudi Hartono", "", "Nobody Known"],
            ["A1", "2", "Sari Dewi", "", "Ani Wijaya"],
            ["A1", "3", "Eko Prasetyo", "eko@example.id", "eko@example.id"],
            ["A2", "4", "Joko Susilo", "", "Sari Dewi"],  # another account's person
        ],
    )

    with pytest.raises(ImportRefused) as refused:
        import_contacts(path, mapping={"reports_to": "reports_to"})

    errors = {e.row: (e.column, e.value, e.reason) for e in refused.value.result.errors}
    assert sorted(errors) == [2, 3, 4, 5]
    assert errors[2][:2] == ("reports_to", "Nobody Known")
    assert errors[2][2].startswith("unknown manager Nobody Known")
    assert "names several contacts" in errors[3][2]
    assert errors[4][2] == "a contact cannot report to themselves"
    assert errors[5][2].startswith("unknown manager Sari Dewi")
    assert Contact.objects.count() == 2


def test_a_loop_of_managers_is_refused_naming_its_rows(tmp_path, db):
    account = AccountFactory(code="A1")
    ContactFactory(account=account, name="Dewi Lestari", external_id="D")
    path = _write(
        tmp_path,
        [
            ["A1", "B", "Budi Santoso", "", "C"],
            ["A1", "C", "Citra Ayu", "", "D"],
            ["A1", "D", "Dewi Lestari", "", "B"],  # the stored Dewi, now under Budi
        ],
    )

    with pytest.raises(ImportRefused) as refused:
        import_contacts(path)

    errors = refused.value.result.errors
    assert [e.row for e in errors] == [2, 3, 4]
    assert errors[0].reason == (
        "the reports-to chain goes round in a loop: row 2 → row 3 → row 4 → row 2"
    )
    assert Contact.objects.get(external_id="D").reports_to is None


def test_skip_bad_drops_a_row_whose_manager_was_refused(tmp_path, db):
    AccountFactory(code="A1")
    path = _write(
        tmp_path,
        [
            ["A1", "1", "Rudi Hartono", "", ""],
            ["A1", "2", "Sari Dewi", "not-an-email", "Rudi Hartono"],
            ["A1", "3", "Eko Prasetyo", "", "Sari Dewi"],
            ["A1", "4", "Ani Wijaya", "", "Rudi Hartono"],
        ],
    )

    result = import_contacts(path, skip_bad=True, reject_path=tmp_path / "rejects.csv")

    assert {e.row for e in result.errors} == {3, 4}
    assert _managers("A1") == {"Rudi Hartono": None, "Ani Wijaya": "Rudi Hartono"}


def test_the_command_refuses_a_mapping_file_with_constants(tmp_path, db):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\naccount = "Customer"\n[constants]\nlevel = "manager"\n')
    path = _write(tmp_path, [["A1", "1", "Rudi", "", ""]])

    with pytest.raises(CommandError, match="takes no \\[constants\\]"):
        call_command("import-contacts", str(path), "--map-file", str(mapping))
