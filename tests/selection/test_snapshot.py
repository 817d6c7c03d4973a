"""What a run stores: every account's figures, breakdown and flags, all or nothing, as exact
decimals for money; and what the pages read back from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.core.bulk import insert_arrays
from kam.selection import breakdown, explain, queries, snapshot
from kam.selection.models import AccountScore, RunStatus, ScoringRun
from kam.selection.run import _rollups, scoring_run_execute
from tests.factories import AccountFactory
from tests.rollups import AS_OF, QUARTERS, quarters_for


def test_every_account_keeps_its_whole_breakdown_and_its_flags(ledger, lee):
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    rows = list(run.scores.all())
    assert len(rows) == len(ledger) == run.accounts
    for row in rows:
        assert sorted(c["key"] for c in row.contributions) == sorted(run.criterion_keys)
        points = [c["points"] for c in row.contributions]
        assert points == sorted(points, reverse=True)
        assert sum(points) == pytest.approx(row.score, abs=0.05)
    squeezer = run.scores.get(account=ledger["squeezer"])
    assert squeezer.flags[0]["code"] == "big_but_bad"
    assert squeezer.flags[0]["facts"]["avg_days_late"] == pytest.approx(70)
    assert explain.why(run.scores.get(account=ledger["grower"]).contributions)
    assert run.flagged_accounts == sum(1 for row in rows if row.flags)
    assert run.key_accounts == sum(1 for row in rows if row.is_key)
    assert queries.run_summary(run=run) == {
        "key": run.key_accounts,
        "flagged": run.flagged_accounts,
    }


def test_money_is_stored_as_exact_decimals_to_the_cent(ledger, lee):
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    squeezer = run.scores.get(account=ledger["squeezer"])
    assert squeezer.revenue == Decimal("12000000.00")
    assert squeezer.profit == Decimal("-600000.00")  # below cost: a negative amount
    assert isinstance(squeezer.discounts, Decimal)


def test_a_run_that_fails_while_storing_leaves_no_rows_and_says_it_failed(ledger, lee, monkeypatch):
    blocks = snapshot.snapshot_blocks

    def failing(scored, **_):
        for n, block in enumerate(blocks(scored, size=3, first=3)):
            if n == 2:  # two blocks already handed to the database
                raise RuntimeError("disk full")
            yield block

    monkeypatch.setattr("kam.selection.run.snapshot_blocks", failing)
    with pytest.raises(RuntimeError):
        scoring_run_execute(as_of=AS_OF, by=lee)
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert not AccountScore.objects.exists()


def test_the_scorecard_shows_the_score_over_the_last_runs(ledger, lee):
    first = scoring_run_execute(as_of=date(2026, 8, 3), by=lee)
    second = scoring_run_execute(as_of=AS_OF, by=lee)
    history = queries.score_history(account=ledger["grower"])
    assert [as_of for as_of, _, _ in history] == [second.as_of, first.as_of]
    assert history[0][1] == second.scores.get(account=ledger["grower"]).score


def test_the_key_account_list_reads_the_run_once_however_many_rows(client_for, lee, ledger):
    client = client_for(lee)

    def queries_for_the_list() -> int:
        scoring_run_execute(as_of=AS_OF, by=lee)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("selection:key_accounts"))
        assert response.status_code == 200
        assert all(row.why for row in response.context["page"].object_list)
        return len(captured)

    fewer = queries_for_the_list()
    for n in range(5):
        quarters_for(AccountFactory(name=f"Newcomer {n}"), [50_000] * 8)
    assert queries_for_the_list() == fewer


def test_it_stores_nulls_text_and_bytes_as_given(ledger, lee):
    run = ScoringRun.objects.create(
        as_of=AS_OF, first_quarter=QUARTERS[0], started_at=timezone.now(), reporting_currency="USD"
    )
    accounts = [ledger[0].pk, ledger[1].pk, ledger[2].pk]
    packed = breakdown.pack(
        values=np.array([[1.5], [np.nan], [2.0]]),
        normalised=np.array([[50.0], [np.nan], [100.0]]),
        points=np.array([[10.0], [0.0], [20.0]]),
    )
    with transaction.atomic():
        count = insert_arrays(
            AccountScore,
            [
                {
                    "run_id": np.full(3, run.pk),
                    "account_id": np.array(accounts),
                    "revenue": np.array([-1234.5678, np.nan, 9_876_543_210.98]),
                    "margin_pct": np.array([12.5, np.nan, -3.0]),
                    "rank": np.array([1.0, np.nan, 2.0]),
                    "tier_name": ["金牌 Gold", "", "Bronze"],
                    "tier_code": np.array([b"gold", b"", b"bronze"]),
                    "is_key": np.array([True, False, False]),
                    "tier_reason": ["override", "no_score", "cut_off"],
                    "knocked_out": np.zeros(3, dtype=bool),
                    "breakdown": packed,
                    "flags": np.array([b'[{"code":"fast_grower"}]', b"[]", b"[]"]),
                }
            ],
        )
    assert count == 3
    run.criterion_keys = ["revenue"]
    run.save()
    first, second, third = (run.scores.get(account_id=pk) for pk in accounts)
    assert first.revenue == Decimal("-1234.57")  # to the cent
    assert second.revenue is None and second.margin_pct is None and second.rank is None
    assert third.revenue == Decimal("9876543210.98")
    assert (first.tier_name, first.tier_code, first.rank, first.is_key) == (
        "金牌 Gold",
        "gold",
        1,
        True,
    )
    assert first.flags == [{"code": "fast_grower"}] and second.flags == []
    assert second.contributions == [
        {"key": "revenue", "value": None, "normalised": None, "points": 0.0}
    ]


@pytest.mark.django_db(transaction=True)
def test_the_rollups_read_at_once_on_two_connections_are_the_rollups(ledger):
    apart = _rollups(QUARTERS)  # outside a transaction: both halves at once (PostgreSQL)
    with transaction.atomic():
        together = _rollups(QUARTERS)  # inside one: one after the other, on this connection
    assert len(apart["account_id"]) == 14 * 8
    for name, column in together.items():
        np.testing.assert_array_equal(apart[name], column)
