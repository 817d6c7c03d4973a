"""The programme's plans page (issue 11 item 8), its exports, the dashboard's "waiting for
me", and its constant number of queries (item 12)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.plans.models import PlanState, VersionState
from tests.factories import AccountFactory, TeamMembershipFactory
from tests.plans.factories import (
    ActionFactory,
    MentorReviewFactory,
    PlanFactory,
    SignOffFactory,
    TeamObjectiveFactory,
    VersionFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def plan(account, bob, mia):
    """alice's plan, submitted and waiting for bob; one action late, one blocked."""
    plan = PlanFactory(account=account, state=PlanState.SUBMITTED)
    version = VersionFactory(plan=plan, state=VersionState.SUBMITTED)
    SignOffFactory(version=version, member=bob)
    ActionFactory(plan=plan, owner=bob, due_on=TODAY - timedelta(days=3), what="Send samples")
    ActionFactory(plan=plan, status="blocked", blocked_reason="No budget")
    ActionFactory(plan=plan, status="done", done_on=TODAY)
    MentorReviewFactory(plan=plan, mentor=mia, reviewed_on=TODAY - timedelta(days=120))
    return plan


def test_it_lists_each_visible_plan_with_who_is_still_to_sign(client_for, alice, plan):
    page = client_for(alice).get(reverse("plans:programme"))
    assert page.status_code == 200
    text = page.content.decode()
    assert plan.account.name in text
    assert "Bob" in text  # still to sign
    assert "Off track" in text  # 1 late + 1 blocked of 2 not done
    # The account's name opens its plan page (where it can be signed), not the print view.
    plan_page = reverse("plans:account_plan", args=[plan.account.public_id])
    assert f'href="{plan_page}?period={plan.period_id}"' in text


def test_it_hides_plans_of_accounts_out_of_sight(client_for, charlie, plan):
    text = client_for(charlie).get(reverse("plans:programme")).content.decode()
    assert plan.account.name not in text
    assert "No plan matches" in text


def test_it_filters_by_status_and_review_overdue(client_for, lee, plan, other_account):
    calm = PlanFactory(account=other_account, state=PlanState.AGREED)
    MentorReviewFactory(plan=calm, mentor=lee, reviewed_on=TODAY)
    client = client_for(lee)
    off = client.get(reverse("plans:programme"), {"status": "off_track"}).content.decode()
    assert plan.account.name in off and other_account.name not in off
    overdue = client.get(reverse("plans:programme"), {"overdue": "on"}).content.decode()
    assert plan.account.name in overdue and other_account.name not in overdue


def test_the_csv_export_neutralises_formula_cells(client_for, alice, plan):
    plan.account.name = '=HYPERLINK("http://x")'
    plan.account.save()
    body = client_for(alice).get(reverse("plans:programme_export", args=["csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=")
    assert rows[1][6].startswith("Bob")


def test_the_xlsx_export_opens(client_for, alice, plan):
    from openpyxl import load_workbook

    body = client_for(alice).get(reverse("plans:programme_export", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.cell(row=2, column=2).value == plan.account.name


def test_waiting_for_me_shows_each_role_its_work(client_for, plan, bob, mia, alice):
    bob_page = client_for(bob).get(reverse("accounts:dashboard")).content.decode()
    assert "Plans to sign" in bob_page and plan.account.name in bob_page
    plan_page = reverse("plans:account_plan", args=[plan.account.public_id])
    assert f'href="{plan_page}?period={plan.period_id}"' in bob_page
    assert "My late actions" in bob_page and "Send samples" in bob_page
    mia_page = client_for(mia).get(reverse("accounts:dashboard")).content.decode()
    assert "Mentor reviews to write" in mia_page
    alice_page = client_for(alice).get(reverse("accounts:dashboard")).content.decode()
    assert "Plans to sign" not in alice_page


def _plans(n, owner, period_offset=0, actions=1):
    """``n`` plans of every kind the list reads: submitted with a member still to sign, or a
    draft that came back with an objection; an objective without a target; actions."""
    for i in range(n):
        account = AccountFactory(owner=owner, name=f"Acct {period_offset}-{i:02d}")
        member = TeamMembershipFactory(account=account).user
        if i % 3 == 2:
            p = PlanFactory(account=account, state=PlanState.DRAFT, number=2)
            v = VersionFactory(plan=p, state=VersionState.RETURNED)
            SignOffFactory(version=v, member=member, decision="objected", comment="No.")
        else:
            p = PlanFactory(account=account, state=PlanState.SUBMITTED)
            v = VersionFactory(plan=p, state=VersionState.SUBMITTED)
            SignOffFactory(version=v, member=member)
        TeamObjectiveFactory(plan=p, target=None)
        for _ in range(actions):
            ActionFactory(plan=p, due_on=date(2020, 1, 1))
        MentorReviewFactory(plan=p, mentor=owner)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("plans:programme"), params).status_code == 200
    return len(queries)


def test_the_page_reads_a_constant_number_of_queries(client_for, lee, scored):
    client = client_for(lee)
    _plans(3, lee)
    few = _queries(client)
    _plans(27, lee, period_offset=1, actions=6)  # ten times the plans, more actions each
    assert _queries(client) == few
    assert _queries(client, sort="quality", status="off_track") == few


def test_it_builds_objects_only_for_the_rows_shown(client_for, lee, monkeypatch):
    """The list filters, sorts and counts every plan from plain values; the page builds the
    plan objects of the rows it shows, whatever the programme's size."""
    from django.db.models.signals import post_init

    from kam.plans import views_programme
    from kam.plans.models import Plan

    monkeypatch.setattr(views_programme, "PAGE_SIZE", 4)
    _plans(9, lee)
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    post_init.connect(count, sender=Plan)
    try:
        page = client_for(lee).get(reverse("plans:programme"), {"sort": "state"})
    finally:
        post_init.disconnect(count, sender=Plan)
    text = page.content.decode()
    assert len(built) == 4
    assert "9 plans" in text and "Page 1 of 3" in text
    # sorted by state over all nine, not within the page: the three drafts (accounts 02, 05
    # and 08 by name) come first, each with its objection, then one submitted plan
    assert text.count("objected:") == 3 and "“No.”" in text
    assert text.count("badge plan-draft") == 3 and text.count("badge plan-submitted") == 1
    # the summary counts the whole programme: six plans wait for a member's sign-off
    waiting = '<span class="stat-value">6</span><span class="stat-label">Waiting for agreement'
    assert waiting in text


def test_the_lists_status_is_the_plan_pages_status():
    """The list computes the status from counts; the plan's page from each action."""
    import random

    from kam.plans import monitoring as mon
    from kam.plans.programme import status_of_counts

    rng = random.Random(7)
    today = date(2026, 6, 1)
    for _ in range(300):
        actions = [
            mon.ActionFact(
                id=i,
                status=rng.choice(["done", "open", "blocked"]),
                due_on=rng.choice([None, today + timedelta(days=rng.randint(-60, 60))]),
            )
            for i in range(rng.randint(0, 12))
        ]
        past = [a for a in actions if a.due_on is not None and a.due_on < today]
        counts = status_of_counts(
            total=len(actions),
            done=sum(a.status == "done" for a in actions),
            late=sum(a.status == "open" for a in past),
            blocked=sum(a.status == "blocked" for a in actions),
            overdue=sum(a.status != "done" for a in past),
            due=sum(a.due_on is not None and a.due_on <= today for a in actions),
        )
        assert counts == mon.status(actions, today)
