"""Writes of the selection: ratings, tier overrides, costs to serve, the programme settings."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import OVERRIDE_TIER, SET_COST, require
from kam.accounts.audit import audit, diff, field_values
from kam.accounts.models import Account, AuditAction
from kam.core.versions import check_version
from kam.selection import adapters, criteria
from kam.selection.models import (
    CostToServe,
    Rating,
    SelectionCriterion,
    Tier,
    TierOverride,
    TierScheme,
)
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
    require(by, OVERRIDE_TIER, account)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the tier is overridden.")})
    scheme = TierScheme.objects.get(active=True)
    if tier_code and not Tier.objects.filter(scheme=scheme, code=tier_code).exists():
        raise ValidationError({"tier_code": _("No such tier in the active scheme.")})
    return TierOverride.objects.create(
        account=account, tier_code=tier_code, reason=reason, by=by, at=timezone.now()
    )


def tier_override_clear(*, account: Account, reason: str, by) -> TierOverride:
    require(by, OVERRIDE_TIER, account)
    return TierOverride.objects.create(
        account=account,
        cleared=True,
        reason=reason or _("Override cleared"),
        by=by,
        at=timezone.now(),
    )


def cost_to_serve_set(*, account: Account, amount: Decimal, note: str = "", by) -> CostToServe:
    require(by, SET_COST, account)
    if amount < 0:
        raise ValidationError({"amount": _("A cost cannot be negative.")})
    return CostToServe.objects.create(
        account=account, amount=amount, note=note, set_by=by, set_at=timezone.now()
    )


@transaction.atomic
def scheme_activate(*, scheme: TierScheme, by) -> TierScheme:
    if not by.is_lead:
        raise PermissionDenied(_("Only the programme lead changes the tier scheme."))
    bump = {"version": F("version") + 1, "updated_at": timezone.now(), "updated_by": by}
    TierScheme.objects.filter(active=True).exclude(pk=scheme.pk).update(active=False, **bump)
    TierScheme.objects.filter(pk=scheme.pk, active=False).update(active=True, **bump)
    scheme.refresh_from_db()
    return scheme


CRITERION_FIELDS = ("weight", "direction", "normalisation", "thresholds", "bound_low", "bound_high")


@transaction.atomic
def criterion_update(
    *, key: str, by, expected_version: int | None = None, **changes
) -> SelectionCriterion:
    """Change a criterion's weight or normalisation, checked against the version the lead
    read (None: last write wins) and by the scoring module's own checks; what changed goes
    to the audit trail. The API and the settings page both call it."""
    if not by.is_lead:
        raise PermissionDenied(_("Only the programme lead changes the criteria."))
    unknown = sorted(set(changes) - set(CRITERION_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    try:
        row = SelectionCriterion.objects.select_for_update().get(key=key)
    except SelectionCriterion.DoesNotExist as missing:
        raise Http404 from missing
    check_version(row, expected_version)
    before = field_values(row, changes)
    for name, value in changes.items():
        setattr(row, name, value)
    row.full_clean()
    try:
        adapters.to_criteria([row])  # the scoring module's own checks (thresholds, bounds)
    except ValueError as error:
        raise _criterion_problem(str(error)) from error
    row.touch(by)
    row.save()
    changed = diff(before, field_values(row, changes))
    if changed:  # the programme's, not an account's: an entry without an account
        audit(by=by, action=AuditAction.UPDATE, obj=row, account=None, changes=changed)
    return row


def _criterion_problem(message: str) -> ValidationError:
    """The scoring module's refusal (plain English, no Django) in the reader's language, on
    the field it is about; one it does not know stays as it is."""
    problems = {
        "a weight must be": ("weight", _("Enter a weight of zero or more.")),
        "bounds must be": ("bound_high", _("The upper bound must be above the lower bound.")),
        "needs at least one step": (
            "thresholds",
            _("Threshold normalisation needs at least one step."),
        ),
        "share the same threshold": ("thresholds", _("Two steps have the same value.")),
        "between 0 and 100": ("thresholds", _("Points must be between 0 and 100.")),
        "must not fall": (
            "thresholds",
            _("Higher is better here: the points must not fall as the value rises."),
        ),
        "must not rise": (
            "thresholds",
            _("Lower is better here: the points must not rise as the value rises."),
        ),
    }
    for words, (field, worded) in problems.items():
        if words in message:
            return ValidationError({field: worded})
    return ValidationError(message)
