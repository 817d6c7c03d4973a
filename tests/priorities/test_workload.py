"""The programme's workload: hours the service levels ask per KAM against capacity, the
moves that level it (and the relationships each loses), and the lead's move of an account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.priorities import services
from kam.priorities.workload import KamLoad, suggest_moves
from kam.relationships.services import interaction_log


def test_the_move_that_levels_best_is_suggested_and_nobody_unknown_receives():
    loads = [
        KamLoad(1, 100.0, {11: 60.0, 12: 50.0, 13: 20.0}),
        KamLoad(2, 100.0, {21: 10.0}),
        KamLoad(3, None, {}),  # capacity unknown: never given an account
    ]
    moves = suggest_moves(loads)
    assert [(m.account, m.giver, m.receiver) for m in moves] == [(11, 1, 2)]
    move = moves[0]
    assert (move.giver_before, move.giver_after) == (130.0, 70.0)
    assert (move.receiver_before, move.receiver_after) == (10.0, 70.0)
    assert loads[0].accounts == {11: 60.0, 12: 50.0, 13: 20.0}  # inputs untouched


def test_between_equal_moves_the_one_losing_fewer_relationships_wins():
    loads = [KamLoad(1, 10.0, {11: 10.0, 12: 10.0}), KamLoad(2, 10.0, {})]
    known = {(1, 11): {101, 102}, (1, 12): {103}, (2, 12): {103}}
    moves = suggest_moves(loads, known=known)
    assert moves[0].account == 12 and moves[0].relationships_lost == ()
    assert suggest_moves([KamLoad(1, 10.0, {11: 5.0})]) == []  # within capacity


@pytest.fixture
def overloaded(period, account, other_account, alice, charlie, lee):
    from kam.selection.models import AccountScore, ScoringRun, Tier, TierScheme

    tier = Tier.objects.filter(scheme=TierScheme.objects.get(active=True)).first()
    Tier.objects.filter(pk=tier.pk).update(visits_per_month=4)
    run = ScoringRun.objects.create(
        as_of=date(2026, 10, 1),
        first_quarter=date(2026, 1, 1),
        status="done",
        started_at=timezone.now(),
        reporting_currency="EUR",
    )
    for a in (account, other_account):
        AccountScore.objects.create(run=run, account=a, tier_code=tier.code, is_key=True)
    services.capacity_set(user=alice, period=period, hours_per_week=Decimal(1), by=lee)
    services.capacity_set(user=charlie, period=period, hours_per_week=Decimal(30), by=lee)
    interaction_log(
        account=account,
        by=alice,
        kind="visit",
        occurred_on=date(2026, 11, 2),
        their_participants=[account.contacts.get(name="Budi Santoso")],
    )
    return period


def test_the_lead_sees_the_overload_and_moves_the_account(
    overloaded, account, charlie, lee, alice, client_for
):
    page = client_for(lee).get(f"/priorities/workload/?period={overloaded.pk}").content.decode()
    assert "too many accounts" in page
    assert account.name in page and "Budi Santoso" in page  # the relationship lost
    assert "Move to Charlie" in page
    moved = client_for(lee).post(
        "/priorities/workload/move/",
        {"account": account.public_id, "to": charlie.pk, "version": account.version},
    )
    assert moved.status_code == 302
    account.refresh_from_db()
    assert account.owner == charlie
    assert AuditEntry.objects.filter(account=account, changes__has_key="owner").exists()


def test_a_kam_sees_only_their_own_load_and_may_not_move(
    overloaded, account, charlie, client_for, alice
):
    page = client_for(alice).get(f"/priorities/workload/?period={overloaded.pk}").content.decode()
    assert "Alice" in page and "Charlie" not in page and "Suggested moves" not in page
    refused = client_for(alice).post(
        "/priorities/workload/move/", {"account": account.public_id, "to": charlie.pk}
    )
    assert refused.status_code == 403
    api = client_for(alice).get(f"/api/v1/priorities/workload?period={overloaded.pk}").json()
    assert [k["user"] for k in api["kams"]] == ["alice"] and api["moves"] == []


def test_the_api_moves_and_refuses_with_the_field_named(
    overloaded, account, lee, alice, client_for
):
    api = client_for(lee)
    read = api.get(f"/api/v1/priorities/workload?period={overloaded.pk}").json()
    assert read["kams"][0]["user"] == "alice" and read["kams"][0]["overloaded"]
    assert read["moves"][0]["to_kam"] == "charlie"
    assert read["moves"][0]["relationships_lost"] == ["Budi Santoso"]
    url = "/api/v1/priorities/workload/moves"
    bad = api.post(
        url, {"account": str(account.public_id), "to": "bob"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "to" in bad.content.decode()
    stale = api.post(
        url,
        {"account": str(account.public_id), "to": "charlie", "version": account.version - 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    ok = api.post(
        url, {"account": str(account.public_id), "to": "charlie"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["owner"] == "charlie"
    assert api.get("/api/v1/priorities/workload?period=999999").status_code == 422
