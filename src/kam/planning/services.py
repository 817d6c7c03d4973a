"""Writes to objectives and opportunities, checked and audited like relationship data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import (
    apply_update,
    audit_create,
    audit_delete,
    check_fields,
    lock,
)
from kam.accounts.models import Account
from kam.planning.models import Objective, Opportunity
from kam.relationships.models import Contact

OBJECTIVE_FIELDS = (
    "description",
    "horizon",
    "time_frame",
    "starts_on",
    "ends_on",
    "source_contact",
    "recorded_on",
    "status",
)
OPPORTUNITY_FIELDS = (
    "name",
    "value",
    "currency",
    "probability",
    "expected_on",
    "significant",
    "status",
    "objectives",
    "buy_in_needed_from",
)


def _same_account(account: Account, field: str, items: Sequence) -> None:
    if any(item.account_id != account.pk for item in items):
        raise ValidationError({field: _("Choose items of the same account.")})


@transaction.atomic
def objective_create(
    *,
    account: Account,
    by,
    description: str,
    horizon: str,
    today: date | None = None,
    **fields: Any,
) -> Objective:
    """Record a business objective the customer told us about."""
    require(by, CHANGE, account)
    check_fields(fields, OBJECTIVE_FIELDS)
    fields.setdefault("recorded_on", today or timezone.localdate())
    objective = Objective(
        account=account,
        description=description,
        horizon=horizon,
        recorded_by=by,
        created_by=by,
        **fields,
    )
    objective.full_clean()
    objective.save()
    audit_create(by=by, obj=objective, account=account, fields=OBJECTIVE_FIELDS)
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    by,
    expected_version: int | None = None,
    expected_updated_at=None,
    **changes: Any,
):
    require(by, CHANGE, objective.account)
    updated, _changed = apply_update(
        objective,
        by=by,
        changes=changes,
        allowed=OBJECTIVE_FIELDS,
        account=objective.account,
        expected_version=expected_version,
        expected_updated_at=expected_updated_at,
    )
    return updated


@transaction.atomic
def objective_delete(*, objective: Objective, by, expected_version: int | None = None) -> None:
    require(by, CHANGE, objective.account)
    lock(objective, expected_version)
    audit_delete(by=by, obj=objective, account=objective.account, fields=OBJECTIVE_FIELDS)
    objective.delete()


@transaction.atomic
def opportunity_create(
    *,
    account: Account,
    by,
    name: str,
    value,
    probability: int,
    objectives: Sequence[Objective] = (),
    buy_in_needed_from: Sequence[Contact] = (),
    **fields: Any,
) -> Opportunity:
    """Record an opportunity with the objectives it serves and whose buy-in it needs."""
    require(by, CHANGE, account)
    check_fields(fields, OPPORTUNITY_FIELDS)
    _same_account(account, "objectives", objectives)
    _same_account(account, "buy_in_needed_from", buy_in_needed_from)
    fields.setdefault("currency", account.currency)
    opportunity = Opportunity(
        account=account,
        name=name,
        value=value,
        probability=probability,
        created_by=by,
        **fields,
    )
    opportunity.full_clean()
    opportunity.save()
    opportunity.objectives.set(objectives)
    opportunity.buy_in_needed_from.set(buy_in_needed_from)
    audit_create(by=by, obj=opportunity, account=account, fields=OPPORTUNITY_FIELDS)
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    by,
    expected_version: int | None = None,
    expected_updated_at=None,
    **changes: Any,
) -> Opportunity:
    require(by, CHANGE, opportunity.account)
    for field in ("objectives", "buy_in_needed_from"):
        if field in changes:
            _same_account(opportunity.account, field, changes[field])
    updated, _changed = apply_update(
        opportunity,
        by=by,
        changes=changes,
        allowed=OPPORTUNITY_FIELDS,
        account=opportunity.account,
        expected_version=expected_version,
        expected_updated_at=expected_updated_at,
    )
    return updated


@transaction.atomic
def opportunity_delete(
    *, opportunity: Opportunity, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, opportunity.account)
    lock(opportunity, expected_version)
    audit_delete(by=by, obj=opportunity, account=opportunity.account, fields=OPPORTUNITY_FIELDS)
    opportunity.delete()
