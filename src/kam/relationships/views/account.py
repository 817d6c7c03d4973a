"""The account's relationships page, its interaction log, and the team's recording forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.relationships import queries, services
from kam.relationships.forms import (
    AssessmentForm,
    DepartureForm,
    InteractionForm,
    InterestForm,
    LinkForm,
    PeriodForm,
)
from kam.relationships.views._common import (
    People,
    people_of,
    require_writer,
    safe_next,
)
from kam.relationships.views.pages import analysis_view, plan_view

LOG_PAGE_SIZE = 20

# The recording forms: URL kind -> (form class, prefix, success message).
FORMS: dict[str, tuple[type, str]] = {
    "assessment": (AssessmentForm, "as"),
    "interaction": (InteractionForm, "ix"),
    "departure": (DepartureForm, "dp"),
    "interest": (InterestForm, "in"),
    "link": (LinkForm, "ln"),
}


def blank_forms(people: People, initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """One empty form per kind, offering the account's people (``initial`` preselects)."""
    initial = initial or {}
    return {
        kind: form_class(prefix=prefix, initial=initial.get(kind), **people.form_kwargs())
        for kind, (form_class, prefix) in FORMS.items()
    }


def _log_page(request: HttpRequest, account: Account) -> Any:
    rows = queries.interactions_for(user=request.user, account=account)
    return Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("log"))


@require_GET
def account_relationships(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The analyses in words, the plan, interests, the log and (for writers) the forms."""
    account = account_or_404(request.user, public_id)
    period_form = PeriodForm(request.GET or None)
    period = period_form.cleaned_data["period"] if period_form.is_valid() else 90
    today = timezone.localdate()
    view = analysis_view(
        account=account,
        user=request.user,
        today=today,
        period=period,
        matrix_all=request.GET.get("matrix") == "all",
    )
    context: dict[str, Any] = {
        "account": account,
        "view": view,
        "period_form": period_form,
        "period": period,
    }
    if request.htmx and request.htmx.target == "drift":
        return render(request, "relationships/partials/_drift.html", context)
    if request.htmx and request.htmx.target == "matrix":
        return render(request, "relationships/partials/_matrix.html", context)
    writer = can(request.user, CHANGE, account)
    context.update(
        plan=plan_view(account=account, user=request.user, today=today),
        interests=list(queries.interests_for(user=request.user, account=account)),
        practices=list(queries.practices_for(user=request.user, account=account)),
        log=_log_page(request, account),
        can_write=writer,
        forms=blank_forms(people_of(account)) if writer else {},
        next=request.get_full_path(),
    )
    return render(request, "relationships/account.html", context)


@require_GET
def interaction_list(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One page of the interaction log (the HTMX pager of the account page)."""
    account = account_or_404(request.user, public_id)
    context = {"account": account, "log": _log_page(request, account)}
    return render(request, "relationships/partials/_log.html", context)


@require_GET
def account_summary(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The top findings, for the account's own page (loaded there with HTMX)."""
    account = account_or_404(request.user, public_id)
    view = analysis_view(
        account=account, user=request.user, today=timezone.localdate(), with_centrality=False
    )
    context = {"account": account, "view": view, "top": view.attention[:5]}
    return render(request, "relationships/partials/_summary.html", context)


# --- recording ------------------------------------------------------------------------------


def _record_assessment(form: AssessmentForm, by: Any) -> None:
    services.assessment_record(contact=form.contact("contact"), by=by, **form.service_kwargs())


def _record_interaction(form: InteractionForm, by: Any) -> None:
    data = form.cleaned_data
    contacts = form.contact_list("their_participants")
    services.interaction_log(
        account=contacts[0].account,
        by=by,
        kind=data["kind"],
        occurred_on=data["occurred_on"],
        their_participants=contacts,
        our_participants=form.user_list("our_participants") or None,
        notes=data["notes"],
        objective=form.objective_chosen(),
        duration_minutes=data.get("duration_minutes"),
    )


def _record_departure(form: DepartureForm, by: Any) -> None:
    data = form.cleaned_data
    services.contact_record_departure(
        contact=form.contact("contact"),
        left_on=data["left_on"],
        successor=form.contact("successor"),
        note=data["note"],
        hand_over=data["hand_over"],
        by=by,
    )


def _record_interest(form: InterestForm, by: Any) -> None:
    data = form.cleaned_data
    services.interest_create(
        holder=form.contact("holder"),
        by=by,
        kind=data["kind"],
        threat_level=data["threat_level"],
        description=data["description"],
        strategy=data["strategy"],
        advocate=form.contact("advocate"),
    )


def _record_link(form: LinkForm, by: Any) -> None:
    data = form.cleaned_data
    services.link_create(
        source=form.contact("source"),
        target=form.contact("target"),
        kind=data["kind"],
        note=data["note"],
        by=by,
    )


RECORDERS: dict[str, tuple[Callable[[Any, Any], None], Any]] = {
    "assessment": (
        _record_assessment,
        gettext_lazy("Assessment recorded; the earlier ones stay in its history."),
    ),
    "interaction": (_record_interaction, gettext_lazy("Interaction logged.")),
    "departure": (_record_departure, gettext_lazy("Departure recorded.")),
    "interest": (_record_interest, gettext_lazy("Entrenched interest recorded.")),
    "link": (_record_link, gettext_lazy("Link recorded.")),
}


@require_POST
def record(request: HttpRequest, public_id: Any, kind: str) -> HttpResponse:
    """Validate one recording form and call its service; errors come back in the form."""
    account = account_or_404(request.user, public_id)  # 404 before 403: strangers learn nothing
    if kind not in FORMS:
        raise Http404
    require_writer(request, account)
    form_class, prefix = FORMS[kind]
    form = form_class(request.POST, prefix=prefix, **people_of(account).form_kwargs())
    back = safe_next(
        request, reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    )
    if form.is_valid():
        recorder, message = RECORDERS[kind]
        try:
            recorder(form, request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, message)
            return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    context = {"account": account, "form": form, "kind": kind, "next": back}
    template = "relationships/partials/_form.html" if request.htmx else "relationships/record.html"
    return render(request, template, context, status=200 if request.htmx else 400)


def _add_errors(form: Any, error: ValidationError) -> None:
    """A service's field errors go on the form's field when it has one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
