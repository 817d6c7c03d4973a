"""Mentor reviews: only the account's mentor records one; follow-ups land in the plan; the
cadence comes from the tier's service level; overdue reviews are flagged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.plans import follow
from kam.plans.models import Action, MentorReview, Plan
from kam.plans.reviews import FollowUp, review_record
from tests.plans.follow_world import make_plan

TODAY = timezone.localdate()


@pytest.fixture
def plan(account, alice):
    start = date(TODAY.year, 1, 1)
    return make_plan(
        account, alice, name=f"FY{TODAY.year}", start=start, end=date(TODAY.year, 12, 31)
    )


def test_the_mentor_reviews_and_the_follow_ups_land_in_the_plan(plan, account, mia, bob):
    review = review_record(
        account=account,
        by=mia,
        verdict="endorsed_with_changes",
        comment="Widen the contacts in engineering.",
        follow_ups=[FollowUp("Meet the plant engineer", bob, TODAY)],
    )
    assert (review.plan, review.mentor, review.reviewed_on) == (plan, mia, TODAY)
    follow_up = Action.objects.get(review=review)
    assert (follow_up.plan, follow_up.owner, follow_up.status) == (plan, bob, "open")
    assert AuditEntry.objects.filter(account=account, by=mia).count() == 2


@pytest.mark.parametrize("who", ["alice", "bob", "lee"])
def test_nobody_but_the_mentor_reviews(request, plan, account, who):
    with pytest.raises(PermissionDenied):
        review_record(
            account=account, by=request.getfixturevalue(who), verdict="endorsed", comment="ok"
        )
    assert not MentorReview.objects.exists()


def test_a_follow_up_owned_off_the_team_saves_nothing(plan, account, mia, charlie):
    with pytest.raises(ValidationError) as refused:
        review_record(
            account=account,
            by=mia,
            verdict="not_endorsed",
            comment="No.",
            follow_ups=[FollowUp("Fine", None), FollowUp("Rework", charlie)],
        )
    assert "follow_ups" in refused.value.message_dict
    assert not MentorReview.objects.exists() and not Action.objects.exists()


def test_a_review_is_due_on_the_tiers_cadence_and_flagged_when_overdue(
    plan, account, mia, alice, lee, bob
):
    from kam.selection.models import AccountScore, ScoringRun, Tier, TierScheme

    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - timedelta(days=100))
    assert follow.review_due(account, TODAY).cadence_days == 90
    for user in (mia, alice, lee):
        assert [r.account for r in follow.overdue_reviews_for(user=user, today=TODAY)] == [account]
    assert follow.overdue_reviews_for(user=bob, today=TODAY) == []
    tier = Tier.objects.filter(scheme=TierScheme.objects.get(active=True)).first()
    Tier.objects.filter(pk=tier.pk).update(plan_review_days=120)
    run = ScoringRun.objects.create(
        as_of=TODAY,
        first_quarter=TODAY,
        status="done",
        started_at=timezone.now(),
        reporting_currency="EUR",
    )
    AccountScore.objects.create(run=run, account=account, tier_code=tier.code, is_key=True)
    due = follow.review_due(account, TODAY)
    assert due.cadence_days == 120 and not due.overdue
    review_record(account=account, by=mia, verdict="endorsed", comment="Good.")
    assert follow.review_due(account, TODAY).due_on == TODAY + timedelta(days=120)


# --- the API -------------------------------------------------------------------------------
def _post(client, account, **body):
    payload = {"account": str(account.public_id), "verdict": "endorsed", "comment": "Sound."}
    return client.post("/api/v1/plans/reviews", payload | body, content_type="application/json")


def test_the_api_records_the_mentors_review(client_for, plan, account, mia, bob):
    response = _post(
        client_for(mia),
        account,
        follow_ups=[{"what": "Map the DMU", "owner": bob.username, "due_on": TODAY.isoformat()}],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mentor"] == "mia" and body["plan_id"] == str(plan.public_id)
    assert [f["owner"] for f in body["follow_ups"]] == ["bob"]
    listed = client_for(bob).get("/api/v1/plans/reviews", {"account": str(account.public_id)})
    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]


def test_the_api_refuses_the_kam_403_and_an_outsider_404(client_for, plan, account, alice, charlie):
    assert _post(client_for(alice), account).status_code == 403
    assert _post(client_for(charlie), account).status_code == 404
    assert client_for(charlie).get("/api/v1/plans/reviews").json()["items"] == []
    assert not MentorReview.objects.exists()


def test_the_api_names_the_field_of_a_review_dated_in_the_future(client_for, plan, account, mia):
    response = _post(client_for(mia), account, reviewed_on=(TODAY + timedelta(days=2)).isoformat())
    assert response.status_code == 422
    assert "reviewed_on" in response.content.decode()
