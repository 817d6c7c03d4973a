"""Writes of the selection: ratings, tier overrides, costs to serve, the programme settings."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.selection import criteria
from kam.selection.models import CostToServe, Rating, Tier, TierOverride, TierScheme
from kam.selection.queries import can_rate

SCALES = {
    "credit_rating": (Decimal(1), Decimal(4)),
    "wants_key": (Decimal(0), Decimal(1)),
}
DEFAULT_SCALE = (Decimal(1), Decimal(5))


def rating_record(*, account: Account, key: str, value: Decimal, note: str = "", by) -> Rating:
    """Record a rating; the latest one counts at the next scoring, the older ones stay."""
    if not can_rate(by, account):
        raise PermissionDenied(_("Only the account's team and the programme lead rate it."))
    if key not in criteria.RATED:
        raise ValidationError({"key": _("Not a rated criterion.")})
    if key != "wallet":
        low, high = SCALES.get(key, DEFAULT_SCALE)
        if not low <= value <= high:
            raise ValidationError(
                {"value": _("Enter a value from %(low)s to %(high)s.") % {"low": low, "high": high}}
            )
    elif value < 0:
        raise ValidationError({"value": _("The wallet cannot be negative.")})
    rating = Rating(
        account=account, key=key, value=value, note=note, rated_by=by, rated_at=timezone.now()
    )
    rating.full_clean()
    rating.save()
    return rating


@transaction.atomic
def tier_override_set(*, account: Account, tier_code: str, reason: str, by) -> TierOverride:
    """Put the account in a tier of the active scheme ('' for no tier) until cleared."""
    if not by.is_lead:
        raise PermissionDenied(_("Only the programme lead overrides tiers."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the tier is overridden.")})
    scheme = TierScheme.objects.get(active=True)
    if tier_code and not Tier.objects.filter(scheme=scheme, code=tier_code).exists():
        raise ValidationError({"tier_code": _("No such tier in the active scheme.")})
    return TierOverride.objects.create(
        account=account, tier_code=tier_code, reason=reason, by=by, at=timezone.now()
    )


def tier_override_clear(*, account: Account, reason: str, by) -> TierOverride:
    if not by.is_lead:
        raise PermissionDenied(_("Only the programme lead overrides tiers."))
    return TierOverride.objects.create(
        account=account,
        cleared=True,
        reason=reason or _("Override cleared"),
        by=by,
        at=timezone.now(),
    )


def cost_to_serve_set(*, account: Account, amount: Decimal, note: str = "", by) -> CostToServe:
    if not (by.is_lead or account.owner_id == by.pk):
        raise PermissionDenied(
            _("Only the account's KAM and the programme lead set its cost to serve.")
        )
    if amount < 0:
        raise ValidationError({"amount": _("A cost cannot be negative.")})
    return CostToServe.objects.create(
        account=account, amount=amount, note=note, set_by=by, set_at=timezone.now()
    )


@transaction.atomic
def scheme_activate(*, scheme: TierScheme, by) -> TierScheme:
    if not by.is_lead:
        raise PermissionDenied(_("Only the programme lead changes the tier scheme."))
    TierScheme.objects.filter(active=True).exclude(pk=scheme.pk).update(active=False)
    TierScheme.objects.filter(pk=scheme.pk).update(active=True)
    scheme.refresh_from_db()
    return scheme
