"""Plans and their sign-off through the services (run on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.accounts.models import AuditEntry
from kam.core.versions import EditConflict
from kam.plans import services
from kam.plans.diff import diff_contents
from kam.plans.models import ObjectiveSource, PlanState, VersionState
from kam.plans.objective_values import computed_values
from tests.factories import TeamMembershipFactory, UserFactory


def test_a_new_plan_starts_from_the_seven_objectives_with_the_whole_team_to_sign(plan, alice, bob):
    assert plan.state == PlanState.DRAFT
    assert plan.team_objectives.count() == 7
    assert set(plan.required_signers.all()) == {alice, bob}  # never the mentor
    assert AuditEntry.objects.filter(object_id=plan.pk).exists()


def test_a_second_plan_for_the_same_account_and_period_is_refused_naming_the_period(
    plan, account, period, alice
):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(account=account, period=period, by=alice)
    assert "FY2027" in refused.value.message_dict["period"][0]


def test_the_team_agrees_and_the_version_is_in_force(plan, alice, bob):
    services.plan_update(plan=plan, by=alice, strategy="Grow hinges", expected_version=1)
    version = services.plan_submit(plan=plan, by=alice)
    services.plan_sign(plan=plan, by=bob, decision="agreed")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED  # alice has not agreed yet
    services.plan_sign(plan=plan, by=alice, decision="agreed")
    plan.refresh_from_db()
    version.refresh_from_db()
    assert (plan.state, plan.in_force, plan.number) == (PlanState.AGREED, version, 2)
    assert version.state == VersionState.AGREED
    assert version.content["plan"]["strategy"] == "Grow hinges"


def test_an_objection_returns_the_plan_to_draft_with_its_comment(plan, alice, bob):
    version = services.plan_submit(plan=plan, by=alice)
    with pytest.raises(ValidationError) as refused:
        services.plan_sign(plan=plan, by=bob, decision="objected")
    assert "comment" in refused.value.message_dict
    services.plan_sign(plan=plan, by=bob, decision="objected", comment="Too few visits")
    plan.refresh_from_db()
    version.refresh_from_db()
    assert plan.state == PlanState.DRAFT and version.state == VersionState.RETURNED
    assert version.sign_offs.get(member=bob).comment == "Too few visits"
    assert services.plan_submit(plan=plan, by=alice).number == 2


def test_editing_an_agreed_plan_starts_a_new_draft_while_the_agreed_one_stays_in_force(
    plan, alice, bob
):
    plan.required_signers.set([bob])
    first = services.plan_submit(plan=plan, by=alice)
    services.plan_sign(plan=plan, by=bob, decision="agreed")
    plan.refresh_from_db()
    services.action_create(plan=plan, by=alice, what="Visit Budi", owner=bob)
    plan.refresh_from_db()
    assert (plan.state, plan.in_force, plan.number) == (PlanState.DRAFT, first, 2)
    second = services.plan_submit(plan=plan, by=alice)
    changes = diff_contents(first.content, second.content)
    assert [(c.section, c.kind, c.item) for c in changes] == [("actions", "added", "Visit Budi")]
    services.plan_sign(plan=plan, by=bob, decision="agreed")
    first.refresh_from_db()
    assert first.state == VersionState.SUPERSEDED


def test_progress_of_an_action_is_not_substance(plan, alice, bob):
    action = services.action_create(plan=plan, by=alice, what="Visit Budi", owner=bob)
    plan.required_signers.set([bob])
    services.plan_submit(plan=plan, by=alice)
    done = services.action_update(action=action, by=bob, status="done", expected_version=1)
    assert done.done_on is not None
    with pytest.raises(ValidationError) as refused:
        services.action_update(action=action, by=bob, what="Visit Siti")
    assert "withdraw" in refused.value.message_dict["state"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_on": date(2028, 1, 5)}, "due_on"),
        ({"status": "blocked"}, "blocked_reason"),
        ({"owner": "stranger"}, "owner"),
    ],
)
def test_a_bad_action_is_refused_naming_the_field_and_nothing_is_saved(plan, alice, fields, field):
    if fields.get("owner") == "stranger":
        fields["owner"] = UserFactory(username="stranger")
    with pytest.raises(ValidationError) as refused:
        services.action_create(plan=plan, by=alice, what="Visit Budi", **fields)
    assert field in refused.value.message_dict
    assert not plan.actions.exists()


def test_who_may_sign_submit_and_edit(plan, alice, bob, mia, lee):
    with pytest.raises(PermissionDenied):
        services.plan_submit(plan=plan, by=bob)  # the KAM submits
    services.plan_submit(plan=plan, by=alice)
    for outsider in (mia, lee):  # the mentor never signs; the lead is not on the team
        with pytest.raises(PermissionDenied):
            services.plan_sign(plan=plan, by=outsider, decision="agreed")
    late = UserFactory(username="late")
    TeamMembershipFactory(account=plan.account, user=late)
    with pytest.raises(ValidationError) as refused:
        services.plan_sign(plan=plan, by=late, decision="agreed")
    assert "decision" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, by=mia, strategy="x")
    with pytest.raises(ValidationError):
        services.plan_set_signers(plan=plan, by=alice, signers=[mia])


def test_a_stale_write_is_a_conflict(plan, alice, bob):
    services.plan_update(plan=plan, by=bob, strategy="Bob's", expected_version=1)
    with pytest.raises(EditConflict):
        services.plan_update(plan=plan, by=alice, strategy="Alice's", expected_version=1)
    plan.refresh_from_db()
    assert plan.strategy == "Bob's"


def test_computed_values_say_where_they_come_from_and_unknown_when_kam_cannot_know(plan, alice):
    values = computed_values(
        plan,
        {s.value for s in ObjectiveSource if s != ObjectiveSource.MANUAL},
        date(2027, 6, 1),
    )
    assert values[ObjectiveSource.REVENUE].value is None  # nothing imported: unknown
    assert values[ObjectiveSource.REVIEW_CURRENCY].value is None
    assert "Ledger" in values[ObjectiveSource.MARGIN].source
    typed = plan.team_objectives.get(template_key="image")
    services.team_objective_update(objective=typed, by=alice, current_value=Decimal("4"))
    computed = plan.team_objectives.get(template_key="dmu")
    with pytest.raises(ValidationError):
        services.team_objective_update(objective=computed, by=alice, current_value=Decimal(1))
