"""Text that the API accepts: no NUL character and no lone surrogate, no longer than the
model field it is stored in.

Both characters pass JSON and pydantic but not the database: PostgreSQL refuses NUL in text,
and a lone surrogate (``"\\ud800"``) cannot be encoded for either database, so they were
server errors. Refused here, they are a 422 naming the field, before any service runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_nul", _("Text cannot contain the NUL character."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "text_surrogate", _("Text cannot contain a lone surrogate (not Unicode text).")
        ) from None
    return value


Text = Annotated[str, AfterValidator(clean_text)]


def text_of(model: type[models.Model], field: str) -> Any:
    """``Text`` no longer than ``model.field`` (a ``CharField``'s ``max_length``)."""
    limit = model._meta.get_field(field).max_length
    if limit is None:
        return Text
    return Annotated[str, StringConstraints(max_length=limit), AfterValidator(clean_text)]
