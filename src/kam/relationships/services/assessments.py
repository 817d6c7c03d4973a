"""Writes to assessments: each change of opinion is a new dated, attributed row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import (
    apply_update,
    audit,
    audit_delete,
    check_fields,
    diff,
    field_values,
    lock,
)
from kam.accounts.models import AuditAction
from kam.relationships.models import Assessment, Contact, RoleVocabulary
from kam.relationships.models.assessments import ASSESSED_FIELDS

AUDITED = (*ASSESSED_FIELDS, "assessed_at", "known_in_person_by")
# Copied from the current assessment when a new one does not say otherwise; the note is not:
# it explains one change.
CARRIED = tuple(f for f in ASSESSED_FIELDS if f != "note")


def refresh_current_assessment(contact: Contact) -> Assessment | None:
    """Point the contact at its latest assessment (by date, then id): one query to find, one
    to write."""
    latest = contact.assessments.order_by("-assessed_at", "-pk").first()
    Contact.objects.filter(pk=contact.pk).update(current_assessment=latest)
    contact.current_assessment = latest
    return latest


@transaction.atomic
def assessment_record(
    *,
    contact: Contact,
    by,
    assessed_at: datetime | None = None,
    known_in_person_by: Iterable[Any] | None = None,
    **fields: Any,
) -> Assessment:
    """Record a change in what the team thinks of a contact, as a new row.

    Fields not given are copied from the current assessment, so 'her attitude turned
    neutral' is one call. ``assessed_at`` may be in the past (a meeting last week); the
    current assessment stays the latest by date. Nothing changed is an error, not a new row.
    """
    require(by, CHANGE, contact.account)
    check_fields(fields, ASSESSED_FIELDS)
    if contact.is_erased:
        raise ValidationError(_("This contact was erased and cannot be assessed."))
    now = timezone.now()
    assessed_at = assessed_at or now
    if assessed_at > now + timedelta(minutes=5):
        raise ValidationError({"assessed_at": _("An assessment cannot be dated in the future.")})
    locked = lock(contact)  # one writer at a time moves the current pointer
    base = locked.current_assessment
    values: dict[str, Any] = {}
    if base is not None:
        values = {name: getattr(base, name) for name in CARRIED}
    values.update(fields)
    assessment = Assessment(contact=locked, assessed_at=assessed_at, assessed_by=by, **values)
    assessment.full_clean()
    if known_in_person_by is None:
        known = list(base.known_in_person_by.all()) if base is not None else []
    else:
        known = list(known_in_person_by)
    before = field_values(base, AUDITED) if base is not None else {}
    assessment.save()
    assessment.known_in_person_by.set(known)
    after = field_values(assessment, AUDITED)
    changes = diff(before, after)
    substantive = {k for k in changes if k != "assessed_at"}
    if base is not None and not substantive:
        raise ValidationError(_("Nothing changed since the current assessment."))
    refresh_current_assessment(locked)
    audit(
        by=by,
        action=AuditAction.CREATE,
        obj=assessment,
        account=locked.account,
        contact=locked,
        changes=changes,
    )
    contact.current_assessment = locked.current_assessment
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment: Assessment, by, expected_version: int | None = None, **changes: Any
) -> Assessment:
    """Correct a recorded assessment (a typo, a wrong date): history rows are facts about what
    was thought, so this is for mistakes, and every correction is audited."""
    contact = assessment.contact
    require(by, CHANGE, contact.account)
    updated, _changed = apply_update(
        assessment,
        by=by,
        changes=changes,
        allowed=(*ASSESSED_FIELDS, "assessed_at", "known_in_person_by"),
        account=contact.account,
        contact=contact,
        expected_version=expected_version,
    )
    lock(contact)
    refresh_current_assessment(contact)
    return updated


@transaction.atomic
def assessment_delete(*, assessment: Assessment, by, expected_version: int | None = None) -> None:
    """Remove a mistaken assessment; the contact's current one becomes the previous."""
    contact = assessment.contact
    require(by, CHANGE, contact.account)
    lock(contact)
    lock(assessment, expected_version)
    audit_delete(by=by, obj=assessment, account=contact.account, contact=contact, fields=AUDITED)
    assessment.delete()
    refresh_current_assessment(contact)


@transaction.atomic
def role_vocabulary_update(
    *,
    by,
    style: str,
    custom_labels: dict[str, str] | None = None,
    expected_updated_at: datetime | None = None,
):
    """Choose the words the team uses for buying roles (the programme lead only).
    ``expected_updated_at`` is when the vocabulary the caller saw was saved: if it changed
    since, EditConflict."""
    from django.core.exceptions import PermissionDenied

    if by is not None and not by.is_lead:
        raise PermissionDenied(_("Only the programme lead chooses the role vocabulary."))
    vocabulary = RoleVocabulary.load()
    if vocabulary.pk is not None and RoleVocabulary.objects.filter(pk=vocabulary.pk).exists():
        vocabulary = lock(vocabulary, expected_updated_at=expected_updated_at)
    before = {"style": vocabulary.style, "custom_labels": vocabulary.custom_labels}
    vocabulary.style = style
    vocabulary.custom_labels = custom_labels or {}
    vocabulary.full_clean()
    vocabulary.save()
    after = {"style": vocabulary.style, "custom_labels": vocabulary.custom_labels}
    if before != after:
        audit(
            by=by,
            action=AuditAction.UPDATE,
            obj=vocabulary,
            account=None,
            changes=diff(before, after),
        )
    return vocabulary
