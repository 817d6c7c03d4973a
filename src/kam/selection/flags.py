"""Warning flags shown beside a score (METHOD.md M2, M8), each with its reason and facts.

A flag is a code plus the numbers behind it, never a sentence: the web layer words it in the
user's language. Three flags:

- ``big_but_bad``: among the largest accounts by current revenue (top K, or top x% of the
  accounts, whichever admits more) **and** squeezing the seller: margin under the threshold,
  below cost, and/or paying late on average beyond the threshold. ``reasons`` says which of
  ``below_cost``, ``low_margin`` (under the threshold but not negative) and ``pays_late``.
- ``efficiencies_given_back``: over the current window's quarters, the discount and rebate
  share is rising (slope above ``discount_rising_above``) while margin is falling (slope under
  ``margin_falling_below``); both slopes are in percentage points per quarter.
- ``fast_grower`` (an opportunity, not a warning): outside the big buyers, sales rising by
  more than ``grower_trend_above_pct`` of a mean quarter each quarter, in at least
  ``grower_growing_quarters_pct`` of the quarters, and up more than ``grower_yoy_above_pct``
  on the year before (which also requires sales in the year before).
- ``single_criterion``: an account in a key tier, or one of the big buyers (the same "big" as
  above, so a natural candidate), whose largest criterion carries more than
  ``single_criterion_share_pct`` of its score: key, or pressing to be, on one criterion alone.

Undefined inputs (NaN margin, no payment record) never raise a flag: a flag is a claim, and a
claim needs its facts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kam.selection.features import AccountFeatures
from kam.selection.scoring import ScoreResult

Fact = float | int | str | None


class FlagCode(StrEnum):
    """The warning flags."""

    BIG_BUT_BAD = "big_but_bad"
    EFFICIENCIES_GIVEN_BACK = "efficiencies_given_back"
    SINGLE_CRITERION = "single_criterion"
    FAST_GROWER = "fast_grower"  # not a warning: an account of tomorrow, easy to overlook


class BigButBadReason(StrEnum):
    """Why a big buyer is flagged; several may hold at once."""

    BELOW_COST = "below_cost"
    LOW_MARGIN = "low_margin"
    PAYS_LATE = "pays_late"


@dataclass(frozen=True)
class FlagThresholds:
    """Where the flags trip; defaults are ours (the seeds give none), all configurable."""

    big_top_k: int = 10  # the K largest accounts by current revenue are "big"; 0: use the %
    big_top_pct: float | None = None  # or the top x% of the accounts, if that admits more
    margin_below_pct: float = 10.0  # gross margin % under this is low
    days_late_above: float = 30.0  # average days late over this is slow paying
    discount_rising_above: float = 0.0  # pp per quarter
    margin_falling_below: float = 0.0  # pp per quarter
    single_criterion_share_pct: float = 60.0
    grower_trend_above_pct: float = 10.0  # revenue slope, % of the mean quarter, per quarter
    grower_growing_quarters_pct: float = 100.0  # share of quarters that grew
    grower_yoy_above_pct: float = 30.0  # and the last 12 months beat the 12 before by this


@dataclass(frozen=True)
class Flag:
    """One warning on one account: its code, which reasons hold, and the facts behind it."""

    code: FlagCode
    reasons: tuple[str, ...] = ()
    facts: Mapping[str, Fact] = field(default_factory=dict)


@dataclass(frozen=True)
class FlagReport:
    """The flags of every flagged account, by account position; unflagged accounts are absent."""

    thresholds: FlagThresholds
    flags: Mapping[int, tuple[Flag, ...]]

    def for_account(self, account: int) -> tuple[Flag, ...]:
        """One account's flags, empty when it has none."""
        return self.flags.get(account, ())

    def accounts_with(self, code: FlagCode) -> list[int]:
        """Positions of the accounts carrying ``code``, in ascending order."""
        return sorted(a for a, found in self.flags.items() if any(f.code == code for f in found))


def flag_accounts(
    *,
    features: AccountFeatures,
    scores: ScoreResult | None = None,
    key: ArrayLike | None = None,
    thresholds: FlagThresholds | None = None,
) -> FlagReport:
    """Raise every flag the data supports, for every account.

    ``single_criterion`` needs both ``scores`` and ``key`` (``TierAssignment.is_key``); without
    them it is skipped. Accounts are positions in the arrays, as everywhere in ``selection``.
    """
    limits = thresholds or FlagThresholds()
    rank = volume_rank(features.revenue)  # once: a sort of every account
    found: dict[int, list[Flag]] = {}
    for account, flag in big_but_bad(features, limits, rank=rank):
        found.setdefault(account, []).append(flag)
    for account, flag in efficiencies_given_back(features, limits):
        found.setdefault(account, []).append(flag)
    for account, flag in fast_growers(features, limits, rank=rank):
        found.setdefault(account, []).append(flag)
    if scores is not None and key is not None:
        candidates = np.asarray(key, dtype=bool) | big_buyers(features, limits, rank=rank)
        for account, flag in single_criterion(scores, candidates, limits):
            found.setdefault(account, []).append(flag)
    return FlagReport(thresholds=limits, flags={a: tuple(f) for a, f in sorted(found.items())})


def volume_rank(revenue: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rank of each account by revenue, 1 = largest; ties go to the earlier position."""
    order = np.argsort(-np.nan_to_num(revenue, nan=-np.inf), kind="stable")
    rank = np.empty(revenue.shape[0], dtype=np.int64)
    rank[order] = np.arange(1, revenue.shape[0] + 1)
    return rank


def _big_limit(n: int, limits: FlagThresholds) -> int:
    top = limits.big_top_k
    if limits.big_top_pct is not None:
        top = max(top, math.floor(limits.big_top_pct * n / 100.0))
    return top


def big_buyers(
    features: AccountFeatures, limits: FlagThresholds, *, rank: NDArray[np.int64] | None = None
) -> NDArray[np.bool_]:
    """The largest accounts by current revenue (top K or top x%, whichever admits more);
    ``rank`` is ``volume_rank(features.revenue)`` when the caller has it already."""
    rank = volume_rank(features.revenue) if rank is None else rank
    return np.asarray((rank <= _big_limit(features.n_accounts, limits)) & (features.revenue > 0))


def big_but_bad(
    features: AccountFeatures, limits: FlagThresholds, *, rank: NDArray[np.int64] | None = None
) -> list[tuple[int, Flag]]:
    """Big buyers with low or negative margin and/or late payment, with which of them holds."""
    rank = volume_rank(features.revenue) if rank is None else rank
    top = _big_limit(features.n_accounts, limits)
    big = big_buyers(features, limits, rank=rank)
    margin = features.margin_pct
    late = features.avg_days_late
    # NaN compares false, so an undefined margin or payment record raises nothing here.
    below_cost = margin < 0
    low_margin = (margin < limits.margin_below_pct) & ~below_cost
    pays_late = late > limits.days_late_above
    hit = big & (below_cost | low_margin | pays_late)
    flags = []
    for account in np.flatnonzero(hit):
        reasons = [
            reason.value
            for reason, holds in (
                (BigButBadReason.BELOW_COST, below_cost[account]),
                (BigButBadReason.LOW_MARGIN, low_margin[account]),
                (BigButBadReason.PAYS_LATE, pays_late[account]),
            )
            if holds
        ]
        facts: dict[str, Fact] = {
            "rank": int(rank[account]),
            "top": int(top),
            "revenue": float(features.revenue[account]),
            "sales_share_pct": _fact(features.sales_share_pct[account]),
            "margin_pct": _fact(margin[account]),
            "margin_threshold_pct": limits.margin_below_pct,
            "avg_days_late": _fact(late[account]),
            "worst_days_late": _fact(features.worst_days_late[account]),
            "days_late_threshold": limits.days_late_above,
        }
        flags.append((int(account), Flag(FlagCode.BIG_BUT_BAD, tuple(reasons), facts)))
    return flags


def efficiencies_given_back(
    features: AccountFeatures, limits: FlagThresholds
) -> list[tuple[int, Flag]]:
    """Accounts whose discount and rebate share rises while their margin falls, with slopes."""
    rising = features.discount_trend > limits.discount_rising_above
    falling = features.margin_trend < limits.margin_falling_below
    hit = np.flatnonzero(rising & falling)
    # Thousands of accounts can hold this flag: the facts come out as lists, not one numpy
    # scalar at a time.
    rows = zip(
        hit.tolist(),
        features.discount_trend[hit].tolist(),
        features.margin_trend[hit].tolist(),
        _facts(features.discount_pct[hit]),
        _facts(features.margin_pct[hit]),
        features.profit[hit].tolist(),
        strict=True,
    )
    return [
        (
            account,
            Flag(
                FlagCode.EFFICIENCIES_GIVEN_BACK,
                (),
                {
                    "quarters": features.window,
                    "discount_trend_pp": discount_trend,
                    "margin_trend_pp": margin_trend,
                    "discount_pct": discount_pct,
                    "margin_pct": margin_pct,
                    "profit": profit,
                },
            ),
        )
        for account, discount_trend, margin_trend, discount_pct, margin_pct, profit in rows
    ]


def fast_growers(
    features: AccountFeatures, limits: FlagThresholds, *, rank: NDArray[np.int64] | None = None
) -> list[tuple[int, Flag]]:
    """Accounts outside the big buyers whose sales rise steadily and fast: the key accounts of
    tomorrow, which a ranking by today's volume hides (M2: consistently rising volume)."""
    rank = volume_rank(features.revenue) if rank is None else rank
    small = ~big_buyers(features, limits, rank=rank) & (features.revenue > 0)
    # NaN compares false: an account without a trend is never called a grower.
    rising = features.revenue_trend_pct > limits.grower_trend_above_pct
    steady = features.growing_quarters_pct >= limits.grower_growing_quarters_pct
    # Small accounts order in lumps; growth on the year before keeps one lucky quarter out.
    established = features.yoy_growth_pct > limits.grower_yoy_above_pct
    flags = []
    for account in np.flatnonzero(small & rising & steady & established):
        facts: dict[str, Fact] = {
            "rank": int(rank[account]),
            "revenue_trend_pct": float(features.revenue_trend_pct[account]),
            "growing_quarters_pct": float(features.growing_quarters_pct[account]),
            "yoy_growth_pct": _fact(features.yoy_growth_pct[account]),
            "quarters": features.window,
        }
        flags.append((int(account), Flag(FlagCode.FAST_GROWER, (), facts)))
    return flags


def single_criterion(
    scores: ScoreResult, key: NDArray[np.bool_], limits: FlagThresholds
) -> list[tuple[int, Flag]]:
    """Candidates (key accounts, big buyers) whose largest criterion carries more than the
    threshold share of their score; ``key`` here is that candidate mask."""
    if key.shape[0] != scores.score.shape[0]:
        raise ValueError("key must have one value per scored account")
    largest = scores.contributions.argmax(axis=1)
    points = scores.contributions[np.arange(largest.size), largest]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(scores.score > 0, points / scores.score * 100.0, np.nan)
    hit = np.flatnonzero(key & (share > limits.single_criterion_share_pct))
    keys = scores.keys
    rows = zip(
        hit.tolist(),
        largest[hit].tolist(),
        points[hit].tolist(),
        scores.score[hit].tolist(),
        share[hit].tolist(),
        strict=True,
    )
    return [
        (
            account,
            Flag(
                FlagCode.SINGLE_CRITERION,
                (),
                {
                    "criterion": keys[criterion],
                    "points": account_points,
                    "score": score,
                    "share_pct": share_pct,
                    "threshold_pct": limits.single_criterion_share_pct,
                },
            ),
        )
        for account, criterion, account_points, score, share_pct in rows
    ]


def _fact(value: float) -> float | None:
    """A float fact, NaN as ``None`` so pages and JSON see "unknown", not "nan"."""
    return None if np.isnan(value) else float(value)


def _facts(values: NDArray[np.float64]) -> list[float | None]:
    """Float facts, NaN as ``None`` (see _fact), for many accounts at once."""
    return [None if v != v else v for v in values.tolist()]
