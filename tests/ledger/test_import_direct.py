"""The direct load (new invoices COPYed straight into the ledger tables, rollups computed from
the file) stores exactly what the usual path would, and hands over to it whenever it must."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from tests.ledger.conftest import LEDGER_HEADER

from kam.ledger import quarters
from kam.ledger.importing import import_file, reader
from kam.ledger.models import AccountQuarter, ExchangeRate, Invoice, InvoiceLine
from kam.ledger.rollups import rollup_refresh

pytestmark = pytest.mark.django_db

DIRECT = "kam.ledger.importing.direct"


def rows_for(invoices: int, lines: int = 3) -> list[tuple]:
    """``invoices`` invoices of ``lines`` lines each, over two accounts and five quarters."""
    rows = []
    for i in range(invoices):
        day = date(2024, 1 + (i * 7) % 12, 1 + i % 28).isoformat()
        account = "A1" if i % 3 else "A2"
        for n in range(1, lines + 1):
            rows.append((f"INV-{i:04d}", n, day, account, "USD", "HINGE", n, "1.25", "2.00"))
    return rows


def rollups() -> list[tuple]:
    return list(
        AccountQuarter.objects.order_by("account_id", "quarter").values_list(
            "account_id", "quarter", "revenue", "cost", "units", "lines", "invoices",
            "invoices_due", "paid_on_time", "days_late_sum", "days_late_max",
        )
    )  # fmt: skip


@pytest.fixture
def small_batches(monkeypatch):
    """Read files in batches of about 1 kB, so invoices straddle batches."""
    monkeypatch.setattr(reader, "CHUNK_BYTES", 1024)


def test_invoices_straddling_batches_are_stored_whole_once(
    buyers, catalogue, ledger_csv, small_batches, caplog
):
    caplog.set_level(logging.INFO, logger=DIRECT)
    result = import_file(kind="ledger", path=ledger_csv(rows_for(120)))

    assert "direct load" in caplog.text
    assert (result.read, result.applied, result.created) == (360, 360, 360)
    assert Invoice.objects.count() == 120
    assert InvoiceLine.objects.count() == 360
    # 1 x 1.25 + 2 x 1.25 + 3 x 1.25 on every invoice
    assert set(Invoice.objects.values_list("total", flat=True)) == {Decimal("7.50")}
    assert {n for (n,) in InvoiceLine.objects.values_list("line_number")} == {1, 2, 3}


@pytest.mark.parametrize("merge_rows", [1_000_000, 1], ids=["merged-at-end", "merged-often"])
def test_rollups_computed_from_the_file_equal_those_computed_from_the_database(
    buyers, catalogue, ledger_csv, small_batches, monkeypatch, merge_rows, caplog
):
    caplog.set_level(logging.INFO, logger=DIRECT)
    monkeypatch.setattr(quarters, "MERGE_ROWS", merge_rows)
    for month in range(1, 13):
        ExchangeRate.objects.create(
            month=date(2024, month, 1), currency="IDR", rate=Decimal(f"0.0000{600 + month}3")
        )
    rupiah = [
        (f"R-{i:03d}", 1, date(2024, 1 + i % 12, 3).isoformat(), "B1", "IDR", "RAIL", 3,
         f"{1_234_567 + i}.45", "1000000")
        for i in range(40)
    ]  # fmt: skip
    import_file(kind="ledger", path=ledger_csv(rows_for(120) + rupiah))
    assert "direct load" in caplog.text
    from_file = rollups()

    rollup_refresh()

    assert from_file == rollups()
    assert sum(row[5] for row in from_file) == 400


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite holds sums below 9.2 x 10^16 exactly: this ledger adds up to 3 x 10^17",
)
def test_rupiah_lines_of_a_quadrillion_each_are_summed_exactly(
    buyers, catalogue, ledger_csv, caplog
):
    caplog.set_level(logging.INFO, logger=DIRECT)
    ExchangeRate.objects.create(month=date(2024, 3, 1), currency="IDR", rate=Decimal("0.0000625"))
    huge = "1000000000000000.07"  # 10^15 rupiah and 7 sen, on each of 300 lines
    rows = [
        (f"R-{i:03d}", n, "2024-03-05", "B1", "IDR", "RAIL", 1, huge, "0")
        for i in range(100)
        for n in (1, 2, 3)
    ]

    import_file(kind="ledger", path=ledger_csv(rows))

    assert "direct load:" in caplog.text  # not handed to the usual path
    assert set(Invoice.objects.values_list("total", flat=True)) == {Decimal("3000000000000000.21")}
    from_file = rollups()
    rollup_refresh()
    assert from_file == rollups()


def test_discounts_units_and_rebates_at_their_default_in_some_pieces_are_stored_as_given(
    buyers, catalogue, ledger_csv, small_batches, caplog
):
    caplog.set_level(logging.INFO, logger=DIRECT)
    header = LEDGER_HEADER + ",unit,discount,rebate"
    plain = [(*row, "", "0", "0") for row in rows_for(60)]  # whole pieces at the defaults
    given = [
        (f"D-{i:03d}", 1, "2024-05-02", "A1", "USD", "HINGE", 2, "3.00", "1.00", "carton",
         "0.50", "0.25")
        for i in range(60)
    ]  # fmt: skip

    import_file(kind="ledger", path=ledger_csv(plain + given, header=header))

    assert "direct load:" in caplog.text
    stored = InvoiceLine.objects.values_list("invoice__number", "unit", "discount", "rebate")
    by_number = {number[:2]: (unit, discount, rebate) for number, unit, discount, rebate in stored}
    assert by_number["IN"] == ("", Decimal("0.00"), Decimal("0.00"))
    assert by_number["D-"] == ("carton", Decimal("0.50"), Decimal("0.25"))
    assert InvoiceLine.objects.filter(unit="carton", discount=Decimal("0.50")).count() == 60
    assert InvoiceLine.objects.filter(unit="", discount=0, rebate=0).count() == 180


def test_lines_of_an_invoice_apart_in_the_file_take_the_usual_path(
    buyers, catalogue, ledger_csv, small_batches, caplog
):
    rows = rows_for(60)
    rows.append(("INV-0000", 4, rows[0][2], "A2", "USD", "RAIL", 1, "10.00", "4.00"))
    caplog.set_level(logging.INFO)

    result = import_file(kind="ledger", path=ledger_csv(rows))

    assert "takes the usual path" in caplog.text
    assert result.created == 181
    first = Invoice.objects.get(number="INV-0000")
    assert first.lines.count() == 4
    assert first.total == Decimal("17.50")
    assert InvoiceLine.objects.count() == 181


def test_a_stored_invoice_in_the_file_takes_the_usual_path_and_is_corrected(
    buyers, catalogue, ledger_csv
):
    import_file(kind="ledger", path=ledger_csv(rows_for(10)))
    corrected = [
        row if row[0] != "INV-0003" else (*row[:7], "9.00", row[8]) for row in rows_for(12)
    ]

    result = import_file(kind="ledger", path=ledger_csv(corrected))

    assert (result.created, result.updated) == (6, 3)
    assert Invoice.objects.get(number="INV-0003").total == Decimal("54.00")
    assert Invoice.objects.count() == 12


def test_an_account_with_payments_before_gets_them_applied_to_its_new_invoices(
    buyers, catalogue, ledger_csv, write_file
):
    import_file(
        kind="payments",
        path=write_file(
            "payments.csv",
            "reference,account_code,paid_on,amount,currency\nT-1,A1,2024-01-10,100.00,USD\n",
        ),
    )
    rows = [("INV-1", 1, "2024-01-02", "A1", "USD", "HINGE", 10, "10.00", "2.00")]

    import_file(kind="ledger", path=ledger_csv(rows))

    # Paid first-in-first-out by the transfer that names no invoice, on time.
    assert Invoice.objects.get(number="INV-1").paid_on == date(2024, 1, 10)
    quarter = AccountQuarter.objects.get(account=buyers["A1"], quarter=date(2024, 1, 1))
    assert (quarter.invoices_due, quarter.paid_on_time, quarter.days_late_sum) == (1, 1, 0)


def test_a_file_with_only_a_header_imports_nothing(buyers, catalogue, ledger_csv):
    result = import_file(kind="ledger", path=ledger_csv([]))

    assert (result.read, result.created) == (0, 0)
    assert Invoice.objects.count() == 0


def test_lines_out_of_order_take_the_usual_path_and_are_all_stored(
    buyers, catalogue, ledger_csv, caplog
):
    rows = [
        ("INV-1", 2, "2024-03-01", "A1", "USD", "RAIL", 1, "100.00", "60.00"),
        ("INV-1", 1, "2024-03-01", "A1", "USD", "HINGE", 2, "10.00", "12.00"),
    ]
    caplog.set_level(logging.INFO)

    import_file(kind="ledger", path=ledger_csv(rows))

    assert "takes the usual path" in caplog.text
    assert Invoice.objects.get(number="INV-1").total == Decimal("120.00")
