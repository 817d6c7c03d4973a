"""The account's relationships page, its interaction log, and the team's recording forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.core.formviews import put_errors
from kam.relationships import queries, services
from kam.relationships.forms import (
    AssessmentForm,
    ContactForm,
    DepartureForm,
    InteractionForm,
    InterestForm,
    LinkForm,
    PeriodForm,
    PracticeForm,
    contact_label,
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
    "contact": (ContactForm, "ct"),
    "assessment": (AssessmentForm, "as"),
    "interaction": (InteractionForm, "ix"),
    "departure": (DepartureForm, "dp"),
    "interest": (InterestForm, "in"),
    "link": (LinkForm, "ln"),
    "practice": (PracticeForm, "pr"),
}


def blank_forms(people: People, initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """One empty form per kind, offering the account's people (``initial`` preselects)."""
    initial = initial or {}
    return {
        kind: form_class(prefix=prefix, initial=initial.get(kind), **people.form_kwargs())
        for kind, (form_class, prefix) in FORMS.items()
    }


def _page_url(account: Account, **params: str) -> str:
    url = reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{url}?{query}" if query else url


def _log_page(request: HttpRequest, account: Account) -> Any:
    rows = queries.interactions_for(user=request.user, account=account)
    return Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("log"))


# The page's tabs: the first view is the summary and the overview; each other tab loads on
# demand (HTMX), and reads only what it shows (the forms, 100 widgets, only on 'record').
TABS: dict[str, Any] = {
    "overview": gettext_lazy("Overview"),
    "people": gettext_lazy("People and paths"),
    "threats": gettext_lazy("Opponents and drift"),
    "plan": gettext_lazy("Objectives and opportunities"),
    "log": gettext_lazy("Interaction log"),
    "record": gettext_lazy("Record"),
}
ANALYSED_TABS = {"overview", "people", "threats"}


@require_GET
def account_relationships(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A summary of the findings, then one tab: the analyses in words, the plan, interests,
    the log or (for writers) the forms."""
    account = account_or_404(request.user, public_id)
    period_form = PeriodForm(request.GET or None)
    period = period_form.cleaned_data["period"] if period_form.is_valid() else 90
    today = timezone.localdate()
    writer = can(request.user, CHANGE, account)
    tabs = [(k, v) for k, v in TABS.items() if writer or k != "record"]
    tab = request.GET.get("tab", "overview")
    if tab not in dict(tabs):
        tab = "overview"
    target = request.htmx.target if request.htmx else None
    context: dict[str, Any] = {
        "account": account,
        "period_form": period_form,
        "period": period,
        "tab": tab,
        "tabs": tabs,
        "tab_template": f"relationships/partials/_tab_{tab}.html",
        "can_write": writer,
        "next": request.get_full_path(),
    }
    # A tab swapped in alone needs the analyses only if it shows them; the full page always
    # does, for the summary at its top.
    if target in ("drift", "matrix") or tab in ANALYSED_TABS or target != "tabs":
        context["view"] = analysis_view(
            account=account,
            user=request.user,
            today=today,
            period=period,
            matrix_all=request.GET.get("matrix") == "all",
            with_centrality=tab == "people" or target == "matrix",
        )
    if target == "drift":
        return render(request, "relationships/partials/_drift.html", context)
    if target == "matrix":
        return render(request, "relationships/partials/_matrix.html", context)
    if tab == "threats":
        context.update(
            interests=list(queries.interests_for(user=request.user, account=account)),
            practices=list(queries.practices_for(user=request.user, account=account)),
        )
    elif tab == "plan":
        context["plan"] = plan_view(account=account, user=request.user, today=today)
    elif tab == "log":
        context["log"] = _log_page(request, account)
    elif tab == "record":
        context["forms"] = blank_forms(people_of(account))
    if target == "tabs":
        return render(request, "relationships/partials/_tabs.html", context)
    return render(request, "relationships/account.html", context)


@require_GET
def interaction_list(request: HttpRequest, public_id: Any) -> HttpResponse:
    """One page of the interaction log (the HTMX pager of the account page)."""
    account = account_or_404(request.user, public_id)
    if not request.htmx:  # a fragment opened directly: the full page at that log page
        return redirect(_page_url(account, tab="log", log=request.GET.get("log", "")))
    context = {
        "account": account,
        "log": _log_page(request, account),
        "can_write": can(request.user, CHANGE, account),
    }
    return render(request, "relationships/partials/_log.html", context)


@require_GET
def account_summary(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The top findings, for the account's own page (loaded there with HTMX)."""
    account = account_or_404(request.user, public_id)
    if not request.htmx:  # a fragment opened directly: the page it belongs to
        return redirect(account)
    view = analysis_view(
        account=account, user=request.user, today=timezone.localdate(), with_centrality=False
    )
    context = {"account": account, "view": view, "top": view.attention[:5]}
    return render(request, "relationships/partials/_summary.html", context)


PICKER_RESULTS = 15


@require_GET
def people_search(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The person picker's answer: the people already chosen, then up to 15 of the account's
    contacts whose name, other name, title or department contains what was typed."""
    account = account_or_404(request.user, public_id)
    if not request.htmx:
        return redirect(_page_url(account, tab="record"))
    field = request.GET.get("field", "")[:100]
    typed = request.GET.get(f"{field}-search", request.GET.get("q", "")).strip()[:100]
    chosen_ids = [v for v in request.GET.getlist(field) if v][:50]
    contacts = queries.contacts_for(user=request.user, account=account)
    chosen = list(contacts.filter(public_id__in=_uuids(chosen_ids)).order_by("name"))
    found = []
    if typed:
        found = list(
            contacts.filter(
                Q(name__icontains=typed)
                | Q(other_name__icontains=typed)
                | Q(title__icontains=typed)
                | Q(department__icontains=typed)
            )
            .exclude(pk__in=[c.pk for c in chosen])
            .order_by("name", "pk")[:PICKER_RESULTS]
        )
    context = {
        "name": field,
        "multiple": request.GET.get("multiple") == "1",
        "optional": request.GET.get("optional") == "1",
        "chosen": [(str(c.public_id), contact_label(c)) for c in chosen],
        "found": [(str(c.public_id), contact_label(c)) for c in found] if typed else None,
    }
    return render(request, "relationships/widgets/_picker_options.html", context)


def _uuids(values: list[str]) -> list[UUID]:
    out = []
    for value in values:
        try:
            out.append(UUID(value))
        except ValueError:
            continue
    return out


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


def _record_contact(form: ContactForm, by: Any) -> None:
    services.contact_create(account=form.account, by=by, **form.service_kwargs())


def _record_practice(form: PracticeForm, by: Any) -> None:
    services.practice_create(account=form.account, by=by, **form.service_kwargs())


RECORDERS: dict[str, tuple[Callable[[Any, Any], None], Any]] = {
    "contact": (_record_contact, gettext_lazy("Person added to the account.")),
    "assessment": (
        _record_assessment,
        gettext_lazy("Assessment recorded; the earlier ones stay in its history."),
    ),
    "interaction": (_record_interaction, gettext_lazy("Interaction logged.")),
    "departure": (_record_departure, gettext_lazy("Departure recorded.")),
    "interest": (_record_interest, gettext_lazy("Entrenched interest recorded.")),
    "link": (_record_link, gettext_lazy("Link recorded.")),
    "practice": (_record_practice, gettext_lazy("Entrenched practice recorded.")),
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
    form.account = account  # the account whose record it is (a practice names no person)
    back = safe_next(
        request, reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    )
    if form.is_valid():
        recorder, message = RECORDERS[kind]
        try:
            recorder(form, request.user)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, message)
            return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
    context = {"account": account, "form": form, "kind": kind, "next": back}
    template = "relationships/partials/_form.html" if request.htmx else "relationships/record.html"
    return render(request, template, context, status=200 if request.htmx else 400)
