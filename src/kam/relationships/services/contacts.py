"""Writes to contacts: create, change, delete, record a departure, follow a person who moves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import (
    apply_update,
    audit,
    audit_create,
    check_fields,
    field_values,
    lock,
    touch,
)
from kam.accounts.models import Account, AuditAction
from kam.relationships.models import Contact, ContactStatus, Handover

CONTACT_FIELDS = (
    "name",
    "other_name",
    "title",
    "department",
    "site",
    "level",
    "reports_to",
    "email",
    "phone",
    "notes",
    "status",
    "left_on",
    "successor",
    "departure_note",
    "external_id",
)
# The departure has its own service; status, left_on and successor are kept consistent there.
EDITABLE_FIELDS = tuple(f for f in CONTACT_FIELDS if f not in {"status", "left_on", "successor"})


@transaction.atomic
def contact_create(*, account: Account, by, name: str, **fields: Any) -> Contact:
    """Add a person to the account's map."""
    require(by, CHANGE, account)
    check_fields(fields, EDITABLE_FIELDS)
    contact = Contact(account=account, name=name, created_by=by, **fields)
    contact.full_clean()
    contact.save()
    audit_create(by=by, obj=contact, account=account, contact=contact, fields=CONTACT_FIELDS)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    by,
    expected_version: int | None = None,
    expected_updated_at: datetime | None = None,
    **changes: Any,
) -> Contact:
    """Change some of a contact's fields; only the fields that really change are audited.
    ``expected_version`` is the version the change is based on (None: last write wins)."""
    require(by, CHANGE, contact.account)
    if contact.is_erased:
        raise ValidationError(_("This contact was erased and cannot be changed."))
    updated, _changed = apply_update(
        contact,
        by=by,
        changes=changes,
        allowed=EDITABLE_FIELDS,
        account=contact.account,
        contact=contact,
        expected_version=expected_version,
        expected_updated_at=expected_updated_at,
    )
    return updated


@transaction.atomic
def contact_delete(*, contact: Contact, by, expected_version: int | None = None) -> None:
    """Delete a contact and everything about them (assessments, interests held, links).

    Deleting a person removes their data, so the old and new values kept in the audit trail
    about them are redacted as well; the deletion itself is recorded without personal data.
    """
    from kam.relationships.services.privacy import redact_audit_of

    require(by, CHANGE, contact.account)
    lock(contact, expected_version)
    account = contact.account
    redact_audit_of(contact)
    audit(by=by, action=AuditAction.DELETE, obj=contact, account=account, contact=None)
    contact.delete()


@transaction.atomic
def contact_record_departure(
    *,
    contact: Contact,
    left_on: date,
    successor: Contact | None = None,
    by,
    note: str = "",
    hand_over: bool = True,
    today: date | None = None,
    expected_version: int | None = None,
) -> Contact:
    """Record that a contact left (or will leave, for a future ``left_on``) in one action.

    With a successor and ``hand_over``, the people who reported to the leaver now report to
    the successor, and open opportunities that needed the leaver's buy-in need the
    successor's: what a KAM would otherwise do by hand, one screen at a time. Every record
    handed over gets a new version, so an edit based on the one before is refused.
    """
    require(by, CHANGE, contact.account)
    today = today or timezone.localdate()
    fresh = lock(contact, expected_version)
    if fresh.status == ContactStatus.LEFT:
        raise ValidationError({"status": _("This contact has already left.")})
    if successor is not None:
        successor = lock(successor)  # so they cannot leave while they take over
        _check_successor(fresh, successor, today)
    before = field_values(fresh, ("status", "left_on", "successor", "departure_note"))
    fresh.left_on = left_on
    fresh.successor = successor
    fresh.departure_note = note
    fresh.status = ContactStatus.LEFT if left_on <= today else ContactStatus.ACTIVE
    fresh.full_clean()
    fresh.save(
        update_fields=["status", "left_on", "successor", "departure_note", *touch(fresh, by)]
    )
    after = field_values(fresh, before)
    audit(
        by=by,
        action=AuditAction.UPDATE,
        obj=fresh,
        account=fresh.account,
        contact=fresh,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    if successor is not None and hand_over:
        contact_hand_over(departed=fresh, successor=successor, by=by)
    return fresh


@transaction.atomic
def contact_rejoin(
    *,
    contact: Contact,
    account: Account,
    by,
    left_on: date | None = None,
    today: date | None = None,
    **fields: Any,
) -> Contact:
    """The person moved to ``account``: a new contact there, linked to their past record.

    Histories stay apart: assessments, interests and interactions remain with the old
    record, because what one customer's people thought of us says nothing of the next. If the
    old record is still active, the departure is recorded too (on ``left_on``, default today).
    """
    require(by, CHANGE, account)
    today = today or timezone.localdate()
    if account.pk == contact.account_id:
        raise ValidationError({"account": _("The person is already at this account.")})
    if contact.is_erased:
        raise ValidationError(_("This contact was erased and cannot be followed."))
    if not contact.has_left(today):
        contact_record_departure(
            contact=contact, left_on=left_on or today, by=by, hand_over=False, today=today
        )
    fields.setdefault("other_name", contact.other_name)
    joined = contact_create(account=account, by=by, name=contact.name, **fields)
    joined.previous = contact
    joined.save(update_fields=["previous"])
    audit(
        by=by,
        action=AuditAction.UPDATE,
        obj=joined,
        account=account,
        contact=joined,
        changes={"previous": [None, contact.pk]},
    )
    return joined


def _check_successor(departed: Contact, successor: Contact, today: date) -> None:
    """A successor is someone else, still at the same account."""
    if successor.pk == departed.pk:
        raise ValidationError({"successor": _("A contact cannot succeed themselves.")})
    if successor.account_id != departed.account_id:
        raise ValidationError({"successor": _("Choose a contact of the same account.")})
    if successor.is_erased or successor.has_left(today):
        raise ValidationError(
            {
                "successor": _("%(name)s has left too: choose someone still at the account.")
                % {"name": successor.name}
            }
        )


@transaction.atomic
def contact_name_successor(
    *,
    contact: Contact,
    successor: Contact,
    by,
    hand_over: bool = True,
    today: date | None = None,
) -> Contact:
    """Name (or change) the successor of a contact whose departure is already recorded, and
    hand over to them what the departure hands over when the successor is known at once."""
    require(by, CHANGE, contact.account)
    today = today or timezone.localdate()
    fresh = lock(contact)
    if fresh.is_erased:
        raise ValidationError(_("This contact was erased and cannot be changed."))
    if fresh.left_on is None:
        raise ValidationError(
            _("Record the departure first: the contact has no departure to name a successor for.")
        )
    successor = lock(successor)
    _check_successor(fresh, successor, today)
    fresh, _changed = apply_update(
        fresh,
        by=by,
        changes={"successor": successor},
        allowed=("successor",),
        account=fresh.account,
        contact=fresh,
    )
    if hand_over:
        contact_hand_over(departed=fresh, successor=successor, by=by)
    return fresh


def contact_hand_over(*, departed: Contact, successor: Contact, by) -> Handover:
    """Move to the successor the people who reported to the leaver, and add them to the open
    opportunities that needed the leaver's buy-in; each changed record gets its
    ``updated_at`` and its audit entry, and the hand-over itself is kept for the record.

    Run inside the caller's transaction (both callers are atomic).
    """
    from kam.planning.models import Opportunity, OpportunityStatus

    now = timezone.now()
    moved = []
    for report in departed.reports.exclude(pk=successor.pk).order_by("pk"):
        apply_update(
            report,
            by=by,
            changes={"reports_to": successor},
            allowed=("reports_to",),
            account=departed.account,
            contact=report,
        )
        moved.append(str(report.public_id))
    needing = list(
        Opportunity.objects.filter(buy_in_needed_from=departed, status=OpportunityStatus.OPEN)
        .exclude(buy_in_needed_from=successor)
        .select_for_update()
        .order_by("pk")
    )
    for opportunity in needing:
        before_ids = field_values(opportunity, ["buy_in_needed_from"])["buy_in_needed_from"]
        opportunity.buy_in_needed_from.add(successor)
        # A change of whose buy-in is needed is a change of the opportunity: its version is
        # bumped, so an edit based on the version before the hand-over is seen as stale.
        opportunity.save(update_fields=touch(opportunity, by))
        audit(
            by=by,
            action=AuditAction.UPDATE,
            obj=opportunity,
            account=departed.account,
            changes={"buy_in_needed_from": [before_ids, sorted([*before_ids, successor.pk])]},
            at=now,
        )
    done_before = Handover.objects.filter(departed=departed, successor=successor)
    if not (moved or needing) and done_before.exists():
        return done_before.last()  # a repeated request: nothing new to record
    return Handover.objects.create(
        account=departed.account,
        departed=departed,
        successor=successor,
        reports=moved,
        opportunities=[str(o.public_id) for o in needing],
        by=by if by is not None and getattr(by, "pk", None) else None,
        at=now,
    )
