"""Versions of the records people edit, and the conflict raised when an edit is stale.

Every record a person edits carries an integer ``version``; a write names the version it was
based on, and a stale one is refused with ``EditConflict`` (HTTP 409) instead of silently
overwriting the other person's change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

M = TypeVar("M", bound=models.Model)


class EditConflict(Exception):
    """Someone else changed the object since the caller read it; reload and try again.

    ``by`` and ``at`` name who made the newer change and when, when known; ``current`` is the
    version now stored.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        by: Any = None,
        at: datetime | None = None,
        current: int | None = None,
    ) -> None:
        self.by = by
        self.at = at
        self.current = current
        self.worded = message is not None  # already names who and when (see stale_edit)
        super().__init__(message or _("Someone else changed this since you opened it; reload it."))


class Versioned(models.Model):
    """A record people edit: its ``version`` starts at 1 and every write bumps it, with who
    made the write and when, so a stale edit can be refused naming the newer one."""

    # db_default too: bulk paths that write SQL (the ledger import's accounts) start at 1.
    version = models.PositiveIntegerField(
        gettext_lazy("version"), default=1, db_default=1, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    def touch(self, by: Any = None) -> list[str]:
        """Mark this instance as written by ``by``: bump its version (the caller saves the
        returned fields, holding the row lock). ``by`` None is a system job: it stays unnamed."""
        self.version = (self.version or 0) + 1
        self.updated_at = timezone.now()
        self.updated_by = by if by is not None and getattr(by, "pk", None) else None
        return ["version", "updated_at", "updated_by"]


def stale_edit(current: Any) -> EditConflict:
    """The conflict of an edit based on an older version than ``current`` (a fresh row):
    names who wrote the newer version and when, in the reader's language."""
    by = getattr(current, "updated_by", None)
    at = getattr(current, "updated_at", None)
    when = date_format(timezone.localtime(at), "DATETIME_FORMAT") if at else None
    if by is not None and when:
        message = _(
            "%(user)s changed this on %(when)s, after you opened it (version %(version)s). "
            "Reload to see their change."
        ) % {"user": display_name(by), "when": when, "version": current.version}
    elif when:
        message = _(
            "This was changed by someone else on %(when)s, after you opened it "
            "(version %(version)s). Reload to see the change."
        ) % {"when": when, "version": current.version}
    else:
        message = None
    return EditConflict(message, by=by, at=at, current=getattr(current, "version", None))


def display_name(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or str(user)


def check_version(current: Any, expected: int | None) -> None:
    """Refuse an edit based on version ``expected`` if ``current`` (the locked, fresh row)
    has moved on. ``expected`` None is the client's explicit choice of last write wins."""
    if expected is not None and current.version != expected:
        raise stale_edit(current)


def lock_version(obj: M, expected: int | None = None) -> M:
    """A fresh copy of ``obj`` with its row locked until the transaction ends, checked
    against the version the caller saw. The lock makes the check atomic: of two requests
    with the same version, the second waits for the first to commit, then sees its bump."""
    fresh = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(fresh, expected)
    return fresh


def parse_if_match(header: str | None) -> int | None:
    """The version named by an ``If-Match`` header (``"3"``, ``W/"3"`` or ``3``), or None
    (no header, ``*``, or a value that is not a version: the body's version then decides)."""
    if not header:
        return None
    value = header.split(",")[0].strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    return int(value) if value.isdigit() and len(value) < 12 else None


def etag(version: int) -> str:
    return f'W/"{version}"'
