"""No payment data is not "never paid": a ledger imported without payments flags nobody as
paying late, and days late are measured up to the as-of date of the scoring, never past it."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from kam.ledger.importing import import_file
from kam.ledger.rollups import rollup_refresh
from kam.selection.models import AccountScore
from kam.selection.run import PAYMENT_CRITERIA, scoring_run_execute

AS_OF = date(2026, 4, 2)  # the window is 2025 Q2 - 2026 Q1


def _ledger(ledger_csv):
    """A1 buys 10 hinges at 100 a quarter (cost 52: a 48% margin); A2 buys one, at 100."""
    rows = []
    for n, month in enumerate(("2025-04-10", "2025-07-10", "2025-10-10", "2026-01-01")):
        rows.append((f"A1-{n}", 1, month, "A1", "USD", "HINGE", 10, "100", "520"))
        rows.append((f"A2-{n}", 1, month, "A2", "USD", "HINGE", 1, "100", "52"))
    return import_file(kind="ledger", path=ledger_csv(rows))


def test_a_big_buyer_without_payment_data_is_not_flagged_as_paying_late(
    buyers, catalogue, ledger_csv, lee, client
):
    _ledger(ledger_csv)
    rollup_refresh(today=date(2030, 1, 1))  # years later: thousands of days "late" before

    run = scoring_run_execute(as_of=AS_OF, by=lee)

    big = AccountScore.objects.get(run=run, account=buyers["A1"])
    assert round(big.margin_pct) == 48
    assert (big.avg_days_late, big.worst_days_late, big.on_time_pct) == (None, None, None)
    assert not [f for f in big.flags if f["code"] == "big_but_bad"]
    # Unknown scores neutrally: 50 of 100 on the payment criteria, not 0 and not 100.
    paying = {c["key"]: c for c in big.contributions if c["key"] in PAYMENT_CRITERIA}
    assert paying and all(c["normalised"] == 50 and c["value"] is None for c in paying.values())
    client.force_login(lee)
    page = client.get(
        reverse("selection:scorecard", kwargs={"public_id": buyers["A1"].public_id})
    ).text
    assert page.count("no payment data") == 3


def test_days_late_are_measured_up_to_the_as_of_date(
    buyers, catalogue, ledger_csv, write_file, lee
):
    _ledger(ledger_csv)
    # A1 paid its first three invoices on time; the fourth (due 31 Jan 2026) stays unpaid.
    import_file(
        kind="payments",
        path=write_file(
            "payments.csv",
            "reference,account_code,paid_on,amount,currency\nT-1,A1,2025-05-01,3000,USD\n",
        ),
    )
    rollup_refresh(today=date(2030, 1, 1))

    run = scoring_run_execute(as_of=AS_OF, by=lee)

    paying = AccountScore.objects.get(run=run, account=buyers["A1"])
    assert paying.worst_days_late == (AS_OF - date(2026, 1, 31)).days  # 61, not 1,431
    assert paying.on_time_pct == 75
    assert paying.avg_days_late == 61 / 4
    assert AccountScore.objects.get(run=run, account=buyers["A2"]).avg_days_late is None
