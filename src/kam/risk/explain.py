"""Health signals and loss inputs in words, in the reader's language (pages and API)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SIGNAL_NAMES = {
    "threads": gettext_lazy("Relationship coverage"),
    "attitude": gettext_lazy("Attitude of influential contacts"),
    "departures": gettext_lazy("Departures in the last 6 months"),
    "interests_open": gettext_lazy("Entrenched interests without a strategy"),
    "recency": gettext_lazy("Last interaction against the service level"),
    "revenue_trend": gettext_lazy("Revenue trend"),
    "margin_trend": gettext_lazy("Margin trend"),
    "days_late": gettext_lazy("Payment: average days late"),
    "days_late_change": gettext_lazy("Payment trend"),
    "plan_delivery": gettext_lazy("Plan status and action delivery"),
}
INPUT_NAMES = {
    "health": gettext_lazy("Health"),
    "barriers": gettext_lazy("Exit barriers"),
    "days_late": gettext_lazy("Payment: average days late"),
    "revenue_trend": gettext_lazy("Revenue trend"),
}
BAND_NAMES = {
    "healthy": gettext_lazy("Healthy"),
    "watch": gettext_lazy("Watch"),
    "at_risk": gettext_lazy("At risk"),
    "unknown": gettext_lazy("Unknown"),
}
TREND_NAMES = {
    "rising": gettext_lazy("rising"),
    "steady": gettext_lazy("steady"),
    "falling": gettext_lazy("falling"),
    "unknown": gettext_lazy("no earlier health to compare"),
}


def _n(value: float, places: int = 1) -> str:
    return number_format(round(value, places), places)


def signal_value(key: str, value: float | None) -> str:
    """The raw value as a reader says it."""
    if value is None:
        return _("unknown")
    if key == "threads":
        return _("%(n)s contacts met in 12 months") % {"n": _n(value, 0)}
    if key == "attitude":
        return _("%(n)s%% supporters minus opponents") % {"n": _n(value, 0)}
    if key == "departures":
        return _("%(n)s left") % {"n": _n(value, 0)}
    if key == "interests_open":
        return _("%(n)s open") % {"n": _n(value, 0)}
    if key == "recency":
        return _("%(n)s times the interval between visits") % {"n": _n(value)}
    if key == "revenue_trend":
        return _("%(n)s%% a quarter") % {"n": _n(value)}
    if key == "margin_trend":
        return _("%(n)s points a quarter") % {"n": _n(value)}
    if key == "days_late":
        return _("%(n)s days") % {"n": _n(value)}
    if key == "days_late_change":
        return _("%(n)s days since the last scoring") % {"n": _n(value)}
    if key == "plan_delivery":
        return _("%(n)s of 100") % {"n": _n(value, 0)}
    return _n(value)


def signal_sentence(part: dict) -> str:
    """One signal's line: its value, its points, its weight and what it adds."""
    name = SIGNAL_NAMES.get(part["key"], part["key"])
    if part["value"] is None:
        return _("%(name)s: unknown, left out (not counted against the account).") % {"name": name}
    return _(
        "%(name)s: %(value)s, %(points)s of 100 points at weight %(weight)s%%, "
        "adds %(contribution)s."
    ) % {
        "name": name,
        "value": signal_value(part["key"], part["value"]),
        "points": _n(part["points"], 0),
        "weight": _n(part["weight_pct"], 0),
        "contribution": _n(part["contribution"]),
    }


def input_sentence(item: dict) -> str:
    """One loss input's line: value and how it moves the odds."""
    name = INPUT_NAMES.get(item["key"], item["key"])
    if item["value"] is None:
        return _("%(name)s: unknown, counted as neutral.") % {"name": name}
    factor = item["odds_factor"]
    if abs(factor - 1) < 0.005:
        effect = _("leaves the odds as they are")
    elif factor > 1:
        effect = _("multiplies the odds of loss by %(f)s") % {"f": _n(factor, 2)}
    else:
        effect = _("divides the odds of loss by %(f)s") % {"f": _n(1 / factor, 2)}
    return _("%(name)s: %(value)s, %(effect)s.") % {
        "name": name,
        "value": _n(item["value"]),
        "effect": effect,
    }
