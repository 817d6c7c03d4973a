"""Reads for the selection pages, the API and the CLI; always inside the user's account scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from kam.accounts.access import CHANGE, can
from kam.accounts.models import Account
from kam.core.periods import last_complete_quarters, quarter_label
from kam.ledger.models import AccountQuarter
from kam.selection.models import (
    AccountScore,
    CostToServe,
    Rating,
    RunStatus,
    ScoringRun,
    Tier,
    TierOverride,
    TierScheme,
)

SORTS = {
    "rank": ("rank", "-score"),
    "score": ("-score",),
    "revenue": ("-revenue",),
    "margin": ("margin_pct",),
    "growth": ("-revenue_trend_pct",),
    "late": ("-avg_days_late",),
    "name": ("account__name",),
}


def latest_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk").first()


def key_account_rows(
    *,
    user,
    run: ScoringRun,
    q: str = "",
    tier: str = "",
    flag: str = "",
    country: str = "",
    key_only: bool = False,
    missing: str = "",
    sort: str = "rank",
) -> QuerySet[AccountScore]:
    """The run's rows for the accounts the user may see, filtered and sorted. Read through
    ``run.scores``, so every row's ``contributions`` finds the run without a query."""
    rows = run.scores.filter(account__in=Account.objects.visible_to(user)).select_related(
        "account", "account__owner"
    )
    if q := q.strip():
        rows = rows.filter(Q(account__name__icontains=q) | Q(account__code__icontains=q))
    if tier:
        rows = rows.filter(tier_code=tier)
    if key_only:
        rows = rows.filter(is_key=True)
    if missing == "wallet":  # scored, but no wallet estimate: not placed on the portfolio
        rows = rows.filter(share_of_wallet_pct=None).exclude(score=None)
    elif missing == "score":
        rows = rows.filter(score=None)
    if country:
        rows = rows.filter(account__country=country.upper())
    if flag:
        # JSON containment differs by backend; flags are few, so a text match on the code is
        # exact enough: codes are distinct words that never occur inside one another.
        rows = rows.filter(flags__icontains=f'"{flag}"')
    return rows.order_by(*SORTS.get(sort, SORTS["rank"]), "account_id")


def score_history(*, account: Account, runs: int = 12) -> list[tuple[date, float | None, str]]:
    """The account's score and tier in the last ``runs`` finished runs, newest first.

    Looked up run by run on the snapshot's (run, account) key: the snapshot keeps no index by
    account, which would slow every run's write."""
    recent = list(
        ScoringRun.objects.filter(status=RunStatus.DONE)
        .order_by("-as_of", "-started_at")
        .values_list("pk", flat=True)[:runs]
    )
    found = {
        s.run_id: s
        for s in AccountScore.objects.filter(account=account, run__in=recent).select_related("run")
    }
    return [
        (found[pk].run.as_of, found[pk].score, found[pk].tier_name) for pk in recent if pk in found
    ]


def run_summary(*, run: ScoringRun) -> dict[str, int]:
    """How many of the run's accounts are key and how many carry a flag: as the run counted
    them, else counted in the snapshot."""
    if run.key_accounts is not None and run.flagged_accounts is not None:
        return {"key": run.key_accounts, "flagged": run.flagged_accounts}
    return run.scores.aggregate(
        key=Count("account", filter=Q(is_key=True)),
        flagged=Count("account", filter=~Q(flags="[]")),
    )


class KeysFirstPaginator(Paginator):
    """Pages a run's rows (``key_account_rows``) by their keys first. The snapshot keeps no
    index on rank (it would add half again to every run's write), so any page means sorting
    all of the run's rows; sorting their bare keys, then reading the page's rows by key,
    takes half as long as sorting whole rows joined to their accounts."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(
            self.object_list.values_list("account_id", flat=True)[bottom : bottom + self.per_page]
        )
        found = {row.account_id: row for row in self.object_list.filter(account_id__in=keys)}
        return self._get_page([found[key] for key in keys if key in found], number, self)


def can_rate(user, account: Account) -> bool:
    """The account's KAM and team, and the programme lead; never a mentor (read-only)."""
    return user is not None and can(user, CHANGE, account)


@dataclass(frozen=True)
class Scorecard:
    account: Account
    run: ScoringRun | None
    score: AccountScore | None
    quarters: list[str]
    revenue: list[float | None]
    margin_pct: list[float | None]
    discount_pct: list[float | None]
    history: list[tuple[date, float | None, str]]
    ratings: list[Rating]
    overrides: list[TierOverride]
    costs: list[CostToServe]
    tier: Tier | None


def scorecard(*, account: Account, run: ScoringRun | None, quarters: int = 12) -> Scorecard:
    """One account's metrics, quarterly trends, score breakdown and the history behind them."""
    as_of = run.as_of if run else date.today()
    periods = last_complete_quarters(as_of, quarters)
    found = {
        row.quarter: row
        for row in AccountQuarter.objects.filter(
            account=account, quarter__gte=periods[0], quarter__lte=periods[-1]
        )
    }
    revenue, margin, discount = [], [], []
    for quarter in periods:
        row = found.get(quarter)
        if row is None:
            revenue.append(0.0)
            margin.append(None)
            discount.append(None)
            continue
        net = float(row.revenue - row.rebate)
        given = float(row.discount + row.rebate)
        revenue.append(net)
        # Lines of unknown cost make the quarter's margin unknown, not 100%.
        known = net > 0 and not row.uncosted_revenue
        margin.append((net - float(row.cost)) / net * 100 if known else None)
        discount.append(given / (net + given) * 100 if net + given > 0 else None)
    score = run.scores.filter(account=account).first() if run else None
    history = score_history(account=account)
    tier = None
    if score and score.tier_code:
        scheme = TierScheme.objects.filter(active=True).first()
        tier = Tier.objects.filter(scheme=scheme, code=score.tier_code).first()
    return Scorecard(
        account=account,
        run=run,
        score=score,
        quarters=[quarter_label(q) for q in periods],
        revenue=revenue,
        margin_pct=margin,
        discount_pct=discount,
        history=history,
        ratings=list(account.ratings.select_related("rated_by")[:30]),
        overrides=list(account.tier_overrides.select_related("by")[:10]),
        costs=list(account.costs_to_serve.select_related("set_by")[:5]),
        tier=tier,
    )


def current_ratings(ratings: list[Rating]) -> dict[str, Rating]:
    """The latest rating per criterion (``ratings`` newest first)."""
    latest: dict[str, Rating] = {}
    for rating in ratings:
        latest.setdefault(rating.key, rating)
    return latest
