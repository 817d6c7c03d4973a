from django import template

from kam.core import formatting
from kam.selection import criteria

register = template.Library()


@register.filter
def criterion_label(key: str) -> str:
    return criteria.label(key)


@register.filter
def plain_number(value) -> str:
    """A raw criterion value for the breakdown: thousands grouped, at most two decimals."""
    return formatting.number(value, 0 if value is not None and abs(value) >= 100 else 2, trim=True)


@register.filter
def tier_label(name: str) -> str:
    """A preset tier or scheme name in the reader's language; a custom name as typed."""
    return criteria.tier_label(name or "")


@register.inclusion_tag("selection/partials/_period.html", takes_context=True)
def scoring_period_form(context) -> dict:
    """The scoring window's form, saved and checked by its own view (selection:scoring_period)."""
    from kam.selection.forms import ScoringPeriodForm
    from kam.selection.models import ScoringPeriod

    form = context.get("period_form") or ScoringPeriodForm(instance=ScoringPeriod.current())
    return {"period_form": form, "csrf_token": context.get("csrf_token")}
