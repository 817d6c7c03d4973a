"""A scoring run: gather rollups and ratings with a few set-based queries, call the pure
modules (features, scoring, tiering, flags), and store one dated snapshot row per account.

Reads only the per-quarter rollups, never the ledger, so a rescore of 100,000 accounts costs a
few hundred thousand small rows instead of millions of lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.bulk import insert_rows
from kam.core.periods import last_complete_quarters
from kam.ledger.models import AccountQuarter, LedgerSettings
from kam.selection import adapters, criteria
from kam.selection.defaults import ensure_defaults
from kam.selection.features import AccountFeatures, QuarterlyRollup, compute_features
from kam.selection.flags import FlagReport, FlagThresholds, flag_accounts
from kam.selection.models import (
    AccountScore,
    CostToServe,
    KnockOutRule,
    Rating,
    RunStatus,
    ScoringRun,
    SelectionCriterion,
    TierOverride,
    TierScheme,
)
from kam.selection.scoring import ScoreResult, score_accounts
from kam.selection.tiering import NO_TIER, Override, TierAssignment, assign_tiers

Progress = Callable[[str, int, int], None]
WINDOW = 4  # quarters: the last 12 months against the 12 before (M2)
# Trends must move by half a point a quarter to count: quarter-to-quarter noise in discounts
# and margin would otherwise flag half the portfolio as giving efficiencies back.
FLAG_LIMITS = FlagThresholds(
    discount_rising_above=0.5, margin_falling_below=-0.5, single_criterion_share_pct=50.0
)


@dataclass(frozen=True)
class Inputs:
    account_ids: list[int]
    coverage: list[str]
    quarters: list[date]
    rollup: QuarterlyRollup
    ratings: dict[str, np.ndarray]


def _quarter_index(quarters: list[date]) -> dict[str, int]:
    return {q.isoformat(): i for i, q in enumerate(quarters)}


def gather_inputs(*, as_of: date, window: int = WINDOW) -> Inputs:
    """Everything the pure modules need, in a fixed handful of queries."""
    accounts = list(Account.objects.order_by("pk").values_list("pk", "coverage"))
    account_ids = [pk for pk, _ in accounts]
    position = {pk: i for i, pk in enumerate(account_ids)}
    quarters = last_complete_quarters(as_of, 2 * window)
    n, q = len(account_ids), len(quarters)
    revenue, cost, units, discounts = (np.zeros((n, q)) for _ in range(4))
    due, on_time, late_sum = (np.zeros(n) for _ in range(3))
    late_max = np.full(n, np.nan)
    index = _quarter_index(quarters)
    current = set(range(q - window, q))

    table = AccountQuarter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT account_id, quarter, revenue, cost, discount, rebate, units, invoices_due, "  # noqa: S608 - table name from the model
            f"paid_on_time, days_late_sum, days_late_max FROM {table} "
            f"WHERE quarter >= %s AND quarter <= %s",
            [quarters[0], quarters[-1]],
        )
        for row in cursor.fetchall():
            i = position.get(row[0])
            j = index.get(str(row[1])[:10])
            if i is None or j is None:
                continue
            rebate = float(row[5])
            # Features take revenue net of rebates and every price concession as "discounts".
            revenue[i, j] = float(row[2]) - rebate
            cost[i, j] = float(row[3])
            discounts[i, j] = float(row[4]) + rebate
            units[i, j] = float(row[6])
            if j in current:
                due[i] += row[7]
                on_time[i] += row[8]
                late_sum[i] += row[9]
                late_max[i] = max(row[10], 0 if np.isnan(late_max[i]) else late_max[i])

    with np.errstate(invalid="ignore", divide="ignore"):
        avg_late = np.where(due > 0, late_sum / due, np.nan)
        on_time_pct = np.where(due > 0, on_time / due * 100.0, np.nan)
    worst = np.where(due > 0, late_max, np.nan)
    rollup = QuarterlyRollup.from_arrays(
        revenue=revenue,
        cost=cost,
        units=units,
        discounts=discounts,
        avg_days_late=avg_late,
        worst_days_late=worst,
        on_time_pct=on_time_pct,
        cost_to_serve=_cost_to_serve(account_ids, position),
    )
    return Inputs(
        account_ids=account_ids,
        coverage=[c for _, c in accounts],
        quarters=quarters,
        rollup=rollup,
        ratings=_current_ratings(n, position),
    )


def _current_ratings(n: int, position: dict[int, int]) -> dict[str, np.ndarray]:
    ratings = {key: np.full(n, np.nan) for key in criteria.RATED}
    rows = Rating.objects.order_by("account_id", "key", "rated_at", "pk").values_list(
        "account_id", "key", "value"
    )
    for account_id, key, value in rows.iterator(chunk_size=10_000):
        if key in ratings:
            ratings[key][position[account_id]] = float(value)  # later rows win: the latest
    return ratings


def _cost_to_serve(account_ids: list[int], position: dict[int, int]) -> np.ndarray:
    """The account's own figure, else its tier's in the last run, else nothing (0)."""
    costs = np.zeros(len(account_ids))
    tier_cost = {}
    scheme = TierScheme.objects.filter(active=True).first()
    if scheme is not None:
        tier_cost = {t.code: float(t.cost_to_serve) for t in scheme.tiers.all()}
    last = ScoringRun.objects.filter(status=RunStatus.DONE).first()
    if last is not None and any(tier_cost.values()):
        for account_id, code in last.scores.exclude(tier_code="").values_list(
            "account_id", "tier_code"
        ):
            if account_id in position:
                costs[position[account_id]] = tier_cost.get(code, 0.0)
    for account_id, amount in CostToServe.objects.order_by(
        "account_id", "set_at", "pk"
    ).values_list("account_id", "amount"):
        costs[position[account_id]] = float(amount)
    return costs


def criterion_values(inputs: Inputs, features: AccountFeatures) -> dict[str, np.ndarray]:
    """Every criterion's raw value per account, computed, rated and from the profile."""
    values = dict(features.columns())
    values.update(inputs.ratings)
    wallet = inputs.ratings["wallet"]
    with np.errstate(invalid="ignore", divide="ignore"):
        values["share_of_wallet_pct"] = np.where(
            wallet > 0, features.revenue / wallet * 100, np.nan
        )
    values["headroom"] = np.where(wallet > 0, np.maximum(wallet - features.revenue, 0), np.nan)
    values["coverage"] = np.array(
        [criteria.COVERAGE_SCORES.get(c, 1) for c in inputs.coverage], dtype=np.float64
    )
    return values


def _overrides(position: dict[int, int]) -> dict[int, Override]:
    latest: dict[int, TierOverride] = {}
    for override in TierOverride.objects.select_related("by").order_by("account_id", "at", "pk"):
        latest[override.account_id] = override
    return {
        position[account_id]: Override(tier=o.tier_code or None, reason=o.reason, by=o.by.username)
        for account_id, o in latest.items()
        if not o.cleared and account_id in position
    }


def _money(value: float) -> Decimal | None:
    return None if math.isnan(value) else Decimal(f"{value:.2f}")


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def _rows(
    run, inputs, features, values, result: ScoreResult, tiers: TierAssignment, flags: FlagReport
):
    keys = result.keys
    order = np.argsort(-result.contributions, axis=1, kind="stable")
    normalised = np.round(np.nan_to_num(result.normalised, nan=-1.0), 2).tolist()
    points = np.round(result.contributions, 2).tolist()
    raw = result.values.tolist()
    order_list = order.tolist()
    scheme_tiers = tiers.scheme.tiers
    knocked = result.knocked_out.tolist()
    share = values["share_of_wallet_pct"]
    for i, account_id in enumerate(inputs.account_ids):
        contributions = [
            {
                "key": keys[j],
                "value": None if math.isnan(raw[i][j]) else raw[i][j],
                "normalised": None if normalised[i][j] < 0 else normalised[i][j],
                "points": points[i][j],
            }
            for j in order_list[i]
        ]
        tier_index = int(tiers.tier[i])
        tier = None if tier_index == NO_TIER else scheme_tiers[tier_index]
        yield (
            run.pk,
            account_id,
            _money(features.revenue[i]),
            _money(features.revenue_previous[i]),
            _money(features.units[i]),
            _number(features.margin_pct[i]),
            _number(features.revenue_trend_pct[i]),
            _number(features.growing_quarters_pct[i]),
            _number(features.yoy_growth_pct[i]),
            _number(features.sales_share_pct[i]),
            _number(features.avg_days_late[i]),
            _number(features.worst_days_late[i]),
            _number(features.on_time_pct[i]),
            _number(features.discount_pct[i]),
            _number(features.discount_trend[i]),
            _number(features.margin_trend[i]),
            _money(inputs.rollup.discounts[i, -WINDOW:].sum()),
            _money(features.cost_to_serve[i]),
            _money(features.profit[i]),
            _number(share[i]),
            round(float(result.score[i]), 2),
            int(tiers.rank[i]) or None,
            tier.code if tier else "",
            tier.name if tier else "",
            bool(tier and tier.key),
            str(tiers.reason[i]),
            knocked[i],
            contributions,
            [
                {"code": str(f.code), "reasons": list(f.reasons), "facts": dict(f.facts)}
                for f in flags.for_account(i)
            ],
        )


COLUMNS = (
    "run_id", "account_id", "revenue", "revenue_previous", "units", "margin_pct",
    "revenue_trend_pct", "growing_quarters_pct", "yoy_growth_pct", "sales_share_pct",
    "avg_days_late", "worst_days_late", "on_time_pct", "discount_pct", "discount_trend",
    "margin_trend", "discounts", "cost_to_serve", "profit", "share_of_wallet_pct", "score",
    "rank", "tier_code", "tier_name", "is_key", "tier_reason", "knocked_out", "contributions",
    "flags",
)  # fmt: skip


def scoring_run_execute(*, as_of: date, by=None, progress: Progress | None = None) -> ScoringRun:
    """Score every account as of ``as_of`` and store the dated snapshot; returns the run."""
    step = progress or (lambda label, done, total: None)
    ensure_defaults()
    scheme = TierScheme.objects.get(active=True)
    criteria_rows = list(SelectionCriterion.objects.all())
    run = ScoringRun.objects.create(
        as_of=as_of,
        first_quarter=last_complete_quarters(as_of, 2 * WINDOW)[0],
        window_quarters=WINDOW,
        started_at=timezone.now(),
        by=by,
        scheme_name=scheme.name,
        reporting_currency=LedgerSettings.current().reporting_currency,
        settings_used={
            "criteria": [
                [c.key, str(c.weight), c.direction, c.normalisation] for c in criteria_rows
            ],
            "scheme": scheme.name,
            "capacity": scheme.capacity,
        },
    )
    try:
        step("gather", 0, 4)
        inputs = gather_inputs(as_of=as_of)
        position = {pk: i for i, pk in enumerate(inputs.account_ids)}
        step("score", 1, 4)
        features = compute_features(inputs.rollup, window=WINDOW)
        values = criterion_values(inputs, features)
        result = score_accounts(
            values,
            adapters.to_criteria(criteria_rows),
            knock_outs=adapters.to_knock_outs(list(KnockOutRule.objects.all())),
        )
        tiers = assign_tiers(
            scheme=adapters.to_scheme(scheme, list(scheme.tiers.all())),
            scores=result.score,
            eligible=result.eligible,
            revenue=features.revenue,
            tie_break=features.revenue,
            overrides=_overrides(position),
        )
        flags = flag_accounts(
            features=features, scores=result, key=tiers.is_key, thresholds=FLAG_LIMITS
        )
        step("store", 2, 4)
        with transaction.atomic():
            count = insert_rows(
                AccountScore._meta.db_table,
                COLUMNS,
                _rows(run, inputs, features, values, result, tiers, flags),
            )
            ScoringRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, finished_at=timezone.now(), accounts=count
            )
        step("done", 4, 4)
    except Exception:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def latest_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk").first()
