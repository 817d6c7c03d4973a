"""Writes to customer accounts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE_STAGE, MANAGE_TEAM, require
from kam.accounts.audit import apply_update, audit_create, audit_delete, check_fields, lock
from kam.accounts.models import Account, MentorAssignment, Stage, StageChange, TeamMembership
from kam.core.currencies import CURRENCIES
from kam.core.versions import EditConflict, lock_version, stale_edit


class StageConflict(EditConflict):
    """Someone else changed the stage since the user loaded the page."""


@transaction.atomic
def account_stage_change(
    *,
    account: Account,
    to_stage: str,
    by,
    expected_stage: str | None = None,
    expected_version: int | None = None,
    note: str = "",
) -> StageChange:
    """Move the account to ``to_stage`` and record the change in its history.

    ``expected_version`` (and ``expected_stage``) are what the user saw: the account row is
    locked and checked, so a change that landed in between, even one away and back to the
    same stage, raises StageConflict naming who made it instead of being overwritten.
    """
    require(by, CHANGE_STAGE, account)
    check_storable({"to_stage": to_stage, "note": note})
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    try:
        fresh = lock_version(account, expected_version)
    except EditConflict as stale:
        raise StageConflict(str(stale), by=stale.by, at=stale.at, current=stale.current) from None
    if expected_stage is not None and fresh.stage != expected_stage:
        stale = stale_edit(fresh)
        raise StageConflict(str(stale), by=stale.by, at=stale.at, current=stale.current)
    if to_stage == fresh.stage:
        raise ValidationError({"to_stage": _("The account is already at this stage.")})
    from_stage = fresh.stage
    fresh.stage = to_stage
    fresh.save(update_fields=["stage", *fresh.touch(by)])
    change = StageChange.objects.create(
        account=account,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=by,
        changed_at=fresh.updated_at,
        note=note,
    )
    account.stage, account.version = to_stage, fresh.version
    account.updated_at, account.updated_by = fresh.updated_at, fresh.updated_by
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
    require(by, MANAGE_TEAM, account)


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
    *, account: Account, by, expected_version: int | None = None, **changes: Any
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
                expected_version=expected_version,
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
def team_member_update(
    *, membership: TeamMembership, by, expected_version: int | None = None, **changes: Any
) -> TeamMembership:
    """Change a team member's role or the date they joined, checked against the version the
    caller saw (None: last write wins)."""
    _require_team_manager(by, membership.account)
    check_storable(changes)
    updated, _changed = apply_update(
        membership,
        by=by,
        changes=changes,
        allowed=("role", "since"),
        account=membership.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def team_member_remove(
    *, membership: TeamMembership, by, expected_version: int | None = None
) -> None:
    """Take a member off the team, unless their role or date changed since the caller saw
    them (``expected_version``; None: remove whatever is stored)."""
    _require_team_manager(by, membership.account)
    fresh = lock(membership, expected_version)
    audit_delete(by=by, obj=fresh, account=membership.account, fields=TEAM_FIELDS)
    fresh.delete()


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
