"""Writes to customer accounts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account, MentorAssignment, Stage, StageChange, TeamMembership
from kam.core.currencies import CURRENCIES

# The audit trail still lives with relationships; it is moving to the accounts app.
from kam.relationships.services._common import (
    apply_update,
    audit_create,
    audit_delete,
    check_fields,
)


class StageConflict(Exception):
    """Someone else changed the stage since the user loaded the page."""


@transaction.atomic
def account_stage_change(
    *, account: Account, to_stage: str, by, expected_stage: str | None = None, note: str = ""
) -> StageChange:
    """Move the account to ``to_stage`` and record the change in its history.

    ``expected_stage`` is the stage the user saw; if another change landed in between, the
    update matches no row and StageConflict is raised instead of silently overwriting it.
    """
    if not account.can_change_stage(by):
        raise PermissionDenied(_("Only the account's key account manager can change its stage."))
    check_storable({"to_stage": to_stage, "note": note})
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    seen = expected_stage if expected_stage is not None else account.stage
    if to_stage == seen:
        raise ValidationError({"to_stage": _("The account is already at this stage.")})
    now = timezone.now()
    updated = Account.objects.filter(pk=account.pk, stage=seen).update(
        stage=to_stage, updated_at=now
    )
    if updated != 1:
        raise StageConflict(_("The stage was changed by someone else; reload and try again."))
    change = StageChange.objects.create(
        account=account,
        from_stage=seen,
        to_stage=to_stage,
        changed_by=by,
        changed_at=now,
        note=note,
    )
    account.stage = to_stage
    return change


# --- accounts, their teams and mentors (the admin's writes, for the API) --------------------
# Who may do what follows the admin and the pages: only the programme lead enters the admin,
# so only the lead creates and edits accounts and assigns mentors; the account's KAM and the
# lead run its team (the KAM already moves its stage). Mentors and team members only read.

ACCOUNT_FIELDS = ("code", "name", "country", "currency", "industry", "coverage", "parent", "owner")
TEAM_FIELDS = ("user", "role", "since")
MENTOR_FIELDS = ("mentor", "since")


# ``by=None`` is a trusted system job (an import, the demo), as in the relationship services.


def _require_lead(by) -> None:
    if by is not None and not (by.is_active and by.is_lead):
        raise PermissionDenied(_("Only the programme lead can create or edit accounts."))


def _require_team_manager(by, account: Account) -> None:
    if by is not None and not account.can_manage_team(by):
        raise PermissionDenied(
            _("Only the account's key account manager and the programme lead can change its team.")
        )


def _require_mentor_manager(by) -> None:
    if by is not None and not (by.is_active and by.is_lead):
        raise PermissionDenied(_("Only the programme lead can assign mentors."))


def _check_account_fields(fields: dict[str, Any], account: Account | None = None) -> None:
    """What the model cannot say alone: a known currency, a KAM who is one, no parent loop."""
    from kam.users.models import Role

    errors: dict[str, str] = {}
    currency = fields.get("currency")
    if currency is not None and currency not in CURRENCIES:
        errors["currency"] = _("Unknown currency %(code)s: give an ISO 4217 code, e.g. IDR.") % {
            "code": currency
        }
    owner = fields.get("owner")
    if owner is not None and not (owner.is_active and owner.role == Role.KEY_ACCOUNT_MANAGER):
        errors["owner"] = _("%(user)s is not an active key account manager.") % {
            "user": owner.username
        }
    parent = fields.get("parent")
    if parent is not None and account is not None and account.pk is not None:
        seen, current = {account.pk}, parent
        while current is not None:
            if current.pk in seen:
                errors["parent"] = _("The parents of this account would go round in a loop.")
                break
            seen.add(current.pk)
            current = current.parent
    if errors:
        raise ValidationError(errors)


def storable(text: str) -> bool:
    """Whether the database can keep ``text``: PostgreSQL refuses NUL, UTF-8 a lone
    surrogate (both reach us from JSON as escapes)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_storable(fields: dict[str, Any]) -> None:
    """A 422 on each text field the database could not keep, instead of a server error."""
    errors = {
        name: _("This text holds a character that cannot be stored (NUL or a lone surrogate).")
        for name, value in fields.items()
        if isinstance(value, str) and not storable(value)
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def account_create(*, by, code: str, name: str, **fields: Any) -> Account:
    """A new customer account (the programme lead only, as in the admin)."""
    _require_lead(by)
    check_fields(fields, ACCOUNT_FIELDS)
    check_storable({"code": code, "name": name, **fields})
    _check_account_fields(fields)
    account = Account(code=code, name=name, **fields)
    account.full_clean()
    _save_unique(account)
    audit_create(by=by, obj=account, account=account, fields=ACCOUNT_FIELDS)
    return account


@transaction.atomic
def account_update(
    *, account: Account, by, expected_updated_at: datetime | None = None, **changes: Any
) -> Account:
    """Change an account's fields (the programme lead only); the stage has its own service."""
    _require_lead(by)
    check_fields(changes, ACCOUNT_FIELDS)
    check_storable(changes)
    _check_account_fields(changes, account)
    try:
        with transaction.atomic():
            updated, _changed = apply_update(
                account,
                by=by,
                changes=changes,
                allowed=ACCOUNT_FIELDS,
                account=account,
                expected_updated_at=expected_updated_at,
            )
    except IntegrityError as error:
        raise _duplicate_code() from error
    return updated


def _save_unique(account: Account) -> None:
    # full_clean has checked the customer number; a concurrent create can still take it first.
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as error:
        raise _duplicate_code() from error


def _duplicate_code() -> ValidationError:
    return ValidationError({"code": _("Another account already has this customer number.")})


@transaction.atomic
def team_member_add(
    *, account: Account, by, user, role: str, since: date | None = None
) -> TeamMembership:
    """Put a user on the account's team in a role."""
    _require_team_manager(by, account)
    check_storable({"role": role})
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s is not active.") % {"user": user.username}})
    if TeamMembership.objects.filter(account=account, user=user).exists():
        raise ValidationError(
            {"user": _("%(user)s is already on the team.") % {"user": user.username}}
        )
    membership = TeamMembership(
        account=account, user=user, role=role, since=since or timezone.localdate()
    )
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:  # added by someone else at the same moment
        raise ValidationError(
            {"user": _("%(user)s is already on the team.") % {"user": user.username}}
        ) from error
    audit_create(by=by, obj=membership, account=account, fields=TEAM_FIELDS)
    return membership


@transaction.atomic
def team_member_update(*, membership: TeamMembership, by, **changes: Any) -> TeamMembership:
    """Change a team member's role or the date they joined."""
    _require_team_manager(by, membership.account)
    check_storable(changes)
    updated, _changed = apply_update(
        membership,
        by=by,
        changes=changes,
        allowed=("role", "since"),
        account=membership.account,
    )
    return updated


@transaction.atomic
def team_member_remove(*, membership: TeamMembership, by) -> None:
    _require_team_manager(by, membership.account)
    audit_delete(by=by, obj=membership, account=membership.account, fields=TEAM_FIELDS)
    membership.delete()


@transaction.atomic
def mentor_add(*, account: Account, by, mentor, since: date | None = None) -> MentorAssignment:
    """Assign a mentor to review the account (the programme lead only)."""
    from kam.users.models import Role

    _require_mentor_manager(by)
    if not (mentor.is_active and mentor.role == Role.MENTOR):
        raise ValidationError(
            {"mentor": _("%(user)s is not an active mentor.") % {"user": mentor.username}}
        )
    if MentorAssignment.objects.filter(account=account, mentor=mentor).exists():
        raise ValidationError(
            {"mentor": _("%(user)s already mentors this account.") % {"user": mentor.username}}
        )
    assignment = MentorAssignment(
        account=account, mentor=mentor, since=since or timezone.localdate()
    )
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as error:  # assigned by someone else at the same moment
        raise ValidationError(
            {"mentor": _("%(user)s already mentors this account.") % {"user": mentor.username}}
        ) from error
    audit_create(by=by, obj=assignment, account=account, fields=MENTOR_FIELDS)
    return assignment


@transaction.atomic
def mentor_remove(*, assignment: MentorAssignment, by) -> None:
    _require_mentor_manager(by)
    audit_delete(by=by, obj=assignment, account=assignment.account, fields=MENTOR_FIELDS)
    assignment.delete()
