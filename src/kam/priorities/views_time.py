"""The time page: log time, expenses, capacity, absences and budgets; see hours per person per
account, capacity against hours, each account against its tier's service level, and budgets
against spending, for one period."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.accounts.access import CHANGE, MANAGE_TEAM, account_or_404, writable_accounts
from kam.accounts.models import Account, TeamMembership
from kam.core.models import Period
from kam.core.versionforms import stored_values
from kam.core.versions import EditConflict
from kam.priorities import services
from kam.priorities.effort import (
    capacity_hours,
    effort_in,
    money_in,
    period_months,
    visits_in,
)
from kam.priorities.forms import (
    AbsenceForm,
    BudgetForm,
    CapacityForm,
    ExpenseForm,
    TimeEntryEditForm,
    TimeEntryForm,
)
from kam.priorities.models import Absence, Expense, TimeEntry
from kam.priorities.services import value_config
from kam.users.models import User

ROWS = 200  # hours rows shown; the API lists them all


def period_chosen(request: HttpRequest) -> Period | None:
    """The period asked for, else the one containing today, else the latest."""
    wanted = request.GET.get("period") or request.POST.get("period")
    if wanted and str(wanted).isdigit():
        found = Period.objects.filter(pk=int(wanted)).first()
        if found:
            return found
    today = timezone.localdate()
    return (
        Period.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        or Period.objects.first()
    )


def people_for(user) -> list[User]:
    """Whom ``user`` may record for: themselves; a KAM their teams; the lead everyone."""
    if user.is_lead:
        return list(User.objects.filter(is_active=True).order_by("first_name", "username"))
    if user.is_mentor:
        return [user]
    team = TeamMembership.objects.filter(account__owner=user).values("user_id")
    return list(
        User.objects.filter(Q(pk=user.pk) | Q(pk__in=team), is_active=True).order_by(
            "first_name", "username"
        )
    )


def _forms(user, data=None, which: str = "") -> dict[str, Any]:
    accounts = list(writable_accounts(user).order_by("name")[:500])
    people = people_for(user)
    today = timezone.localdate()
    built = {
        "entry_form": TimeEntryForm(
            data if which == "entry" else None,
            accounts=accounts,
            users=people,
            prefix="entry",
            initial={"spent_on": today, "user": str(user.pk)},
        ),
        "expense_form": ExpenseForm(
            data if which == "expense" else None,
            accounts=accounts,
            users=people,
            prefix="expense",
            initial={"spent_on": today, "user": str(user.pk)},
        ),
        "capacity_form": CapacityForm(
            data if which == "capacity" else None,
            users=people,
            prefix="capacity",
        ),
        "absence_form": AbsenceForm(
            data if which == "absence" else None,
            users=people if user.is_lead else [user],
            prefix="absence",
        ),
        "budget_form": BudgetForm(
            data if which == "budget" else None,
            accounts=accounts,
            users=people if user.is_lead else [],
            prefix="budget",
        ),
    }
    return built


def _context(request: HttpRequest, period: Period | None, forms: dict) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "period": period,
        "periods": Period.objects.all(),
        "can_write": not user.is_mentor,
        **forms,
    }
    if period is None:
        return context
    accounts = Account.objects.visible_to(user)
    effort = effort_in(start=period.starts_on, end=period.ends_on, accounts=accounts)
    keys = sorted(effort.keys(), key=lambda k: -effort.total(k))
    names = dict(Account.objects.filter(pk__in={a for _u, a in keys}).values_list("pk", "name"))
    ids = dict(Account.objects.filter(pk__in={a for _u, a in keys}).values_list("pk", "public_id"))
    users = {u.pk: u for u in User.objects.filter(pk__in={u for u, _a in keys} | {user.pk})}
    context["hours"] = [
        {
            "user": users[u],
            "account": names[a],
            "account_id": ids[a],
            "logged": effort.logged.get((u, a), 0.0),
            "entered": effort.entered.get((u, a), 0.0),
            "total": effort.total((u, a)),
        }
        for u, a in keys[:ROWS]
    ]
    context["hours_more"] = max(len(keys) - ROWS, 0)
    # Capacity against hours, per person whose hours or capacity the user may see.
    shown = list(users.values()) if user.is_lead or not user.is_mentor else [user]
    capacity = capacity_hours(period=period, users=shown)
    per_user: dict[int, float] = defaultdict(float)
    for key in effort.keys():  # noqa: SIM118 - Effort.keys() is a method of ours
        per_user[key[0]] += effort.total(key)
    context["people"] = sorted(
        (
            {"user": u, "capacity": capacity.get(u.pk), "hours": per_user.get(u.pk, 0.0)}
            for u in shown
        ),
        key=lambda r: str(r["user"]),
    )
    context["service"] = _service_levels(period, accounts, effort)
    money = money_in(
        period=period, accounts=accounts, users=[user.pk] if not user.is_lead else None
    )
    money_names = dict(
        Account.objects.filter(pk__in=money["accounts"].keys()).values_list("pk", "name")
    )
    context["budgets"] = [
        {"account": money_names.get(k, ""), "money": m} for k, m in money["accounts"].items()
    ]
    person_names = {u.pk: u for u in User.objects.filter(pk__in=money["people"].keys())}
    context["person_budgets"] = [
        {"user": person_names.get(k), "money": m} for k, m in money["people"].items()
    ]
    visible = TimeEntry.objects.visible_to(user).select_related("account", "user")
    context["entries"] = visible.filter(spent_on__range=(period.starts_on, period.ends_on))[:20]
    context["expenses"] = (
        Expense.objects.visible_to(user)
        .select_related("account", "user")
        .filter(spent_on__range=(period.starts_on, period.ends_on))[:20]
    )
    mine = Absence.objects.select_related("user")
    context["absences"] = (mine if user.is_lead else mine.filter(user=user)).filter(
        ends_on__gte=period.starts_on, starts_on__lte=period.ends_on
    )[:20]
    return context


def _service_levels(period: Period, accounts, effort) -> list[dict]:
    """Accounts in a tier with a visit frequency: visits and hours asked against received."""
    from kam.selection.models import AccountScore, TierScheme
    from kam.selection.queries import latest_run

    run = latest_run()
    scheme = TierScheme.objects.filter(active=True).first()
    if run is None or scheme is None:
        return []
    tiers = {t.code: t for t in scheme.tiers.all() if t.visits_per_month > 0}
    rows = (
        AccountScore.objects.filter(run=run, account__in=accounts, tier_code__in=list(tiers))
        .select_related("account")
        .order_by("account__name")[:ROWS]
    )
    months = period_months(period)
    per_visit = value_config().hours_per_visit
    hours = effort.by_account()
    scores = list(rows)
    visits = visits_in(
        start=period.starts_on,
        end=period.ends_on,
        accounts=Account.objects.filter(pk__in=[s.account_id for s in scores]),
    )
    out = []
    for score in scores:
        tier = tiers[score.tier_code]
        asked_visits = float(tier.visits_per_month) * months
        asked_hours = asked_visits * per_visit
        got = hours.get(score.account_id, 0.0)
        out.append(
            {
                "account": score.account,
                "tier": tier.name,
                "visits_asked": asked_visits,
                "visits": visits.get(score.account_id, 0),
                "hours_asked": asked_hours,
                "hours": got,
                "short": got < asked_hours or visits.get(score.account_id, 0) < asked_visits,
            }
        )
    return out


def time_page(request: HttpRequest) -> HttpResponse:
    period = period_chosen(request)
    return render(request, "priorities/time.html", _context(request, period, _forms(request.user)))


def _handle(request: HttpRequest, which: str, write, action: str = CHANGE) -> HttpResponse:
    period = period_chosen(request)
    posted = request.POST.get(f"{which}-account")
    if posted:
        # An account out of sight is 404, one the user may not change 403, before any form.
        account_or_404(request.user, posted, action)
    forms = _forms(request.user, request.POST, which)
    form = forms[f"{which}_form"]
    status = 400
    if form.is_valid():
        try:
            write(form, period)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            messages.success(request, _("Saved."))
            url = reverse("priorities:time")
            return redirect(f"{url}?period={period.pk}" if period else url)
    return render(request, "priorities/time.html", _context(request, period, forms), status=status)


@require_POST
def time_log(request: HttpRequest) -> HttpResponse:
    def write(form, period):
        data = form.cleaned_data
        services.time_entry_log(
            account=form.account(),
            user=form.user(),
            by=request.user,
            spent_on=data["spent_on"],
            minutes=data["minutes"],
            category=data["category"],
            note=data["note"],
        )

    return _handle(request, "entry", write)


@require_POST
def expense_record(request: HttpRequest) -> HttpResponse:
    def write(form, period):
        data = form.cleaned_data
        services.expense_record(
            account=form.account(),
            user=form.user(),
            by=request.user,
            spent_on=data["spent_on"],
            category=data["category"],
            amount=data["amount"],
            currency=data["currency"].upper(),
            note=data["note"],
        )

    return _handle(request, "expense", write)


def _need_period(period):
    if period is None:
        raise ValidationError({"__all__": _("Create a period first.")})


@require_POST
def capacity_set(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead sets capacities."))

    def write(form, period):
        _need_period(period)
        data = form.cleaned_data
        services.capacity_set(
            user=form.user(),
            period=period,
            hours_per_week=data["hours_per_week"],
            note=data["note"],
            by=request.user,
        )

    return _handle(request, "capacity", write)


@require_POST
def absence_record(request: HttpRequest) -> HttpResponse:
    def write(form, period):
        data = form.cleaned_data
        services.absence_record(
            user=form.user(),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            by=request.user,
        )

    return _handle(request, "absence", write)


@require_POST
def budget_set(request: HttpRequest) -> HttpResponse:
    def write(form, period):
        _need_period(period)
        data = form.cleaned_data
        services.budget_set(
            period=period,
            account=form.account(),
            user=form.user(),
            amount=data["amount"],
            currency=data["currency"].upper(),
            note=data["note"],
            by=request.user,
        )

    return _handle(request, "budget", write, MANAGE_TEAM)


def _back(request: HttpRequest) -> HttpResponse:
    period = period_chosen(request)
    url = reverse("priorities:time")
    return redirect(f"{url}?period={period.pk}" if period else url)


@require_POST
def time_delete(request: HttpRequest, public_id) -> HttpResponse:
    entry = get_object_or_404(TimeEntry.objects.visible_to(request.user), public_id=public_id)
    services.time_entry_delete(entry=entry, by=request.user)
    messages.success(request, _("Time entry deleted."))
    return _back(request)


@require_POST
def expense_delete(request: HttpRequest, public_id) -> HttpResponse:
    expense = get_object_or_404(Expense.objects.visible_to(request.user), public_id=public_id)
    services.expense_delete(expense=expense, by=request.user)
    messages.success(request, _("Expense deleted."))
    return _back(request)


@require_POST
def absence_delete(request: HttpRequest, public_id) -> HttpResponse:
    rows = (
        Absence.objects.all() if request.user.is_lead else Absence.objects.filter(user=request.user)
    )
    absence = get_object_or_404(rows, public_id=public_id)
    services.absence_delete(absence=absence, by=request.user)
    messages.success(request, _("Absence deleted."))
    return _back(request)


# --- correcting a time entry (PATCH time-entries/{id} on a page) -----------------------------


def _entry_initial(entry: TimeEntry) -> dict[str, Any]:
    return {
        "user": str(entry.user_id),
        "spent_on": entry.spent_on,
        "minutes": entry.minutes,
        "category": entry.category,
        "note": entry.note,
        "version": entry.version,
    }


def _entry_form(request: HttpRequest, entry: TimeEntry, data=None) -> TimeEntryEditForm:
    people = people_for(request.user)
    if all(u.pk != entry.user_id for u in people):
        people.append(entry.user)  # saving keeps whom it was for
    return TimeEntryEditForm(data, users=people, initial=_entry_initial(entry))


@require_http_methods(["GET", "POST"])
def time_edit(request: HttpRequest, public_id) -> HttpResponse:
    """One time entry corrected through the API's service: an entry out of sight is 404, a
    reader (mentor) 403, bad input 422 on its field, a stale save 409 with the input kept."""
    entry = get_object_or_404(
        TimeEntry.objects.visible_to(request.user).select_related("account", "user"),
        public_id=public_id,
    )
    account_or_404(request.user, entry.account.public_id, CHANGE)
    back = f"{reverse('priorities:time')}?period={request.GET.get('period', '')}"

    def page(form, status=200):
        context = {"entry": entry, "form": form, "back": back}
        return render(request, "priorities/time_edit.html", context, status=status)

    if request.method == "GET":
        return page(_entry_form(request, entry))
    form = _entry_form(request, entry, request.POST)
    if not form.is_valid():
        return page(form, 422)
    changes = {n: form.cleaned_data[n] for n in form.changed_data if n != "version"}
    if "user" in changes:
        changes["user"] = form.user()
    try:
        services.time_entry_update(
            entry=entry, by=request.user, expected_version=form.cleaned_data["version"], **changes
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return page(form, 422)
    except EditConflict as conflict:
        entry.refresh_from_db()
        data = request.POST.copy()
        data["version"] = entry.version
        form = _entry_form(request, entry, data)
        form.is_valid()
        form.add_error(None, f"{conflict} {stored_values(form, entry)}")
        return page(form, 409)
    messages.success(request, _("Saved."))
    return redirect(back)
