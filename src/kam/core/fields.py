"""Model fields shared across apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonTextField(models.TextField):
    """JSON kept as plain text in the database: Python sees the parsed value, as with a
    JSONField, but PostgreSQL stores and copies text instead of parsing it into jsonb.

    For columns nothing queries inside (a text match at most): writing many rows through
    COPY skips the jsonb conversion. A ``str`` given to a lookup or a save is taken as JSON
    text already, so ``.exclude(flags="[]")`` and ``.exclude(flags=[])`` mean the same."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return dumps(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))
