"""What an import does with a bad file, odd formats and someone else's columns."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from tests.factories import UserFactory
from tests.ledger.conftest import database_snapshot, table_counts

from kam.accounts.models import Account
from kam.ledger.importing import ImportRefused, import_file
from kam.ledger.models import ExchangeRate, Invoice, InvoiceLine, Payment, Product, ProductCost

pytestmark = pytest.mark.django_db


def test_it_refuses_a_bad_file_naming_row_column_and_reason_and_changes_nothing(
    buyers, catalogue, ledger_csv
):
    import_file(
        kind="ledger",
        path=ledger_csv([("OLD1", 1, "2024-01-05", "A1", "USD", "HINGE", 1, "5", "1")]),
    )
    before = database_snapshot()
    counts = table_counts()
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV2", 1, "31/03/2024", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV3", 1, "2024-03-01", "ZZ9", "USD", "HINGE", 1, "5", "1"),
            ("INV4", 1, "2024-03-01", "A1", "USD", "HINGE", 1, '"1,250.00"', "1"),
            ("INV5", 1, "2024-03-01", "A1", "USD", "HINGE", "1.00005", "5", "1.001"),
            ("INV6", 0, "2024-03-01", "A1", "usd", "BOLT", 1, "5", "1"),
        ],
        name="bad.csv",
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    result = refused.value.result
    assert (result.read, result.applied, result.rejected) == (6, 0, 5)
    found = [(e.row, e.column, e.value) for e in result.errors]
    assert found == [
        (3, "issue_date", "31/03/2024"),
        (4, "account_code", "ZZ9"),
        (5, "unit_price", "1,250.00"),
        (6, "quantity", "1.00005"),
        (6, "cost", "1.001"),
        (7, "line_number", "0"),
        (7, "product_code", "BOLT"),
    ]
    reasons = [e.reason for e in result.errors]
    assert reasons[0] == "not a date: expected YYYY-MM-DD, got 31/03/2024"
    assert reasons[1] == "unknown account code ZZ9: import the account first"
    assert "thousands separators are not accepted" in reasons[2]
    assert reasons[3] == "too many decimal places: at most 4, got 1.00005"
    assert "unknown product code BOLT" in reasons[6]
    assert table_counts() == counts
    assert database_snapshot() == before


def test_it_names_a_mapped_column_the_file_lacks_before_reading_any_row(
    buyers, catalogue, ledger_csv
):
    path = ledger_csv([("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1")])

    with pytest.raises(ImportRefused) as refused:
        import_file(
            kind="ledger",
            path=path,
            mapping={"invoice_number": "orderNumber", "status": "orderStatus"},
        )

    result = refused.value.result
    assert result.read == 0
    assert [(e.row, e.column) for e in result.errors] == [(1, "orderNumber"), (1, "orderStatus")]
    assert result.errors[0].reason.startswith("no column orderNumber in the file; its columns")


def test_it_names_a_required_field_with_no_column_and_no_value(buyers, write_file):
    path = write_file("accounts.csv", "code,name\nX1,Example\n")

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path, constants={"industry": "retailer"})

    assert [e.column for e in refused.value.result.errors] == ["country", "currency"]


def test_it_refuses_a_bad_constant_once(buyers, write_file):
    path = write_file("accounts.csv", "code,name,country\nX1,Example,ID\n")

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path, constants={"currency": "rupiah"})

    (error,) = refused.value.result.errors
    assert (error.row, error.column, error.value) == (1, "currency", "rupiah")


def test_skip_bad_applies_the_good_rows_and_writes_the_rejects_with_reasons(
    buyers, catalogue, ledger_csv, tmp_path
):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV2", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV2", 2, "2024-03-01", "A1", "USD", "HINGE", "one", "5", "1"),
            ("INV3", 1, "2024-03-01", "NOPE", "USD", "HINGE", 1, "5", "1"),
            ("INV4", 1, "2024-03-01", "A2", "USD", "RAIL", 1, "5", "1"),
        ]
    )
    rejects = tmp_path / "rejects.csv"

    result = import_file(kind="ledger", path=path, skip_bad=True, reject_path=rejects)

    assert (result.read, result.applied, result.rejected) == (5, 2, 3)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["INV1", "INV4"]
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["row"], r["invoice_number"], r["quantity"]) for r in rows] == [
        ("3", "INV2", "1"),
        ("4", "INV2", "one"),
        ("5", "INV3", "1"),
    ]
    assert rows[0]["reason"].startswith("invoice_number: held back: row 4 of invoice INV2")
    assert rows[1]["reason"] == "quantity: not a number: one"
    assert rows[2]["reason"].startswith("account_code: unknown account code NOPE")
    assert result.reject_path == rejects


def test_it_reads_a_semicolon_csv_with_a_byte_order_mark_and_decimal_commas(
    buyers, catalogue, write_file
):
    text = (
        "invoice_number;line_number;issue_date;account_code;currency;product_code;quantity;"
        "net_revenue;cost\n"
        "INV1;1;01.03.2024;A1;USD;HINGE;2,5;1234,56;100\n"
    )
    path = write_file("semicolons.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))

    result = import_file(
        kind="ledger",
        path=path,
        constants={"decimal_separator": ",", "date_format": "%d.%m.%Y"},
    )

    assert result.applied == 1
    line = InvoiceLine.objects.get()
    assert (line.quantity, line.net_revenue, line.invoice.issue_date) == (
        Decimal("2.5"),
        Decimal("1234.56"),
        date(2024, 3, 1),
    )


def test_it_imports_an_excel_workbook(buyers, catalogue, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Invoice", "Line", "Date", "Customer", "Product", "Qty", "Price"])
    sheet.append([10100, 1, datetime(2024, 3, 1), "A1", "HINGE", 10, 35.29])
    sheet.append([10100, 2, datetime(2024, 3, 1), "A1", "RAIL", 3, 0.1])
    sheet.append([])
    sheet.append([10101, 1, date(2024, 4, 2), "A2", "RAIL", 1, 12])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)

    result = import_file(
        kind="ledger",
        path=path,
        mapping={
            "invoice_number": "Invoice",
            "line_number": "Line",
            "issue_date": "Date",
            "account_code": "Customer",
            "product_code": "Product",
            "quantity": "Qty",
            "unit_price": "Price",
        },
        constants={"currency": "USD"},
    )

    assert (result.read, result.applied) == (3, 3)
    lines = {(line.invoice.number, line.line_number): line for line in InvoiceLine.objects.all()}
    assert lines[("10100", 1)].net_revenue == Decimal("352.90")
    assert lines[("10100", 2)].net_revenue == Decimal("0.30")
    assert lines[("10101", 1)].invoice.issue_date == date(2024, 4, 2)


def test_excel_rows_are_numbered_as_the_sheet_shows_them(buyers, catalogue, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["invoice_number", "line_number", "issue_date", "account_code", "currency"])
    sheet.append(["INV1", 1, "2024-03-01", "A1", "USD"])
    sheet.append([])
    sheet.append(["INV2", 1, "not a date", "A1", "USD"])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)

    with pytest.raises(ImportRefused) as refused:
        import_file(
            kind="ledger",
            path=path,
            constants={"product_code": "HINGE", "quantity": "1", "unit_price": "1"},
        )

    assert [(e.row, e.column) for e in refused.value.result.errors] == [(4, "issue_date")]


def test_rows_are_numbered_as_a_spreadsheet_shows_them_despite_line_breaks_in_cells(
    buyers, write_file
):
    path = write_file(
        "accounts.csv",
        'code,name,country,currency\nX1,"Two\nlines",ID,IDR\n\nX2,Fine,ID,IDR\nX3,Bad,ID,rp\n',
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path)

    assert [(e.row, e.column) for e in refused.value.result.errors] == [(5, "currency")]
    assert refused.value.result.read == 3


def test_it_refuses_a_row_with_more_values_than_the_header(buyers, write_file):
    path = write_file("accounts.csv", "code,name,country,currency\nX1,A,ID,IDR,extra\n")

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path)

    (error,) = refused.value.result.errors
    assert error.row == 2
    assert error.reason == "the row has 5 values but the header has 4 columns"


def test_it_refuses_a_file_that_is_not_utf8(db, write_file):
    path = write_file("latin1.csv", "code,name,country,currency\nX1,Café,FR,EUR\n".encode("cp1252"))

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path)

    assert "not UTF-8" in refused.value.result.errors[0].reason
    assert not Account.objects.filter(code="X1").exists()


def test_it_imports_accounts_with_chinese_and_indonesian_names(db, write_file):
    owner = UserFactory(username="alice")
    path = write_file(
        "customers.csv",
        "code,name,country,currency,industry,coverage,owner,parent_code\n"
        "CN01,广州华美家具有限公司,China,cny,Furniture maker,national,Alice,\n"
        "ID01,PT Sinar Abadi Mebel Jepara,Indonesia,IDR,hotel,,alice,\n"
        "ID02,CV Maju Bersama (cabang Semarang),IDN,IDR,,international account,,ID01\n"
        "US01,Signal Gift Stores,USA,USD,retail,,,\n"
        'GB01,"Toys4GrownUps.com, Ltd",UK,GBP,,,,\n',
    )

    result = import_file(kind="accounts", path=path)

    assert (result.applied, result.created) == (5, 5)
    accounts = {a.code: a for a in Account.objects.all()}
    chinese = accounts["CN01"]
    assert (chinese.name, chinese.country.code, chinese.currency) == (
        "广州华美家具有限公司",
        "CN",
        "CNY",
    )
    assert (chinese.industry, chinese.coverage, chinese.owner) == ("furniture", "national", owner)
    assert accounts["ID01"].industry == "hospitality"
    assert accounts["ID02"].parent == accounts["ID01"]
    assert (accounts["ID02"].industry, accounts["ID02"].coverage) == ("other", "international")
    assert [accounts[c].country.code for c in ("ID02", "US01", "GB01")] == ["ID", "US", "GB"]
    assert Account.objects.filter(name__contains="华美").count() == 1


def test_an_accounts_file_leaves_the_fields_it_lacks_alone(db, write_file):
    import_file(
        kind="accounts",
        path=write_file("a.csv", "code,name,country,currency,industry\nX1,Old,ID,IDR,retail\n"),
    )

    result = import_file(
        kind="accounts", path=write_file("b.csv", "code,name,country,currency\nX1,New,ID,IDR\n")
    )

    account = Account.objects.get(code="X1")
    assert (account.name, account.industry) == ("New", "retail")
    assert (result.created, result.updated) == (0, 1)


def test_it_refuses_account_parents_that_loop(db, write_file):
    path = write_file(
        "loop.csv",
        "code,name,country,currency,parent_code\nP1,One,ID,IDR,P2\nP2,Two,ID,IDR,P1\n",
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="accounts", path=path)

    assert [e.row for e in refused.value.result.errors] == [2, 3]
    assert "loop" in refused.value.result.errors[0].reason


def test_products_keep_a_cost_history(db, write_file):
    import_file(
        kind="products",
        path=write_file(
            "products.csv",
            "code,name,base_unit,unit_cost,cost_currency,cost_valid_from\n"
            "HINGE,Hinge,piece,2.50,USD,2024-01-01\n"
            "HINGE,Hinge,piece,2.75,USD,2024-07-01\n"
            "RAIL,Rail,metre,,,\n",
        ),
    )

    costs = ProductCost.objects.filter(product__code="HINGE").order_by("valid_from")
    assert [(c.valid_from, c.unit_cost) for c in costs] == [
        (date(2024, 1, 1), Decimal("2.5")),
        (date(2024, 7, 1), Decimal("2.75")),
    ]
    assert Product.objects.get(code="RAIL").base_unit == "metre"
    assert not ProductCost.objects.filter(product__code="RAIL").exists()


def test_rates_are_upserted_on_month_and_currency(db, write_file):
    import_file(
        kind="rates", path=write_file("r1.csv", "month,currency,rate\n2024-03,IDR,0.0000625\n")
    )

    result = import_file(
        kind="rates",
        path=write_file(
            "r2.csv", "month,currency,rate\n2024-03,IDR,0.000064\n2024-04,idr,0.000063\n"
        ),
    )

    assert (result.created, result.updated) == (1, 1)
    rates = dict(ExchangeRate.objects.values_list("month", "rate"))
    assert rates == {date(2024, 3, 1): Decimal("0.000064"), date(2024, 4, 1): Decimal("0.000063")}


def test_it_refuses_a_rate_for_the_reporting_currency(db, write_file):
    with pytest.raises(ImportRefused) as refused:
        import_file(kind="rates", path=write_file("r.csv", "month,currency,rate\n2024-03,USD,1\n"))

    assert "reporting currency" in refused.value.result.errors[0].reason


def test_payments_must_name_an_invoice_of_their_own_account(
    buyers, catalogue, ledger_csv, write_file
):
    import_file(
        kind="ledger",
        path=ledger_csv([("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1")]),
    )
    path = write_file(
        "payments.csv",
        "reference,account_code,paid_on,amount,currency,invoice_number\n"
        "P1,A1,2024-03-20,5.00,USD,INV1\n"
        "P2,A2,2024-03-20,5.00,USD,INV1\n"
        "P3,A1,2024-03-20,5.00,USD,INV9\n",
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="payments", path=path)

    reasons = [(e.row, e.reason) for e in refused.value.result.errors]
    assert reasons == [
        (3, "invoice INV1 belongs to another account"),
        (4, "unknown invoice INV9: import the ledger first"),
    ]
    assert not Payment.objects.exists()
