"""A ledger export without cost, imported with ``--cost unknown``: margin unknown (never 100%),
scored neutrally, no margin flag; without the option every such line is still refused."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kam.ledger.models import InvoiceLine, Product
from kam.selection.models import AccountScore
from kam.selection.run import COST_CRITERIA, scoring_run_execute

HEADER = (
    "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,unit_price"
)
AS_OF = date(2026, 4, 2)


@pytest.fixture
def no_cost_file(buyers, write_file):
    Product.objects.create(code="PLAIN", name="Plain board", base_unit="piece")
    rows = [
        f"{account}-{n},1,{day},{account},USD,PLAIN,{quantity},100"
        for n, day in enumerate(("2025-04-10", "2025-07-10", "2025-10-10", "2026-01-01"))
        for account, quantity in (("A1", 10), ("A2", 1))
    ]
    return write_file("no-cost.csv", "\n".join([HEADER, *rows]) + "\n")


def test_a_ledger_without_cost_is_refused_unless_asked(no_cost_file):
    with pytest.raises(CommandError, match="nothing was applied"):
        call_command("import", "ledger", str(no_cost_file), stdout=StringIO(), stderr=StringIO())
    assert not InvoiceLine.objects.exists()


def test_cost_unknown_gives_an_unknown_margin_scored_neutrally_and_no_flag(
    no_cost_file, lee, client
):
    call_command(
        "import", "ledger", str(no_cost_file), "--cost", "unknown", stdout=StringIO(),
        stderr=StringIO(),
    )  # fmt: skip
    assert InvoiceLine.objects.count() == 8
    assert not InvoiceLine.objects.filter(cost__isnull=False).exists()

    run = scoring_run_execute(as_of=AS_OF, by=lee)

    big = AccountScore.objects.get(run=run, account__code="A1")
    assert big.revenue == 4000
    assert (big.margin_pct, big.margin_trend, big.profit) == (None, None, None)
    assert not [f for f in big.flags if f["code"] in ("big_but_bad", "efficiencies_given_back")]
    margins = [c for c in big.contributions if c["key"] in COST_CRITERIA]
    assert margins and all(c["normalised"] == 50 and c["value"] is None for c in margins)
    client.force_login(lee)
    page = client.get(reverse("selection:scorecard", kwargs={"public_id": big.account.public_id}))
    assert "no cost data" in page.text
    assert "100.0%" not in page.text


def test_the_upload_form_takes_cost_unknown(
    client_for, lee, no_cost_file, settings, tmp_path, transactional_db
):
    from tests.ledger.test_web_upload import upload

    settings.DATA_DIR = tmp_path
    job, _ = upload(
        client_for(lee), "no-cost.csv", no_cost_file.read_bytes(), kind="ledger", cost_unknown="on"
    )
    assert job.status == "done", job.message
    assert InvoiceLine.objects.filter(cost__isnull=True).count() == 8
