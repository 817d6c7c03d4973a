"""A scoring run: gather rollups and ratings with a few set-based queries, call the pure
modules (features, scoring, tiering, flags), and store one dated snapshot row per account.

Reads only the per-quarter rollups, never the ledger, so a rescore of 100,000 accounts costs a
few hundred thousand small rows instead of millions of lines. Both the read and the write go
column-wise through numpy (kam.core.bulk), with no Python object per value on PostgreSQL.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.bulk import insert_arrays, select_arrays
from kam.core.fields import float_sql
from kam.core.periods import last_complete_quarters
from kam.ledger.models import AccountQuarter, LedgerSettings, Payment
from kam.selection import adapters, criteria
from kam.selection.defaults import ensure_defaults
from kam.selection.features import AccountFeatures, QuarterlyRollup, compute_features
from kam.selection.flags import FlagThresholds, flag_accounts
from kam.selection.models import (
    AccountScore,
    CostToServe,
    KnockOutRule,
    Rating,
    RunStatus,
    ScoringPeriod,
    ScoringRun,
    SelectionCriterion,
    TierOverride,
    TierScheme,
    validate_months,
)
from kam.selection.scoring import score_accounts
from kam.selection.signals import scoring_run_done
from kam.selection.snapshot import Scored, snapshot_blocks
from kam.selection.tiering import Override, assign_tiers

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
WINDOW = 4  # quarters: the last 12 months against the 12 before (M2)
# Trends must move by half a point a quarter to count: quarter-to-quarter noise in discounts
# and margin would otherwise flag half the portfolio as giving efficiencies back.
FLAG_LIMITS = FlagThresholds(
    discount_rising_above=0.5, margin_falling_below=-0.5, single_criterion_share_pct=50.0
)


@contextmanager
def _timed(step: str) -> Iterator[None]:
    """Log how long ``step`` took, at debug level (benchmarks/bench_rescore.py reads it)."""
    started = time.perf_counter()
    yield
    log.debug("rescore: %s %.3fs", step, time.perf_counter() - started)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. A run allocates some hundreds of thousands of
    short-lived objects with no cycles among them, and every few thousand allocations the
    collector walked the whole process's heap for nothing: 0.1-0.2 s of a 1 s run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Inputs:
    account_ids: np.ndarray  # int64, ascending: position i is account account_ids[i]
    position: dict[int, int]  # and the other way round
    coverage: np.ndarray  # the coverage criterion's value per account
    quarters: list[date]
    rollup: QuarterlyRollup
    ratings: dict[str, np.ndarray]


def gather_inputs(*, as_of: date, window: int = WINDOW, comparison: int | None = None) -> Inputs:
    """Everything the pure modules need, in a fixed handful of queries: the rollups of the
    ``comparison`` quarters before the ``window`` and of the window itself."""
    ids, coverage = _accounts()
    position = dict(zip(ids.tolist(), range(len(ids)), strict=True))
    quarters = last_complete_quarters(
        as_of, window + (window if comparison is None else comparison)
    )
    n, q = len(ids), len(quarters)
    revenue, cost, units, discounts, uncosted = (np.zeros((n, q)) for _ in range(5))

    with _timed("read rollups"):
        rollups = _rollups(quarters)
    # Rows to account positions and quarter columns; rows of unknown accounts or of days
    # that start no quarter of the window are dropped.
    found, day = rollups["account_id"], rollups["quarter"]
    i, known = _positions(ids, found)
    starts = np.array([(quarter - date(2000, 1, 1)).days for quarter in quarters])
    column = np.full(starts[-1] - starts[0] + 1, -1)  # by day of the window: its quarter
    column[starts - starts[0]] = np.arange(q)
    j = column[np.clip(day - starts[0], 0, len(column) - 1)]
    keep = known & (j >= 0) & (day >= starts[0])
    every = bool(keep.all())  # the usual case: no copy of each column to drop nothing
    i, j = (i, j) if every else (i[keep], j[keep])

    def values(name: str) -> np.ndarray:
        column = rollups[name] if every else rollups[name][keep]
        return column.astype(np.float64, copy=False)

    rebate = values("rebate")
    # Features take revenue net of rebates and every price concession as "discounts".
    revenue[i, j] = values("revenue") - rebate
    cost[i, j] = values("cost")
    uncosted[i, j] = values("uncosted_revenue")
    discounts[i, j] = values("discount") + rebate
    units[i, j] = values("units")
    current = j >= q - window
    ic = i[current]

    def total(values_: np.ndarray) -> np.ndarray:
        return np.bincount(ic, weights=values_[current], minlength=n)

    # Days late up to ``as_of``, never past it: the invoices still unpaid at the refresh are
    # late by the days from their due dates to ``as_of`` (not to the refresh), and no invoice
    # of a quarter is later than the days from the quarter's start to ``as_of``.
    as_of_day = float((as_of - date(2000, 1, 1)).days)
    reach = as_of_day - (day if every else day[keep]).astype(np.float64)
    # No payment data is not "never paid": an account with no payment record at all has
    # its unpaid invoices left out, so with nothing paid its payment behaviour is unknown.
    paying = np.zeros(n, dtype=bool)
    payers, with_payments = _positions(ids, _accounts_with_payments())
    paying[payers[with_payments]] = True
    unpaid = np.where(paying[i], values("unpaid_due"), 0.0)
    unknown = values("unpaid_due") - unpaid
    paid_sum = values("days_late_sum") - values("unpaid_late_sum")
    unpaid_sum = np.where(unpaid > 0, unpaid * as_of_day - values("unpaid_due_days"), 0.0)
    due_all = values("invoices_due") - unknown
    late_sum_rows = np.minimum(paid_sum + unpaid_sum, due_all * reach)
    worst_rows = np.where(
        values("unpaid_due") > 0,
        np.maximum(
            values("paid_late_max"),
            np.where(unpaid > 0, as_of_day - values("unpaid_first_due"), 0.0),
        ),
        values("days_late_max"),
    )
    worst_rows = np.clip(worst_rows, 0.0, reach)
    due, on_time, late_sum = total(due_all), total(values("paid_on_time")), total(late_sum_rows)
    late_max = np.full(n, -np.inf)
    np.maximum.at(late_max, ic, worst_rows[current])

    # An account with no invoice whose payment is known: payment unknown (NaN), not 0 days.
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
        cost_to_serve=_cost_to_serve(n, position),
        uncosted=uncosted,
    )
    return Inputs(
        account_ids=ids,
        position=position,
        coverage=coverage,
        quarters=quarters,
        rollup=rollup,
        ratings=_current_ratings(n, position),
    )


def _positions(ids: np.ndarray, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The position in ``ids`` (ascending) of each of the ``found`` ids, and whether it is
    there at all. Account ids are mostly dense, so a table indexed by id (8 bytes an id up to
    the largest) replaces a binary search per rollup row; sparse ids fall back to the search."""
    n = len(ids)
    if n == 0:
        return np.zeros(len(found), dtype=np.int64), np.zeros(len(found), dtype=bool)
    if ids[0] >= 0 and ids[-1] <= 16 * n + 1_000_000:
        table = np.full(ids[-1] + 1, -1, dtype=np.int64)
        table[ids] = np.arange(n)
        inside = (found >= 0) & (found <= ids[-1])
        at = np.where(inside, table[np.where(inside, found, 0)], -1)
        return np.maximum(at, 0), at >= 0
    at = np.minimum(np.searchsorted(ids, found), n - 1)
    return at, ids[at] == found


def _accounts() -> tuple[np.ndarray, np.ndarray]:
    """Every account's id, ascending, and the value of its coverage for the criterion, read
    as arrays (see select_arrays): fetching 100,000 rows as tuples took a tenth of a run."""
    scores = criteria.COVERAGE_SCORES
    # The coverage choices and their values are our constants, not user input.
    cases = " ".join(f"WHEN '{choice}' THEN {value}" for choice, value in scores.items())
    sql = (
        f"SELECT id, CAST(CASE coverage {cases} ELSE 1 END AS double precision) "  # noqa: S608
        f"FROM {Account._meta.db_table}"
    )
    columns = select_arrays(sql, [[]], {"id": "int8", "coverage": "float8"})
    order = np.argsort(columns["id"], kind="stable")
    return columns["id"][order].astype(np.int64), columns["coverage"][order].astype(np.float64)


# The rollup columns a run reads, and how: money as floats (analytic figures, see features),
# the quarter as days since 2000-01-01.
ROLLUP_COLUMNS = {
    "account_id": "int8",
    "quarter": "date",
    "revenue": "float8",
    "cost": "float8",
    "uncosted_revenue": "float8",
    "discount": "float8",
    "rebate": "float8",
    "units": "float8",
    "invoices_due": "int4",
    "paid_on_time": "int4",
    "days_late_sum": "int8",
    "days_late_max": "int4",
    "unpaid_due": "int4",
    "unpaid_late_sum": "int8",
    "unpaid_due_days": "int8",
    "unpaid_first_due": "int4",
    "paid_late_max": "int4",
}


def _rollups(quarters: list[date]) -> dict[str, np.ndarray]:
    """The rollups of ``quarters``, column by column: some 300,000 rows for 100,000 accounts,
    read in two halves of the quarters at once (see select_arrays)."""
    fields = AccountQuarter._meta
    selected = ", ".join(
        float_sql(fields.get_field(name), connection) if kind == "float8" else name
        for name, kind in ROLLUP_COLUMNS.items()
    )
    table = AccountQuarter._meta.db_table
    sql = f"SELECT {selected} FROM {table} WHERE quarter >= %s AND quarter <= %s"  # noqa: S608
    middle = max(1, len(quarters) // 2)  # the window and its comparison: at least 2 quarters
    halves = [[quarters[0], quarters[middle - 1]], [quarters[middle], quarters[-1]]]
    return select_arrays(sql, halves, ROLLUP_COLUMNS)


def _accounts_with_payments() -> np.ndarray:
    """The ids of the accounts with at least one payment record."""
    table = Payment._meta.db_table
    sql = f"SELECT DISTINCT account_id FROM {table} WHERE 1 = %s"  # noqa: S608
    return select_arrays(sql, [[1]], {"account_id": "int8"})["account_id"].astype(np.int64)


def _current_ratings(n: int, position: dict[int, int]) -> dict[str, np.ndarray]:
    ratings = {key: np.full(n, np.nan) for key in criteria.RATED}
    rows = Rating.objects.order_by("account_id", "key", "rated_at", "pk").values_list(
        "account_id", "key", "value"
    )
    for account_id, key, value in rows.iterator(chunk_size=10_000):
        if key in ratings:
            ratings[key][position[account_id]] = float(value)  # later rows win: the latest
    return ratings


def _cost_to_serve(n: int, position: dict[int, int]) -> np.ndarray:
    """The account's own figure, else its tier's in the last run, else nothing (0)."""
    costs = np.zeros(n)
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
    values["coverage"] = inputs.coverage
    return values


PAYMENT_CRITERIA = ("avg_days_late", "worst_days_late", "on_time_pct")
COST_CRITERIA = ("margin_pct", "margin_trend", "profit")


def unknown_values(features: AccountFeatures) -> dict[str, np.ndarray]:
    """Per criterion, the accounts whose value the data cannot give (scored neutrally, see
    kam.selection.scoring): payment behaviour with no invoice whose payment is known, margin
    and profit with revenue whose cost is unknown."""
    payment_unknown = np.isnan(features.avg_days_late)
    unknown = dict.fromkeys(PAYMENT_CRITERIA, payment_unknown)
    if features.cost_unknown is not None:
        unknown.update(dict.fromkeys(COST_CRITERIA, features.cost_unknown))
    return unknown


def _overrides(position: dict[int, int]) -> dict[int, Override]:
    latest: dict[int, TierOverride] = {}
    for override in TierOverride.objects.select_related("by").order_by("account_id", "at", "pk"):
        latest[override.account_id] = override
    return {
        position[account_id]: Override(tier=o.tier_code or None, reason=o.reason, by=o.by.username)
        for account_id, o in latest.items()
        if not o.cleared and account_id in position
    }


def scoring_run_execute(
    *,
    as_of: date,
    by=None,
    progress: Progress | None = None,
    window_months: int | None = None,
    comparison_months: int | None = None,
) -> ScoringRun:
    """Score every account as of ``as_of`` and store the dated snapshot; returns the run.

    Every metric covers the programme's scoring window against its comparison period
    (ScoringPeriod: the last 12 months against the 12 before by default), or the months given.

    All or nothing: the snapshot is written in one transaction, and a run that fails on the
    way is marked failed with no rows."""
    step = progress or (lambda label, done, total: None)
    with _without_cycle_collection():
        return _execute(
            as_of=as_of,
            by=by,
            step=step,
            period=_period(window_months, comparison_months),
        )


def _period(window_months: int | None, comparison_months: int | None) -> tuple[int, int]:
    """The window and comparison period in quarters: those given, else the programme's."""
    saved = ScoringPeriod.current()
    window = saved.window_months if window_months is None else window_months
    comparison = saved.comparison_months if comparison_months is None else comparison_months
    for months in (window, comparison):
        validate_months(months)  # ValidationError, in words, before anything is stored
    return window // 3, comparison // 3


def _execute(*, as_of: date, by, step: Progress, period: tuple[int, int]) -> ScoringRun:
    window, comparison = period
    with _timed("settings"):
        ensure_defaults()
        scheme = TierScheme.objects.get(active=True)
        tier_rows = list(scheme.tiers.all())
        pure_scheme = adapters.to_scheme(scheme, tier_rows)  # refuses a bad scheme, in words
        criteria_rows = list(SelectionCriterion.objects.all())
        scored_criteria = adapters.to_criteria(criteria_rows)
        run = ScoringRun.objects.create(
            as_of=as_of,
            first_quarter=last_complete_quarters(as_of, window + comparison)[0],
            window_quarters=window,
            comparison_quarters=comparison,
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
                # What the tier reasons quote: how cut-offs read, each tier's, the ABC rule.
                "cut_off": scheme.cut_off,
                "tiers": [[t.code, str(t.cut_off)] for t in tier_rows],
                "abc_crossing": scheme.abc_crossing,
            },
            criterion_keys=[c.key for c in scored_criteria],
        )
    try:
        step("gather", 0, 4)
        with _timed("gather"):
            inputs = gather_inputs(as_of=as_of, window=window, comparison=comparison)
        step("score", 1, 4)
        with _timed("features"):
            features = compute_features(inputs.rollup, window=window, comparison=comparison)
            values = criterion_values(inputs, features)
        with _timed("scores"):
            result = score_accounts(
                values,
                scored_criteria,
                knock_outs=adapters.to_knock_outs(list(KnockOutRule.objects.all())),
                unknown=unknown_values(features),
            )
        with _timed("tiers"):
            tiers = assign_tiers(
                scheme=pure_scheme,
                scores=result.score,
                eligible=result.eligible,
                revenue=features.revenue,
                tie_break=features.revenue,
                overrides=_overrides(inputs.position),
            )
        with _timed("flags"):
            flags = flag_accounts(
                features=features, scores=result, key=tiers.is_key, thresholds=FLAG_LIMITS
            )
        scored = Scored(
            run_id=run.pk,
            account_ids=inputs.account_ids,
            features=features,
            discounts=inputs.rollup.discounts[:, -window:].sum(axis=1),
            share_of_wallet_pct=values["share_of_wallet_pct"],
            result=result,
            tiers=tiers,
            flags=flags,
        )
        step("store", 2, 4)
        with _timed("store"), transaction.atomic():
            count = insert_arrays(AccountScore, snapshot_blocks(scored))
            ScoringRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                finished_at=timezone.now(),
                accounts=count,
                key_accounts=int(np.count_nonzero(tiers.is_key)),
                flagged_accounts=len(flags.flags),
            )
        step("done", 4, 4)
    except Exception:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    scoring_run_done.send(sender=ScoringRun, run=run)
    return run


def latest_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk").first()


def scoring_runs_abandon(*, by, since) -> int:
    """Fail the runs ``by`` started from ``since`` on that are still running: their process
    has gone (see kam.core.jobs). How many."""
    if since is None:
        return 0
    return ScoringRun.objects.filter(status=RunStatus.RUNNING, by=by, started_at__gte=since).update(
        status=RunStatus.FAILED, finished_at=timezone.now()
    )
