"""Field types of the API's inputs: text and dates the database can store, and PATCH fields
that may be left out but are never null.

Text: no NUL character and no lone surrogate, no longer than the model field it is stored in.

Both characters pass JSON and pydantic but not the database: PostgreSQL refuses NUL in text,
and a lone surrogate (``"\\ud800"``) cannot be encoded for either database, so they were
server errors. Refused here, they are a 422 naming the field, before any service runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StringConstraints
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


# Dates far from today are typing mistakes, and date arithmetic on them (a period before,
# a horizon after) overflows Python's calendar: a server error. Kept within these years.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def _day_in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            "date_out_of_range",
            _("Enter a date from %(first)s to %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


Day = Annotated[date, AfterValidator(_day_in_range)]
Moment = Annotated[datetime, AfterValidator(_day_in_range)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def unset(**constraints: Any) -> Any:
    """The default of a PATCH field that may be left out but is never null: left out, it is
    not changed (``exclude_unset``); null is refused with a 422, as the field's type says."""
    return Field(None, json_schema_extra=_no_default, **constraints)


# A period in days (drift over the last N days): within ten years, so a date minus it stays
# a date.
Days = Annotated[int, Field(ge=1, le=3650)]
