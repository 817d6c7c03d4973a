"""Importing sales lines: what a user sees in the ledger after an import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.ledger.conftest import database_snapshot, table_counts

from kam.ledger.importing import ImportRefused, import_file
from kam.ledger.models import (
    AccountQuarter,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    ProductCost,
    UnitConversion,
)

pytestmark = pytest.mark.django_db


def lines_of(number: str) -> dict[int, InvoiceLine]:
    return {line.line_number: line for line in InvoiceLine.objects.filter(invoice__number=number)}


def test_it_derives_invoices_from_their_lines(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 10, "3.50", "25"),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 2, "9.999", "8"),
            ("INV2", 1, "2024-03-05", "A2", "USD", "RAIL", 1, "12", "4"),
        ]
    )

    result = import_file(kind="ledger", path=path)

    assert (result.read, result.applied, result.rejected, result.created) == (3, 3, 0, 3)
    invoice = Invoice.objects.get(number="INV1")
    assert invoice.account == buyers["A1"]
    assert invoice.total == Decimal("55.00")  # 35.00 + 2 x 9.999 rounded to 20.00
    assert invoice.status == "issued"
    assert invoice.effective_due_date == date(2024, 3, 31)
    assert sorted(result.touched_account_ids) == [buyers["A1"].pk, buyers["A2"].pk]


def test_it_changes_nothing_when_the_same_file_is_imported_again(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 10, "3.50", ""),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 2, "10", ""),
            ("INV2", 1, "2024-04-05", "A2", "USD", "RAIL", 1, "12", "4"),
        ]
    )
    import_file(kind="ledger", path=path)
    before = database_snapshot()

    again = import_file(kind="ledger", path=path)

    assert (again.read, again.applied) == (3, 3)
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 3)
    assert again.touched_account_ids == []
    assert database_snapshot() == before


def test_a_corrected_file_replaces_changed_lines_and_drops_missing_ones(
    buyers, catalogue, ledger_csv
):
    import_file(
        kind="ledger",
        path=ledger_csv(
            [
                ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 10, "3.50", ""),
                ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 2, "10", ""),
                ("INV1", 3, "2024-03-01", "A1", "USD", "RAIL", 5, "10", ""),
                ("INV2", 1, "2024-03-05", "A2", "USD", "RAIL", 1, "12", "4"),
            ]
        ),
    )
    corrected = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 12, "3.50", ""),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 2, "10", ""),
        ],
        name="corrected.csv",
    )

    result = import_file(kind="ledger", path=corrected)

    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    lines = lines_of("INV1")
    assert sorted(lines) == [1, 2]
    assert lines[1].quantity == 12
    assert lines[1].net_revenue == Decimal("42.00")
    assert lines[1].cost == Decimal("30.00")
    assert Invoice.objects.get(number="INV1").total == Decimal("62.00")
    # INV2 is not in the corrected file: the file is the truth only for its own invoices.
    assert list(lines_of("INV2")) == [1]
    assert result.touched_account_ids == [buyers["A1"].pk]
    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter=date(2024, 1, 1))
    assert (quarter.revenue, quarter.lines) == (Decimal("62.00"), 2)


def test_an_invoice_moved_to_another_account_changes_its_lines_and_both_accounts(
    buyers, catalogue, ledger_csv
):
    rows = [
        ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 10, "3.50", ""),
        ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 2, "10", ""),
    ]
    import_file(kind="ledger", path=ledger_csv(rows))
    moved = [(number, line, day, "A2", *rest) for number, line, day, _, *rest in rows]

    result = import_file(kind="ledger", path=ledger_csv(moved, name="moved.csv"))

    assert (result.created, result.updated, result.deleted) == (0, 2, 0)
    assert Invoice.objects.get(number="INV1").account == buyers["A2"]
    assert sorted(result.touched_account_ids) == sorted([buyers["A1"].pk, buyers["A2"].pk])
    assert not AccountQuarter.objects.filter(account=buyers["A1"]).exists()
    assert AccountQuarter.objects.get(account=buyers["A2"]).revenue == Decimal("55.00")


def test_it_takes_the_cost_from_the_gross_profit(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 4, "250.00", "-12.50")],
        header="invoice_number,line_number,issue_date,account_code,currency,product_code,"
        "quantity,net_revenue,gross_profit",
    )

    import_file(kind="ledger", path=path)

    assert lines_of("INV1")[1].cost == Decimal("262.50")  # a sale below cost


def test_it_costs_a_line_with_the_product_cost_valid_on_its_issue_date(
    buyers, catalogue, ledger_csv
):
    ProductCost.objects.create(
        product=catalogue["HINGE"],
        valid_from=date(2024, 7, 1),
        unit_cost=Decimal("3.0000"),
        currency="USD",
    )
    path = ledger_csv(
        [
            ("INV1", 1, "2024-06-30", "A1", "USD", "HINGE", 10, "5", ""),
            ("INV2", 1, "2024-07-01", "A1", "USD", "HINGE", 10, "5", ""),
        ]
    )

    import_file(kind="ledger", path=path)

    assert lines_of("INV1")[1].cost == Decimal("25.00")
    assert lines_of("INV2")[1].cost == Decimal("30.00")


def test_it_converts_the_product_cost_to_the_line_currency(buyers, catalogue, ledger_csv):
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.0000625"))
    path = ledger_csv([("INV1", 1, "2024-03-10", "B1", "IDR", "HINGE", 10, "80000", "")])

    import_file(kind="ledger", path=path)

    # 10 x 2.50 USD = 25 USD = 400,000 IDR at 0.0000625 USD per rupiah
    assert lines_of("INV1")[1].cost == Decimal("400000.00")


def test_it_refuses_a_line_whose_cost_is_unknown(buyers, catalogue, ledger_csv):
    path = ledger_csv([("INV1", 1, "2023-12-31", "A1", "USD", "HINGE", 10, "5", "")])

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    (error,) = refused.value.result.errors
    assert (error.row, error.column) == (2, "cost")
    assert "no cost for product HINGE on 2023-12-31" in error.reason


def test_it_converts_units_to_base_units(buyers, catalogue, ledger_csv):
    UnitConversion.objects.create(product=None, unit="dozen", factor=Decimal("12"))
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 2, "24", "", "Carton"),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", "1.5", "40", "", "dozen"),
            ("INV1", 3, "2024-03-01", "A1", "USD", "RAIL", 3, "4", "", "METRE"),
        ],
        header="invoice_number,line_number,issue_date,account_code,currency,product_code,"
        "quantity,unit_price,cost,unit",
    )

    import_file(kind="ledger", path=path)

    lines = lines_of("INV1")
    assert (lines[1].base_quantity, lines[1].cost) == (Decimal("24"), Decimal("60.00"))
    assert (lines[2].base_quantity, lines[2].cost) == (Decimal("18"), Decimal("72.00"))
    assert (lines[3].base_quantity, lines[3].unit) == (Decimal("3"), "METRE")
    assert lines[1].net_revenue == Decimal("48.00")  # the price is per unit sold (carton)


def test_it_refuses_a_unit_it_cannot_convert(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [("INV1", 1, "2024-03-01", "A1", "USD", "RAIL", 2, "24", "", "pallet")],
        header="invoice_number,line_number,issue_date,account_code,currency,product_code,"
        "quantity,unit_price,cost,unit",
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    (error,) = refused.value.result.errors
    assert (error.row, error.column, error.value) == (2, "unit", "pallet")
    assert "unknown unit pallet for product RAIL" in error.reason


def test_it_keeps_rupiah_amounts_in_the_billions_exact(buyers, catalogue, ledger_csv):
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.0000625"))
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-10", "B1", "IDR", "RAIL", 1, "12345678901.23", "9876543210.98"),
            ("INV1", 2, "2024-03-10", "B1", "IDR", "RAIL", 3, "1000000000.01", "0.01"),
        ]
    )

    import_file(kind="ledger", path=path)

    lines = lines_of("INV1")
    assert lines[1].net_revenue == Decimal("12345678901.23")
    assert lines[1].cost == Decimal("9876543210.98")
    assert lines[2].net_revenue == Decimal("3000000000.03")
    assert Invoice.objects.get(number="INV1").total == Decimal("15345678901.26")
    quarter = AccountQuarter.objects.get(account=buyers["B1"], quarter=date(2024, 1, 1))
    # 15,345,678,901.26 IDR x 0.0000625 = 959,104.931328... USD
    assert quarter.revenue == Decimal("959104.93")


def test_it_refuses_lines_without_an_exchange_rate_naming_currency_and_month(
    buyers, catalogue, ledger_csv
):
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.0000625"))
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-10", "B1", "IDR", "RAIL", 1, "100000", "1"),
            ("INV2", 1, "2024-04-02", "B1", "IDR", "RAIL", 1, "100000", "1"),
            ("INV3", 1, "2024-05-02", "B1", "IDR", "RAIL", 1, "100000", "1"),
        ]
    )
    before = table_counts()

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    result = refused.value.result
    assert result.missing_rates == [("IDR", "2024-04"), ("IDR", "2024-05")]
    assert [(e.row, e.column) for e in result.errors] == [(3, "currency"), (4, "currency")]
    assert "no exchange rate for IDR in 2024-04" in result.errors[0].reason
    assert table_counts() == before


def test_it_refuses_an_invoice_whose_lines_disagree(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV1", 2, "2024-03-02", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV1", 3, "2024-03-01", "A2", "USD", "HINGE", 1, "5", "1"),
        ]
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    errors = refused.value.result.errors
    assert [(e.row, e.column, e.value) for e in errors] == [
        (3, "issue_date", "2024-03-02"),
        (4, "account_code", "A2"),
    ]
    assert "differs from row 2" in errors[0].reason


def test_it_refuses_a_line_number_given_twice(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV1", 1, "2024-03-01", "A1", "USD", "RAIL", 1, "5", "1"),
        ]
    )

    with pytest.raises(ImportRefused) as refused:
        import_file(kind="ledger", path=path)

    assert [e.row for e in refused.value.result.errors] == [2, 3]
    assert "on 2 rows (first on row 2)" in refused.value.result.errors[1].reason
    assert not Invoice.objects.exists()


def test_it_treats_cancelled_and_void_orders_as_cancelled(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1", "Shipped"),
            ("INV2", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "7", "1", "Cancelled"),
            ("INV3", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "9", "1", "VOID"),
        ],
        header="invoice_number,line_number,issue_date,account_code,currency,product_code,"
        "quantity,unit_price,cost,status",
    )

    import_file(kind="ledger", path=path)

    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses == {"INV1": "issued", "INV2": "cancelled", "INV3": "cancelled"}
    assert lines_of("INV2")[1].invoice.status == "cancelled"
    quarter = AccountQuarter.objects.get(account=buyers["A1"])
    assert (quarter.revenue, quarter.invoices, quarter.lines) == (Decimal("5.00"), 1, 1)


def test_it_accepts_returns_as_negative_quantities(buyers, catalogue, ledger_csv):
    path = ledger_csv([("CN1", 1, "2024-03-01", "A1", "USD", "HINGE", -4, "3.50", "")])

    import_file(kind="ledger", path=path)

    line = lines_of("CN1")[1]
    assert (line.quantity, line.net_revenue, line.cost) == (
        -4,
        Decimal("-14.00"),
        Decimal("-10.00"),
    )
