"""Writes to the interaction log, manual strengths and relationship levels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, VIEW, can, require
from kam.accounts.audit import (
    apply_update,
    audit,
    audit_create,
    audit_delete,
    diff,
    field_values,
    lock,
)
from kam.accounts.models import Account, AuditAction
from kam.core import formatting
from kam.core.versions import EditConflict
from kam.relationships.models import (
    Contact,
    Interaction,
    RelationshipLevel,
    RelationshipOverride,
)

INTERACTION_FIELDS = (
    "kind",
    "occurred_on",
    "notes",
    "duration_minutes",
    "objective",
    "our_participants",
    "their_participants",
)


def _check_participants(account: Account, users: Sequence, contacts: Sequence[Contact]) -> None:
    errors: dict[str, str] = {}
    if not users:
        errors["our_participants"] = _("Name at least one person from our side.")
    if not contacts:
        errors["their_participants"] = _("Name at least one person from the customer.")
    elif any(c.account_id != account.pk for c in contacts):
        errors["their_participants"] = _("Choose contacts of this account.")
    if errors:
        raise ValidationError(errors)


def _check_departures(contacts: Sequence[Contact], occurred_on: date | None) -> None:
    """Nobody meets a person after the day they left: such a log would count towards a
    relationship that no longer exists (and contradict the departure on every page)."""
    if occurred_on is None:
        return
    gone = [c for c in contacts if c.left_on is not None and c.left_on < occurred_on]
    if gone:
        raise ValidationError(
            {
                "their_participants": [
                    _(
                        "%(name)s left the company on %(date)s: an interaction after that "
                        "day cannot be logged with them."
                    )
                    % {"name": c.name, "date": formatting.day(c.left_on)}
                    for c in gone
                ]
            }
        )


def _check_date(occurred_on: date | None, today: date) -> None:
    if occurred_on is not None and occurred_on > today:
        raise ValidationError(
            {"occurred_on": _("The log records what happened: the date cannot be in the future.")}
        )


@transaction.atomic
def interaction_log(
    *,
    account: Account,
    by,
    kind: str,
    occurred_on: date,
    their_participants: Sequence[Contact],
    our_participants: Sequence | None = None,
    notes: str = "",
    objective=None,
    duration_minutes: int | None = None,
    today: date | None = None,
) -> Interaction:
    """Log a meeting, call, visit... with who took part on each side (the logger by default)
    and how long it took (blank: the kind's usual length)."""
    require(by, CHANGE, account)
    users = list(our_participants) if our_participants else ([by] if by is not None else [])
    contacts = list(their_participants)
    _check_participants(account, users, contacts)
    _check_date(occurred_on, today or timezone.localdate())
    _check_departures(contacts, occurred_on)
    interaction = Interaction(
        account=account,
        kind=kind,
        occurred_on=occurred_on,
        notes=notes,
        duration_minutes=duration_minutes,
        objective=objective,
        logged_by=by,
        created_by=by,
    )
    interaction.full_clean()
    interaction.save()
    interaction.our_participants.set(users)
    interaction.their_participants.set(contacts)
    audit_create(by=by, obj=interaction, account=account, fields=INTERACTION_FIELDS)
    return interaction


@transaction.atomic
def interaction_update(
    *,
    interaction: Interaction,
    by,
    today: date | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> Interaction:
    require(by, CHANGE, interaction.account)
    account = interaction.account
    if "our_participants" in changes or "their_participants" in changes:
        users = changes.get("our_participants", list(interaction.our_participants.all()))
        contacts = changes.get("their_participants", list(interaction.their_participants.all()))
        _check_participants(account, list(users), list(contacts))
    _check_date(changes.get("occurred_on"), today or timezone.localdate())
    if "occurred_on" in changes or "their_participants" in changes:
        _check_departures(
            list(changes.get("their_participants", interaction.their_participants.all())),
            changes.get("occurred_on", interaction.occurred_on),
        )
    updated, _changed = apply_update(
        interaction,
        by=by,
        changes=changes,
        allowed=INTERACTION_FIELDS,
        account=account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def interaction_delete(
    *, interaction: Interaction, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, interaction.account)
    lock(interaction, expected_version)
    audit_delete(by=by, obj=interaction, account=interaction.account, fields=INTERACTION_FIELDS)
    interaction.delete()


def _check_pair_user(user, contact: Contact) -> None:
    if not can(user, VIEW, contact.account):
        raise ValidationError(
            {"user": _("%(user)s does not work on this account.") % {"user": user}}
        )


def _same_moment(stored: datetime | None, seen: datetime) -> bool:
    """The moment a page showed is the one stored, to the millisecond (what pages carry)."""
    return stored is not None and int(stored.timestamp() * 1000) == int(seen.timestamp() * 1000)


@transaction.atomic
def override_set(
    *,
    user,
    contact: Contact,
    value: int,
    reason: str,
    by,
    expected_set_at: datetime | None = None,
) -> RelationshipOverride:
    """Set by hand how strong ``user``'s relationship with ``contact`` is (0-100), with why.

    It replaces the strength derived from the interaction log until cleared.
    ``expected_set_at`` is when the override the caller saw was set: if it was changed or
    cleared since, EditConflict.
    """
    require(by, CHANGE, contact.account)
    _check_pair_user(user, contact)
    existing = RelationshipOverride.objects.filter(user=user, contact=contact).first()
    fields = ("value", "reason")
    if existing is None and expected_set_at is not None:
        raise EditConflict()
    if existing is not None:
        locked = lock(existing)
        if expected_set_at is not None and not _same_moment(locked.set_at, expected_set_at):
            raise EditConflict()
        before = field_values(locked, fields)
        locked.value, locked.reason, locked.set_by, locked.set_at = (
            value,
            reason,
            by,
            timezone.now(),
        )
        locked.full_clean()
        locked.save()
        changes = diff(before, field_values(locked, fields))
        if changes:
            audit(
                by=by,
                action=AuditAction.UPDATE,
                obj=locked,
                account=contact.account,
                contact=contact,
                changes=changes,
            )
        return locked
    override = RelationshipOverride(
        account=contact.account,
        user=user,
        contact=contact,
        value=value,
        reason=reason,
        set_by=by,
        set_at=timezone.now(),
    )
    override.full_clean()
    override.save()
    audit_create(
        by=by, obj=override, account=contact.account, contact=contact, fields=("user", *fields)
    )
    return override


@transaction.atomic
def override_clear(*, override: RelationshipOverride, by) -> None:
    """Go back to the strength derived from the interaction log."""
    require(by, CHANGE, override.account)
    audit_delete(
        by=by,
        obj=override,
        account=override.account,
        contact=override.contact,
        fields=("user", "value", "reason"),
    )
    override.delete()


@transaction.atomic
def level_set(
    *,
    user,
    contact: Contact,
    current: str,
    by,
    target: str = "",
    note: str = "",
    expected_updated_at: datetime | None = None,
) -> RelationshipLevel:
    """Where ``user``'s relationship with ``contact`` stands on the ladder and where we aim.
    ``expected_updated_at`` is when the level the caller saw was written: if it was changed or
    deleted since, EditConflict."""
    require(by, CHANGE, contact.account)
    _check_pair_user(user, contact)
    existing = RelationshipLevel.objects.filter(user=user, contact=contact).first()
    if existing is None and expected_updated_at is not None:
        raise EditConflict()
    if existing is not None:
        updated, _changed = apply_update(
            existing,
            by=by,
            changes={"current": current, "target": target, "note": note, "updated_by": by},
            allowed=("current", "target", "note", "updated_by"),
            account=contact.account,
            contact=contact,
            expected_updated_at=expected_updated_at,
        )
        return updated
    level = RelationshipLevel(
        account=contact.account,
        user=user,
        contact=contact,
        current=current,
        target=target,
        note=note,
        updated_by=by,
    )
    level.full_clean()
    level.save()
    audit_create(
        by=by,
        obj=level,
        account=contact.account,
        contact=contact,
        fields=("user", "current", "target", "note"),
    )
    return level


@transaction.atomic
def level_delete(*, level: RelationshipLevel, by) -> None:
    require(by, CHANGE, level.account)
    audit_delete(
        by=by,
        obj=level,
        account=level.account,
        contact=level.contact,
        fields=("user", "current", "target", "note"),
    )
    level.delete()
