"""Reads of objectives and opportunities, scoped by ``Account.objects.visible_to``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from kam.accounts.models import Account
from kam.planning.models import Objective, Opportunity, OpportunityStatus

# Result horizons of open opportunities, in months from today: [start, end).
HORIZONS = (("0-3", 0, 3), ("3-6", 3, 6), ("6-12", 6, 12), ("12+", 12, None))
UNDATED = "undated"


def objectives_for(*, user, account: Account | None = None) -> QuerySet[Objective]:
    rows = Objective.objects.visible_to(user).select_related("account", "source_contact")
    if account is not None:
        rows = rows.filter(account=account)
    return rows.order_by("account__name", "horizon", "-recorded_on", "pk")


def opportunities_for(*, user, account: Account | None = None) -> QuerySet[Opportunity]:
    """Visible opportunities with their objectives and buy-in contacts (three queries)."""
    rows = (
        Opportunity.objects.visible_to(user)
        .select_related("account")
        .prefetch_related("objectives", "buy_in_needed_from")
    )
    if account is not None:
        rows = rows.filter(account=account)
    return rows.order_by("expected_on", "pk")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's end: 31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def horizon_of(expected_on: date | None, today: date) -> str:
    """Which horizon a result date falls in; overdue open opportunities count as 0-3."""
    if expected_on is None:
        return UNDATED
    for label, _start, end in HORIZONS:
        if end is None or expected_on < add_months(today, end):
            return label
    return HORIZONS[-1][0]  # pragma: no cover


@dataclass
class HorizonBucket:
    """The open opportunities whose results fall in one horizon."""

    label: str
    opportunities: list[Opportunity] = field(default_factory=list)
    value_by_currency: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    weighted_by_currency: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    @property
    def count(self) -> int:
        return len(self.opportunities)


def opportunities_by_horizon(
    *, user, today: date, account: Account | None = None
) -> list[HorizonBucket]:
    """Open opportunities grouped into 0-3, 3-6, 6-12 and 12+ months from today (then the
    undated), with value and probability-weighted value per currency: which accounts give
    results soon and which only later (METHOD.md M6)."""
    buckets = {label: HorizonBucket(label) for label, *_ in HORIZONS}
    buckets[UNDATED] = HorizonBucket(UNDATED)
    rows = opportunities_for(user=user, account=account).filter(status=OpportunityStatus.OPEN)
    for opportunity in rows:
        bucket = buckets[horizon_of(opportunity.expected_on, today)]
        bucket.opportunities.append(opportunity)
        bucket.value_by_currency[opportunity.currency] += opportunity.value
        bucket.weighted_by_currency[opportunity.currency] += opportunity.weighted_value
    return list(buckets.values())
