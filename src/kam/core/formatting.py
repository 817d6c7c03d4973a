"""The one path every number, percentage and date takes to the page, in the reader's format.

Django's localisation with kam's formats (``kam.formats``): Indonesian writes 3,45 and
32.983.315, Traditional Chinese and English 3.45 and 32,983,315. Templates reach these through
the ``kam_format`` filters; Python code that words a sentence calls them directly. Never format a
number with an f-string or ``str()`` for a page.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

MISSING = "—"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def number(value: Any, digits: int = 0, *, trim: bool = False) -> str:
    """``value`` rounded half up to ``digits`` decimals, thousands grouped, in the active
    language's format; ``trim`` drops trailing zeros (2.50 -> 2.5, 3.00 -> 3)."""
    exact = _decimal(value)
    if exact is None:
        return MISSING
    rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if trim:
        rounded = rounded.normalize() if rounded != 0 else Decimal(0)
        digits = max(0, -rounded.as_tuple().exponent)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    return number_format(rounded, digits, use_l10n=True, force_grouping=True)


def percent(value: Any, digits: int = 0) -> str:
    """A value already in percent (12.5) as '12.5%' in the reader's format."""
    if _decimal(value) is None:
        return MISSING
    return _("%(percent)s%%") % {"percent": number(value, digits)}


def share(value: Any, digits: int = 0) -> str:
    """A 0-1 share (0.125) as a percentage ('12.5%' with one digit)."""
    exact = _decimal(value)
    return MISSING if exact is None else percent(exact * 100, digits)


def day(value: date | datetime | None, fmt: str = "SHORT_DATE_FORMAT") -> str:
    """A date in the reader's short format (the format every panel uses for a day)."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, datetime):
        value = value.date()
    return date_format(value, fmt)
