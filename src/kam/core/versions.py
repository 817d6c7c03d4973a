"""Versions of the records people edit, and the conflict raised when an edit is stale.

Every record a person edits carries an integer ``version``; a write names the version it was
based on, and a stale one is refused with ``EditConflict`` (HTTP 409) instead of silently
overwriting the other person's change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _


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
        super().__init__(message or _("Someone else changed this since you opened it; reload it."))
