"""A scoring run: gather rollups and ratings with a few set-based queries, call the pure
modules (features, scoring, tiering, flags), and store one dated snapshot row per account.

Reads only the per-quarter rollups, never the ledger, so a rescore of 100,000 accounts costs a
few hundred thousand small rows instead of millions of lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.bulk import insert_frames
from kam.core.fields import dumps
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
FRAME_ROWS = 10_000  # accounts per block of the snapshot write
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


def gather_inputs(*, as_of: date, window: int = WINDOW) -> Inputs:
    """Everything the pure modules need, in a fixed handful of queries."""
    accounts = list(Account.objects.order_by("pk").values_list("pk", "coverage"))
    account_ids = [pk for pk, _ in accounts]
    position = {pk: i for i, pk in enumerate(account_ids)}
    quarters = last_complete_quarters(as_of, 2 * window)
    n, q = len(account_ids), len(quarters)
    revenue, cost, units, discounts = (np.zeros((n, q)) for _ in range(4))
    due, on_time, late_sum = (np.zeros(n) for _ in range(3))
    late_max = np.full(n, -np.inf)

    frame = _rollup_frame(quarters[0], quarters[-1])
    ids = np.asarray(account_ids, dtype=np.int64)
    found = frame.get_column("account_id").to_numpy()
    rows = np.searchsorted(ids, found) if n else np.zeros(len(found), dtype=np.int64)
    known = rows < n
    known[known] = ids[rows[known]] == found[known]
    index = {q.isoformat(): j for j, q in enumerate(quarters)}
    columns = (
        frame.get_column("quarter")
        .replace_strict(index, default=-1, return_dtype=pl.Int64)
        .to_numpy()
    )
    keep = known & (columns >= 0)
    frame = frame.filter(pl.Series(keep))
    i, j = rows[keep], columns[keep]

    def values(name: str) -> np.ndarray:
        return frame.get_column(name).cast(pl.Float64).fill_null(0.0).to_numpy()

    rebate = values("rebate")
    # Features take revenue net of rebates and every price concession as "discounts".
    revenue[i, j] = values("revenue") - rebate
    cost[i, j] = values("cost")
    discounts[i, j] = values("discount") + rebate
    units[i, j] = values("units")
    current = j >= q - window
    ic = i[current]
    np.add.at(due, ic, values("invoices_due")[current])
    np.add.at(on_time, ic, values("paid_on_time")[current])
    np.add.at(late_sum, ic, values("days_late_sum")[current])
    np.maximum.at(late_max, ic, np.maximum(values("days_late_max")[current], 0.0))

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


ROLLUP_SCHEMA = {
    "account_id": pl.Int64,
    "quarter": pl.String,
    "revenue": pl.Float64,
    "cost": pl.Float64,
    "discount": pl.Float64,
    "rebate": pl.Float64,
    "units": pl.Float64,
    "invoices_due": pl.Float64,
    "paid_on_time": pl.Float64,
    "days_late_sum": pl.Float64,
    "days_late_max": pl.Float64,
}


def _rollup_frame(first: date, last: date) -> pl.DataFrame:
    """The rollups of the quarters from ``first`` to ``last`` as one frame (on PostgreSQL
    through COPY: some 800,000 rows for 100,000 accounts, no Python object per value)."""
    table = AccountQuarter._meta.db_table
    names = ", ".join(ROLLUP_SCHEMA)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Dates from date objects, not from input: safe to write as literals.
            select = (
                f"SELECT {names} FROM {table} "  # noqa: S608 - names from the model
                f"WHERE quarter >= DATE '{first.isoformat()}' "
                f"AND quarter <= DATE '{last.isoformat()}'"
            )
            buffer = bytearray()
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buffer += block
            if not buffer:
                return pl.DataFrame(schema=ROLLUP_SCHEMA)
            return pl.read_csv(bytes(buffer), has_header=False, schema=ROLLUP_SCHEMA)
        cursor.execute(
            f"SELECT {names} FROM {table} WHERE quarter >= %s AND quarter <= %s",  # noqa: S608
            [first, last],
        )
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(ROLLUP_SCHEMA)
    data = {}
    for (name, dtype), values in zip(ROLLUP_SCHEMA.items(), columns, strict=True):
        if name == "quarter":
            values = [str(v)[:10] for v in values]
        elif dtype == pl.Float64:
            values = [None if v is None else float(v) for v in values]
        data[name] = pl.Series(name, values, dtype=dtype)
    return pl.DataFrame(data)


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


def _money(values: np.ndarray) -> pl.Series:
    """Amounts to the cent, as exact decimal text (NaN: null)."""
    return pl.Series(
        [None if v != v else f"{v:.2f}" for v in np.asarray(values, dtype=np.float64).tolist()],
        dtype=pl.String,
    )


def _number(values: np.ndarray) -> pl.Series:
    """Figures to 4 places (NaN: null)."""
    return pl.Series(np.asarray(values, dtype=np.float64)).round(4).fill_nan(None)


def _json_numbers(values: np.ndarray) -> pl.Expr:
    """A column of floats as JSON number text; NaN and infinities as null."""
    column = pl.Series(values.ravel())
    return pl.when(column.is_finite()).then(column.cast(pl.String)).otherwise(pl.lit("null"))


def _contributions(result: ScoreResult, rows: slice) -> pl.Series:
    """The ``rows`` accounts' contributions as JSON lists, best first: one string per account,
    built column-wise (a dict and a json.dumps per account and criterion took seconds)."""
    keys = result.keys
    n = result.score[rows].shape[0]
    if not keys:
        return pl.Series(["[]"] * n, dtype=pl.String)
    contributions = result.contributions[rows]
    order = np.argsort(-contributions, axis=1, kind="stable")
    normalised = np.round(np.nan_to_num(result.normalised[rows], nan=-1.0), 2)
    normalised = np.where(normalised < 0, np.nan, normalised)
    points = np.round(contributions, 2)
    raw = np.asarray(result.values, dtype=np.float64)[rows]
    take = np.take_along_axis
    key_text = np.array([dumps(key) for key in keys], dtype=object)
    frame = pl.DataFrame({"key": pl.Series(key_text[order].ravel(), dtype=pl.String)})
    entries = frame.select(
        pl.concat_str(
            [
                pl.lit('{"key":'),
                pl.col("key"),
                pl.lit(',"value":'),
                _json_numbers(take(raw, order, axis=1)),
                pl.lit(',"normalised":'),
                _json_numbers(take(normalised, order, axis=1)),
                pl.lit(',"points":'),
                _json_numbers(take(points, order, axis=1)),
                pl.lit("}"),
            ]
        ).alias("entry")
    ).get_column("entry")
    lists = entries.reshape((n, len(keys))).arr.join(",")
    return ("[" + lists + "]").alias("contributions")


def _flags(flags: FlagReport, rows: range) -> pl.Series:
    texts = ["[]"] * len(rows)
    for i in flags.flags:
        if i not in rows:
            continue
        texts[i - rows.start] = dumps(
            [
                {"code": str(f.code), "reasons": list(f.reasons), "facts": dict(f.facts)}
                for f in flags.for_account(i)
            ]
        )
    return pl.Series(texts, dtype=pl.String)


def _frames(
    run, inputs, features, values, result: ScoreResult, tiers: TierAssignment, flags: FlagReport
) -> Iterator[pl.DataFrame]:
    """The AccountScore rows of the run in blocks of FRAME_ROWS accounts, so that the database
    stores one block while the next is computed."""
    n = len(inputs.account_ids)
    for start in range(0, n, FRAME_ROWS):
        rows = range(start, min(start + FRAME_ROWS, n))
        yield _frame(run, inputs, features, values, result, tiers, flags, rows)


def _frame(
    run,
    inputs,
    features,
    values,
    result: ScoreResult,
    tiers: TierAssignment,
    flags: FlagReport,
    rows: range,
) -> pl.DataFrame:
    """The AccountScore rows of the run's accounts ``rows``, column by column."""
    n = len(rows)
    part = slice(rows.start, rows.stop)

    def cut(array) -> np.ndarray:
        return np.asarray(array)[part]

    scheme_tiers = tiers.scheme.tiers
    tier = np.asarray(cut(tiers.tier), dtype=np.int64)
    has_tier = tier != NO_TIER
    codes = np.array([t.code for t in scheme_tiers] + [""], dtype=object)
    names = np.array([t.name for t in scheme_tiers] + [""], dtype=object)
    keyed = np.array([bool(t.key) for t in scheme_tiers] + [False])
    pick = np.where(has_tier, tier, len(scheme_tiers))
    rank = np.asarray(cut(tiers.rank), dtype=np.int64)
    columns = {
        "run_id": pl.Series([run.pk] * n, dtype=pl.Int64),
        "account_id": pl.Series(inputs.account_ids[part], dtype=pl.Int64),
        "revenue": _money(cut(features.revenue)),
        "revenue_previous": _money(cut(features.revenue_previous)),
        "units": _money(cut(features.units)),
        "margin_pct": _number(cut(features.margin_pct)),
        "revenue_trend_pct": _number(cut(features.revenue_trend_pct)),
        "growing_quarters_pct": _number(cut(features.growing_quarters_pct)),
        "yoy_growth_pct": _number(cut(features.yoy_growth_pct)),
        "sales_share_pct": _number(cut(features.sales_share_pct)),
        "avg_days_late": _number(cut(features.avg_days_late)),
        "worst_days_late": _number(cut(features.worst_days_late)),
        "on_time_pct": _number(cut(features.on_time_pct)),
        "discount_pct": _number(cut(features.discount_pct)),
        "discount_trend": _number(cut(features.discount_trend)),
        "margin_trend": _number(cut(features.margin_trend)),
        "discounts": _money(inputs.rollup.discounts[part, -WINDOW:].sum(axis=1)),
        "cost_to_serve": _money(cut(features.cost_to_serve)),
        "profit": _money(cut(features.profit)),
        "share_of_wallet_pct": _number(cut(values["share_of_wallet_pct"])),
        "score": pl.Series(np.asarray(cut(result.score), dtype=np.float64)).round(2),
        "rank": pl.Series(np.where(rank == 0, None, rank).tolist(), dtype=pl.Int64),
        "tier_code": pl.Series(codes[pick].tolist(), dtype=pl.String),
        "tier_name": pl.Series(names[pick].tolist(), dtype=pl.String),
        "is_key": pl.Series(keyed[pick]),
        "tier_reason": pl.Series(cut(tiers.reason).astype(str).tolist(), dtype=pl.String),
        "knocked_out": pl.Series(np.asarray(cut(result.knocked_out), dtype=bool)),
        "contributions": _contributions(result, part),
        "flags": _flags(flags, rows),
    }
    return pl.DataFrame({name: columns[name].alias(name) for name in COLUMNS})


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
            count = insert_frames(
                AccountScore._meta.db_table,
                _frames(run, inputs, features, values, result, tiers, flags),
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
