"""Reads of effort and money measured: hours per person per account in a period (the
interaction log's durations plus time entries), each person's capacity, each account's hours
against its tier's service level, and budgets against what was spent.

Each aggregation is one GROUP BY in the database; nothing here reads a row per account.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from kam.accounts.models import Account, TeamMembership
from kam.core.models import Period
from kam.priorities.models import Absence, Budget, Capacity, Expense, TimeEntry
from kam.relationships.models import DEFAULT_MINUTES, Interaction, InteractionKind

# Kinds that count as a visit against a tier's visit frequency: the customer met in person.
VISIT_KINDS = (
    InteractionKind.VISIT,
    InteractionKind.MEETING,
    InteractionKind.DEMO,
    InteractionKind.PILOT,
    InteractionKind.SENIOR_VISIT,
)


def _minutes_expr(prefix: str = ""):
    """An interaction's minutes in SQL: its duration, or its kind's usual length."""
    usual = Case(
        *[When(**{f"{prefix}kind": kind}, then=Value(m)) for kind, m in DEFAULT_MINUTES.items()],
        default=Value(60),
        output_field=IntegerField(),
    )
    return Coalesce(f"{prefix}duration_minutes", usual, output_field=IntegerField())


def period_months(period: Period) -> float:
    return ((period.ends_on - period.starts_on).days + 1) / (365.25 / 12)


def working_days(start: date, end: date) -> int:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    return int(np.busday_count(start, end + timedelta(days=1)))


@dataclass
class Effort:
    """Hours per (user id, account id) in a period, by source."""

    logged: dict[tuple[int, int], float] = field(default_factory=dict)  # interaction log
    entered: dict[tuple[int, int], float] = field(default_factory=dict)  # time entries

    def total(self, key: tuple[int, int]) -> float:
        return self.logged.get(key, 0.0) + self.entered.get(key, 0.0)

    def keys(self) -> set[tuple[int, int]]:
        return set(self.logged) | set(self.entered)

    def by_account(self) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for (_user, account), _h in self.logged.items():
            out[account] += _h
        for (_user, account), _h in self.entered.items():
            out[account] += _h
        return out


def effort_in(
    *, start: date, end: date, accounts: QuerySet[Account] | None = None, users=None
) -> Effort:
    """Hours each person spent on each account between ``start`` and ``end``: every one of
    our participants in an interaction is counted for its whole duration."""
    through = Interaction.our_participants.through
    logged = through.objects.filter(interaction__occurred_on__range=(start, end))
    entries = TimeEntry.objects.filter(spent_on__range=(start, end))
    if accounts is not None:
        logged = logged.filter(interaction__account__in=accounts)
        entries = entries.filter(account__in=accounts)
    if users is not None:
        logged = logged.filter(user__in=users)
        entries = entries.filter(user__in=users)
    effort = Effort()
    for row in logged.values("user_id", "interaction__account_id").annotate(
        minutes=Sum(_minutes_expr("interaction__"))
    ):
        effort.logged[(row["user_id"], row["interaction__account_id"])] = row["minutes"] / 60
    for row in entries.values("user_id", "account_id").annotate(minutes=Sum("minutes")):
        effort.entered[(row["user_id"], row["account_id"])] = row["minutes"] / 60
    return effort


def capacity_hours(*, period: Period, users) -> dict[int, float | None]:
    """Each user's selling hours in ``period``: hours per week over the period's working
    days, less their absences' working days. None where no capacity is set (unknown).
    ``users``: users or their ids. Two queries, no model instance per row."""
    ids = [getattr(u, "pk", u) for u in users]
    per_week = {
        user_id: float(hours)
        for user_id, hours in Capacity.objects.filter(period=period, user__in=ids).values_list(
            "user_id", "hours_per_week"
        )
    }
    days = working_days(period.starts_on, period.ends_on)
    away: dict[int, int] = defaultdict(int)
    absences = Absence.objects.filter(
        user__in=ids, starts_on__lte=period.ends_on, ends_on__gte=period.starts_on
    ).values_list("user_id", "starts_on", "ends_on")
    for user_id, starts_on, ends_on in absences:
        away[user_id] += working_days(
            max(starts_on, period.starts_on), min(ends_on, period.ends_on)
        )
    return {
        pk: (per_week[pk] / 5 * max(days - min(away[pk], days), 0) if pk in per_week else None)
        for pk in ids
    }


def serving_pairs(accounts: QuerySet[Account]) -> list[tuple[int, int]]:
    """(user id, account id) of everyone who may give an account time: KAM and team."""
    pairs = set(accounts.exclude(owner=None).values_list("owner_id", "pk"))
    pairs |= set(
        TeamMembership.objects.filter(account__in=accounts).values_list("user_id", "account_id")
    )
    return sorted(pairs)


def visits_in(*, start: date, end: date, accounts: QuerySet[Account]) -> dict[int, int]:
    rows = (
        Interaction.objects.filter(
            account__in=accounts, occurred_on__range=(start, end), kind__in=VISIT_KINDS
        )
        .values("account_id")
        .annotate(n=Count("pk"))
    )
    return {r["account_id"]: r["n"] for r in rows}


@dataclass
class Money:
    budget: Decimal | None
    currency: str
    spent: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.spent

    @property
    def over(self) -> bool:
        return self.budget is not None and self.spent > self.budget


def money_in(*, period: Period, accounts: QuerySet[Account], users=None) -> dict:
    """Budgets against expenses in ``period``: ``{"accounts": {id: Money}, "people": {id:
    Money}}``. Expenses in another currency than the budget's are counted apart (never
    converted silently): ``"other_currency"`` lists them."""
    span = (period.starts_on, period.ends_on)
    spent_acc = defaultdict(dict)
    for row in (
        Expense.objects.filter(account__in=accounts, spent_on__range=span)
        .values("account_id", "currency")
        .annotate(total=Sum("amount"))
    ):
        spent_acc[row["account_id"]][row["currency"]] = row["total"]
    spent_user = defaultdict(dict)
    expenses = Expense.objects.filter(spent_on__range=span)
    if users is not None:
        expenses = expenses.filter(user__in=users)
    for row in expenses.values("user_id", "currency").annotate(total=Sum("amount")):
        spent_user[row["user_id"]][row["currency"]] = row["total"]
    out: dict = {"accounts": {}, "people": {}, "other_currency": []}
    budgets = Budget.objects.filter(period=period).filter(
        Q(account__in=accounts) | Q(account__isnull=True)
    )
    seen_acc, seen_user = set(), set()
    for b in budgets:
        spent = spent_acc if b.account_id else spent_user
        key = b.account_id or b.user_id
        by_currency = spent.get(key, {})
        out["accounts" if b.account_id else "people"][key] = Money(
            b.amount, b.currency, by_currency.get(b.currency, Decimal(0))
        )
        (seen_acc if b.account_id else seen_user).add(key)
        for currency, total in by_currency.items():
            if currency != b.currency:
                out["other_currency"].append((key, currency, total))
    for key, by_currency in spent_acc.items():
        if key not in seen_acc:
            for currency, total in by_currency.items():
                out["accounts"].setdefault(key, Money(None, currency, total))
    for key, by_currency in spent_user.items():
        if key not in seen_user:
            for currency, total in by_currency.items():
                out["people"].setdefault(key, Money(None, currency, total))
    return out
