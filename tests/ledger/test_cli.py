"""``kam import`` and ``kam ledger refresh-rollups``."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.ledger.models import AccountQuarter, Invoice

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_its_progress_and_counts(buyers, catalogue, ledger_csv):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 1, "5", "1"),
        ]
    )

    out, err = run("import", "ledger", str(path))

    assert "read 2 rows" in err
    assert "read 2, applied 2, rejected 0" in out
    # kam's own clock, which the ledger benchmark reads instead of guessing the start-up.
    assert re.search(r"unchanged\) in \d+\.\d\d s$", out.strip())
    assert Invoice.objects.count() == 1


def test_import_takes_mappings_and_constants_from_options(buyers, catalogue, write_file, tmp_path):
    path = write_file(
        "orders.csv", "Order;Line;Date;Customer;Item;Qty;Price\n7;1;2024-03-01;A1;HINGE;2;3\n"
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\ninvoice_number = "Order"\nline_number = "Line"\n')

    out, _ = run(
        "import", "ledger", str(path), "--map-file", str(mapping),
        "--map", "issue_date=Date", "--map", "account_code=Customer",
        "--map", "product_code=Item", "--map", "quantity=Qty", "--map", "unit_price=Price",
        "--set", "currency=USD",
    )  # fmt: skip

    assert "applied 1" in out
    assert Invoice.objects.get().total == 6


def test_import_refuses_a_bad_file_listing_the_row_errors(buyers, catalogue, ledger_csv, tmp_path):
    path = ledger_csv([("INV1", 1, "2024-13-01", "A1", "USD", "HINGE", 1, "5", "1")])
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="import refused: 1 bad row"):
        call_command("import", "ledger", str(path), stdout=out, stderr=err)

    assert "2\tissue_date\t2024-13-01\tnot a date: expected YYYY-MM-DD" in err.getvalue()
    assert "read 1, applied 0, rejected 1" in out.getvalue()
    assert not Invoice.objects.exists()


def test_import_with_skip_bad_writes_the_reject_file(buyers, catalogue, ledger_csv, tmp_path):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 1, "5", "1"),
            ("INV2", 1, "2024-03-01", "A9", "USD", "HINGE", 1, "5", "1"),
        ]
    )
    rejects = tmp_path / "out" / "rejects.csv"

    out, err = run("import", "ledger", str(path), "--skip-bad", "--reject-file", str(rejects))

    assert "read 2, applied 1, rejected 1" in out
    assert f"rejected rows written to {rejects}" in err
    assert "unknown account code A9" in rejects.read_text(encoding="utf-8")


def test_refresh_rollups_rebuilds_them(buyers, catalogue, ledger_csv):
    path = ledger_csv([("I", 1, "2024-03-15", "A1", "USD", "HINGE", 1, "5", "1")])
    run("import", "ledger", str(path))
    AccountQuarter.objects.all().delete()

    out, _ = run("ledger", "refresh-rollups", "--today", "2024-06-30")

    assert "2 account-quarters written" in out  # sales in Q1, the overdue invoice in Q2
    assert AccountQuarter.objects.count() == 2
