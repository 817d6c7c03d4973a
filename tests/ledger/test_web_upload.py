"""The programme lead uploads a file; the import runs in the background and reports back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kam.accounts.models import Account
from kam.core import jobs
from kam.core.models import Job

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def upload(client, name: str, content: bytes, **fields):
    data = {"kind": "accounts", "file": SimpleUploadedFile(name, content), **fields}
    response = client.post(reverse("ledger:import"), data)
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.get()
    jobs.wait(job.pk)
    job.refresh_from_db()
    return job, response.url


def test_a_kam_may_not_import(client_for, alice, data_dir):
    assert client_for(alice).get(reverse("ledger:import")).status_code == 403
    response = client_for(alice).post(
        reverse("ledger:import"),
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", b"code,name\n")},
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_the_lead_imports_accounts_in_the_background(client_for, lee, data_dir, transactional_db):
    client = client_for(lee)
    job, url = upload(client, "accounts.csv", (EXAMPLES / "accounts.csv").read_bytes())
    assert job.status == "done", job.message
    assert Account.objects.filter(code="C1001", name="PT Sinar Abadi Mebel Jepara").exists()
    page = client.get(url)
    assert f"applied {job.result['applied']}" in page.text


def test_a_bad_file_is_refused_with_its_rows_and_changes_nothing(
    client_for, lee, data_dir, transactional_db
):
    bad = "code,name,country,currency\nC1,Good Ltd,GB,GBP\nC2,Bad Ltd,Atlantis,GBP\n"
    job, url = upload(client_for(lee), "accounts.csv", bad.encode())
    assert job.status == "failed"
    assert not Account.objects.exists()
    page = client_for(lee).get(url)
    assert "Nothing was applied" in page.text
    assert "Atlantis" in page.text
    assert "<td>3</td>" in page.text  # the spreadsheet row of the bad line


def test_skipping_bad_rows_applies_the_good_ones_and_offers_the_rejects(
    client_for, lee, data_dir, transactional_db
):
    bad = "code,name,country,currency\nC1,Good Ltd,GB,GBP\nC2,Bad Ltd,Atlantis,GBP\n"
    client = client_for(lee)
    job, _ = upload(client, "accounts.csv", bad.encode(), skip_bad="on")
    assert job.status == "done", job.message
    assert list(Account.objects.values_list("code", flat=True)) == ["C1"]
    rejects = client.get(reverse("ledger:rejects", kwargs={"public_id": job.public_id}))
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "Atlantis" in body and "C1," not in body


def test_a_mapping_line_without_an_equals_sign_is_refused(client_for, lee, data_dir):
    response = client_for(lee).post(
        reverse("ledger:import"),
        {"kind": "ledger", "file": SimpleUploadedFile("l.csv", b"x\n"), "mapping": "orderNumber"},
    )
    assert response.status_code == 400
    assert "write ours=theirs" in response.text
    assert not Job.objects.exists()


def test_a_file_not_in_utf8_is_refused_naming_its_row_and_byte(
    client_for, lee, data_dir, transactional_db
):
    text = "code,name,country,currency\nC1,Good Ltd,GB,GBP\nC2,Café Ltd,FR,EUR\n"
    client = client_for(lee)
    job, url = upload(client, "accounts.csv", text.encode("cp1252"))
    assert job.status == "failed"
    page = client.get(url)
    assert "<td>3</td><td>name</td><td>0xE9</td>" in page.text
    assert "not UTF-8 text: byte 0xE9" in page.text
    assert "--encoding" in page.text
    assert not Account.objects.exists()


def test_the_upload_page_reads_a_file_in_the_encoding_given(
    client_for, lee, data_dir, transactional_db
):
    text = "code,name,country,currency\nC2,Café Ltd,FR,EUR\n"
    job, _ = upload(client_for(lee), "accounts.csv", text.encode("cp1252"), encoding="cp1252")
    assert job.status == "done", job.message
    assert Account.objects.get(code="C2").name == "Café Ltd"


def test_an_unknown_encoding_is_refused_on_the_form(client_for, lee, data_dir):
    response = client_for(lee).post(
        reverse("ledger:import"),
        {"kind": "accounts", "file": SimpleUploadedFile("a.csv", b"x\n"), "encoding": "klingon"},
    )
    assert response.status_code == 400
    assert "Unknown encoding klingon" in response.text
    assert not Job.objects.exists()


def test_a_damaged_workbook_is_refused_in_words_on_row_1(
    client_for, lee, data_dir, transactional_db
):
    client = client_for(lee)
    job, url = upload(client, "accounts.xlsx", b"PK\x03\x04 not really a workbook")
    assert job.status == "failed"
    page = client.get(url)
    assert "<td>1</td>" in page.text and "<td>0</td>" not in page.text
    assert "not a readable Excel workbook" in page.text
