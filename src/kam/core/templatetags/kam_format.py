"""Template filters of kam.core.formatting: ``{% load kam_format %}``, then
``{{ value|num }}``, ``{{ value|num:2 }}``, ``{{ value|pct:1 }}``, ``{{ share|share }}``,
``{{ day|day }}``. None (or an empty value) shows as a dash."""

from __future__ import annotations

from django import template

from kam.core import formatting

register = template.Library()


@register.filter
def num(value, digits=0) -> str:
    """Thousands grouped, ``digits`` decimals; ``num:"-2"`` at most two, trailing zeros dropped."""
    digits = int(digits)
    return formatting.number(value, abs(digits), trim=digits < 0)


@register.filter
def pct(value, digits=0) -> str:
    return formatting.percent(value, int(digits))


@register.filter
def share(value, digits=0) -> str:
    return formatting.share(value, int(digits))


@register.filter
def day(value) -> str:
    return formatting.day(value)


@register.filter
def plural_n(value) -> int:
    """The count ``blocktranslate count`` chooses a plural form by: the number itself when it
    is whole, else 2 (a fraction reads as plural: "1.5 visits"); gettext wants an integer."""
    try:
        whole = int(value)
    except (TypeError, ValueError):
        return 2
    return whole if whole == value else 2
