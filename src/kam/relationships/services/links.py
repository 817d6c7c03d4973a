"""Writes to links between contacts (influence, alliance, tension, restricted access)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import apply_update, audit_create, audit_delete, lock
from kam.relationships.models import Contact, ContactLink

LINK_FIELDS = ("kind", "source", "target", "note")


@transaction.atomic
def link_create(*, source: Contact, target: Contact, kind: str, by, note: str = "") -> ContactLink:
    """Link two contacts of the same account."""
    require(by, CHANGE, source.account)
    link = ContactLink(
        account=source.account, source=source, target=target, kind=kind, note=note, created_by=by
    )
    link.full_clean()
    link.save()
    audit_create(by=by, obj=link, account=source.account, fields=LINK_FIELDS)
    return link


@transaction.atomic
def link_update(
    *, link: ContactLink, by, expected_version: int | None = None, **changes: Any
) -> ContactLink:
    require(by, CHANGE, link.account)
    updated, _changed = apply_update(
        link,
        by=by,
        changes=changes,
        allowed=("kind", "note"),
        account=link.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def link_delete(*, link: ContactLink, by, expected_version: int | None = None) -> None:
    require(by, CHANGE, link.account)
    lock(link, expected_version)
    audit_delete(by=by, obj=link, account=link.account, fields=LINK_FIELDS)
    link.delete()
