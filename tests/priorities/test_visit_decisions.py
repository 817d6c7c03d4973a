"""Senior-visit suggestions accepted (a plan action, or a dated task without a plan) or
dismissed with a reason; neither proposed again until the facts change; the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.accounts.models import Account, AuditEntry
from kam.core.models import Period
from kam.plans import services as plans
from kam.plans.models import Action
from kam.priorities.models_fit import SeniorVisitDecision, Task
from kam.relationships.services import assessment_record

VISITS = "/api/v1/priorities/senior-visits"


@pytest.fixture
def overdue(account):
    """No senior visit in 200 days: the executive-contact rule proposes one."""
    Account.objects.filter(pk=account.pk).update(created_at=timezone.now() - timedelta(days=200))
    return account


def test_accepting_without_a_plan_makes_a_dated_task_and_the_suggestion_goes(
    overdue, alice, client_for
):
    client = client_for(alice)
    assert [r["account"] for r in client.get(VISITS).json()] == [overdue.name]
    answer = client.post(f"{VISITS}/{overdue.public_id}/accept")
    assert answer.status_code == 201
    body = answer.json()
    assert body["decision"] == "accepted" and body["plan_action_id"] is None
    assert body["task_due_on"] == str(timezone.localdate() + timedelta(days=14))
    task = Task.objects.get(account=overdue)
    assert task.owner == alice and "No senior visit since" in task.what
    assert client.get(VISITS).json() == []
    assert AuditEntry.objects.filter(object_label__startswith="seniorvisitdecision").exists()


def test_accepting_with_a_current_plan_adds_a_plan_action(overdue, alice, client_for):
    today = timezone.localdate()
    period = Period.objects.create(
        name="Now", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60)
    )
    plan = plans.plan_create(account=overdue, period=period, by=alice)
    body = client_for(alice).post(f"{VISITS}/{overdue.public_id}/accept").json()
    action = Action.objects.get(plan=plan, what__startswith="Senior visit")
    assert str(action.public_id) == body["plan_action_id"] and action.owner == alice
    assert action.due_on == today + timedelta(days=14) and not Task.objects.exists()


def test_a_dismissal_needs_a_reason_and_returns_only_when_the_facts_change(
    overdue, alice, client_for
):
    client = client_for(alice)
    url = f"{VISITS}/{overdue.public_id}/dismiss"
    refused = client.post(url, {"reason": " "}, content_type="application/json")
    assert refused.status_code == 422 and "reason" in refused.text
    answer = client.post(
        url, {"reason": "Director visited in person last week"}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["decision"] == "dismissed"
    assert client.get(VISITS).json() == []
    again = client.post(url, {"reason": "twice"}, content_type="application/json")
    assert again.status_code == 422
    # New facts: an influential decision maker nobody of ours knows.
    boss = overdue.contacts.first()
    assessment_record(contact=boss, by=alice, influence=5, buying_role="decision_maker")
    [row] = client.get(VISITS).json()
    assert "low_level_decision_maker" in row["reason_codes"]
    assert SeniorVisitDecision.objects.get().reason == "Director visited in person last week"


def test_the_mentor_is_refused_and_another_kams_account_is_unknown(
    overdue, mia, charlie, client_for
):
    assert client_for(mia).post(f"{VISITS}/{overdue.public_id}/accept").status_code == 403
    dismiss = f"{VISITS}/{overdue.public_id}/dismiss"
    body = {"reason": "no"}
    assert client_for(mia).post(dismiss, body, content_type="application/json").status_code == 403
    assert client_for(charlie).post(f"{VISITS}/{overdue.public_id}/accept").status_code == 404
    assert not SeniorVisitDecision.objects.exists()


def test_the_account_page_accepts_and_shows_the_decision(overdue, alice, mia, client_for):
    page = client_for(mia).get(f"/priorities/accounts/{overdue.public_id}/").content.decode()
    assert "A senior visit now" in page and "Accept: plan the visit" not in page
    assert (
        client_for(mia)
        .post(f"/priorities/accounts/{overdue.public_id}/senior-visit/accept/")
        .status_code
        == 403
    )
    client = client_for(alice)
    answer = client.post(
        f"/priorities/accounts/{overdue.public_id}/senior-visit/accept/", follow=True
    )
    text = answer.content.decode()
    assert "Accepted: the visit is a task" in text and "Senior visits decided" in text
    assert "A senior visit now" not in text


def test_an_accepted_visit_without_a_plan_shows_in_my_week_when_its_week_comes(
    overdue, alice, client_for
):
    client = client_for(alice)
    client.post(f"{VISITS}/{overdue.public_id}/accept")
    week = "/api/v1/priorities/my-week"
    assert not [r for r in client.get(week).json() if r["reason"].startswith("Task due")]
    Task.objects.update(due_on=timezone.localdate() + timedelta(days=3))
    [task] = [r for r in client.get(week).json() if r["reason"].startswith("Task due")]
    assert task["title"].startswith("Senior visit") and task["band"] == "this_week"
    assert task["url"] == f"/priorities/accounts/{overdue.public_id}/"


def test_the_kam_marks_the_task_done_and_the_refusals_change_nothing(
    overdue, alice, mia, charlie, client_for
):
    client_for(alice).post(f"{VISITS}/{overdue.public_id}/accept")
    task = Task.objects.get()
    url = f"/api/v1/priorities/tasks/{task.public_id}/done"
    assert client_for(charlie).post(url, {}, content_type="application/json").status_code == 404
    assert client_for(mia).post(url, {}, content_type="application/json").status_code == 403
    stale = client_for(alice).post(url, {"version": 0}, content_type="application/json")
    assert stale.status_code == 409
    done = client_for(alice).post(url, {"version": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client_for(alice).post(url, {}, content_type="application/json")
    assert again.status_code == 422 and "already done" in again.text
