"""Compensatory weighted scoring of accounts against selection criteria (METHOD.md M2).

Each criterion is normalised to 0-100, multiplied by its weight and summed, so an account that
fails one criterion can make up for it elsewhere. Every score is explainable: the result keeps,
per account and criterion, the raw value, the normalised value and the points it contributed.

Choices, each tested in ``tests/selection/test_scoring.py``:

- **Weights are relative and rescaled to add up to 100%.** Weights 3 and 1 score exactly as
  75% and 25% do, and weights that add up to 90 or 120 are not an error: a score always spans
  0-100. The effective share of each weight is reported (``ScoreResult.weights``). Weights must
  not be negative (direction says "lower is better") and at least one must be positive.
- **A missing value scores 0 points and is reported as missing**; the weights are *not*
  renormalised over the criteria that have data. An account nobody has rated yet on a
  criterion must not outscore one that was rated honestly low; the page shows the missing
  criteria and ``coverage_pct`` (the share of the weight backed by data). Missing values are
  NaN, and they are left out of the distribution used by percentile and min-max normalisation.
- **An unknown value scores neutrally**: 50 points (``NEUTRAL_POINTS``), the middle of the
  scale, the same points a criterion that tells the accounts apart by nothing gives everyone.
  Unknown is not missing: a figure the data cannot give at all (payment behaviour of an account
  imported without payment records, the margin of lines imported with ``--cost unknown``) is no
  one's fault to be rated low for, and no reason to be rated high either. The caller says which
  values are unknown (``unknown=``); they stay NaN in ``values`` (shown as no data, and left out
  of the distribution like missing ones), with 50 as their normalised value.
- **Normalisation** per criterion: ``THRESHOLDS`` (steps of (value, points); points must move
  with the direction, so a better value never earns fewer points), ``PERCENTILE`` (share of
  the other accounts with a worse value, ties counting half) or ``MIN_MAX`` (linear between
  the lowest and highest value given, or between fixed ``bounds`` with clipping). When every
  account has the same value, percentile and min-max give everyone 50: the criterion tells the
  accounts apart by nothing, so it neither rewards nor punishes.
- **Knock-out rules** are off by default. A knocked-out account keeps its computed score, so
  the page can still explain it, but it is ineligible for any key tier (``tiering`` reads
  ``ScoreResult.eligible``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
# A column as the database hands it over: None for missing, Decimal or float for present.
Column = ArrayLike | Sequence[float | None]
BoolArray = NDArray[np.bool_]

NO_SPREAD_POINTS = 50.0  # every account equal: the criterion is neutral
NEUTRAL_POINTS = NO_SPREAD_POINTS  # an unknown value: neither rewarded nor punished


class Direction(StrEnum):
    """Whether a larger raw value is better (revenue) or worse (days late)."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Normalisation(StrEnum):
    """How a raw value becomes 0-100 points."""

    THRESHOLDS = "thresholds"
    PERCENTILE = "percentile"
    MIN_MAX = "min_max"


@dataclass(frozen=True)
class Criterion:
    """One selection criterion: which value, which way is better, how to normalise, its weight.

    ``thresholds`` are ``(value, points)`` steps. Higher is better: an account earns the points
    of the highest threshold value it reaches (``value >= threshold``). Lower is better: the
    points of the lowest threshold value it stays at or under (``value <= threshold``). Beyond
    the last step, 0 points. ``bounds`` fixes min-max normalisation to ``(low, high)``.
    """

    key: str
    weight: float
    direction: Direction = Direction.HIGHER_IS_BETTER
    normalisation: Normalisation = Normalisation.MIN_MAX
    thresholds: tuple[tuple[float, float], ...] = ()
    bounds: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.weight) or self.weight < 0:
            raise ValueError(f"{self.key}: a weight must be a finite number >= 0")
        if self.normalisation is Normalisation.THRESHOLDS:
            self._check_thresholds()
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"{self.key}: bounds must be (low, high) with low < high")

    def _check_thresholds(self) -> None:
        if not self.thresholds:
            raise ValueError(f"{self.key}: threshold normalisation needs at least one step")
        steps = sorted(self.thresholds)
        values = [value for value, _ in steps]
        points = [p for _, p in steps]
        if len(set(values)) != len(values):
            raise ValueError(f"{self.key}: two steps share the same threshold value")
        if any(not 0 <= p <= 100 for p in points):
            raise ValueError(f"{self.key}: threshold points must be between 0 and 100")
        # Points must move with the direction, or a better value could earn fewer points and
        # the score would stop being monotone, which users would rightly call a bug.
        rising = all(a <= b for a, b in pairwise(points))
        falling = all(a >= b for a, b in pairwise(points))
        if self.direction is Direction.HIGHER_IS_BETTER and not rising:
            raise ValueError(f"{self.key}: points must not fall as the value rises")
        if self.direction is Direction.LOWER_IS_BETTER and not falling:
            raise ValueError(f"{self.key}: points must not rise as the value rises")


@dataclass(frozen=True)
class KnockOut:
    """A rule that makes an account ineligible: value under ``minimum`` or over ``maximum``.

    For example ``KnockOut(code="credit_below_c", key="credit_rating", minimum=2)`` with ratings
    mapped to numbers by the caller (A=4, B=3, C=2, D=1). ``missing_knocks_out`` decides
    whether an account with no value for ``key`` is knocked out too.
    """

    code: str
    key: str
    minimum: float | None = None
    maximum: float | None = None
    missing_knocks_out: bool = False

    def __post_init__(self) -> None:
        if self.minimum is None and self.maximum is None:
            raise ValueError(f"{self.code}: a knock-out needs a minimum or a maximum")

    def hits(self, values: FloatArray) -> BoolArray:
        """Which accounts this rule knocks out, given their values for ``key``."""
        missing = np.isnan(values)
        hit = np.zeros(values.shape, dtype=bool)
        if self.minimum is not None:
            hit |= values < self.minimum
        if self.maximum is not None:
            hit |= values > self.maximum
        return np.where(missing, self.missing_knocks_out, hit)


@dataclass(frozen=True)
class CriterionScore:
    """One criterion of one account, as the "why" column shows it."""

    key: str
    value: float | None
    normalised: float | None  # 0-100, None when the value is missing
    weight_pct: float  # effective share of the weight after rescaling, 0-100
    points: float  # contribution to the score
    missing: bool


@dataclass(frozen=True)
class KnockOutHit:
    """A knock-out rule that hit an account, with the value that triggered it."""

    code: str
    key: str
    value: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class AccountScore:
    """One account's score with everything a page needs to explain it."""

    account: int
    score: float
    coverage_pct: float
    criteria: tuple[CriterionScore, ...]
    top: tuple[str, ...]  # keys of the largest contributions, largest first
    knocked_out_by: tuple[KnockOutHit, ...]

    @property
    def knocked_out(self) -> bool:
        """Whether any knock-out rule hit this account."""
        return bool(self.knocked_out_by)


@dataclass(frozen=True)
class ScoreResult:
    """Scores of all accounts: arrays ``(n_accounts,)`` or ``(n_accounts, n_criteria)``."""

    criteria: tuple[Criterion, ...]
    knock_outs: tuple[KnockOut, ...]
    weights: FloatArray  # effective shares, adding up to 1
    values: FloatArray  # raw, NaN when missing
    normalised: FloatArray  # 0-100, NaN when missing
    contributions: FloatArray  # points; 0 when missing
    score: FloatArray  # 0-100, the sum of the contributions
    knock_out_hits: BoolArray  # (n_accounts, n_rules)
    knock_out_values: FloatArray  # (n_accounts, n_rules): the value each rule looked at

    @property
    def keys(self) -> tuple[str, ...]:
        """Criterion keys, in the order of the columns."""
        return tuple(c.key for c in self.criteria)

    @property
    def missing(self) -> BoolArray:
        """Which values were missing."""
        return np.isnan(self.values)

    @property
    def knocked_out(self) -> BoolArray:
        """Accounts that at least one knock-out rule hit."""
        return np.asarray(self.knock_out_hits.any(axis=1))

    @property
    def eligible(self) -> BoolArray:
        """Accounts that may enter a key tier: not knocked out."""
        return ~self.knocked_out

    @property
    def coverage_pct(self) -> FloatArray:
        """Share (0-100) of the weight backed by data, per account."""
        return np.asarray((~self.missing * self.weights).sum(axis=1) * 100.0)

    def top_contributions(self, count: int = 3) -> NDArray[np.intp]:
        """Column indices of each account's ``count`` largest contributions, largest first.

        Ties go to the criterion listed first (a stable sort), so the order never flickers.
        """
        return np.argsort(-self.contributions, axis=1, kind="stable")[:, :count]

    def explain(self, account: int, *, top: int = 3) -> AccountScore:
        """Everything about one account's score; ``top`` skips criteria that gave 0 points."""
        weights = self.weights
        rows = []
        for j, criterion in enumerate(self.criteria):
            value = float(self.values[account, j])
            missing = bool(np.isnan(value))
            rows.append(
                CriterionScore(
                    key=criterion.key,
                    value=None if missing else value,
                    normalised=(
                        None
                        if np.isnan(self.normalised[account, j])
                        else float(self.normalised[account, j])
                    ),
                    weight_pct=float(weights[j] * 100.0),
                    points=float(self.contributions[account, j]),
                    missing=missing,
                )
            )
        order = self.top_contributions(top)[account]
        hits = []
        for r, rule in enumerate(self.knock_outs):
            if self.knock_out_hits[account, r]:
                raw = float(self.knock_out_values[account, r])
                hits.append(
                    KnockOutHit(
                        code=rule.code,
                        key=rule.key,
                        value=None if np.isnan(raw) else raw,
                        minimum=rule.minimum,
                        maximum=rule.maximum,
                    )
                )
        return AccountScore(
            account=account,
            score=float(self.score[account]),
            coverage_pct=float(self.coverage_pct[account]),
            criteria=tuple(rows),
            top=tuple(self.keys[j] for j in order if self.contributions[account, j] > 0),
            knocked_out_by=tuple(hits),
        )


def score_accounts(
    values: Mapping[str, Column],
    criteria: Sequence[Criterion],
    *,
    knock_outs: Sequence[KnockOut] = (),
    unknown: Mapping[str, ArrayLike] | None = None,
) -> ScoreResult:
    """Score every account on ``criteria``; ``values`` maps each key to one value per account.

    NaN (or ``None``) in ``values`` means missing, unless ``unknown`` (a boolean per account,
    by criterion key) marks it as unknown: then it scores ``NEUTRAL_POINTS``. Every criterion
    and knock-out key must be present in ``values`` with the same number of accounts; a typo
    raises ``ValueError`` instead of silently scoring nobody. See the module docstring for the
    choices made.
    """
    if not criteria:
        raise ValueError("scoring needs at least one criterion")
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise ValueError("each criterion key may appear once")
    raw_weights = np.array([c.weight for c in criteria], dtype=np.float64)
    if raw_weights.sum() <= 0:
        raise ValueError("at least one criterion needs a positive weight")
    weights = raw_weights / raw_weights.sum()

    columns = {key: _column(values, key) for key in {*keys, *(k.key for k in knock_outs)}}
    sizes = {column.shape[0] for column in columns.values()}
    if len(sizes) != 1:
        raise ValueError("every criterion needs one value per account, and as many accounts")
    matrix = np.column_stack([columns[key] for key in keys])
    normalised = np.column_stack([normalise(matrix[:, j], c) for j, c in enumerate(criteria)])
    for j, key in enumerate(keys):
        if unknown is not None and key in unknown:
            marked = np.asarray(unknown[key], dtype=bool) & np.isnan(matrix[:, j])
            normalised[:, j] = np.where(marked, NEUTRAL_POINTS, normalised[:, j])
    contributions = np.nan_to_num(normalised, nan=0.0) * weights
    # Float sums can land a hair outside 0-100; clipping keeps the promise of the range.
    score = np.clip(contributions.sum(axis=1), 0.0, 100.0)
    n_accounts = matrix.shape[0]
    hits = np.zeros((n_accounts, len(knock_outs)), dtype=bool)
    rule_values = np.full((n_accounts, len(knock_outs)), np.nan)
    for r, rule in enumerate(knock_outs):
        rule_values[:, r] = columns[rule.key]
        hits[:, r] = rule.hits(columns[rule.key])
    return ScoreResult(
        criteria=tuple(criteria),
        knock_outs=tuple(knock_outs),
        weights=weights,
        values=matrix,
        normalised=normalised,
        contributions=contributions,
        score=score,
        knock_out_hits=hits,
        knock_out_values=rule_values,
    )


def normalise(values: FloatArray, criterion: Criterion) -> FloatArray:
    """``values`` as 0-100 points under ``criterion``'s normalisation; NaN stays NaN."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    higher = criterion.direction is Direction.HIGHER_IS_BETTER
    if criterion.normalisation is Normalisation.THRESHOLDS:
        points = _thresholds(values, criterion.thresholds, higher=higher)
    elif criterion.normalisation is Normalisation.PERCENTILE:
        points = _percentile(values, missing)
        points = points if higher else 100.0 - points
    else:
        points = _min_max(values, missing, criterion.bounds)
        points = points if higher else 100.0 - points
    return np.where(missing, np.nan, points)


def _column(values: Mapping[str, Column], key: str) -> FloatArray:
    """One criterion's values as float64, ``None`` turned into NaN."""
    if key not in values:
        raise ValueError(f"no values given for criterion {key!r}")
    # numpy turns None into NaN and Decimal into float under an explicit float64 dtype.
    return np.asarray(values[key], dtype=np.float64).reshape(-1)


def _thresholds(
    values: FloatArray, steps: tuple[tuple[float, float], ...], *, higher: bool
) -> FloatArray:
    """Points of the step each value reaches (see :class:`Criterion`), 0 beyond the last."""
    ordered = sorted(steps)
    cut = np.array([v for v, _ in ordered], dtype=np.float64)
    points = np.array([p for _, p in ordered] + [0.0], dtype=np.float64)
    if higher:
        # Index of the highest threshold <= value; -1 (no step reached) maps to the 0 sentinel.
        index = np.searchsorted(cut, values, side="right") - 1
    else:
        # Index of the lowest threshold >= value; len(cut) (over every step) maps to 0.
        index = np.searchsorted(cut, values, side="left")
    return np.asarray(points[index], dtype=np.float64)


def _percentile(values: FloatArray, missing: BoolArray) -> FloatArray:
    """Percent of the other accounts with a lower value, ties counting half, among values given.

    The best account gets 100 and the worst 0; a single account, or all equal, get 50.
    """
    present = np.flatnonzero(~missing)
    n = present.size
    if n <= 1:
        return np.full(values.shape, NO_SPREAD_POINTS)
    # One sort, then each value's first and last place among its equals: the values below it
    # and its ties, in O(n log n) for 100,000 accounts (binary searches took 3 times longer).
    order = present[np.argsort(values[present], kind="stable")]
    ordered = values[order]
    starts = np.empty(n, dtype=bool)
    starts[0], starts[1:] = True, ordered[1:] != ordered[:-1]
    ends = np.empty(n, dtype=bool)
    ends[-1], ends[:-1] = True, starts[1:]
    place = np.arange(n)
    first = np.maximum.accumulate(np.where(starts, place, 0))
    last = np.minimum.accumulate(np.where(ends, place, n)[::-1])[::-1]
    points = np.full(values.shape, NO_SPREAD_POINTS)  # missing values: masked by the caller
    points[order] = (first + 0.5 * (last - first)) / (n - 1) * 100.0
    return points


def _min_max(
    values: FloatArray, missing: BoolArray, bounds: tuple[float, float] | None
) -> FloatArray:
    """Linear 0-100 between the bounds (given, or the lowest and highest value present)."""
    if bounds is None:
        present = values[~missing]
        if present.size == 0:
            return np.full(values.shape, NO_SPREAD_POINTS)
        low, high = float(present.min()), float(present.max())
    else:
        low, high = bounds
    if high == low:
        return np.full(values.shape, NO_SPREAD_POINTS)
    return np.asarray(np.clip((values - low) / (high - low), 0.0, 1.0) * 100.0)
