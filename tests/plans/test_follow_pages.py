"""The follow-up panels as the KAM, the mentor and a team member see them, the mentor's review
form, and the dashboard's overdue reviews; with the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.plans.models import Action, MentorReview, Plan
from tests.plans.follow_world import action, make_plan

TODAY = timezone.localdate()


@pytest.fixture
def plan(account, alice, bob):
    plan = make_plan(
        account,
        alice,
        name="THIS",
        start=TODAY.replace(month=1, day=1),
        end=TODAY.replace(month=12, day=31),
    )
    action(plan, alice, "Call the buyer", owner=bob, due=TODAY - timedelta(days=3))
    return plan


def _page(plan):
    return reverse("plans:plan_follow", kwargs={"public_id": plan.public_id})


def test_the_kam_sees_status_quality_and_no_review_form(client_for, plan, alice):
    page = client_for(alice).get(_page(plan)).text
    assert "Off track" in page and "1 of 1 actions (100%) are past their due date." in page
    assert "Call the buyer" in page and "<svg" in page
    assert "Plan quality" in page and "Fix it" in page
    assert "Record my review" not in page


def test_the_mentor_records_a_review_with_a_follow_up(client_for, plan, mia, bob):
    client = client_for(mia)
    assert "Record my review" in client.get(_page(plan)).text
    response = client.post(
        reverse("plans:review_add", kwargs={"public_id": plan.public_id}),
        {
            "reviewed_on": TODAY.isoformat(),
            "verdict": "endorsed_with_changes",
            "comment": "Meet engineering.",
            "what_1": "Visit the plant",
            "owner_1": bob.pk,
        },
    )
    assert response.status_code == 302
    review = MentorReview.objects.get()
    assert Action.objects.get(review=review).owner == bob
    page = client.get(_page(plan)).text
    assert "Meet engineering." in page and "Visit the plant" in page


def test_a_review_with_a_follow_up_out_of_the_period_shows_the_reason(client_for, plan, mia):
    response = client_for(mia).post(
        reverse("plans:review_add", kwargs={"public_id": plan.public_id}),
        {
            "reviewed_on": TODAY.isoformat(),
            "verdict": "endorsed",
            "comment": "Fine.",
            "what_1": "Next year",
            "due_1": (TODAY.replace(month=12, day=31) + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "outside the period" in response.text and 'value="Next year"' in response.text
    assert not MentorReview.objects.exists()


def test_a_team_member_may_not_review_and_an_outsider_sees_nothing(client_for, plan, bob, charlie):
    url = reverse("plans:review_add", kwargs={"public_id": plan.public_id})
    body = {"reviewed_on": TODAY.isoformat(), "verdict": "endorsed", "comment": "x"}
    assert client_for(bob).post(url, body).status_code == 403
    assert client_for(charlie).get(_page(plan)).status_code == 404
    assert client_for(charlie).post(url, body).status_code == 404
    assert not MentorReview.objects.exists()


@pytest.mark.parametrize(("language", "word"), [("zh-hant", "落後"), ("id", "Tertinggal")])
def test_the_panels_speak_the_readers_language(client_for, plan, alice, language, word):
    client = client_for(alice)
    client.cookies["django_language"] = language
    assert word in client.get(_page(plan)).text


def test_the_kam_and_the_lead_see_the_overdue_review_on_their_dashboard(
    client_for, plan, alice, lee, bob
):
    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - timedelta(days=120))
    for user in (alice, lee):
        page = client_for(user).get(reverse("accounts:dashboard")).text
        assert "Overdue mentor reviews" in page and plan.account.name in page
    assert "Overdue mentor reviews" not in client_for(bob).get(reverse("accounts:dashboard")).text
