"""The account's plan page: read it, edit each section in place (HTMX swaps one card), sign it
off, and read its versions and what changed between two of them.

Every write goes through ``plans.services``; a refusal is shown beside the field it names, a
stale edit keeps the user's input and says who changed the plan. Without JavaScript the same
forms post normally and the whole page comes back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.accounts.access import CHANGE, MANAGE_TEAM, SIGN, account_or_404, can
from kam.core.formviews import form_write, put_errors
from kam.core.models import Period
from kam.core.versions import EditConflict
from kam.planning import services as planning
from kam.planning.models import Objective, Opportunity
from kam.planning.queries import HORIZONS, UNDATED, horizon_of
from kam.plans import services
from kam.plans.diff import diff_contents
from kam.plans.forms_plan import (
    ActionForm,
    CompetitorForm,
    ContingencyForm,
    CustomerObjectiveForm,
    LinksForm,
    OpportunityForm,
    PeriodForm,
    PlanStartForm,
    SignersForm,
    SignForm,
    SituationForm,
    StrategyForm,
    TeamObjectiveForm,
)
from kam.plans.models import (
    Action,
    ActionStatus,
    Competitor,
    Decision,
    ObjectiveSource,
    Plan,
    PlanState,
    SignOff,
    TeamObjective,
)
from kam.plans.objective_values import computed_values

SECTIONS = {
    "situation": (SituationForm, services.PLAN_FIELDS[:5]),
    "strategy": (StrategyForm, ("strategy",)),
    "contingency": (ContingencyForm, services.PLAN_FIELDS[6:9]),
    "links": (LinksForm, ("customer_objectives", "opportunities")),
}
# kind -> (model, form, section it is shown in, create, update, delete, service's keyword)
ITEMS = {
    "competitor": (
        Competitor,
        CompetitorForm,
        "competitors",
        services.competitor_create,
        services.competitor_update,
        services.competitor_delete,
        "competitor",
    ),
    "objective": (
        TeamObjective,
        TeamObjectiveForm,
        "objectives",
        services.team_objective_create,
        services.team_objective_update,
        services.team_objective_delete,
        "objective",
    ),
    "action": (
        Action,
        ActionForm,
        "actions",
        services.action_create,
        services.action_update,
        services.action_delete,
        "action",
    ),
}
FIRST_FIELD = {"competitor": "name", "objective": "title", "action": "what"}


@dataclass
class Edit:
    """The form open on the page: which section (and item), and the bound or initial form."""

    section: str
    form: Any
    item: Any = None
    kind: str = ""


def _plan(request: HttpRequest, plan_id: Any) -> Plan:
    try:
        plan = (
            Plan.objects.visible_to(request.user)
            .select_related("account", "period", "in_force", "contingency_owner")
            .get(public_id=plan_id)
        )
    except Plan.DoesNotExist as missing:
        raise Http404 from missing
    account_or_404(request.user, plan.account.public_id)
    return plan


def _section_form(name: str, plan: Plan, data=None, team=None):
    form_class, fields = SECTIONS[name]
    kwargs: dict[str, Any] = {}
    if name == "contingency":
        kwargs["team"] = team
    if name == "links":
        kwargs["plan"] = plan
    initial = {"version": plan.version}
    for field in fields:
        value = getattr(plan, field)
        if field in ("customer_objectives", "opportunities"):
            value = list(value.all())
        initial[field] = value
    return form_class(data, initial=initial, **kwargs)


def _item_form(kind: str, plan: Plan, item=None, data=None, team=None):
    _model, form_class, *_rest = ITEMS[kind]
    kwargs: dict[str, Any] = {}
    if kind == "action":
        kwargs = {"plan": plan, "team": team}
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {name: getattr(item, name, None) for name in form_class.base_fields}
        initial["version"] = item.version
    return form_class(data, initial=initial, **kwargs)


def _late(action: Action, today) -> bool:
    return (
        action.status != ActionStatus.DONE and action.due_on is not None and action.due_on < today
    )


def plan_context(request: HttpRequest, plan: Plan, edit: Edit | None = None) -> dict[str, Any]:
    """Everything the plan page shows, read once."""
    user, account, today = request.user, plan.account, timezone.localdate()
    team = services.team_members(account)
    objectives = list(plan.team_objectives.all())
    sources = {o.source for o in objectives if o.source != ObjectiveSource.MANUAL}
    values = computed_values(plan, sources, today) if sources else {}
    for objective in objectives:
        objective.computed = values.get(objective.source)
    actions = list(
        plan.actions.select_related("owner", "objective", "opportunity", "contact").order_by(
            "due_on", "pk"
        )
    )
    for action in actions:
        action.late = _late(action, today)
    horizons: dict[str, list] = defaultdict(list)
    for opportunity in plan.opportunities.order_by("expected_on", "pk"):
        horizons[horizon_of(opportunity.expected_on, today)].append(opportunity)
    customer = list(plan.customer_objectives.select_related("source_contact").order_by("pk"))
    versions = list(
        plan.versions.select_related("submitted_by").prefetch_related(
            Prefetch("sign_offs", SignOff.objects.select_related("member"))
        )
    )
    pending = next(
        (v for v in versions if v.number == plan.number and plan.state == PlanState.SUBMITTED),
        None,
    )
    mine = None
    if pending is not None:
        mine = next((s for s in pending.sign_offs.all() if s.member_id == user.pk), None)
    last_returned = next((v for v in reversed(versions) if v.state == "returned"), None)
    writer = can(user, CHANGE, account)
    editable = writer and plan.state in (PlanState.DRAFT, PlanState.AGREED)
    context = {
        "account": account,
        "plan": plan,
        "team": team,
        "required": set(plan.required_signers.values_list("pk", flat=True)),
        "objectives": objectives,
        "actions": actions,
        "competitors": list(plan.competitors.all()),
        "customer_objectives": customer,
        "horizons": [(label, horizons.get(label, [])) for label, *_x in HORIZONS]
        + [(UNDATED, horizons.get(UNDATED, []))],
        "versions": versions,
        "pending": pending,
        "still_to_sign": [
            s.member
            for s in (pending.sign_offs.all() if pending else [])
            if s.required and s.decision == Decision.PENDING
        ],
        "objections": [
            s
            for s in (last_returned.sign_offs.all() if last_returned else [])
            if s.decision == Decision.OBJECTED
        ]
        if plan.state == PlanState.DRAFT
        else [],
        "my_sign_off": mine,
        "can_write": writer,
        "can_edit": editable,
        "can_progress": writer and plan.state != PlanState.CLOSED,
        "can_manage": can(user, MANAGE_TEAM, account),
        "can_sign": mine is not None and can(user, SIGN, account),
        "sign_form": SignForm(),
        "signers_form": SignersForm(
            initial={
                "required_signers": list(plan.required_signers.all()),
                "version": plan.version,
            },
            team=team,
        ),
        "edit": edit,
        "today": today,
        "periods": Period.objects.order_by("-starts_on"),
        "other_plans": account.plans.select_related("period").exclude(pk=plan.pk),
    }
    return context


def _page(request: HttpRequest, plan: Plan, edit: Edit | None = None, status: int = 200):
    return render(request, "plans/plan.html", plan_context(request, plan, edit), status=status)


def _card(request: HttpRequest, plan: Plan, section: str, edit: Edit | None = None):
    """One section of the page (the card HTMX swaps), or the whole page without HTMX."""
    plan.refresh_from_db()
    if not request.htmx:
        return _page(request, plan, edit)
    context = plan_context(request, plan, edit)
    return render(request, f"plans/partials/_{section}.html", context)


def _done(request: HttpRequest, plan: Plan, section: str) -> HttpResponse:
    """After a save: the section's card, and with it (out of band) the sign-off card, whose
    submit carries the plan's version: the save changed it."""
    if not request.htmx:
        return redirect(f"{_plan_url(plan)}#{section}")
    plan.refresh_from_db()
    context = plan_context(request, plan)
    card = render(request, f"plans/partials/_{section}.html", context)
    if section != "signoff":
        context["oob"] = True
        card.content += render(request, "plans/partials/_signoff.html", context).content
    return card


def _plan_url(plan: Plan) -> str:
    return (
        reverse("plans:account_plan", kwargs={"public_id": plan.account.public_id})
        + f"?period={plan.period_id}"
    )


def _conflict(form, conflict: EditConflict) -> None:
    form.add_error(None, str(conflict))


def _changes(form) -> tuple[int | None, dict[str, Any]]:
    """The version the form was drawn from, and the fields the user changed."""
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    return version, {k: v for k, v in data.items() if k in form.changed_data}


# -- the page --------------------------------------------------------------------------------


@require_GET
def account_plan(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The account's plan for a period (``?period=``; default: the period of today, else the
    latest plan), or the form to start one."""
    account = account_or_404(request.user, public_id)
    if request.GET.get("start"):  # a plan for another period (or, for the lead, a new period)
        return _start_page(request, account)
    plans = account.plans.select_related("period")
    chosen = request.GET.get("period", "")
    plan = None
    if chosen.isdigit():
        plan = plans.filter(period_id=int(chosen)).first()
    else:
        today = timezone.localdate()
        plan = (
            plans.filter(period__starts_on__lte=today, period__ends_on__gte=today).first()
            or plans.order_by("-period__starts_on").first()
        )
    if plan is None:
        return _start_page(request, account)
    return _page(request, _plan(request, plan.public_id))


def _start_page(request, account, form=None, period_form=None, status=200) -> HttpResponse:
    user = request.user
    context = {
        "account": account,
        "plans": account.plans.select_related("period"),
        "can_write": can(user, CHANGE, account),
        "can_add_period": user.is_lead,
        "start_form": form or PlanStartForm(),
        "period_form": period_form or PeriodForm(),
    }
    return render(request, "plans/start.html", context, status=status)


@require_POST
def plan_start(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE)
    form = PlanStartForm(request.POST)
    return form_write(
        request,
        form,
        lambda: services.plan_create(
            account=account, period=form.cleaned_data["period"], by=request.user
        ),
        again=lambda status: _start_page(request, account, form=form, status=status),
        done=lambda plan: redirect(_plan_url(plan)),
        success=_("Plan started from the default objectives."),
    )


@require_POST
def period_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    form = PeriodForm(request.POST)
    url = reverse("plans:account_plan", kwargs={"public_id": account.public_id})
    return form_write(
        request,
        form,
        lambda: services.period_create(by=request.user, **form.cleaned_data),
        again=lambda status: _start_page(request, account, period_form=form, status=status),
        done=f"{url}?start=1",  # back to the start form, the new period offered
        success=_("Period added."),
    )


# -- sections --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, plan_id: Any, section: str) -> HttpResponse:
    """GET: the section's form in its card; POST: save it and show the card again."""
    if section not in SECTIONS:
        raise Http404
    plan = _plan(request, plan_id)
    if not can(request.user, CHANGE, plan.account):
        raise PermissionDenied(_("Mentors and readers cannot change the plan."))
    team = services.team_members(plan.account)
    if request.method == "GET":
        return _card(request, plan, section, Edit(section, _section_form(section, plan, team=team)))
    form = _section_form(section, plan, request.POST, team=team)

    def write() -> None:
        version, changes = _changes(form)
        if changes:
            services.plan_update(plan=plan, by=request.user, expected_version=version, **changes)

    # A refused card comes back as 200: HTMX swaps only a success status.
    return form_write(
        request,
        form,
        write,
        again=lambda _status: _card(request, plan, section, Edit(section, form)),
        done=lambda _result: _done(request, plan, section),
    )


# -- items -----------------------------------------------------------------------------------


def _item(plan: Plan, kind: str, item_id: Any):
    model = ITEMS[kind][0]
    if item_id is None:
        return None
    try:
        return model.objects.get(plan=plan, public_id=item_id)
    except (model.DoesNotExist, ValidationError, ValueError) as missing:
        raise Http404 from missing


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, plan_id: Any, kind: str, item_id: Any = None) -> HttpResponse:
    """Add (no ``item_id``), change or (POST ``delete``) remove a competitor, team objective or
    action; the card of its section comes back."""
    if kind not in ITEMS:
        raise Http404
    plan = _plan(request, plan_id)
    if not can(request.user, CHANGE, plan.account):
        raise PermissionDenied(_("Mentors and readers cannot change the plan."))
    _model, _form, section, create, update, delete, keyword = ITEMS[kind]
    item = _item(plan, kind, item_id)
    team = services.team_members(plan.account)
    if request.method == "GET":
        form = _item_form(kind, plan, item, team=team)
        return _card(request, plan, section, Edit(section, form, item, kind))
    form = _item_form(kind, plan, item, request.POST, team=team)
    if item is not None and "delete" in request.POST:
        version = request.POST.get("version", "")
        try:
            delete(
                **{keyword: item},
                by=request.user,
                expected_version=int(version) if version.isdigit() else None,
            )
        except ValidationError as error:
            form.is_valid()
            put_errors(form, error)
        except EditConflict as conflict:
            form.is_valid()
            _conflict(form, conflict)
        else:
            return _done(request, plan, section)
        return _card(request, plan, section, Edit(section, form, item, kind))

    def write() -> None:
        version, changes = _changes(form)
        if item is None:
            first = FIRST_FIELD[kind]
            fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            fields.pop("version", None)
            fields[first] = form.cleaned_data[first]
            create(plan=plan, by=request.user, **fields)
        elif changes:
            update(**{keyword: item}, by=request.user, expected_version=version, **changes)

    return form_write(
        request,
        form,
        write,
        again=lambda _status: _card(request, plan, section, Edit(section, form, item, kind)),
        done=lambda _result: _done(request, plan, section),
    )


# -- the customer's objectives and the opportunities (planning app) --------------------------


def _objective_create(*, account, by, description, horizon, **fields):
    return planning.objective_create(
        account=account, by=by, description=description, horizon=horizon, **fields
    )


def _opportunity_create(*, account, by, name, value, probability, **fields):
    return planning.opportunity_create(
        account=account, by=by, name=name, value=value, probability=probability, **fields
    )


# kind -> (model, form, create, update, the service's keyword, the plan's field linking it)
ACCOUNT_ITEMS = {
    "customer-objective": (
        Objective,
        CustomerObjectiveForm,
        _objective_create,
        planning.objective_update,
        "objective",
        "customer_objectives",
    ),
    "opportunity": (
        Opportunity,
        OpportunityForm,
        _opportunity_create,
        planning.opportunity_update,
        "opportunity",
        "opportunities",
    ),
}


@require_http_methods(["GET", "POST"])
def account_item_edit(
    request: HttpRequest, plan_id: Any, kind: str, item_id: Any = None
) -> HttpResponse:
    """Create (no ``item_id``) or change one of the account's customer objectives or
    opportunities from the plan page, through the planning services (the API's checks and
    refusals); a new one is linked to the plan. The "links" card comes back."""
    if kind not in ACCOUNT_ITEMS:
        raise Http404
    plan = _plan(request, plan_id)
    if not can(request.user, CHANGE, plan.account):
        raise PermissionDenied(_("Mentors and readers cannot change the plan."))
    model, form_class, create, update, keyword, link = ACCOUNT_ITEMS[kind]
    item = None
    if item_id is not None:
        try:
            item = model.objects.get(account=plan.account, public_id=item_id)
        except (model.DoesNotExist, ValidationError, ValueError) as missing:
            raise Http404 from missing
    instance = item if item is not None else model(account=plan.account)
    if request.method == "GET":
        form = form_class(instance=instance, account=plan.account)
        return _card(request, plan, "links", Edit("links", form, item, kind))
    form = form_class(request.POST, instance=instance, account=plan.account)

    def write() -> None:
        version, changes = _changes(form)
        if item is None:
            fields = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            fields.pop("version", None)
            created = create(account=plan.account, by=request.user, **fields)
            linked = [*getattr(plan, link).all(), created]
            services.plan_update(plan=plan, by=request.user, **{link: linked})
        elif changes:  # the stored row, not the form's instance it has already changed
            stored = model.objects.get(pk=item.pk)
            update(**{keyword: stored}, by=request.user, expected_version=version, **changes)

    return form_write(
        request,
        form,
        write,
        again=lambda _status: _card(request, plan, "links", Edit("links", form, item, kind)),
        done=lambda _result: _done(request, plan, "links"),
    )


# -- sign-off --------------------------------------------------------------------------------

STEPS = {
    "submit": services.plan_submit,
    "withdraw": services.plan_withdraw,
    "close": services.plan_close,
}


def _refusal_holder() -> forms.Form:
    """A bound form without fields to carry the refusal of a submit, withdraw or close (the
    sign form stays as it was)."""
    holder = forms.Form({})
    holder.is_valid()
    return holder


@require_POST
def workflow_step(request: HttpRequest, plan_id: Any, step: str) -> HttpResponse:
    """Submit, withdraw, close, choose the required signers, or sign (agree or object)."""
    plan = _plan(request, plan_id)
    form = None
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else None
    try:
        if step in STEPS:
            STEPS[step](plan=plan, by=request.user, expected_version=expected)
        elif step == "signers":
            form = SignersForm(request.POST, team=services.team_members(plan.account))
            if form.is_valid():
                services.plan_set_signers(
                    plan=plan,
                    by=request.user,
                    signers=list(form.cleaned_data["required_signers"]),
                    expected_version=expected,
                )
        elif step == "sign":
            form = SignForm(request.POST)
            if form.is_valid():
                services.plan_sign(plan=plan, by=request.user, **form.cleaned_data)
        else:
            raise Http404
    except ValidationError as error:
        form = form or _refusal_holder()
        put_errors(form, error)
    except EditConflict as conflict:
        form = form or _refusal_holder()
        _conflict(form, conflict)
    if form is not None and (form.errors or not form.is_valid()):
        context = plan_context(request, _plan(request, plan_id))
        if step == "signers":
            context["signers_form"] = form
        elif step == "sign":
            context["sign_form"] = form
        context["step_errors"] = form.non_field_errors()
        template = "plans/partials/_signoff.html" if request.htmx else "plans/plan.html"
        return render(request, template, context, status=200 if request.htmx else 422)
    if not request.htmx:
        return redirect(f"{_plan_url(plan)}#signoff")
    # The state changed: the whole page shows it (sections become editable or not).
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


# -- versions -----------------------------------------------------------------------------

SECTION_MODELS = {
    "plan": Plan,
    "competitors": Competitor,
    "team_objectives": TeamObjective,
    "actions": Action,
}


def _section_labels() -> dict[str, str]:
    return {
        "plan": _("Plan"),
        "customer_objectives": _("Customer objectives"),
        "opportunities": _("Opportunities"),
        "competitors": _("Competitors"),
        "team_objectives": _("Team objectives"),
        "actions": _("Actions"),
    }


def _worded(change) -> dict[str, Any]:
    """A change with its section and field named in the reader's language."""
    field = change.field
    label = _field_label(change.section, field) if field else ""
    values = dict(ObjectiveSource.choices) if field == "source" else {}
    return {
        "section": _section_labels().get(change.section, change.section),
        "kind": change.kind,
        "field": label,
        "item": change.item,
        "old": values.get(change.old, change.old),
        "new": values.get(change.new, change.new),
    }


@require_GET
def version_detail(request: HttpRequest, plan_id: Any, number: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    version = (
        plan.versions.select_related("submitted_by")
        .prefetch_related(Prefetch("sign_offs", SignOff.objects.select_related("member")))
        .filter(number=number)
        .first()
    )
    if version is None:
        raise Http404
    context = {
        "account": plan.account,
        "plan": plan,
        "version": version,
        "sections": _readable(version.content),
    }
    return render(request, "plans/version.html", context)


def _field_label(section: str, field: str) -> str:
    model = SECTION_MODELS.get(section)
    try:
        return str(model._meta.get_field(field).verbose_name) if model else field
    except FieldDoesNotExist:  # a field of an older content: its own name
        return field


def _readable(content: dict[str, Any]) -> list[dict[str, Any]]:
    """A version's content with its sections and fields named in the reader's language."""
    labels = _section_labels()
    out = []
    for section, body in content.items():
        if isinstance(body, dict):
            rows = [(_field_label(section, k), v) for k, v in body.items()]
            out.append({"label": labels.get(section, section), "fields": rows, "items": None})
        else:
            items = [
                {
                    "label": item.get("label"),
                    "facts": [v for k, v in item.items() if k not in ("key", "label") and v],
                }
                for item in body or []
            ]
            out.append({"label": labels.get(section, section), "fields": None, "items": items})
    return out


@require_GET
def version_diff(request: HttpRequest, plan_id: Any) -> HttpResponse:
    """What changed from one version to another (or to the working copy), field by field."""
    plan = _plan(request, plan_id)
    numbers = list(plan.versions.values_list("number", flat=True))
    older, newer = request.GET.get("older", ""), request.GET.get("newer", "")
    if not numbers:
        raise Http404
    older_n = int(older) if older.isdigit() else numbers[-1]
    newer_n = int(newer) if newer.isdigit() else None
    versions = {v.number: v for v in plan.versions.filter(number__in=[older_n, newer_n or 0])}
    if older_n not in versions or (newer_n is not None and newer_n not in versions):
        raise Http404
    after = versions[newer_n].content if newer_n else services.plan_content(plan)
    changes = [_worded(c) for c in diff_contents(versions[older_n].content, after)]
    context = {
        "account": plan.account,
        "plan": plan,
        "numbers": numbers,
        "older": older_n,
        "newer": newer_n,
        "changes": changes,
    }
    return render(request, "plans/diff.html", context)
