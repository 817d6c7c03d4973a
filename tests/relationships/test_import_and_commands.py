"""Contacts from a CRM export, and the map on the command line."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kam.accounts.models import AuditEntry
from kam.ledger.importing.result import ImportRefused
from kam.relationships.importing import import_contacts
from kam.relationships.models import Contact
from tests.factories import AccountFactory

CUSTOMERS = Path("/work/shared/data/classicmodels/customers.csv")
if not CUSTOMERS.exists():  # CI clones shared/ beside the repository
    CUSTOMERS = Path(__file__).resolve().parents[3] / "shared/data/classicmodels/customers.csv"
CLASSIC = {
    "account": "customerNumber",
    "first_name": "contactFirstName",
    "last_name": "contactLastName",
}


@pytest.fixture
def classic_accounts(db):
    with CUSTOMERS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            AccountFactory(code=row["customerNumber"], name=row["customerName"])


def _write(tmp_path, rows, name="crm.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.skipif(not CUSTOMERS.exists(), reason="shared sample data not found")
def test_the_classicmodels_contacts_import_once_however_often_it_runs(classic_accounts):
    result = import_contacts(CUSTOMERS, mapping=CLASSIC)
    assert (result.read, result.created, result.updated) == (122, 122, 0)
    carine = Contact.objects.get(account__code="103")
    assert carine.name == "Carine Schmitt"  # the file's trailing space is gone
    assert carine.phone == "40.32.2555"
    assert AuditEntry.objects.filter(action="create").count() == 122
    again = import_contacts(CUSTOMERS, mapping=CLASSIC)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 122)
    assert Contact.objects.count() == 122


def test_a_bad_row_refuses_the_whole_file_and_names_row_column_reason(tmp_path, db):
    AccountFactory(code="A1")
    path = _write(
        tmp_path,
        [
            ["Account Code", "Full Name", "Email", "Level"],
            ["A1", "Dewi Lestari", "dewi@example.id", "manager"],
            ["A9", "Nobody", "nobody@example.id", ""],
            ["A1", "X" * 301, "not-an-email", "emperor"],
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_contacts(path, mapping={"account": "Account Code", "name": "Full Name"})
    errors = {(e.row, e.column) for e in refused.value.result.errors}
    assert errors == {(3, "Account Code"), (4, "Full Name"), (4, "email"), (4, "level")}
    assert not Contact.objects.exists()


def test_skip_bad_imports_the_good_rows_and_writes_the_rejects(tmp_path, db):
    AccountFactory(code="A1")
    path = _write(
        tmp_path,
        [
            ["account", "name"],
            ["A1", "Dewi Lestari"],
            ["A9", "Nobody"],
            ["A1", "dewi  lestari"],
        ],
    )
    result = import_contacts(path, skip_bad=True)
    assert result.created == 1 and result.rejected == 2
    with result.reject_path.open(encoding="utf-8") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0] == ["account", "name", "row", "reason"]
    assert [r[2] for r in rejects[1:]] == ["3", "4"]
    assert "same person as row 2" in rejects[2][3]


def test_an_external_id_matches_even_when_the_name_changes(tmp_path, db):
    AccountFactory(code="A1")
    first = _write(tmp_path, [["account", "Id", "name"], ["A1", "003XY", "Siti Rahma"]])
    import_contacts(first, mapping={"external_id": "Id"})
    second = _write(
        tmp_path, [["account", "Id", "name"], ["A1", "003XY", "Siti Rahmawati"]], name="again.csv"
    )
    result = import_contacts(second, mapping={"external_id": "Id"})
    assert (result.created, result.updated) == (0, 1)
    assert Contact.objects.get().name == "Siti Rahmawati"
    assert AuditEntry.objects.get(action="update").changes["name"] == [
        "Siti Rahma",
        "Siti Rahmawati",
    ]


def test_an_xlsx_export_with_its_own_column_names(tmp_path, db):
    AccountFactory(code="HK7")
    book = Workbook()
    sheet = book.active
    sheet.append(["Company ID", "First Name", "Last Name", "Job Title", "Email"])
    sheet.append(["HK7", "嘉欣", "陳", "採購經理", "kayan@example.hk"])
    path = tmp_path / "hubspot.xlsx"
    book.save(path)
    import_contacts(
        path,
        mapping={
            "account": "Company ID",
            "first_name": "First Name",
            "last_name": "Last Name",
            "title": "Job Title",
        },
    )
    contact = Contact.objects.get()
    assert (contact.name, contact.title) == ("嘉欣 陳", "採購經理")


def test_an_import_as_a_user_is_limited_to_their_accounts(tmp_path, account, charlie):
    path = _write(tmp_path, [["account", "name"], [account.code, "Intruder"]])
    with pytest.raises(ImportRefused):
        import_contacts(path, by=charlie)


def test_the_command_refuses_a_bad_file_and_says_why(tmp_path, db, capsys):
    path = _write(tmp_path, [["customer", "name"], ["X", "Y"]])
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import-contacts", str(path), "--map", "account=customer")
    assert "row 2, customer" in capsys.readouterr().err


@pytest.mark.skipif(not CUSTOMERS.exists(), reason="shared sample data not found")
def test_the_command_imports_the_classicmodels_file(classic_accounts, capsys):
    call_command(
        "import-contacts",
        str(CUSTOMERS),
        "--map",
        "account=customerNumber",
        "--map",
        "first_name=contactFirstName",
        "--map",
        "last_name=contactLastName",
    )
    assert "122 contacts created" in capsys.readouterr().out


def test_the_map_command_writes_an_svg(tmp_path, account, capsys):
    target = tmp_path / "map.svg"
    call_command("map", account.code, "--svg", str(target))
    assert "Budi Santoso" in target.read_text(encoding="utf-8")


def test_the_map_command_refuses_an_account_the_user_cannot_see(tmp_path, account, charlie):
    with pytest.raises(CommandError):
        call_command("map", account.code, "--svg", str(tmp_path / "m.svg"), "--as", "charlie")


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium")
def test_the_map_command_renders_a_png(tmp_path, account):
    png = tmp_path / "map.png"
    call_command("map", account.code, "--svg", str(tmp_path / "m.svg"), "--png", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
