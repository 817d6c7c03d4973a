"""A scoring run over the rollups: stored, dated, explainable, and flags that hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.selection.models import AccountScore, Rating, RunStatus, TierOverride
from kam.selection.run import gather_inputs, scoring_run_execute
from tests.rollups import AS_OF


def test_it_stores_a_dated_snapshot_for_every_account(ledger, lee):
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    assert run.status == RunStatus.DONE
    assert run.accounts == len(ledger) == AccountScore.objects.filter(run=run).count()
    squeezer = AccountScore.objects.get(run=run, account=ledger["squeezer"])
    assert squeezer.revenue == Decimal("12000000.00")
    assert squeezer.margin_pct == pytest.approx(-5.0)
    assert squeezer.avg_days_late == pytest.approx(70)


def test_it_flags_the_big_buyer_squeezing_price_below_cost_and_paying_late(ledger, lee):
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    flags = AccountScore.objects.get(run=run, account=ledger["squeezer"]).flags
    big_but_bad = [f for f in flags if f["code"] == "big_but_bad"]
    assert big_but_bad
    assert {"below_cost", "pays_late"} <= set(big_but_bad[0]["reasons"])
    assert not AccountScore.objects.get(run=run, account=ledger[3]).flags


def test_the_score_is_explained_by_its_contributions(ledger, lee):
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    grower = AccountScore.objects.get(run=run, account=ledger["grower"])
    total = sum(c["points"] for c in grower.contributions)
    assert total == pytest.approx(grower.score, abs=0.05)
    points = [c["points"] for c in grower.contributions]
    assert points == sorted(points, reverse=True)
    assert grower.growing_quarters_pct == pytest.approx(100.0)


def test_ratings_count_and_the_latest_one_wins(ledger, lee):
    account = ledger[0]
    for value in (Decimal("1"), Decimal("5")):
        Rating.objects.create(
            account=account, key="openness", value=value, rated_by=lee, rated_at=timezone.now()
        )
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    openness = next(
        c
        for c in AccountScore.objects.get(run=run, account=account).contributions
        if c["key"] == "openness"
    )
    assert openness["value"] == 5


def test_an_override_puts_the_account_in_the_chosen_tier(ledger, lee):
    TierOverride.objects.create(
        account=ledger[1], tier_code="gold", reason="strategic", by=lee, at=timezone.now()
    )
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    overridden = AccountScore.objects.get(run=run, account=ledger[1])
    assert (overridden.tier_code, overridden.tier_reason, overridden.is_key) == (
        "gold",
        "override",
        True,
    )


def test_a_second_run_keeps_the_first(ledger, lee):
    first = scoring_run_execute(as_of=AS_OF, by=lee)
    second = scoring_run_execute(as_of=date(2027, 2, 2), by=lee)
    assert (
        AccountScore.objects.filter(run=first).count()
        == AccountScore.objects.filter(run=second).count()
    )


def test_each_account_is_read_with_its_own_coverage_in_id_order(ledger, lee):
    ledger[4].coverage = "international"
    ledger[4].save()
    ledger[7].coverage = "national"
    ledger[7].save()

    inputs = gather_inputs(as_of=AS_OF)

    assert list(inputs.account_ids) == sorted(a.pk for a in ledger.values())
    coverage = dict(zip(inputs.account_ids.tolist(), inputs.coverage.tolist(), strict=True))
    assert [coverage[ledger[n].pk] for n in (4, 7, 5)] == [3, 2, 1]
