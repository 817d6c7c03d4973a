"""Writes to links between contacts (influence, alliance, tension, restricted access)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kam.relationships.access import require_write
from kam.relationships.models import Contact, ContactLink
from kam.relationships.services._common import apply_update, audit_create, audit_delete

LINK_FIELDS = ("kind", "source", "target", "note")


@transaction.atomic
def link_create(*, source: Contact, target: Contact, kind: str, by, note: str = "") -> ContactLink:
    """Link two contacts of the same account."""
    require_write(by, source.account)
    link = ContactLink(
        account=source.account, source=source, target=target, kind=kind, note=note, created_by=by
    )
    link.full_clean()
    link.save()
    audit_create(by=by, obj=link, account=source.account, fields=LINK_FIELDS)
    return link


@transaction.atomic
def link_update(*, link: ContactLink, by, **changes: Any) -> ContactLink:
    require_write(by, link.account)
    updated, _changed = apply_update(
        link, by=by, changes=changes, allowed=("kind", "note"), account=link.account
    )
    return updated


@transaction.atomic
def link_delete(*, link: ContactLink, by) -> None:
    require_write(by, link.account)
    audit_delete(by=by, obj=link, account=link.account, fields=LINK_FIELDS)
    link.delete()
