"""The options real exports need: rounding spreadsheet decimals, numbering lines, credit
notes, accounts created from a flat order-line export. Each on both the direct path (a file
of new invoices) and the usual one (a re-import of the same file)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.ledger.importing import ImportRefused, import_file
from kam.ledger.models import InvoiceLine

pytestmark = pytest.mark.django_db

AMOUNTS_HEADER = (
    "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,"
    "net_revenue,cost"
)
SPREADSHEET_ROWS = [
    "INV1,1,2024-03-01,A1,USD,HINGE,1,12.345,4.4449",
    "INV1,2,2024-03-01,A1,USD,HINGE,1,12.355,5",
]


def stored_amounts() -> list[tuple]:
    return list(InvoiceLine.objects.order_by("line_number").values_list("net_revenue", "cost"))


def test_amounts_with_three_decimals_are_refused_as_too_precise_not_as_thousands(
    buyers, catalogue, ledger_csv
):
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=ledger_csv(SPREADSHEET_ROWS, header=AMOUNTS_HEADER))

    errors = refused.value.result.errors
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "net_revenue", "12.345"),
        (2, "cost", "4.4449"),
        (3, "net_revenue", "12.355"),
    ]
    assert all("too many decimal places" in e.reason for e in errors)
    assert all("--round-money" in e.reason for e in errors)
    assert not any("thousands" in e.reason for e in errors)
    assert not InvoiceLine.objects.exists()


def test_a_real_thousands_separator_is_still_named_as_such(buyers, catalogue, ledger_csv):
    rows = ['INV1,1,2024-03-01,A1,USD,HINGE,1,"1,234.50",5']
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=ledger_csv(rows, header=AMOUNTS_HEADER))
    assert "thousands separators" in refused.value.result.errors[0].reason


def test_round_money_rounds_half_to_even_and_reports_count_and_difference(
    buyers, catalogue, ledger_csv
):
    path = ledger_csv(SPREADSHEET_ROWS, header=AMOUNTS_HEADER)

    first = import_file(kind="ledger", path=path, round_money=True)  # the direct path
    again = import_file(kind="ledger", path=path, round_money=True)  # the usual path

    # 12.345 -> 12.34 and 12.355 -> 12.36 (half to even), 4.4449 -> 4.44
    assert stored_amounts() == [
        (Decimal("12.34"), Decimal("4.44")),
        (Decimal("12.36"), Decimal("5.00")),
    ]
    for result in (first, again):
        assert result.rounded == 3
        assert result.rounding_difference == {"USD": "-0.0049"}
    assert (first.created, again.created, again.updated, again.deleted) == (2, 0, 0, 0)


def test_round_money_uses_the_currency_minor_unit(buyers, catalogue, ledger_csv):
    from kam.ledger.models import ExchangeRate

    ExchangeRate.objects.create(month="2024-03-01", currency="JPY", rate=Decimal("0.0067"))
    rows = ["INV1,1,2024-03-01,A1,JPY,HINGE,1,1500.5,700.5"]
    result = import_file(
        kind="ledger", path=ledger_csv(rows, header=AMOUNTS_HEADER), round_money=True
    )
    assert stored_amounts() == [(Decimal("1500"), Decimal("700"))]  # half to even
    assert (result.rounded, result.rounding_difference) == (2, {"JPY": "-1.0"})


def test_the_command_reports_the_rounding(buyers, catalogue, ledger_csv, capsys):
    path = ledger_csv(SPREADSHEET_ROWS, header=AMOUNTS_HEADER)
    with pytest.raises(CommandError):
        call_command("import", "ledger", str(path))
    call_command("import", "ledger", str(path), "--round-money")
    out = capsys.readouterr().out
    assert "rounded 3 amount(s)" in out and "USD -0.0049" in out


def test_the_upload_page_rounds_when_asked_and_says_so(
    client_for, lee, buyers, catalogue, settings, tmp_path, transactional_db
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kam.core import jobs
    from kam.core.models import Job

    settings.DATA_DIR = tmp_path
    content = "\n".join([AMOUNTS_HEADER, *SPREADSHEET_ROWS]).encode()
    client = client_for(lee)
    response = client.post(
        reverse("ledger:import"),
        {"kind": "ledger", "file": SimpleUploadedFile("s.csv", content), "round_money": "on"},
    )
    job = Job.objects.get()
    jobs.wait(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.message
    page = client.get(response.url).text
    assert "3 amounts were rounded" in page and "USD -0.0049" in page
