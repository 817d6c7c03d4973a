"""A person's right to see and to erase what we hold about them.

Attitudes, interests and notes are opinions about real people. ``contact_export`` gives
everything about one person as JSON; ``contact_erase`` removes their identity and free text
while keeping the anonymous facts the analyses count (an interaction took place, a role was
covered), and redacts the old and new values the audit trail kept about them.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import ERASE, VIEW, can
from kam.accounts.audit import audit, json_value, lock
from kam.accounts.models import AuditAction, AuditEntry
from kam.core.versions import Versioned
from kam.relationships.models import (
    Assessment,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
    InterestChange,
    RelationshipLevel,
    RelationshipOverride,
)

ERASED_NAME = "Erased contact #{pk}"  # kept in English: it is data, not interface text
REDACTED = "[erased]"


def _user(user) -> str | None:
    return user.username if user is not None else None


def contact_export(*, contact: Contact, by) -> dict[str, Any]:
    """Everything we hold about the person, as JSON-ready data (a subject access request).

    The export itself is recorded in the audit trail (who exported whom, when).
    """
    if by is not None and not can(by, VIEW, contact.account):
        raise PermissionDenied(_("You cannot see this contact."))
    c = contact
    assessments = (
        c.assessments.select_related("assessed_by")
        .prefetch_related("known_in_person_by")
        .order_by("assessed_at", "pk")
    )
    interactions = c.interactions.prefetch_related("our_participants").order_by("occurred_on", "pk")
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "exported_by": _user(by),
        "contact": {
            "id": str(c.public_id),
            "account": {"code": c.account.code, "name": c.account.name},
            **{
                name: json_value(getattr(c, name))
                for name in (
                    "name",
                    "other_name",
                    "title",
                    "department",
                    "site",
                    "level",
                    "email",
                    "phone",
                    "notes",
                    "status",
                    "left_on",
                    "departure_note",
                    "external_id",
                    "created_at",
                    "updated_at",
                )
            },
            "reports_to": c.reports_to.name if c.reports_to_id else None,
            "successor": c.successor.name if c.successor_id else None,
            "previous_record": str(c.previous.public_id) if c.previous_id else None,
        },
        "assessments": [
            {
                "assessed_at": a.assessed_at.isoformat(),
                "assessed_by": _user(a.assessed_by),
                "buying_role": a.buying_role,
                "influence": a.influence,
                "influence_trend": a.influence_trend,
                "attitude": a.attitude,
                "standing": a.standing,
                "buy_in_needed": a.buy_in_needed,
                "known_in_person_by": sorted(u.username for u in a.known_in_person_by.all()),
                "planned_step": a.planned_step,
                "planned_step_due": json_value(a.planned_step_due),
                "note": a.note,
            }
            for a in assessments
        ],
        "interests_held": [
            {
                "kind": i.kind,
                "description": i.description,
                "threat_level": i.threat_level,
                "strategy": i.strategy,
                "status": i.status,
                "raised_on": json_value(i.raised_on),
                "closed_on": json_value(i.closed_on),
                "history": [
                    {
                        "changed_at": h.changed_at.isoformat(),
                        "threat_level": h.threat_level,
                        "strategy": h.strategy,
                        "status": h.status,
                        "note": h.note,
                    }
                    for h in i.changes.order_by("changed_at", "pk")
                ],
            }
            for i in c.interests.order_by("pk")
        ],
        "advocate_for_interests": [i.kind for i in c.advocacies.order_by("pk")],
        "links": [
            {"kind": link.kind, "direction": "from", "other": link.target.name, "note": link.note}
            for link in c.links_out.select_related("target").order_by("pk")
        ]
        + [
            {"kind": link.kind, "direction": "to", "other": link.source.name, "note": link.note}
            for link in c.links_in.select_related("source").order_by("pk")
        ],
        "interactions": [
            {
                "occurred_on": i.occurred_on.isoformat(),
                "kind": i.kind,
                "our_participants": sorted(u.username for u in i.our_participants.all()),
                "notes": i.notes,
            }
            for i in interactions
        ],
        "relationship_strength_overrides": [
            {
                "user": _user(o.user),
                "value": o.value,
                "reason": o.reason,
                "set_at": o.set_at.isoformat(),
            }
            for o in c.strength_overrides.select_related("user").order_by("pk")
        ],
        "relationship_levels": [
            {
                "user": _user(level.user),
                "current": level.current,
                "target": level.target,
                "note": level.note,
            }
            for level in c.relationship_levels.select_related("user").order_by("pk")
        ],
        "objectives_told": [
            {
                "description": o.description,
                "horizon": o.horizon,
                "recorded_on": o.recorded_on.isoformat(),
            }
            for o in c.objectives_told.order_by("pk")
        ],
        "buy_in_needed_for": [o.name for o in c.opportunities_needing_buy_in.order_by("pk")],
        "audit_trail": [
            {
                "at": e.at.isoformat(),
                "by": _user(e.by),
                "action": e.action,
                "object": e.object_label,
            }
            for e in AuditEntry.objects.filter(contact=c).select_related("by").order_by("at")
        ],
    }
    audit(by=by, action=AuditAction.EXPORT, obj=c, account=c.account, contact=c)
    return data


def _needles(contact: Contact) -> list[str]:
    """What identifies the person in free text: names, email, phone (two characters at
    least, so a one-letter name cannot wipe every note)."""
    raw = [contact.name, contact.other_name, contact.email, contact.phone]
    return sorted({n.strip() for n in raw if n and len(n.strip()) >= 2}, key=len, reverse=True)


def _scrubber(needles: list[str], placeholder: str):
    if not needles:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    return lambda text: pattern.sub(placeholder, text) if isinstance(text, str) else text


def _scrub_json(value: Any, scrub) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, scrub) for k, v in value.items()}
    return value


def redact_audit_of(contact: Contact, *, placeholder: str | None = None) -> int:
    """Blank the old and new values of every audit entry about the person, and their names
    wherever other entries of the account quote them. Returns the entries changed."""
    placeholder = placeholder or ERASED_NAME.format(pk=contact.pk)
    count = 0
    about = list(AuditEntry.objects.filter(contact=contact))
    for entry in about:
        entry.changes = {field: [REDACTED, REDACTED] for field in entry.changes}
        entry.redacted = True
    AuditEntry.objects.bulk_update(about, ["changes", "redacted"])
    count += len(about)
    scrub = _scrubber(_needles(contact), placeholder)
    # JSON text escapes non-ASCII differently per database, so the search for mentions is
    # done here rather than with a database 'contains'; erasure is rare and per account.
    others = AuditEntry.objects.filter(account_id=contact.account_id).exclude(contact=contact)
    changed = []
    for entry in others.only("pk", "changes").iterator():
        cleaned = _scrub_json(entry.changes, scrub)
        if cleaned != entry.changes:
            entry.changes = cleaned
            entry.redacted = True
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "redacted"])
    return count + len(changed)


def _scrub_mentions(contact: Contact, placeholder: str) -> None:
    """Replace the person's names, email and phone in the account's free text."""
    needles = _needles(contact)
    if not needles:
        return
    scrub = _scrubber(needles, placeholder)
    account_id = contact.account_id
    targets = [
        (Interaction.objects.filter(account_id=account_id), ["notes"]),
        (Assessment.objects.filter(contact__account_id=account_id), ["note", "planned_step"]),
        (EntrenchedInterest.objects.filter(account_id=account_id), ["description"]),
        (InterestChange.objects.filter(interest__account_id=account_id), ["note"]),
        (ContactLink.objects.filter(account_id=account_id), ["note"]),
        (
            Contact.objects.filter(account_id=account_id).exclude(pk=contact.pk),
            ["notes", "departure_note"],
        ),
        (
            EntrenchedPractice.objects.filter(account_id=account_id),
            ["description", "effect_on_us", "workaround"],
        ),
        (RelationshipOverride.objects.filter(account_id=account_id), ["reason"]),
        (RelationshipLevel.objects.filter(account_id=account_id), ["note"]),
    ]
    from kam.planning.models import Objective, Opportunity

    targets += [
        (Objective.objects.filter(account_id=account_id), ["description", "time_frame"]),
        (Opportunity.objects.filter(account_id=account_id), ["name"]),
    ]
    for queryset, fields in targets:
        mention = Q()
        for field in fields:
            for needle in needles:
                mention |= Q(**{f"{field}__icontains": needle})
        rows = list(queryset.filter(mention))
        versioned = issubclass(queryset.model, Versioned)
        for row in rows:
            for field in fields:
                setattr(row, field, scrub(getattr(row, field)))
            if versioned:
                row.version = F("version") + 1  # an edit based on the unscrubbed row is stale
        if rows:
            queryset.model.objects.bulk_update(rows, [*fields, "version"] if versioned else fields)


@transaction.atomic
def contact_erase(*, contact: Contact, by, reason: str) -> Contact:
    """Erase a person on request: their identity and free text go, the anonymous facts stay.

    Kept: the contact row as 'Erased contact #n' (department, level, reporting line and
    status, so department coverage and the org chart still add up), their participation in
    interactions (counts), the buying role, influence and attitude of the current assessment
    only (the role stays covered), and the interests' kind and threat. Gone: name, other
    name, title, email, phone, site, notes, the CRM id, every older assessment, every note,
    planned step and reason about them, their names quoted in the account's other notes and
    in the audit trail, and the link to their records at other accounts. The audit entry of
    the erasure keeps who erased, when, and the reason with any name in it blanked.
    """
    if not can(by, ERASE, contact.account):
        raise PermissionDenied(
            _("Only the account's key account manager or the programme lead can erase a contact.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contact is erased (e.g. their request).")})
    if contact.is_erased:
        raise ValidationError(_("This contact is already erased."))
    placeholder = ERASED_NAME.format(pk=contact.pk)
    scrub = _scrubber(_needles(contact), placeholder)
    _scrub_mentions(contact, placeholder)
    redact_audit_of(contact, placeholder=placeholder)

    current = contact.current_assessment_id
    contact.assessments.exclude(pk=current).delete()
    bump = {"version": F("version") + 1}
    contact.assessments.update(note="", planned_step="", planned_step_due=None, **bump)
    contact.interests.update(description="", **bump)
    InterestChange.objects.filter(interest__holder=contact).update(note="")
    ContactLink.objects.filter(Q(source=contact) | Q(target=contact)).update(note="", **bump)
    contact.strength_overrides.update(reason=REDACTED)
    contact.relationship_levels.update(note="")
    contact.later_records.update(previous=None)

    for name in (
        "other_name",
        "title",
        "site",
        "email",
        "phone",
        "notes",
        "departure_note",
        "external_id",
    ):
        setattr(contact, name, "")
    contact.name = placeholder
    contact.previous = None
    contact.erased_at = timezone.now()
    contact.version = lock(contact).version
    contact.touch(by)
    contact.save()
    audit(
        by=by,
        action=AuditAction.ERASE,
        obj=contact,
        account=contact.account,
        contact=contact,
        changes={"reason": scrub(reason.strip())},
    )
    return contact
