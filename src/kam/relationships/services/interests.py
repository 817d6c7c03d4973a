"""Writes to entrenched interests (with their dated history) and entrenched practices."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import (
    apply_update,
    audit_create,
    audit_delete,
    check_fields,
    lock,
)
from kam.accounts.models import Account
from kam.relationships.models import (
    Contact,
    EntrenchedInterest,
    EntrenchedPractice,
    InterestChange,
    InterestStatus,
)

INTEREST_FIELDS = (
    "kind",
    "description",
    "threat_level",
    "strategy",
    "advocate",
    "status",
    "raised_on",
    "closed_on",
)
PRACTICE_FIELDS = ("description", "effect_on_us", "workaround", "recorded_on")


def _history(interest: EntrenchedInterest, *, by, note: str) -> InterestChange:
    return InterestChange.objects.create(
        interest=interest,
        changed_at=timezone.now(),
        changed_by=by,
        kind=interest.kind,
        threat_level=interest.threat_level,
        strategy=interest.strategy,
        advocate=interest.advocate,
        status=interest.status,
        note=note,
    )


@transaction.atomic
def interest_create(
    *,
    holder: Contact,
    by,
    kind: str,
    threat_level: int,
    note: str = "",
    today: date | None = None,
    **fields: Any,
) -> EntrenchedInterest:
    """Record what ``holder`` stands to lose if the customer buys from us."""
    require(by, CHANGE, holder.account)
    check_fields(fields, INTEREST_FIELDS)
    fields.setdefault("raised_on", today or timezone.localdate())
    interest = EntrenchedInterest(
        account=holder.account,
        holder=holder,
        kind=kind,
        threat_level=threat_level,
        created_by=by,
        **fields,
    )
    interest.full_clean()
    interest.save()
    _history(interest, by=by, note=note)
    audit_create(
        by=by,
        obj=interest,
        account=holder.account,
        contact=holder,
        fields=("holder", *INTEREST_FIELDS),
    )
    return interest


@transaction.atomic
def interest_update(
    *,
    interest: EntrenchedInterest,
    by,
    note: str = "",
    today: date | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> EntrenchedInterest:
    """Change an interest (threat, strategy, advocate, status); each change is dated in its
    history with the note saying why. Closing it (defused, dropped) dates the closing."""
    require(by, CHANGE, interest.account)
    status = changes.get("status")
    if status in (InterestStatus.DEFUSED, InterestStatus.DROPPED) and "closed_on" not in changes:
        changes["closed_on"] = interest.closed_on or today or timezone.localdate()
    elif status == InterestStatus.OPEN:
        changes.setdefault("closed_on", None)
    updated, changed = apply_update(
        interest,
        by=by,
        changes=changes,
        allowed=INTEREST_FIELDS,
        account=interest.account,
        contact=interest.holder,
        expected_version=expected_version,
    )
    if changed:
        _history(updated, by=by, note=note)
    return updated


@transaction.atomic
def interest_delete(
    *, interest: EntrenchedInterest, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, interest.account)
    lock(interest, expected_version)
    audit_delete(
        by=by,
        obj=interest,
        account=interest.account,
        contact=interest.holder,
        fields=("holder", *INTEREST_FIELDS),
    )
    interest.delete()


@transaction.atomic
def practice_create(
    *, account: Account, by, description: str, today: date | None = None, **fields: Any
) -> EntrenchedPractice:
    """Record how the customer habitually buys or works, and how we work around it."""
    require(by, CHANGE, account)
    check_fields(fields, PRACTICE_FIELDS)
    fields.setdefault("recorded_on", today or timezone.localdate())
    practice = EntrenchedPractice(account=account, description=description, created_by=by, **fields)
    practice.full_clean()
    practice.save()
    audit_create(by=by, obj=practice, account=account, fields=PRACTICE_FIELDS)
    return practice


@transaction.atomic
def practice_update(
    *, practice: EntrenchedPractice, by, expected_version: int | None = None, **changes: Any
) -> EntrenchedPractice:
    require(by, CHANGE, practice.account)
    updated, _changed = apply_update(
        practice,
        by=by,
        changes=changes,
        allowed=PRACTICE_FIELDS,
        account=practice.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def practice_delete(
    *, practice: EntrenchedPractice, by, expected_version: int | None = None
) -> None:
    require(by, CHANGE, practice.account)
    lock(practice, expected_version)
    audit_delete(by=by, obj=practice, account=practice.account, fields=PRACTICE_FIELDS)
    practice.delete()
