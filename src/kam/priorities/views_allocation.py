"""The allocation page: the proposal per person and per account with its reasons, the pins,
the value model's settings, and a re-solve that runs as a background job with progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.access import MANAGE_TEAM, account_or_404
from kam.accounts.models import Account
from kam.core.jobs import job_check, job_submit
from kam.core.models import Job, Period
from kam.core.versions import EditConflict
from kam.priorities import services
from kam.priorities.allocating import allocation_latest, allocation_scope_check
from kam.priorities.forms import PinForm, ValueSettingsForm
from kam.priorities.models import Pin, ValueSettings
from kam.priorities.views_support import binding_reason, lines_visible, run_curve
from kam.priorities.views_time import people_for, period_chosen
from kam.users.models import Role, User

PAGE = 60  # lines a page


def _scope(request: HttpRequest) -> User | None:
    """The KAM whose accounts are shown: the lead chooses (none: the programme); anyone
    else sees their own accounts' allocation."""
    user = request.user
    if not user.is_lead:
        return user
    wanted = request.GET.get("kam") or request.POST.get("kam")
    if wanted and str(wanted).isdigit():
        return User.objects.filter(pk=int(wanted), role=Role.KEY_ACCOUNT_MANAGER).first()
    return None


def _query(period: Period | None, kam: User | None) -> str:
    parts = []
    if period:
        parts.append(f"period={period.pk}")
    if kam:
        parts.append(f"kam={kam.pk}")
    return "&".join(parts)


def _pin_form(user, data=None) -> PinForm:
    from kam.accounts.access import writable_accounts

    accounts = writable_accounts(user)
    if not user.is_lead:
        accounts = accounts.filter(owner=user)
    return PinForm(
        data,
        accounts=list(accounts.order_by("name")[:500]),
        users=people_for(user),
        prefix="pin",
    )


def _context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    user = request.user
    period = period_chosen(request)
    kam = _scope(request)
    run = allocation_latest(period=period, kam=kam) if period else None
    if run is None and period and kam is not None and not user.is_lead:
        # A KAM sees the programme's proposal for their accounts until they solve their own.
        run = allocation_latest(period=period, kam=None)
    context: dict[str, Any] = {
        "period": period,
        "periods": Period.objects.all(),
        "kam": kam,
        "kams": User.objects.filter(role=Role.KEY_ACCOUNT_MANAGER, is_active=True).order_by(
            "first_name", "username"
        )
        if user.is_lead
        else [],
        "query": _query(period, kam),
        "run": run,
        "can_solve": user.is_lead or user.role == Role.KEY_ACCOUNT_MANAGER,
        "pin_form": forms.get("pin_form") or _pin_form(user),
        "settings_form": forms.get("settings_form") or _settings_form(),
    }
    job_id = request.GET.get("job")
    if job_id:
        context["job"] = Job.objects.filter(
            public_id=job_id if _uuid(job_id) else None, created_by=user, kind="allocate"
        ).first()
    if period is None:
        return context
    pins = Pin.objects.visible_to(user).filter(period=period).select_related("account", "user")
    context["pins"] = pins[:100]
    if run is None:
        return context
    lines = lines_visible(run, user)
    page = Paginator(lines, PAGE).get_page(request.GET.get("page"))
    prices = {p["user"]: p["price"] for p in run.people}
    curve = run_curve(run)
    accounts: list[dict] = []
    for line in page.object_list:
        if not accounts or accounts[-1]["account"].pk != line.account_id:
            accounts.append(
                {
                    "account": line.account,
                    "line": line,
                    "people": [],
                    "reason": binding_reason(line, curve),
                    "change": line.account_hours - line.last_hours,
                }
            )
        if line.hours > 0 or line.pinned:
            accounts[-1]["people"].append(line)
    visible_people = (
        set(lines.values_list("user_id", flat=True).distinct()) if not user.is_lead else None
    )
    names = {u.pk: u for u in User.objects.filter(pk__in=[p["user"] for p in run.people])}
    context["people"] = [
        {**p, "who": names.get(p["user"]), "price": prices.get(p["user"], 0.0)}
        for p in run.people
        if visible_people is None or p["user"] in visible_people
    ]
    context["people"].sort(key=lambda p: -p["hours"])
    # The capacities that bind, dearest first: where one more hour would be worth most.
    context["dearest"] = [
        {"who": p["who"] or p["name"], "price": p["price"]}
        for p in sorted(context["people"], key=lambda p: -p["price"])
        if p["price"] > 0
    ][:8]
    context["spare"] = [p for p in context["people"] if p["price"] <= 0 and p["over"] <= 0]
    context["over"] = [p for p in context["people"] if p["over"] > 0]
    context["accounts"] = accounts
    context["page"] = page
    context["timings"] = run.summary.get("timings", {})
    unserved = run.summary.get("unserved", [])
    context["unserved"] = Account.objects.visible_to(user).filter(pk__in=unserved)[:20]
    return context


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _settings_form(data=None) -> ValueSettingsForm:
    current = ValueSettings.objects.first()
    initial = {}
    if current is not None:
        initial = {
            "segment_hours": ", ".join(f"{h:g}" for h in current.segment_hours or []),
            "decay": current.decay,
            "long_horizon_floor_hours": current.long_horizon_floor_hours,
            "hours_per_visit": current.hours_per_visit,
            "headroom_capture": current.headroom_capture,
            "uplift_share": current.uplift_share,
            "long_horizon_weight": current.long_horizon_weight,
            "risk_share": current.risk_share,
        }
    return ValueSettingsForm(data, initial=initial, prefix="value")


def allocation_page(request: HttpRequest) -> HttpResponse:
    return render(request, "priorities/allocation.html", _context(request))


def _back(request: HttpRequest, **extra: str) -> HttpResponse:
    query = _query(period_chosen(request), _scope(request))
    more = "&".join(f"{k}={v}" for k, v in extra.items())
    return redirect(f"{reverse('priorities:allocation')}?{query}{'&' if more else ''}{more}")


@require_POST
def allocation_solve(request: HttpRequest) -> HttpResponse:
    """Start a solve for the period and scope; the page follows its progress."""
    period = period_chosen(request)
    kam = _scope(request)
    if period is None:
        raise PermissionDenied(_("Create a period first."))
    if not (request.user.is_lead or request.user.role == Role.KEY_ACCOUNT_MANAGER):
        raise PermissionDenied(_("A KAM allocates only within their own accounts."))
    allocation_scope_check(by=request.user, kam=kam)
    with transaction.atomic():
        job = job_submit(
            kind="allocate",
            params={"period": period.pk, "kam": kam.pk if kam else None},
            by=request.user,
        )
    # The page itself, following the job's progress (a redirect would lose nothing, but
    # the page is what the user wants next).
    context = _context(request)
    context["job"] = job
    return render(request, "priorities/allocation.html", context)


def allocation_job(request: HttpRequest, public_id) -> HttpResponse:
    """The solve's progress: the fragment the page polls, or, opened directly (a reload, a
    bookmark), the allocation page following it."""
    job = job_check(
        get_object_or_404(Job, public_id=public_id, created_by=request.user, kind="allocate")
    )
    if not request.htmx:
        context = _context(request)
        context["job"] = job
        return render(request, "priorities/allocation.html", context)
    return render(
        request, "priorities/partials/_job.html", {"job": job, "query": request.GET.urlencode()}
    )


@require_POST
def pin_set(request: HttpRequest) -> HttpResponse:
    period = period_chosen(request)
    posted = request.POST.get("pin-account")
    if posted:
        account_or_404(request.user, posted, MANAGE_TEAM)
    form = _pin_form(request.user, request.POST)
    status = 400
    if form.is_valid() and period is not None:
        data = form.cleaned_data
        try:
            services.pin_set(
                account=form.account(),
                period=period,
                user=form.user(),
                hours=data["hours"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
            status = 409
        else:
            messages.success(request, _("Hours pinned. Solve again to plan around them."))
            return _back(request)
    return render(
        request, "priorities/allocation.html", _context(request, pin_form=form), status=status
    )


@require_POST
def pin_clear(request: HttpRequest, public_id) -> HttpResponse:
    pin = get_object_or_404(Pin.objects.visible_to(request.user), public_id=public_id)
    services.pin_clear(pin=pin, by=request.user)
    messages.success(request, _("Pin removed."))
    return _back(request)


@require_POST
def value_settings_set(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead changes the value model."))
    form = _settings_form(request.POST)
    if form.is_valid():
        try:
            services.value_settings_set(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Value model saved. Solve again to apply it."))
            return _back(request)
    return render(
        request, "priorities/allocation.html", _context(request, settings_form=form), status=400
    )
