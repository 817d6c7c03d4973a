"""Pages of the priorities app's judgements: time with the right people (per KAM for the
lead, per account), the expected activities per stage and horizon (the lead edits them), and
one account's priorities (its findings, alarms and senior-visit suggestion, which the KAM
accepts or dismisses)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.core import formatting
from kam.core.models import Period
from kam.core.versions import EditConflict
from kam.priorities import activity_fit as fit
from kam.priorities import visit_decisions
from kam.priorities.alarms import neglect_alarm_lines
from kam.priorities.models_fit import (
    ActivityExpectation,
    ActivityKind,
    SeniorVisitDecision,
    Task,
    TaskStatus,
)
from kam.priorities.right_people import account_rows, kam_rows
from kam.priorities.senior import senior_visit_lines
from kam.priorities.stage_fit import expectation_set, expectations, fit_alarm_lines, scope_words
from kam.priorities.views_time import period_chosen

BY = ("quarter", "month")


def _by(request: HttpRequest) -> str:
    by = request.GET.get("by", "quarter")
    return by if by in BY else "quarter"


def _window(period: Period | None) -> tuple:
    if period is not None:
        return period.starts_on, period.ends_on
    today = timezone.localdate()
    return today.replace(day=1), today


@login_required
def people_time(request: HttpRequest) -> HttpResponse:
    """Per KAM (the lead: every KAM; anyone else: their own) and per account."""
    period = period_chosen(request)
    start, end = _window(period)
    by = _by(request)
    user = request.user
    return render(
        request,
        "priorities/people.html",
        {
            "period": period,
            "periods": Period.objects.all(),
            "by": by,
            "start": start,
            "end": end,
            "kams": kam_rows(reader=user, start=start, end=end, by=by),
            "accounts": account_rows(
                accounts=Account.objects.visible_to(user), start=start, end=end, by=by
            )[:200],
        },
    )


@login_required
def account_priorities(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    today = timezone.localdate()
    period = period_chosen(request)
    start, end = _window(period)
    by = _by(request)
    one = Account.objects.filter(pk=account.pk)
    people = account_rows(accounts=one, start=start, end=end, by=by)
    return render(
        request,
        "priorities/account.html",
        {
            "account": account,
            "period": period,
            "periods": Period.objects.all(),
            "by": by,
            "start": start,
            "end": end,
            "people": people[0] if people else None,
            "fit_alarms": fit_alarm_lines(accounts=one, today=today),
            "alarms": neglect_alarm_lines(accounts=one, today=today),
            "visits": senior_visit_lines(accounts=one, today=today),
            "can_decide": can(request.user, CHANGE, account),
            "decisions": SeniorVisitDecision.objects.filter(account=account).select_related(
                "created_by", "action", "task"
            )[:20],
            "tasks": Task.objects.filter(account=account, status=TaskStatus.OPEN).select_related(
                "owner"
            ),
        },
    )


def _decide(request: HttpRequest, public_id, write) -> HttpResponse:
    # 404 for an account out of sight; the service refuses (403) who may not decide.
    account = account_or_404(request.user, public_id)
    try:
        decision = write(account)
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        if decision.action_id:
            messages.success(request, _("Accepted: the visit is an action of the account plan."))
        elif decision.task_id:
            messages.success(
                request,
                _("Accepted: the visit is a task, due %(day)s.")
                % {"day": formatting.day(decision.task.due_on)},
            )
        else:
            messages.success(
                request, _("Dismissed. It will not be proposed again unless the facts change.")
            )
    return redirect("priorities:account", public_id=account.public_id)


@require_POST
@login_required
def visit_accept(request: HttpRequest, public_id) -> HttpResponse:
    today = timezone.localdate()
    return _decide(
        request,
        public_id,
        lambda account: visit_decisions.accept(account=account, by=request.user, today=today),
    )


@require_POST
@login_required
def visit_dismiss(request: HttpRequest, public_id) -> HttpResponse:
    today = timezone.localdate()
    reason = request.POST.get("reason", "")
    return _decide(
        request,
        public_id,
        lambda account: visit_decisions.dismiss(
            account=account, by=request.user, reason=reason, today=today
        ),
    )


def _expectation_rows(errors: dict | None = None) -> list[dict[str, Any]]:
    versions = {(r.scope, r.key): r.version for r in ActivityExpectation.objects.all()}
    return [
        {
            "scope": e.scope,
            "key": e.key,
            "label": scope_words(e.scope, e.key),
            "kinds": list(e.kinds),
            "kind_labels": [str(ActivityKind(k).label) for k in e.kinds],
            "within_days": e.within_days,
            "active": e.active,
            "version": versions.get((e.scope, e.key)),
            "errors": (errors or {}).get((e.scope, e.key), []),
        }
        for e in expectations()
    ]


@login_required
def expected_activities(request: HttpRequest) -> HttpResponse:
    """Everyone reads what each stage and horizon expects; the lead changes it."""
    status = 200
    errors: dict = {}
    if request.method == "POST":
        if not request.user.is_lead:
            raise PermissionDenied(_("Only the programme lead sets the expected activities."))
        scope, key = request.POST.get("scope", ""), request.POST.get("key", "")
        version = request.POST.get("version")
        try:
            expectation_set(
                by=request.user,
                scope=scope,
                key=key,
                kinds=request.POST.getlist("kinds"),
                within_days=request.POST.get("within_days"),
                active=bool(request.POST.get("active")),
                expected_version=int(version) if version and version.isdigit() else None,
            )
        except ValidationError as error:
            errors[(scope, key)] = [p for ps in error.message_dict.values() for p in ps]
            status = 422
        except EditConflict as conflict:
            errors[(scope, key)] = [str(conflict)]
            status = 409
        else:
            messages.success(request, _("Saved."))
            return redirect("priorities:expected_activities")
    return render(
        request,
        "priorities/expectations.html",
        {
            "rows": _expectation_rows(errors),
            "kinds": [(k, ActivityKind(k).label) for k in fit.KINDS],
            "can_edit": request.user.is_lead,
        },
        status=status,
    )


@require_POST
@login_required
def task_done(request: HttpRequest, public_id) -> HttpResponse:
    task = Task.objects.visible_to(request.user).filter(public_id=public_id).first()
    if task is None:
        raise Http404
    try:
        visit_decisions.task_done(task=task, by=request.user, today=timezone.localdate())
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Done."))
    return redirect("priorities:account", public_id=task.account.public_id)
