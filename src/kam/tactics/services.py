"""Writes to the tactics: an account's tactics and rebate agreements (its KAM, team and the
programme lead), the tiers' default tactics (the lead), and the contingency kept on the
account's plan (through the plans app's own service)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import apply_update, audit_create, audit_delete, check_fields, lock
from kam.accounts.models import Account
from kam.ledger.models import Product
from kam.selection.models import Tier
from kam.tactics.models import AccountTactic, RebateAgreement, TierTactic

TACTIC_FIELDS = (
    "status",
    "since",
    "owner",
    "terms",
    "yearly_cost",
    "people",
    "hours_per_month",
    "products",
    "goal",
)
AGREEMENT_FIELDS = ("name", "starts_on", "ends_on", "basis", "steps", "terms")
TIER_TACTIC_FIELDS = ("status", "terms", "yearly_cost")


def _full_clean(obj, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True)


@transaction.atomic
def account_tactic_create(
    *, account: Account, by, kind: str, status: str, products: Sequence[Product] = (), **fields: Any
) -> AccountTactic:
    """Record how one account gets one tactic (once per kind and account)."""
    require(by, CHANGE, account)
    check_fields(fields, TACTIC_FIELDS)
    tactic = AccountTactic(account=account, kind=kind, status=status, created_by=by, **fields)
    if AccountTactic.objects.filter(account=account, kind=kind).exists():
        raise ValidationError({"kind": _("This tactic is already recorded for the account.")})
    _full_clean(tactic)
    tactic.save()
    tactic.products.set(products)
    audit_create(by=by, obj=tactic, account=account, fields=("kind", *TACTIC_FIELDS))
    return tactic


@transaction.atomic
def account_tactic_update(
    *, tactic: AccountTactic, by, expected_version: int | None = None, **changes: Any
) -> AccountTactic:
    require(by, CHANGE, tactic.account)
    updated, _changed = apply_update(
        tactic,
        by=by,
        changes=changes,
        allowed=TACTIC_FIELDS,
        account=tactic.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def account_tactic_delete(
    *, tactic: AccountTactic, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, tactic.account)
    lock(tactic, expected_version)
    audit_delete(by=by, obj=tactic, account=tactic.account, fields=("kind", *TACTIC_FIELDS))
    tactic.delete()


@transaction.atomic
def rebate_agreement_create(
    *, account: Account, by, name: str, starts_on, ends_on, steps: list, **fields: Any
) -> RebateAgreement:
    """Record a rebate agreement; one whose period overlaps another of the account's is
    refused (``starts_on``)."""
    require(by, CHANGE, account)
    check_fields(fields, AGREEMENT_FIELDS)
    # Serialise agreements of one account, so two overlapping ones cannot both pass clean().
    Account.objects.select_for_update().filter(pk=account.pk).first()
    agreement = RebateAgreement(
        account=account,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        steps=steps,
        created_by=by,
        **fields,
    )
    _full_clean(agreement)
    agreement.save()
    audit_create(by=by, obj=agreement, account=account, fields=AGREEMENT_FIELDS)
    return agreement


@transaction.atomic
def rebate_agreement_update(
    *, agreement: RebateAgreement, by, expected_version: int | None = None, **changes: Any
) -> RebateAgreement:
    require(by, CHANGE, agreement.account)
    Account.objects.select_for_update().filter(pk=agreement.account_id).first()
    updated, _changed = apply_update(
        agreement,
        by=by,
        changes=changes,
        allowed=AGREEMENT_FIELDS,
        account=agreement.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def rebate_agreement_delete(
    *, agreement: RebateAgreement, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, agreement.account)
    lock(agreement, expected_version)
    audit_delete(by=by, obj=agreement, account=agreement.account, fields=AGREEMENT_FIELDS)
    agreement.delete()


def _require_lead(by) -> None:
    if by is not None and not (by.is_active and by.is_lead):
        raise PermissionDenied(_("Only the programme lead sets the tiers' tactics."))


@transaction.atomic
def tier_tactic_set(
    *, tier: Tier, kind: str, by, expected_version: int | None = None, **fields: Any
) -> TierTactic:
    """Set one tactic of a tier's service level (created on first use)."""
    _require_lead(by)
    check_fields(fields, TIER_TACTIC_FIELDS)
    found = TierTactic.objects.filter(tier=tier, kind=kind).first()
    if found is None:
        tactic = TierTactic(tier=tier, kind=kind, **fields)
        _full_clean(tactic)
        tactic.save()
        return tactic
    updated, _changed = apply_update(
        found,
        by=by,
        changes=fields,
        allowed=TIER_TACTIC_FIELDS,
        account=None,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def tier_tactic_delete(*, tactic: TierTactic, by, expected_version: int | None = None) -> None:
    _require_lead(by)
    lock(tactic, expected_version)
    tactic.delete()
