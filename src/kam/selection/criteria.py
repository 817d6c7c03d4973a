"""The criteria kam knows how to score (METHOD.md M2): their keys, labels and defaults.

Computed criteria come from the ledger rollups; rated ones are entered by people (with who and
when); profile criteria come from the account record. The programme lead chooses which are
active and how they weigh; the defaults below are a starting point.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CriterionInfo:
    key: str
    label: str
    source: str  # "metric", "rating" or "profile"
    higher_is_better: bool = True
    unit: str = ""  # "money", "pct", "days", "score", "" (a count)
    # Defaults for a new programme: weight 0 means known but not used.
    weight: int = 0
    normalisation: str = "percentile"


CATALOGUE: tuple[CriterionInfo, ...] = (
    CriterionInfo("revenue", _("Sales volume (last 12 months)"), "metric", unit="money", weight=25),
    CriterionInfo("units", _("Units bought (last 12 months)"), "metric"),
    # Percentile, not min-max: one customer sold below cost would squash everyone else's
    # margin points together at the top.
    CriterionInfo("margin_pct", _("Gross margin %"), "metric", unit="pct", weight=20),
    CriterionInfo(
        "revenue_trend_pct", _("Growth trend (slope per quarter)"), "metric", unit="pct", weight=10
    ),
    CriterionInfo(
        "growing_quarters_pct",
        _("Share of quarters that grew"),
        "metric",
        unit="pct",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo("yoy_growth_pct", _("Growth on the previous 12 months"), "metric", unit="pct"),
    CriterionInfo("sales_share_pct", _("Share of our total sales"), "metric", unit="pct"),
    CriterionInfo(
        "avg_days_late",
        _("Average days late"),
        "metric",
        higher_is_better=False,
        unit="days",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo(
        "on_time_pct", _("Invoices paid on time"), "metric", unit="pct", normalisation="min_max"
    ),
    CriterionInfo(
        "discount_pct",
        _("Discounts and rebates given"),
        "metric",
        higher_is_better=False,
        unit="pct",
    ),
    CriterionInfo("profit", _("Account profit after cost to serve"), "metric", unit="money"),
    CriterionInfo(
        "wallet",
        _("Potential (customer's spend in the category)"),
        "rating",
        unit="money",
        weight=10,
    ),
    CriterionInfo("share_of_wallet_pct", _("Share of wallet"), "metric", unit="pct"),
    CriterionInfo("headroom", _("Headroom (wallet not yet ours)"), "metric", unit="money"),
    CriterionInfo(
        "credit_rating",
        _("Credit rating"),
        "rating",
        unit="score",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo(
        "access_to_objectives",
        _("Access to business objectives"),
        "rating",
        unit="score",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo(
        "openness",
        _("Openness to new ideas"),
        "rating",
        unit="score",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo(
        "proximity", _("Geographic proximity"), "rating", unit="score", normalisation="min_max"
    ),
    CriterionInfo(
        "service_complexity",
        _("Complexity of serving them"),
        "rating",
        higher_is_better=False,
        unit="score",
        normalisation="min_max",
    ),
    CriterionInfo(
        "wants_key",
        _("Wants to be a key account"),
        "rating",
        unit="score",
        weight=5,
        normalisation="min_max",
    ),
    CriterionInfo(
        "coverage",
        _("National / international account"),
        "profile",
        unit="score",
        normalisation="min_max",
    ),
)
BY_KEY = {info.key: info for info in CATALOGUE}
RATED = tuple(info.key for info in CATALOGUE if info.source == "rating")

# Ratings on a scale: what the numbers mean, for forms and for the "why" sentences.
CREDIT_GRADES = {4: "A", 3: "B", 2: "C", 1: "D"}
SCALE_1_TO_5 = (1, 5)
COVERAGE_SCORES = {"local": 1, "national": 2, "international": 3}


# Short names for the "why" column, phrased as the strength they reward.
SHORT = {
    "revenue": _("Volume"),
    "units": _("Units"),
    "margin_pct": _("Margin"),
    "revenue_trend_pct": _("Growth trend"),
    "growing_quarters_pct": _("Steady growth"),
    "yoy_growth_pct": _("Growth on last year"),
    "sales_share_pct": _("Share of our sales"),
    "avg_days_late": _("Pays on time"),
    "on_time_pct": _("On-time invoices"),
    "discount_pct": _("Few discounts"),
    "profit": _("Profit"),
    "wallet": _("Potential"),
    "share_of_wallet_pct": _("Share of wallet"),
    "headroom": _("Headroom"),
    "credit_rating": _("Credit"),
    "access_to_objectives": _("Access to objectives"),
    "openness": _("Openness"),
    "proximity": _("Proximity"),
    "service_complexity": _("Easy to serve"),
    "wants_key": _("Wants to be key"),
    "coverage": _("National / international"),
}


def short_label(key: str) -> str:
    return str(SHORT.get(key, label(key)))


def label(key: str) -> str:
    info = BY_KEY.get(key)
    return str(info.label) if info else key


# The preset tier and scheme names, so that they show in the reader's language. A name the
# programme lead typed in is theirs and is shown as typed.
PRESET_NAMES = {
    "Gold": _("Gold"),
    "Silver": _("Silver"),
    "Bronze": _("Bronze"),
    "Premier": _("Premier"),
    "1st division": _("1st division"),
    "2nd division": _("2nd division"),
    "First": _("First"),
    "Club": _("Club"),
    "Economy": _("Economy"),
    "Standby": _("Standby"),
    "Gold / Silver / Bronze": _("Gold / Silver / Bronze"),
    "Premier / 1st division / 2nd division": _("Premier / 1st division / 2nd division"),
    "First / Club / Economy / Standby": _("First / Club / Economy / Standby"),
}


def tier_label(name: str) -> str:
    return str(PRESET_NAMES.get(name, name))
