"""The plan API at /api/v1/plans: periods, plans, their versions and diff, team objectives,
actions, competitors and the team's sign-off.

Same rules as the other apps: 404 outside the caller's accounts, 403 for a role that may not
(a mentor's write, a non-member's sign-off), 422 naming the field, 409 on a stale version
(``version`` in the body or ``If-Match``). No ``from __future__ import annotations`` (ninja).
"""

from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    account_filter,
    empty_if_hidden,
    expected_version,
    field_error,
    users_named,
    version_to_delete,
)
from kam.core.models import Period
from kam.planning.models import Objective, Opportunity
from kam.plans import services
from kam.plans.diff import diff_contents
from kam.plans.models import (
    Action,
    Competitor,
    ObjectiveSource,
    Plan,
    PlanVersion,
    SignOff,
    TeamObjective,
)
from kam.plans.objective_values import computed_values
from kam.plans.schemas_plan import (
    ActionIn,
    ActionOut,
    ActionPatch,
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    DiffOut,
    PeriodIn,
    PeriodOut,
    PeriodPatch,
    PlanIn,
    PlanOut,
    PlanPatch,
    SignersIn,
    SignIn,
    SignOffOut,
    StepIn,
    TeamObjectiveIn,
    TeamObjectiveOut,
    TeamObjectivePatch,
    VersionDetailOut,
    VersionOut,
)
from kam.relationships.lookups import contact_of

router = Router(tags=["plans"])

PLAN_ROWS = Plan.objects.select_related(
    "account", "period", "in_force", "contingency_owner"
).prefetch_related("customer_objectives", "opportunities", "required_signers")


# -- lookups ---------------------------------------------------------------------------------


def _period(period_id: int) -> Period:
    try:
        return Period.objects.get(pk=period_id)
    except Period.DoesNotExist as missing:
        raise Http404 from missing


def _plan(request: HttpRequest, plan_id: UUID) -> Plan:
    try:
        return PLAN_ROWS.visible_to(request.auth).get(public_id=plan_id)
    except Plan.DoesNotExist as missing:
        raise Http404 from missing


def _visible_plans(request: HttpRequest):
    return Plan.objects.visible_to(request.auth)


def _child(request: HttpRequest, model, public_id: UUID):
    try:
        return model.objects.select_related("plan__account", "plan__period").get(
            public_id=public_id, plan__in=_visible_plans(request)
        )
    except model.DoesNotExist as missing:
        raise Http404 from missing


def _action(request: HttpRequest, action_id: UUID) -> Action:
    try:
        return (
            Action.objects.visible_to(request.auth)
            .select_related("plan__account", "plan__period", "owner", "objective")
            .select_related("opportunity", "contact")
            .get(public_id=action_id)
        )
    except Action.DoesNotExist as missing:
        raise Http404 from missing


def _member(plan: Plan, username: str | None, field: str):
    if username is None:
        return None
    return users_named([username], field)[0]


def _of_account(model, plan: Plan, public_ids, field: str) -> list:
    wanted = list(dict.fromkeys(public_ids or []))
    found = {
        o.public_id: o for o in model.objects.filter(account=plan.account_id, public_id__in=wanted)
    }
    missing = [str(p) for p in wanted if p not in found]
    if missing:
        raise field_error(
            field, _("Nothing of this account has these ids: %(ids)s") % {"ids": missing}
        )
    return [found[p] for p in wanted]


def _team_objective(plan: Plan, public_id: UUID | None):
    if public_id is None:
        return None
    found = plan.team_objectives.filter(public_id=public_id).first()
    if found is None:
        raise field_error("objective", _("No team objective of this plan has this id."))
    return found


def _with_values(plan: Plan, objectives: list[TeamObjective]) -> list[TeamObjective]:
    sources = {o.source for o in objectives if o.source != ObjectiveSource.MANUAL}
    values = computed_values(plan, sources, timezone.localdate()) if sources else {}
    for objective in objectives:
        objective.computed = values.get(objective.source)
    return objectives


# -- periods ---------------------------------------------------------------------------------


@router.get("/periods", response=list[PeriodOut])
@paginate(LimitOffsetPagination)
def period_list(request: HttpRequest):
    return Period.objects.order_by("-starts_on", "name")


@router.post("/periods", response={201: PeriodOut})
def period_create(request: HttpRequest, payload: PeriodIn):
    return Status(201, services.period_create(by=request.auth, **payload.dict()))


@router.get("/periods/{int:period_id}", response=PeriodOut)
def period_detail(request: HttpRequest, period_id: int):
    return _period(period_id)


@router.patch("/periods/{int:period_id}", response=PeriodOut)
def period_update(request: HttpRequest, period_id: int, payload: PeriodPatch):
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    return services.period_update(
        period=_period(period_id), by=request.auth, expected_version=expected, **changes
    )


@router.delete("/periods/{int:period_id}", response={204: None})
def period_delete(request: HttpRequest, period_id: int, version: int | None = None):
    services.period_delete(
        period=_period(period_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# -- plans -----------------------------------------------------------------------------------


@router.get("", response=list[PlanOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def plan_list(request: HttpRequest, account: UUID | None = None, period: int | None = None):
    rows = PLAN_ROWS.visible_to(request.auth)
    found = account_filter(request, account)
    if found is not None:
        rows = rows.filter(account=found)
    if period is not None:
        rows = rows.filter(period_id=period)
    return rows.order_by("account__name", "-period__starts_on", "pk")


@router.post("", response={201: PlanOut})
def plan_create(request: HttpRequest, payload: PlanIn):
    account = account_or_404(request.auth, payload.account)
    try:
        period = Period.objects.get(pk=payload.period)
    except Period.DoesNotExist:
        raise field_error("period", _("No period has this id.")) from None
    plan = services.plan_create(
        account=account, period=period, by=request.auth, with_template=payload.with_template
    )
    return Status(201, _plan(request, plan.public_id))


@router.get("/{uuid:plan_id}", response=PlanOut)
def plan_detail(request: HttpRequest, plan_id: UUID):
    return _plan(request, plan_id)


@router.patch("/{uuid:plan_id}", response=PlanOut)
def plan_update(request: HttpRequest, plan_id: UUID, payload: PlanPatch):
    plan = _plan(request, plan_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    if "contingency_owner" in changes:
        changes["contingency_owner"] = _member(
            plan, changes["contingency_owner"], "contingency_owner"
        )
    if "customer_objectives" in changes:
        changes["customer_objectives"] = _of_account(
            Objective, plan, changes["customer_objectives"], "customer_objectives"
        )
    if "opportunities" in changes:
        changes["opportunities"] = _of_account(
            Opportunity, plan, changes["opportunities"], "opportunities"
        )
    services.plan_update(plan=plan, by=request.auth, expected_version=expected, **changes)
    return _plan(request, plan_id)


@router.put("/{uuid:plan_id}/signers", response=PlanOut)
def plan_signers(request: HttpRequest, plan_id: UUID, payload: SignersIn):
    """The team members whose agreement is required (the KAM or the lead chooses)."""
    plan = _plan(request, plan_id)
    changes = payload.dict()
    expected = expected_version(request, changes)
    services.plan_set_signers(
        plan=plan,
        by=request.auth,
        signers=users_named(payload.required_signers, "required_signers"),
        expected_version=expected,
    )
    return _plan(request, plan_id)


@router.post("/{uuid:plan_id}/submit", response={201: VersionOut})
def plan_submit(request: HttpRequest, plan_id: UUID, payload: StepIn):
    """Submit the working copy for the team's agreement: it becomes a numbered version."""
    plan = _plan(request, plan_id)
    expected = expected_version(request, payload.dict())
    version = services.plan_submit(plan=plan, by=request.auth, expected_version=expected)
    return Status(201, _version(plan, version.number))


@router.post("/{uuid:plan_id}/withdraw", response=PlanOut)
def plan_withdraw(request: HttpRequest, plan_id: UUID, payload: StepIn):
    plan = _plan(request, plan_id)
    expected = expected_version(request, payload.dict())
    services.plan_withdraw(plan=plan, by=request.auth, expected_version=expected)
    return _plan(request, plan_id)


@router.post("/{uuid:plan_id}/close", response=PlanOut)
def plan_close(request: HttpRequest, plan_id: UUID, payload: StepIn):
    plan = _plan(request, plan_id)
    expected = expected_version(request, payload.dict())
    services.plan_close(plan=plan, by=request.auth, expected_version=expected)
    return _plan(request, plan_id)


@router.post("/{uuid:plan_id}/sign-offs", response=SignOffOut)
def plan_sign(request: HttpRequest, plan_id: UUID, payload: SignIn):
    """The caller agrees to the version waiting for agreement, or objects with a comment."""
    plan = _plan(request, plan_id)
    sign_off = services.plan_sign(
        plan=plan, by=request.auth, decision=payload.decision, comment=payload.comment
    )
    return SignOff.objects.select_related("member").get(pk=sign_off.pk)


# -- versions --------------------------------------------------------------------------------


def _versions(plan: Plan):
    return plan.versions.select_related("submitted_by").prefetch_related(
        Prefetch("sign_offs", SignOff.objects.select_related("member"))
    )


def _version(plan: Plan, number: int) -> PlanVersion:
    found = _versions(plan).filter(number=number).first()
    if found is None:
        raise Http404
    return found


@router.get("/{uuid:plan_id}/versions", response=list[VersionOut])
def version_list(request: HttpRequest, plan_id: UUID):
    return list(_versions(_plan(request, plan_id)))


@router.get("/{uuid:plan_id}/versions/{int:number}", response=VersionDetailOut)
def version_detail(request: HttpRequest, plan_id: UUID, number: int):
    return _version(_plan(request, plan_id), number)


@router.get("/{uuid:plan_id}/diff", response=DiffOut)
def version_diff(request: HttpRequest, plan_id: UUID, older: int, newer: int | None = None):
    """What changed from version ``older`` to version ``newer`` (left out: the working copy),
    field by field."""
    plan = _plan(request, plan_id)
    before = _version(plan, older).content
    after = _version(plan, newer).content if newer is not None else services.plan_content(plan)
    return {"older": older, "newer": newer, "changes": diff_contents(before, after)}


# -- competitors -----------------------------------------------------------------------------


@router.get("/{uuid:plan_id}/competitors", response=list[CompetitorOut])
def competitor_list(request: HttpRequest, plan_id: UUID):
    return list(_plan(request, plan_id).competitors.select_related("plan"))


@router.post("/{uuid:plan_id}/competitors", response={201: CompetitorOut})
def competitor_create(request: HttpRequest, plan_id: UUID, payload: CompetitorIn):
    plan = _plan(request, plan_id)
    competitor = services.competitor_create(plan=plan, by=request.auth, **payload.dict())
    return Status(201, _child(request, Competitor, competitor.public_id))


@router.get("/competitors/{uuid:competitor_id}", response=CompetitorOut)
def competitor_detail(request: HttpRequest, competitor_id: UUID):
    return _child(request, Competitor, competitor_id)


@router.patch("/competitors/{uuid:competitor_id}", response=CompetitorOut)
def competitor_update(request: HttpRequest, competitor_id: UUID, payload: CompetitorPatch):
    competitor = _child(request, Competitor, competitor_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    services.competitor_update(
        competitor=competitor, by=request.auth, expected_version=expected, **changes
    )
    return _child(request, Competitor, competitor_id)


@router.delete("/competitors/{uuid:competitor_id}", response={204: None})
def competitor_delete(request: HttpRequest, competitor_id: UUID, version: int | None = None):
    services.competitor_delete(
        competitor=_child(request, Competitor, competitor_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# -- team objectives -------------------------------------------------------------------------


def _one_objective(request: HttpRequest, public_id: UUID) -> TeamObjective:
    objective = _child(request, TeamObjective, public_id)
    return _with_values(objective.plan, [objective])[0]


@router.get("/{uuid:plan_id}/team-objectives", response=list[TeamObjectiveOut])
def team_objective_list(request: HttpRequest, plan_id: UUID):
    plan = _plan(request, plan_id)
    return _with_values(plan, list(plan.team_objectives.select_related("plan")))


@router.post("/{uuid:plan_id}/team-objectives", response={201: TeamObjectiveOut})
def team_objective_create(request: HttpRequest, plan_id: UUID, payload: TeamObjectiveIn):
    plan = _plan(request, plan_id)
    fields = payload.dict(exclude={"title"})
    if fields.get("order") is None:
        fields.pop("order", None)
    objective = services.team_objective_create(
        plan=plan, by=request.auth, title=payload.title, **fields
    )
    return Status(201, _one_objective(request, objective.public_id))


@router.get("/team-objectives/{uuid:team_objective_id}", response=TeamObjectiveOut)
def team_objective_detail(request: HttpRequest, team_objective_id: UUID):
    return _one_objective(request, team_objective_id)


@router.patch("/team-objectives/{uuid:team_objective_id}", response=TeamObjectiveOut)
def team_objective_update(
    request: HttpRequest, team_objective_id: UUID, payload: TeamObjectivePatch
):
    objective = _child(request, TeamObjective, team_objective_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    services.team_objective_update(
        objective=objective, by=request.auth, expected_version=expected, **changes
    )
    return _one_objective(request, team_objective_id)


@router.delete("/team-objectives/{uuid:team_objective_id}", response={204: None})
def team_objective_delete(
    request: HttpRequest, team_objective_id: UUID, version: int | None = None
):
    services.team_objective_delete(
        objective=_child(request, TeamObjective, team_objective_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# -- actions ---------------------------------------------------------------------------------


def _action_fields(plan: Plan, changes: dict) -> dict:
    if "owner" in changes:
        changes["owner"] = _member(plan, changes["owner"], "owner")
    if "objective" in changes:
        changes["objective"] = _team_objective(plan, changes["objective"])
    if "opportunity" in changes:
        found = _of_account(
            Opportunity,
            plan,
            [changes["opportunity"]] if changes["opportunity"] else [],
            "opportunity",
        )
        changes["opportunity"] = found[0] if found else None
    if "contact" in changes:
        changes["contact"] = contact_of(plan.account, changes["contact"], "contact")
    return changes


@router.get("/{uuid:plan_id}/actions", response=list[ActionOut])
@paginate(LimitOffsetPagination)
def action_list(request: HttpRequest, plan_id: UUID):
    plan = _plan(request, plan_id)
    return plan.actions.select_related(
        "plan", "owner", "objective", "opportunity", "contact"
    ).order_by("due_on", "pk")


@router.post("/{uuid:plan_id}/actions", response={201: ActionOut})
def action_create(request: HttpRequest, plan_id: UUID, payload: ActionIn):
    plan = _plan(request, plan_id)
    fields = _action_fields(plan, payload.dict(exclude={"what"}))
    action = services.action_create(plan=plan, by=request.auth, what=payload.what, **fields)
    return Status(201, _action(request, action.public_id))


@router.get("/actions/{uuid:action_id}", response=ActionOut)
def action_detail(request: HttpRequest, action_id: UUID):
    return _action(request, action_id)


@router.patch("/actions/{uuid:action_id}", response=ActionOut)
def action_update(request: HttpRequest, action_id: UUID, payload: ActionPatch):
    action = _action(request, action_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    changes = _action_fields(action.plan, changes)
    services.action_update(action=action, by=request.auth, expected_version=expected, **changes)
    return _action(request, action_id)


@router.delete("/actions/{uuid:action_id}", response={204: None})
def action_delete(request: HttpRequest, action_id: UUID, version: int | None = None):
    services.action_delete(
        action=_action(request, action_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)
