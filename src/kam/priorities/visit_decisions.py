"""The KAM's answer to a senior-visit suggestion (issue 12 item 8): accept it (it becomes an
action of the account's current plan when one can take it, a dated task otherwise) or dismiss
it with a reason. Every decision is kept and audited; a suggestion is not proposed again
while its facts stay the same (``fingerprint``: the reasons and whom they name, not the days
that pass), and comes back when they change (a new reason, another person, a new date).

Who may decide: those who may change the account's data (its KAM, its team, the lead), never
its mentor; an account the person cannot see is unknown (404)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import audit_create
from kam.accounts.models import Account
from kam.plans import services as plans
from kam.plans.models import Plan, PlanState
from kam.priorities import senior_visits as rules
from kam.priorities.models_fit import Decision, SeniorVisitDecision, Task, TaskStatus
from kam.relationships.models import Contact

DUE_DAYS = 14
DECISION_FIELDS = ("decision", "reason", "reasons", "see", "goes", "decided_on", "action", "task")


def fingerprint(s: rules.Suggestion) -> str:
    """What the suggestion rests on: each reason's code, whom or what it names and its date,
    never a count of days or a percentage that moves every day or every scoring run."""
    parts = sorted(
        f"{r.code}|{r.subject}|{'' if r.code == rules.FALLING else r.detail}" for r in s.reasons
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def decided(account_ids) -> set[tuple[int, str]]:
    """(account, fingerprint) of every decision on the accounts."""
    return set(
        SeniorVisitDecision.objects.filter(account__in=account_ids).values_list(
            "account_id", "facts"
        )
    )


def _current(account: Account, today: date):
    from kam.priorities.senior import senior_visit_lines

    lines = senior_visit_lines(accounts=Account.objects.filter(pk=account.pk), today=today)
    if not lines:
        raise ValidationError(
            {"account": _("No senior visit is proposed for this account now (or it was decided).")}
        )
    return lines[0]


def current_plan(account: Account, today: date) -> Plan | None:
    """The account's plan of the period that contains today, when it can take an action
    (a draft or an agreed plan; a plan waiting for agreement or closed cannot)."""
    return (
        Plan.objects.filter(
            account=account,
            period__starts_on__lte=today,
            period__ends_on__gte=today,
            state__in=[PlanState.DRAFT, PlanState.AGREED],
        )
        .select_related("period")
        .first()
    )


@transaction.atomic
def accept(*, account: Account, by, today: date) -> SeniorVisitDecision:
    require(by, CHANGE, account)
    line = _current(account, today)
    s = line.suggestion
    what = _("Senior visit: see %(whom)s, with %(goes)s. Why now: %(why)s") % {
        "whom": ", ".join(s.see) or "—",
        "goes": s.goes or "—",
        "why": " ".join(line.reasons),
    }
    owner = account.owner or by
    plan = current_plan(account, today)
    action = task = None
    if plan is not None:
        due = min(today + timedelta(days=DUE_DAYS), plan.period.ends_on)
        members = {u.pk for u in plans.team_members(account)}
        contact = Contact.objects.filter(account=account, name__in=s.see[:1]).first()
        action = plans.action_create(
            plan=plan,
            by=by,
            what=what,
            owner=owner if owner.pk in members else None,
            due_on=due,
            contact=contact,
        )
    else:
        task = Task.objects.create(
            account=account,
            owner=owner,
            what=what,
            due_on=today + timedelta(days=DUE_DAYS),
            created_by=by,
            updated_by=by,
        )
        audit_create(by=by, obj=task, account=account, fields=("owner", "what", "due_on"))
    return _record(account, by, today, line, Decision.ACCEPTED, "", action=action, task=task)


@transaction.atomic
def dismiss(*, account: Account, by, reason: str, today: date) -> SeniorVisitDecision:
    require(by, CHANGE, account)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the visit is not needed.")})
    line = _current(account, today)
    return _record(account, by, today, line, Decision.DISMISSED, reason.strip())


def _record(account, by, today, line, decision, reason, **links) -> SeniorVisitDecision:
    s = line.suggestion
    row = SeniorVisitDecision.objects.create(
        account=account,
        decision=decision,
        reason=reason,
        facts=fingerprint(s),
        reasons=list(line.reasons),
        see=list(s.see),
        goes=s.goes,
        decided_on=today,
        created_by=by,
        updated_by=by,
        **links,
    )
    audit_create(by=by, obj=row, account=account, fields=DECISION_FIELDS)
    return row


@transaction.atomic
def task_done(*, task: Task, by, today: date, expected_version: int | None = None) -> Task:
    """Mark a task done (the account's KAM, its team or the lead; never its mentor)."""
    from kam.accounts.audit import apply_update

    require(by, CHANGE, task.account)
    if task.status == TaskStatus.DONE:
        raise ValidationError({"status": _("The task is already done.")})
    fresh, _changed = apply_update(
        task,
        by=by,
        changes={"status": TaskStatus.DONE, "done_on": today},
        allowed=("status", "done_on"),
        account=task.account,
        expected_version=expected_version,
    )
    return fresh
