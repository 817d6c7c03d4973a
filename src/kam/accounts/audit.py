"""The audit trail of an account's records, and the locked, versioned update every service
makes: who changed what and when (METHOD.md M3), and no edit silently overwriting another.

Services call these helpers (never signals), so bulk paths and the CLI say who they act for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account, AuditAction, AuditEntry
from kam.core.versions import EditConflict, Versioned, lock_version, stale_edit

if TYPE_CHECKING:
    from kam.relationships.models import Contact

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


def lock(
    obj: M, expected_version: int | None = None, expected_updated_at: datetime | None = None
) -> M:
    """A fresh copy of ``obj`` with its row locked until the transaction ends.

    ``expected_version`` is the version the caller saw: if the row changed since,
    EditConflict (naming who changed it, when) is raised rather than silently overwriting the
    other person's change. ``expected_updated_at`` is the older way of saying the same; it is
    compared to the millisecond, the precision the API shows.
    """
    if isinstance(obj, Versioned):
        fresh = lock_version(obj, expected_version)
    else:
        fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    seen = expected_updated_at
    stored = getattr(fresh, "updated_at", None)
    if seen is not None and stored is not None and _to_ms(stored) != _to_ms(seen):
        if isinstance(fresh, Versioned):
            raise stale_edit(fresh)
        raise EditConflict()
    return fresh


def _to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def touch(obj: models.Model, by: Any) -> list[str]:
    """Bump the version of ``obj`` (a locked, fresh row) for a write by ``by``; the fields to
    save. Nothing for a record without a version."""
    return obj.touch(by) if isinstance(obj, Versioned) else []


def apply_update(
    obj: M,
    *,
    by,
    changes: Mapping[str, Any],
    allowed: Iterable[str],
    account: Account | None,
    contact: Contact | None = None,
    expected_version: int | None = None,
    expected_updated_at: datetime | None = None,
) -> tuple[M, dict[str, list[Any]]]:
    """Lock, check the version, change, validate and save ``obj``; audit what really changed.
    Many-to-many fields in ``changes`` take lists of objects. Any change bumps the version,
    many-to-many ones included."""
    check_fields(changes, allowed)
    fresh = lock(obj, expected_version, expected_updated_at)
    before = field_values(fresh, changes)
    plain = {k: v for k, v in changes.items() if not fresh._meta.get_field(k).many_to_many}
    for name, value in plain.items():
        setattr(fresh, name, value)
    fresh.full_clean()
    update_fields = [fresh._meta.get_field(k).name for k in plain]
    if any(f.name == "updated_at" for f in fresh._meta.fields):
        update_fields.append("updated_at")
    if changes:
        update_fields += touch(fresh, by)
    if plain or (changes and isinstance(fresh, Versioned)):
        fresh.save(update_fields=list(dict.fromkeys(update_fields)))
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
