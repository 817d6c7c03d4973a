"""The scoring window is a setting of the programme and an option of `kam score`: every metric
covers it, and the scorecard says which quarters each figure covers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kam.selection.models import AccountScore, ScoringPeriod
from kam.selection.run import scoring_run_execute
from tests.rollups import AS_OF


def test_a_six_month_window_scores_the_last_two_quarters(ledger, lee):
    # Grower sells 20% more each quarter: over 6 months against the 6 before, growth is the
    # last two quarters against the two before, not a year against a year.
    run = scoring_run_execute(as_of=AS_OF, by=lee, window_months=6, comparison_months=6)

    grower = AccountScore.objects.get(run=run, account=ledger["grower"])
    q = [10_000 * 1.2**k for k in range(8)]
    assert float(grower.revenue) == pytest.approx(q[6] + q[7], abs=0.01)
    assert float(grower.revenue_previous) == pytest.approx(q[4] + q[5], abs=0.01)
    assert grower.yoy_growth_pct == pytest.approx(44.0)
    assert (run.window_label, run.comparison_label) == ("2026 Q2 to 2026 Q3", "2025 Q4 to 2026 Q1")


def test_the_programme_setting_is_the_default_and_the_scorecard_names_the_periods(
    ledger, lee, client_for
):
    ScoringPeriod.objects.update_or_create(pk=1, defaults={"window_months": 9})
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    assert (run.window_quarters, run.comparison_quarters) == (3, 4)

    page = client_for(lee).get(
        reverse("selection:scorecard", kwargs={"public_id": ledger["grower"].public_id})
    )
    assert "Sales, 2026 Q1 to 2026 Q3" in page.text
    assert "Sales, 2025 Q1 to 2025 Q4" in page.text
    assert "Every figure covers 2026 Q1 to 2026 Q3" in page.text


def test_the_settings_page_saves_the_window_and_refuses_a_part_quarter(client_for, lee):
    client = client_for(lee)
    assert "Scoring window" in client.get(reverse("selection:settings")).text

    refused = client.post(
        reverse("selection:scoring_period"), {"window_months": "10", "comparison_months": "12"}
    )
    assert refused.status_code == 400
    assert "Give whole quarters" in refused.text
    assert ScoringPeriod.current().window_months == 12

    saved = client.post(
        reverse("selection:scoring_period"), {"window_months": "6", "comparison_months": "12"}
    )
    assert saved.status_code == 302
    assert (ScoringPeriod.current().window_months, ScoringPeriod.current().comparison_months) == (
        6,
        12,
    )


def test_only_the_lead_may_change_the_window(client_for, alice):
    response = client_for(alice).post(
        reverse("selection:scoring_period"), {"window_months": "6", "comparison_months": "6"}
    )
    assert response.status_code == 403
    assert ScoringPeriod.current().window_months == 12


def test_kam_score_takes_window_and_as_of(ledger):
    out = StringIO()
    call_command(
        "score", "--as-of", AS_OF.isoformat(), "--window", "6", stdout=out, stderr=StringIO()
    )
    assert "figures cover 2026 Q2 to 2026 Q3 against 2025 Q2 to 2026 Q1" in out.getvalue()
    with pytest.raises(CommandError, match="--window: Give whole quarters"):
        call_command("score", "--window", "7", stdout=StringIO(), stderr=StringIO())
