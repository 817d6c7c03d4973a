"""The dashboard's "my week" panel as a template tag: ``{% my_week_panel %}``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from kam.priorities.week import week_for

register = template.Library()
SHOWN = 10


@register.inclusion_tag("priorities/partials/_my_week.html", takes_context=True)
def my_week_panel(context) -> dict:
    found = week_for(user=context["request"].user, today=timezone.localdate())
    return {"week": found[:SHOWN], "more": max(len(found) - SHOWN, 0), "panel": True}
