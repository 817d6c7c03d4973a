"""Plans and actions for the follow-up tests, made directly (the plan's own services are
tested in their own files)."""

from __future__ import annotations

from datetime import date

from kam.core.models import Period
from kam.plans.models import Action, Plan


def make_plan(account, by, name="FY2027", start=date(2027, 1, 1), end=date(2027, 12, 31)):
    period, _ = Period.objects.get_or_create(
        name=name, defaults={"starts_on": start, "ends_on": end}
    )
    return Plan.objects.create(account=account, period=period, created_by=by, updated_by=by)


def action(plan, by, what, *, owner=None, due=None, status="open", done=None, **extra):
    return Action.objects.create(
        account=plan.account,
        plan=plan,
        what=what,
        owner=owner,
        due_on=due,
        status=status,
        done_on=done,
        created_by=by,
        updated_by=by,
        **extra,
    )
