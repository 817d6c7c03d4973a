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


UNNUMBERED_HEADER = (
    "invoice_number,issue_date,account_code,currency,product_code,quantity,net_revenue"
)


def unnumbered_rows(invoices: int = 40) -> list[str]:
    """Invoices of 3 lines, each line's revenue its intended number; the third line of every
    invoice comes after all the others, as some exports list them."""
    rows = []
    for line in (1, 2):
        for i in range(invoices):
            rows.append(f"INV{i:03d},2024-03-01,A1,USD,HINGE,1,{line}")
    rows += [f"INV{i:03d},2024-03-01,A1,USD,HINGE,1,3" for i in range(invoices)]
    return rows


def test_a_file_without_line_numbers_is_refused_naming_the_option(buyers, ledger_csv):
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=ledger_csv(unnumbered_rows(2), header=UNNUMBERED_HEADER))
    assert "--number-lines" in refused.value.result.errors[0].reason


def test_number_lines_numbers_each_invoice_in_file_order_and_a_reimport_changes_nothing(
    buyers, catalogue, ledger_csv, monkeypatch
):
    from kam.ledger.importing import reader

    monkeypatch.setattr(reader, "CHUNK_BYTES", 1024)  # invoices straddle batches
    path = ledger_csv(unnumbered_rows(), header=UNNUMBERED_HEADER)

    first = import_file(kind="ledger", path=path, number_lines=True)  # the direct path
    again = import_file(kind="ledger", path=path, number_lines=True)  # the usual path

    lines = InvoiceLine.objects.values_list("invoice__number", "line_number", "net_revenue")
    assert len(lines) == 120
    assert all(Decimal(number) == revenue for _, number, revenue in lines)
    assert (first.created, again.created, again.updated, again.deleted) == (120, 0, 0, 0)
    assert again.unchanged == 120


def test_number_lines_refuses_a_file_that_has_line_numbers(buyers, catalogue, ledger_csv):
    path = ledger_csv(SPREADSHEET_ROWS, header=AMOUNTS_HEADER)
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path, number_lines=True, round_money=True)
    assert "only for a file without them" in refused.value.result.errors[0].reason


def test_number_lines_on_the_direct_path(buyers, catalogue, ledger_csv, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="kam.ledger.importing.direct")
    rows = [f"INV{i},2024-03-01,A1,USD,HINGE,1,{line}" for i in (1, 2) for line in (1, 2, 3)]
    path = ledger_csv(rows, header=UNNUMBERED_HEADER)

    import_file(kind="ledger", path=path, number_lines=True)

    assert "direct load" in caplog.text
    lines = InvoiceLine.objects.values_list("line_number", "net_revenue")
    assert sorted(lines) == sorted((n, Decimal(n)) for n in (1, 2, 3) for _ in (1, 2))


def test_a_negative_unit_price_is_refused_unless_the_line_is_a_credit(
    buyers, catalogue, ledger_csv
):
    from tests.ledger.conftest import LEDGER_HEADER

    sale = ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 2, "-5.00", "3")
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=ledger_csv([sale]))
    error = refused.value.result.errors[0]
    assert (error.row, error.column) == (2, "unit_price")
    assert "negative unit price" in error.reason
    assert not InvoiceLine.objects.exists()

    credit = ("CN1", 1, "2024-03-01", "A1", "USD", "HINGE", -2, "-5.00", "-3")
    import_file(kind="ledger", path=ledger_csv([credit], header=LEDGER_HEADER))
    assert InvoiceLine.objects.get().net_revenue == Decimal("-10.00")


CANCELLATIONS = [
    "100234,1,2024-03-01,A1,USD,HINGE,2,10.00,6",
    "100235,1,2024-03-02,A1,USD,HINGE,1,5.00,3",
    "C100234,1,2024-03-05,A1,USD,HINGE,-2,-10.00,-6",
    "R77,1,2024-03-06,A1,USD,HINGE,-1,-5.00,-3",
]


def test_cancellations_are_credit_notes_linked_to_what_they_cancel(buyers, catalogue, ledger_csv):
    from kam.ledger.models import AccountQuarter, Invoice

    path = ledger_csv(CANCELLATIONS, header=AMOUNTS_HEADER)

    first = import_file(kind="ledger", path=path, credit_prefix="C")  # the direct path
    again = import_file(kind="ledger", path=path, credit_prefix="C")  # the usual path

    for result in (first, again):
        assert (result.credit_notes, result.credit_notes_linked) == (2, 1)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    notes = Invoice.objects.filter(credit_note=True).order_by("number")
    assert [(n.number, n.cancels and n.cancels.number) for n in notes] == [
        ("C100234", "100234"),
        ("R77", None),  # every line a return: a credit note, cancelling nothing known
    ]
    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter="2024-01-01")
    assert quarter.invoices == 2  # the two credit notes are not invoices
    assert quarter.revenue == Decimal("0.00")  # 10 + 5 - 10 - 5


def test_the_command_counts_credit_notes(buyers, catalogue, ledger_csv, capsys):
    path = ledger_csv(CANCELLATIONS, header=AMOUNTS_HEADER)
    call_command("import", "ledger", str(path), "--credit-prefix", "C")
    assert "2 credit note(s), 1 linked" in capsys.readouterr().out


FLAT_ORDER_LINES = (
    "orderNumber,orderLineNumber,orderDate,customerNumber,customerName,country,currency,"
    "productCode,quantityOrdered,priceEach\n"
    "10100,1,2024-03-01,C1,Alpha Mebel,Indonesia,USD,HINGE,2,5.00\n"
    "10100,2,2024-03-01,C1,Alpha Mebel,Indonesia,USD,RAIL,1,8.00\n"
    "10101,1,2024-03-02,C2,Beta Hotels,Singapore,USD,HINGE,3,5.00\n"
    "10102,1,2024-03-03,C1,Alpha Mebel,Indonesia,USD,HINGE,1,5.00\n"
)
FLAT_ACCOUNTS = {"code": "customerNumber", "name": "customerName"}


def test_accounts_are_read_from_a_flat_order_line_export(db, write_file):
    from kam.accounts.models import Account

    path = write_file("orders.csv", FLAT_ORDER_LINES)
    first = import_file(kind="accounts", path=path, mapping=FLAT_ACCOUNTS)
    again = import_file(kind="accounts", path=path, mapping=FLAT_ACCOUNTS)

    accounts = Account.objects.order_by("code").values_list("code", "name", "country")
    assert list(accounts) == [("C1", "Alpha Mebel", "ID"), ("C2", "Beta Hotels", "SG")]
    assert (first.read, first.created, again.created, again.updated) == (4, 2, 0, 0)


def test_rows_of_one_account_that_disagree_are_refused_naming_both(db, write_file):
    from kam.accounts.models import Account

    text = FLAT_ORDER_LINES.replace(
        "10102,1,2024-03-03,C1,Alpha Mebel,", "10102,1,2024-03-03,C1,Alpha Ltd,"
    )
    path = write_file("orders.csv", text)
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path, mapping=FLAT_ACCOUNTS)

    errors = [(e.row, e.column, e.value) for e in refused.value.result.errors]
    assert errors == [(2, "customerName", "Alpha Mebel"), (5, "customerName", "Alpha Ltd")]
    reasons = [e.reason for e in refused.value.result.errors]
    assert "on row 5" in reasons[0] and "on row 2" in reasons[1]
    assert not Account.objects.exists()


FLAT_LEDGER_MAP = {
    "invoice_number": "orderNumber",
    "line_number": "orderLineNumber",
    "issue_date": "orderDate",
    "account_code": "customerNumber",
    "account_name": "customerName",
    "account_country": "country",
    "product_code": "productCode",
    "quantity": "quantityOrdered",
    "unit_price": "priceEach",
}


def test_the_ledger_creates_missing_accounts_from_its_columns_only_when_asked(
    buyers, catalogue, write_file
):
    from kam.accounts.models import Account

    path = write_file("orders.csv", FLAT_ORDER_LINES)
    with pytest.raises(ImportRefused) as refused:  # off by default
        import_file(kind="ledger", path=path, mapping=FLAT_LEDGER_MAP)
    assert "unknown account code C1" in refused.value.result.errors[0].reason
    # C2 is in kam already, under another name: it is left as it is
    Account.objects.filter(code="A2").update(code="C2", name="Beta Hotels Group")

    first = import_file(kind="ledger", path=path, mapping=FLAT_LEDGER_MAP, create_accounts=True)
    again = import_file(kind="ledger", path=path, mapping=FLAT_LEDGER_MAP, create_accounts=True)

    created = Account.objects.filter(code__in=["C1", "C2"]).order_by("code")
    assert [(a.code, a.name, a.country, a.currency) for a in created] == [
        ("C1", "Alpha Mebel", "ID", "USD"),
        ("C2", "Beta Hotels Group", "SG", "USD"),
    ]
    assert (first.accounts_created, first.created) == (1, 4)
    assert (again.accounts_created, again.created, again.updated) == (0, 0, 0)
    assert InvoiceLine.objects.filter(invoice__account__code="C1").count() == 3


def test_a_refused_ledger_leaves_no_account_behind(buyers, catalogue, write_file):
    from kam.accounts.models import Account

    text = FLAT_ORDER_LINES.replace("RAIL,1,8.00", "RAIL,one,8.00")
    path = write_file("orders.csv", text)
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path, mapping=FLAT_LEDGER_MAP, create_accounts=True)
    assert refused.value.result.errors[0].row == 3
    assert not Account.objects.filter(code__in=["C1", "C2"]).exists()


def test_the_command_creates_accounts_when_asked(buyers, catalogue, write_file, capsys):
    path = write_file("orders.csv", FLAT_ORDER_LINES)
    maps = [f"--map={ours}={theirs}" for ours, theirs in FLAT_LEDGER_MAP.items()]
    call_command("import", "ledger", str(path), *maps, "--create-accounts")
    assert "created 2 account(s) from the file" in capsys.readouterr().out


def test_the_upload_page_takes_the_ledger_options(
    client_for, lee, buyers, catalogue, settings, tmp_path, transactional_db
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kam.core import jobs
    from kam.core.models import Job
    from kam.ledger.models import Invoice

    settings.DATA_DIR = tmp_path
    text = FLAT_ORDER_LINES.replace(",orderLineNumber", "").replace(",1,2024", ",2024")
    text = (
        text.replace(",2,2024", ",2024")
        + "C10100,2024-03-04,C1,Alpha Mebel,Indonesia,USD,HINGE,-2,5.00\n"
    )
    mapping = "\n".join(
        f"{ours}={theirs}" for ours, theirs in FLAT_LEDGER_MAP.items() if ours != "line_number"
    )
    client = client_for(lee)
    response = client.post(
        reverse("ledger:import"),
        {
            "kind": "ledger",
            "file": SimpleUploadedFile("orders.csv", text.encode()),
            "mapping": mapping,
            "number_lines": "on",
            "credit_prefix": "C",
            "create_accounts": "on",
        },
    )
    job = Job.objects.get()
    jobs.wait(job.pk)
    job.refresh_from_db()
    assert job.status == "done", (job.message, job.result)
    assert Invoice.objects.get(number="C10100").cancels.number == "10100"
    page = client.get(response.url).text
    assert "Accounts created from the file: 2." in page
    assert "Credit notes: 1, of which 1 linked" in page
