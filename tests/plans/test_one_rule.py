"""One home for the rules (issue 11 items 3, 5, 12): the programme's list and the plan's own
page show each plan with the same status and the same quality score, all eight checks
included, because both apply ``monitoring.status_from`` and ``quality.assess`` to facts read
by ``follow.quality_facts``. The relationship checks (coverage, defusing) are read in the
database for the list: they are checked here against the relationship analyses themselves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kam.plans import follow, programme
from kam.plans.models import Action, Plan, PlanState
from kam.relationships.queries import account_analyses
from tests.factories import AccountFactory, ContactFactory, TeamMembershipFactory
from tests.plans.factories import ActionFactory, MentorReviewFactory, PeriodFactory, PlanFactory
from tests.plans.factories import TeamObjectiveFactory as Objective
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    InterestFactory,
    ObjectiveFactory,
)

TODAY = timezone.localdate()
LONG_AGO = timezone.now() - timedelta(days=200)


def _known(account, name, user, *, influence=4, attitude="neutral", **extra):
    contact = ContactFactory(account=account, name=name, **extra)
    assessment = AssessmentFactory(
        contact=contact,
        influence=influence,
        attitude=attitude,
        assessed_at=timezone.now() - timedelta(days=5),
    )
    assessment.known_in_person_by.set([user])
    return contact


@pytest.fixture
def world(account, other_account, alice, bob, charlie, mia, scored):
    """Plans in several states: a complete one, a bare one, an off-track one, a stale one of
    an unscored account, and a closed one."""
    # A complete plan of the cast's (key, scored, mentored) account.
    good = PlanFactory(
        account=account,
        state=PlanState.AGREED,
        contingency_triggers="Buyer leaves",
        contingency_actions="Meet the successor",
    )
    for horizon in ("short_term", "long_term"):
        good.customer_objectives.add(ObjectiveFactory(account=account, horizon=horizon))
    Objective(plan=good)
    ActionFactory(plan=good, owner=bob, due_on=TODAY + timedelta(days=20))
    ActionFactory(
        plan=good, owner=bob, due_on=TODAY - timedelta(days=2), status="done", done_on=TODAY
    )
    MentorReviewFactory(plan=good, mentor=mia, reviewed_on=TODAY - timedelta(days=10))
    _known(account, "Known by assessment", alice)
    met = ContactFactory(account=account, name="Met at a visit")
    AssessmentFactory(contact=met, influence=5, assessed_at=timezone.now() - timedelta(days=3))
    InteractionFactory(
        account=account,
        kind="visit",
        occurred_on=TODAY - timedelta(days=1),
        users=[bob],
        contacts=[met],
    )
    opponent = _known(account, "Defused opponent", alice, attitude="opponent")
    InterestFactory(holder=opponent, strategy="earn_trust")
    # Not counted: gone, a phone call only, not influential enough.
    _known(account, "Has left", alice, status="left", left_on=TODAY - timedelta(days=30))
    called = ContactFactory(account=account, name="Only phoned")
    AssessmentFactory(contact=called, influence=5, assessed_at=timezone.now())
    InteractionFactory(account=account, kind="call", users=[bob], contacts=[called])
    _known(account, "Minor", alice, influence=2)

    # A bare plan of another account: nothing filled in, an opponent and an interest without
    # a defusing strategy, stale.
    bare = PlanFactory(account=other_account, period=good.period)
    Objective(plan=bare, measure=" ", target=None, title="Image")
    ActionFactory(plan=bare, owner=None, due_on=None, what="Call someone")
    _known(other_account, "李强", charlie, attitude="opponent")
    InterestFactory(holder=ContactFactory(account=other_account, name="陈静"), strategy="")
    Plan.objects.filter(pk=bare.pk).update(updated_at=LONG_AGO)
    Action.objects.filter(plan=bare).update(updated_at=LONG_AGO)

    # Off track: late and blocked actions, submitted.
    third = AccountFactory(owner=alice, name="Off Track Ltd")
    TeamMembershipFactory(account=third, user=bob)
    late = PlanFactory(account=third, period=good.period, state=PlanState.SUBMITTED)
    for days in (3, 10, 40):
        ActionFactory(plan=late, owner=bob, due_on=TODAY - timedelta(days=days))
    ActionFactory(plan=late, owner=bob, status="blocked", blocked_reason="No budget")
    ActionFactory(plan=late, owner=bob, due_on=TODAY + timedelta(days=9))
    MentorReviewFactory(plan=late, mentor=mia, reviewed_on=TODAY - timedelta(days=200))

    # A closed plan: quality the same on both pages; the list says closed.
    last_year = PeriodFactory(name="FY2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    closed = PlanFactory(account=third, period=last_year, state=PlanState.CLOSED)
    ActionFactory(plan=closed, owner=bob, status="done", done_on=TODAY)
    return [good, bare, late, closed]


def test_each_plan_has_the_same_status_and_quality_on_both_pages(world):
    rows = {r.pk: r for r in programme.all_rows(user=None, today=TODAY)}
    assert set(rows) == {p.pk for p in world}
    failed_somewhere = set()
    for plan in Plan.objects.filter(pk__in=rows).select_related("account", "period"):
        row = rows[plan.pk]
        page = follow.plan_quality(plan=plan, today=TODAY).result
        assert row.quality == page.score, plan.account.name
        assert row.failed == [c.key for c in page.failed], plan.account.name
        failed_somewhere |= set(row.failed)
        status = follow.plan_monitoring(plan=plan, today=TODAY).result.status
        if plan.state == PlanState.CLOSED:
            assert row.status == programme.CLOSED
        else:
            assert (row.status, row.found) == (status.word, status)
    # The world makes every check fail somewhere, the two the list used to skip included.
    assert {"coverage", "defusing", "actions", "team_objectives", "fresh"} <= failed_somewhere
    good, bare, late, _closed = world
    assert rows[good.pk].quality == 100
    assert rows[late.pk].status == programme.OFF_TRACK
    assert rows[bare.pk].stale


def test_the_relationship_facts_agree_with_the_analyses(world, account, other_account):
    facts = follow.relationship_facts([account.pk, other_account.pk], TODAY)
    for acct in (account, other_account):
        analysis = account_analyses(account=acct, today=TODAY, with_centrality=False)
        snapshot = analysis.context.account
        defused = {
            i.contact_id
            for i in snapshot.interests
            if i.status.value == "open" and i.strategy is not None
        }
        opponents = [
            c.name
            for c in snapshot.contacts
            if c.attitude.value == "opponent" and not c.has_left(TODAY) and c.id not in defused
        ]
        got = facts.get(acct.pk, follow.RelationshipFacts())
        assert got.known_influential == len(analysis.coverage.known_influential_ids)
        assert list(got.opponents_without_strategy) == opponents
    assert facts[account.pk].known_influential == 3
    assert facts[other_account.pk].interests_without_strategy == ("陈静",)
