"""What every relationship and planning service shares: audit entries, diffs, locked updates."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core.versions import EditConflict
from kam.relationships.models import AuditAction, AuditEntry, Contact

M = TypeVar("M", bound=models.Model)


def json_value(value: Any) -> Any:
    """A field value as JSON: dates as ISO text, money as text, objects by primary key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple | list):
        return sorted(json_value(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a field's own type, e.g. a country: its code


def field_values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """Current values of ``names`` (foreign keys by id), ready to compare and store."""
    out: dict[str, Any] = {}
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            out[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        else:
            out[name] = json_value(getattr(obj, field.attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit(
    *,
    by,
    action: str,
    obj: models.Model,
    account: Account | None,
    contact: Contact | None = None,
    changes: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record one change. The label names the object by type and id, never by a person's name."""
    return AuditEntry.objects.create(
        account=account,
        contact=contact,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        object_label=f"{obj._meta.model_name} #{obj.pk}",
        action=action,
        changes=dict(changes or {}),
        by=by if by is not None and getattr(by, "pk", None) else None,
        at=at or timezone.now(),
    )


def audit_create(*, by, obj: models.Model, account, contact=None, fields: Iterable[str]) -> None:
    after = field_values(obj, fields)
    changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], False)}
    audit(
        by=by, action=AuditAction.CREATE, obj=obj, account=account, contact=contact, changes=changes
    )


def audit_delete(*, by, obj: models.Model, account, contact=None, fields: Iterable[str]) -> None:
    before = field_values(obj, fields)
    changes = {k: [v, None] for k, v in before.items() if v not in (None, "", [], False)}
    audit(
        by=by, action=AuditAction.DELETE, obj=obj, account=account, contact=contact, changes=changes
    )


def check_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})


def lock(obj: M, expected_updated_at: datetime | None = None) -> M:
    """A fresh copy of ``obj`` with its row locked until the transaction ends.

    ``expected_updated_at`` is what the caller saw: if the row changed since, EditConflict is
    raised rather than silently overwriting the other person's change.
    """
    fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    seen = expected_updated_at
    if seen is not None and getattr(fresh, "updated_at", seen) != seen:
        raise EditConflict(_("Someone else changed this since you opened it; reload it."))
    return fresh


def apply_update(
    obj: M,
    *,
    by,
    changes: Mapping[str, Any],
    allowed: Iterable[str],
    account: Account | None,
    contact: Contact | None = None,
    expected_updated_at: datetime | None = None,
) -> tuple[M, dict[str, list[Any]]]:
    """Lock, change, validate and save ``obj``; audit what really changed. Many-to-many
    fields in ``changes`` take lists of objects."""
    check_fields(changes, allowed)
    fresh = lock(obj, expected_updated_at)
    before = field_values(fresh, changes)
    plain = {k: v for k, v in changes.items() if not fresh._meta.get_field(k).many_to_many}
    for name, value in plain.items():
        setattr(fresh, name, value)
    fresh.full_clean()
    update_fields = [fresh._meta.get_field(k).name for k in plain]
    if any(f.name == "updated_at" for f in fresh._meta.fields):
        update_fields.append("updated_at")
    if plain:
        fresh.save(update_fields=update_fields)
    for name, value in changes.items():
        if name not in plain:
            getattr(fresh, name).set(value)
    after = field_values(fresh, changes)
    changed = diff(before, after)
    if changed and not plain and "updated_at" in update_fields:
        # Only many-to-many fields changed: still a change of the object, so it is marked.
        fresh.save(update_fields=["updated_at"])
    if changed:
        audit(
            by=by,
            action=AuditAction.UPDATE,
            obj=fresh,
            account=account,
            contact=contact,
            changes=changed,
        )
    return fresh, changed
