"""Template helpers of the programme's plan pages, and the dashboard's "waiting for me"."""

from __future__ import annotations

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("plans/partials/_waiting.html", takes_context=True)
def waiting_for_me(context) -> dict:
    """Sign-offs the user must give, reviews they must write, their late actions: a fixed
    number of queries, for the dashboard of every role."""
    from kam.plans.programme import waiting_for

    user = context["request"].user
    return {"waiting": waiting_for(user=user, today=timezone.localdate()), "user": user}


@register.filter
def capability_label(key: str) -> str:
    from kam.plans.capabilities import label

    return label(key)
