"""The planning API at /api/v1/planning: objectives, opportunities, and result horizons.

Same rules as the relationships API: 404 outside the caller's accounts, 403 for a mentor's
write, 422 naming the field. No ``from __future__ import annotations`` (ninja)."""

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.accounts.models import Account
from kam.api.fields import Day
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    account_filter,
    empty_if_hidden,
    expected_version,
    field_error,
    service_errors,
    version_to_delete,
    visible_object,
)
from kam.planning import queries, services
from kam.planning.models import Objective, Opportunity
from kam.planning.schemas import (
    HorizonOut,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
)
from kam.relationships.lookups import contact_of, contacts_of

router = Router(tags=["planning"])


def _objective(request: HttpRequest, objective_id: UUID) -> Objective:
    return visible_object(
        request, Objective.objects.select_related("account", "source_contact"), objective_id
    )


def _opportunity(request: HttpRequest, opportunity_id: UUID) -> Opportunity:
    return visible_object(
        request,
        Opportunity.objects.select_related("account").prefetch_related(
            "objectives", "buy_in_needed_from"
        ),
        opportunity_id,
    )


def _objectives_of(account: Account, public_ids: list[UUID]) -> list[Objective]:
    wanted = list(dict.fromkeys(public_ids))
    found = {
        o.public_id: o for o in Objective.objects.filter(account=account, public_id__in=wanted)
    }
    missing = [str(p) for p in wanted if p not in found]
    if missing:
        raise field_error(
            "objectives",
            _("No objective of this account has these ids: %(ids)s") % {"ids": missing},
        )
    return [found[p] for p in wanted]


@router.get("/objectives", response=list[ObjectiveOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def objective_list(request: HttpRequest, account: UUID | None = None):
    return queries.objectives_for(user=request.auth, account=account_filter(request, account))


@router.post("/objectives", response={201: ObjectiveOut})
@service_errors
def objective_create(request: HttpRequest, payload: ObjectiveIn):
    account = account_or_404(request.auth, payload.account)
    fields = payload.dict(
        exclude={"account", "description", "horizon", "source_contact", "recorded_on"}
    )
    if payload.recorded_on is not None:
        fields["recorded_on"] = payload.recorded_on
    objective = services.objective_create(
        account=account,
        by=request.auth,
        description=payload.description,
        horizon=payload.horizon,
        source_contact=contact_of(account, payload.source_contact, "source_contact"),
        **fields,
    )
    return Status(201, _objective(request, objective.public_id))


@router.get("/objectives/{uuid:objective_id}", response=ObjectiveOut)
def objective_detail(request: HttpRequest, objective_id: UUID):
    return _objective(request, objective_id)


@router.patch("/objectives/{uuid:objective_id}", response=ObjectiveOut)
@service_errors
def objective_update(request: HttpRequest, objective_id: UUID, payload: ObjectivePatch):
    objective = _objective(request, objective_id)
    changes = payload.dict(exclude_unset=True)
    seen_at = changes.pop("expected_updated_at", None)
    expected = expected_version(request, changes)
    if "source_contact" in changes:
        changes["source_contact"] = contact_of(
            objective.account, changes["source_contact"], "source_contact"
        )
    services.objective_update(
        objective=objective,
        by=request.auth,
        expected_version=expected,
        expected_updated_at=seen_at,
        **changes,
    )
    return _objective(request, objective_id)


@router.delete("/objectives/{uuid:objective_id}", response={204: None})
@service_errors
def objective_delete(request: HttpRequest, objective_id: UUID, version: int | None = None):
    services.objective_delete(
        objective=_objective(request, objective_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/opportunities", response=list[OpportunityOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def opportunity_list(request: HttpRequest, account: UUID | None = None):
    return queries.opportunities_for(user=request.auth, account=account_filter(request, account))


@router.post("/opportunities", response={201: OpportunityOut})
@service_errors
def opportunity_create(request: HttpRequest, payload: OpportunityIn):
    account = account_or_404(request.auth, payload.account)
    fields = payload.dict(
        exclude={"account", "name", "value", "probability", "objectives", "buy_in_needed_from"}
    )
    if not fields.get("currency"):
        fields.pop("currency", None)
    opportunity = services.opportunity_create(
        account=account,
        by=request.auth,
        name=payload.name,
        value=payload.value,
        probability=payload.probability,
        objectives=_objectives_of(account, payload.objectives),
        buy_in_needed_from=contacts_of(account, payload.buy_in_needed_from, "buy_in_needed_from"),
        **fields,
    )
    return Status(201, _opportunity(request, opportunity.public_id))


@router.get("/opportunities/{uuid:opportunity_id}", response=OpportunityOut)
def opportunity_detail(request: HttpRequest, opportunity_id: UUID):
    return _opportunity(request, opportunity_id)


@router.patch("/opportunities/{uuid:opportunity_id}", response=OpportunityOut)
@service_errors
def opportunity_update(request: HttpRequest, opportunity_id: UUID, payload: OpportunityPatch):
    opportunity = _opportunity(request, opportunity_id)
    account = opportunity.account
    changes = payload.dict(exclude_unset=True)
    seen_at = changes.pop("expected_updated_at", None)
    expected = expected_version(request, changes)
    if "objectives" in changes:
        changes["objectives"] = _objectives_of(account, changes["objectives"] or [])
    if "buy_in_needed_from" in changes:
        changes["buy_in_needed_from"] = contacts_of(
            account, changes["buy_in_needed_from"] or [], "buy_in_needed_from"
        )
    services.opportunity_update(
        opportunity=opportunity,
        by=request.auth,
        expected_version=expected,
        expected_updated_at=seen_at,
        **changes,
    )
    return _opportunity(request, opportunity_id)


@router.delete("/opportunities/{uuid:opportunity_id}", response={204: None})
@service_errors
def opportunity_delete(request: HttpRequest, opportunity_id: UUID, version: int | None = None):
    services.opportunity_delete(
        opportunity=_opportunity(request, opportunity_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/horizons", response=list[HorizonOut])
def horizons(request: HttpRequest, account: UUID | None = None, today: Day | None = None):
    """Open opportunities by when results are expected: 0-3, 3-6, 6-12, 12+ months, undated.
    Without ``account``: every account the caller may see."""
    found = account_or_404(request.auth, account) if account is not None else None
    return queries.opportunities_by_horizon(
        user=request.auth, today=today or timezone.localdate(), account=found
    )
