"""One of everything on an account, made through the services: the world the access tests
(tests/relationships/test_api_access.py, tests/test_every_url.py) call every operation on."""

from __future__ import annotations

from datetime import date
from typing import Any

from kam.planning.services import objective_create, opportunity_create
from kam.relationships.services import (
    assessment_record,
    interaction_log,
    interest_create,
    level_set,
    link_create,
    override_set,
    practice_create,
)

TODAY = date(2026, 11, 22)


def one_of_everything(*, account, alice, bob, budi, siti) -> dict[str, Any]:
    """Public ids by name: the account, budi and siti, and one record of each kind."""
    objective = objective_create(
        account=account,
        by=alice,
        description="Lower unit cost",
        horizon="short_term",
        source_contact=budi,
        today=TODAY,
    )
    return {
        "account": account.public_id,
        "budi": budi.public_id,
        "siti": siti.public_id,
        "assessment": assessment_record(contact=budi, by=alice, attitude="neutral").public_id,
        "link": link_create(source=siti, target=budi, kind="influences", by=alice).public_id,
        "interaction": interaction_log(
            account=account,
            by=alice,
            kind="call",
            occurred_on=TODAY,
            their_participants=[budi],
            today=TODAY,
        ).public_id,
        "interest": interest_create(
            holder=budi, by=alice, kind="other", threat_level=2, today=TODAY
        ).public_id,
        "practice": practice_create(
            account=account, by=alice, description="Local only", today=TODAY
        ).public_id,
        "override": override_set(user=bob, contact=budi, value=40, reason="x", by=alice).public_id,
        "level": level_set(user=bob, contact=budi, current="vendor", by=alice).public_id,
        "objective": objective.public_id,
        "opportunity": opportunity_create(
            account=account, by=alice, name="Hinges", value=10, probability=50
        ).public_id,
    }


def plans_world(*, account, second, alice, bob) -> dict[str, Any]:
    """Periods and plans: a draft plan of ``account`` with a competitor and an action, a plan
    of ``second`` (alice's, alice its only signer) submitted as version 1, and a period with
    no plan yet. Ids by name; periods by their integer id."""
    from kam.core.models import Period
    from kam.plans import services

    period = Period.objects.create(
        name="FY2027", starts_on=date(2026, 7, 1), ends_on=date(2027, 6, 30)
    )
    empty = Period.objects.create(
        name="FY2028", starts_on=date(2027, 7, 1), ends_on=date(2028, 6, 30)
    )
    plan = services.plan_create(account=account, period=period, by=alice)
    submitted = services.plan_create(account=second, period=period, by=alice)
    services.plan_submit(plan=submitted, by=alice)
    return {
        "period": period.pk,
        "empty_period": empty.pk,
        "plan": plan.public_id,
        "submitted_plan": submitted.public_id,
        "competitor": services.competitor_create(plan=plan, by=alice, name="PT Rival").public_id,
        "team_objective": plan.team_objectives.first().public_id,
        "action": services.action_create(
            plan=plan, by=alice, what="Visit Budi", owner=bob, due_on=date(2026, 12, 1)
        ).public_id,
    }
