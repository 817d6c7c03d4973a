"""Each person's "my week" read from the database (the ordering is kam.priorities.my_week):
neglect alarms of the accounts they work on, their plan actions late or due this week, senior
visits proposed, and hours the latest allocation gives them that they have not spent yet."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.accounts.models import Account
from kam.core.models import Period
from kam.plans.models import Action, ActionStatus
from kam.priorities import my_week
from kam.priorities.alarms import neglect_alarm_lines
from kam.priorities.facts_cache import week_facts
from kam.priorities.models import AllocationLine, AllocationRun, RunState, TimeEntry
from kam.priorities.senior import senior_visit_lines
from kam.priorities.week_intros import introduction_lines


def _account_url(account: Account | None) -> str:
    return reverse("accounts:account_detail", args=[account.public_id]) if account else ""


def alarm_lines(*, accounts, today: date, facts=None) -> list[my_week.Line]:
    return [
        my_week.Line(
            my_week.ALARM,
            line.account.name if line.account else "",
            line.what_to_do,
            line.why,
            _account_url(line.account),
            overdue_days=line.alarm.overdue_days,
        )
        for line in neglect_alarm_lines(accounts=accounts, today=today, facts=facts)
    ]


def action_lines(*, user, accounts, today: date) -> list[my_week.Line]:
    """The person's open or blocked plan actions due by the end of next week."""
    out = []
    for action in (
        Action.objects.filter(
            owner=user,
            account__in=accounts,
            status__in=[ActionStatus.OPEN, ActionStatus.BLOCKED],
            due_on__lte=today + timedelta(days=my_week.WEEK_DAYS),
        )
        .select_related("account", "plan")
        .order_by("due_on", "pk")
    ):
        late = (today - action.due_on).days
        if late > 0:
            reason = ngettext(
                "Plan action due %(day)s, %(days)d day late.",
                "Plan action due %(day)s, %(days)d days late.",
                late,
            ) % {"day": date_format(action.due_on), "days": late}
        else:
            reason = _("Plan action due %(day)s.") % {"day": date_format(action.due_on)}
        if action.status == ActionStatus.BLOCKED:
            reason += " " + _("Blocked: %(why)s") % {"why": action.blocked_reason}
        out.append(
            my_week.Line(
                my_week.ACTION,
                action.account.name,
                action.what,
                reason,
                reverse("plans:plan_follow", args=[action.plan.public_id]),
                due_on=action.due_on,
            )
        )
    return out


def task_lines(*, user, accounts, today: date) -> list[my_week.Line]:
    """The person's open tasks (an accepted senior visit without a plan) due by the end of
    next week; they rank like plan actions."""
    from kam.priorities.models_fit import Task, TaskStatus

    return [
        my_week.Line(
            my_week.ACTION,
            task.account.name,
            task.what,
            _("Task due %(day)s.") % {"day": date_format(task.due_on)},
            reverse("priorities:account", args=[task.account.public_id]),
            due_on=task.due_on,
        )
        for task in Task.objects.filter(
            owner=user,
            account__in=accounts,
            status=TaskStatus.OPEN,
            due_on__lte=today + timedelta(days=my_week.WEEK_DAYS),
        ).select_related("account")
    ]


def unspent_lines(*, user, accounts, today: date) -> list[my_week.Line]:
    """Hours the latest finished allocation of the current period gives the person on each
    account, less the time entries they logged there since the period began."""
    period = Period.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if period is None:
        return []
    run = AllocationRun.objects.filter(period=period, state=RunState.DONE).first()
    if run is None:
        return []
    proposed = {
        line.account_id: line.hours
        for line in AllocationLine.objects.filter(run=run, user=user, account__in=accounts)
    }
    if not proposed:
        return []
    spent = dict(
        TimeEntry.objects.filter(
            user=user,
            account__in=list(proposed),
            spent_on__gte=period.starts_on,
            spent_on__lte=today,
        )
        .values("account")
        .annotate(m=Sum("minutes"))
        .values_list("account", "m")
    )
    names = Account.objects.in_bulk(list(proposed))
    out = []
    for account_id, hours in proposed.items():
        left = hours - (spent.get(account_id) or 0) / 60
        if left < 1:
            continue
        account = names[account_id]
        out.append(
            my_week.Line(
                my_week.UNSPENT_HOURS,
                account.name,
                _("Spend the hours allocated to %(account)s") % {"account": account.name},
                _("%(left)s of %(hours)s hours allocated for %(period)s not yet spent.")
                % {"left": f"{left:.0f}", "hours": f"{hours:.0f}", "period": period.name},
                _account_url(account),
                weight=left,
            )
        )
    return out


def senior_lines(*, accounts, today: date, facts=None) -> list[my_week.Line]:
    return [
        my_week.Line(
            my_week.SENIOR_VISIT,
            v.account.name if v.account else "",
            _("Senior visit: see %(whom)s, with %(goes)s")
            % {"whom": ", ".join(v.suggestion.see) or "—", "goes": v.suggestion.goes or "—"},
            " ".join(v.reasons),
            _account_url(v.account),
            weight=len(v.reasons),
        )
        for v in senior_visit_lines(accounts=accounts, today=today, facts=facts)
    ]


def week_for(*, user, today: date) -> list[tuple[int, my_week.Line]]:
    """The person's ordered list: the accounts they work on, within what they may see."""
    # The accounts by id: each list below filters on them, and the scope's own subqueries
    # (visibility, team, mentors) cost PostgreSQL more each time than one read of the ids.
    ids = sorted(Account.objects.visible_to(user).mine(user).values_list("pk", flat=True))
    accounts = Account.objects.filter(pk__in=ids)
    facts = week_facts(accounts, today, ids=ids)  # cached while the accounts' facts are unchanged
    lines = alarm_lines(accounts=accounts, today=today, facts=facts)
    lines += action_lines(user=user, accounts=accounts, today=today)
    lines += task_lines(user=user, accounts=accounts, today=today)
    lines += senior_lines(accounts=accounts, today=today, facts=facts)
    lines += unspent_lines(user=user, accounts=accounts, today=today)
    lines += introduction_lines(user=user, accounts=accounts, today=today)
    return my_week.my_week(lines, today)
