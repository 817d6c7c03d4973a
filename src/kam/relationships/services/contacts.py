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
from kam.relationships.models import Contact, ContactStatus

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
    from kam.planning.models import Opportunity, OpportunityStatus

    require(by, CHANGE, contact.account)
    today = today or timezone.localdate()
    fresh = lock(contact, expected_version)
    if fresh.status == ContactStatus.LEFT:
        raise ValidationError({"status": _("This contact has already left.")})
    if successor is not None and successor.pk == fresh.pk:
        raise ValidationError({"successor": _("A contact cannot succeed themselves.")})
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
        for report in fresh.reports.exclude(pk=successor.pk):
            apply_update(
                report,
                by=by,
                changes={"reports_to": successor},
                allowed=("reports_to",),
                account=fresh.account,
                contact=report,
            )
        needing = Opportunity.objects.filter(
            buy_in_needed_from=fresh, status=OpportunityStatus.OPEN
        ).exclude(buy_in_needed_from=successor)
        for opportunity in needing:
            before_ids = field_values(opportunity, ["buy_in_needed_from"])
            opportunity = lock(opportunity)
            opportunity.buy_in_needed_from.add(successor)
            opportunity.save(update_fields=touch(opportunity, by))
            audit(
                by=by,
                action=AuditAction.UPDATE,
                obj=opportunity,
                account=fresh.account,
                changes={
                    "buy_in_needed_from": [
                        before_ids["buy_in_needed_from"],
                        sorted([*before_ids["buy_in_needed_from"], successor.pk]),
                    ]
                },
            )
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
