"""Account health: a composite 0-100 per account from signals kam already has (issue 13 item 1).

Each signal is normalised to 0-100 points by selection's scorer (``kam.selection.scoring``:
the same directions, thresholds and min-max bounds as the selection criteria), then weighted.

Choices, each tested in ``tests/risk/test_health.py``:

- **An unknown signal is left out, never scored as the worst.** A signal kam cannot know for
  an account (no contacts recorded, no invoice whose payment is known, no plan yet) is NaN;
  the weights are rescaled over the signals that are known, and the result lists the ones
  left out. An account with no known signal at all has no health (NaN), not 0.
- **Bands** by two configurable thresholds: below ``at_risk_below`` is at risk, below
  ``watch_below`` is watch, otherwise healthy.
- **Trend**: the change from the previous stored snapshot; a move of ``trend_step`` points or
  more either way is rising or falling, less is steady; no previous snapshot, no trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kam.selection.scoring import Criterion, Direction, Normalisation, normalise

FloatArray = NDArray[np.float64]

LOWER = Direction.LOWER_IS_BETTER
HIGHER = Direction.HIGHER_IS_BETTER


class Band(StrEnum):
    HEALTHY = "healthy"
    WATCH = "watch"
    AT_RISK = "at_risk"
    UNKNOWN = "unknown"


class Trend(StrEnum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    UNKNOWN = "unknown"


# The signals, their default weight, direction and normalisation. Values, per account:
SIGNALS: tuple[Criterion, ...] = (
    # distinct active contacts we met in the last 12 months (1 = single-threaded)
    Criterion(
        "threads",
        15,
        HIGHER,
        Normalisation.THRESHOLDS,
        thresholds=((1, 20), (2, 50), (3, 75), (5, 100)),
    ),
    # influential contacts (influence 4-5): % supporters minus % opponents, -100..100
    Criterion("attitude", 15, HIGHER, Normalisation.MIN_MAX, bounds=(-100.0, 100.0)),
    # contacts who left in the last 6 months
    Criterion(
        "departures", 10, LOWER, Normalisation.THRESHOLDS, thresholds=((0, 100), (1, 50), (2, 20))
    ),
    # open entrenched interests with no defusing strategy chosen
    Criterion(
        "interests_open", 10, LOWER, Normalisation.THRESHOLDS, thresholds=((0, 100), (1, 40))
    ),
    # days since the last interaction, as a multiple of the tier's interval between visits
    Criterion(
        "recency",
        10,
        LOWER,
        Normalisation.THRESHOLDS,
        thresholds=((1, 100), (2, 60), (4, 25)),
    ),
    # revenue trend, % a quarter (least-squares slope over the scoring window)
    Criterion("revenue_trend", 15, HIGHER, Normalisation.MIN_MAX, bounds=(-10.0, 10.0)),
    # margin trend, percentage points a quarter
    Criterion("margin_trend", 5, HIGHER, Normalisation.MIN_MAX, bounds=(-2.0, 2.0)),
    # average days late
    Criterion(
        "days_late",
        10,
        LOWER,
        Normalisation.THRESHOLDS,
        thresholds=((0, 100), (7, 75), (15, 50), (30, 25), (60, 10)),
    ),
    # change of the average days late since the previous scoring run
    Criterion("days_late_change", 5, LOWER, Normalisation.MIN_MAX, bounds=(-10.0, 10.0)),
    # plan in force (agreed) and share of the actions due in the last 6 months done, 0-100
    Criterion("plan_delivery", 5, HIGHER, Normalisation.MIN_MAX, bounds=(0.0, 100.0)),
)
SIGNAL_KEYS = tuple(s.key for s in SIGNALS)


@dataclass(frozen=True)
class Bands:
    """Thresholds of the bands, 0-100: ``at_risk_below`` < ``watch_below``."""

    watch_below: float = 65.0
    at_risk_below: float = 40.0
    trend_step: float = 5.0

    def __post_init__(self) -> None:
        if not 0 <= self.at_risk_below < self.watch_below <= 100:
            raise ValueError("bands need 0 <= at risk below < watch below <= 100")
        if not self.trend_step > 0:
            raise ValueError("the trend step must be above 0")


@dataclass(frozen=True)
class SignalPart:
    """One signal of one account: raw value, points 0-100, effective weight, contribution."""

    key: str
    value: float | None  # None: unknown, left out
    points: float | None
    weight_pct: float  # share of the weight among the known signals, 0-100 (0 when unknown)
    contribution: float  # points x share: what it adds to the health


@dataclass(frozen=True)
class AccountHealth:
    score: float | None
    band: Band
    trend: Trend
    change: float | None
    parts: tuple[SignalPart, ...]

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts if p.value is None)


@dataclass(frozen=True)
class HealthResult:
    """Arrays per account (and per signal): everything the pages and the snapshot need."""

    signals: tuple[Criterion, ...]
    values: FloatArray  # (n, k), NaN unknown
    points: FloatArray  # (n, k), NaN unknown
    shares: FloatArray  # (n, k), effective weight among the known signals, 0 when unknown
    contributions: FloatArray  # (n, k)
    score: FloatArray  # (n,), NaN when no signal is known
    band: NDArray[np.str_]
    change: FloatArray  # (n,), NaN without a previous score
    trend: NDArray[np.str_]

    def account(self, i: int) -> AccountHealth:
        parts = []
        for j, signal in enumerate(self.signals):
            value = float(self.values[i, j])
            known = not np.isnan(value)
            parts.append(
                SignalPart(
                    key=signal.key,
                    value=value if known else None,
                    points=float(self.points[i, j]) if known else None,
                    weight_pct=float(self.shares[i, j] * 100.0),
                    contribution=float(self.contributions[i, j]),
                )
            )
        score = float(self.score[i])
        change = float(self.change[i])
        return AccountHealth(
            score=None if np.isnan(score) else score,
            band=Band(str(self.band[i])),
            trend=Trend(str(self.trend[i])),
            change=None if np.isnan(change) else change,
            parts=tuple(parts),
        )


def with_weights(weights: Mapping[str, float]) -> tuple[Criterion, ...]:
    """The signals with the weights given (a key not given keeps its default)."""
    unknown = set(weights) - set(SIGNAL_KEYS)
    if unknown:
        raise ValueError(f"unknown health signals: {', '.join(sorted(unknown))}")
    return tuple(
        Criterion(
            s.key,
            float(weights.get(s.key, s.weight)),
            s.direction,
            s.normalisation,
            thresholds=s.thresholds,
            bounds=s.bounds,
        )
        for s in SIGNALS
    )


def compute_health(
    values: Mapping[str, ArrayLike],
    *,
    signals: Sequence[Criterion] = SIGNALS,
    bands: Bands | None = None,
    previous: ArrayLike | None = None,
) -> HealthResult:
    """Health of every account; ``values`` maps each signal key to one value per account (NaN
    or None: unknown), ``previous`` the last stored score per account (NaN: none)."""
    bands = bands or Bands()
    if not signals or sum(s.weight for s in signals) <= 0:
        raise ValueError("health needs at least one signal with a positive weight")
    matrix = np.column_stack(
        [np.asarray(values[s.key], dtype=np.float64).reshape(-1) for s in signals]
    )
    points = np.column_stack([normalise(matrix[:, j], s) for j, s in enumerate(signals)])
    known = ~np.isnan(matrix)
    weights = np.array([s.weight for s in signals], dtype=np.float64)
    known_weight = (known * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(known, weights, 0.0) / known_weight[:, None]
    shares = np.nan_to_num(shares, nan=0.0)
    contributions = np.nan_to_num(points, nan=0.0) * shares
    score = np.where(known_weight > 0, np.clip(contributions.sum(axis=1), 0.0, 100.0), np.nan)
    band = np.full(score.shape, Band.UNKNOWN.value, dtype=object)
    band[score >= 0] = Band.HEALTHY.value
    band[score < bands.watch_below] = Band.WATCH.value
    band[score < bands.at_risk_below] = Band.AT_RISK.value
    if previous is None:
        previous_score = np.full(score.shape, np.nan)
    else:
        previous_score = np.asarray(previous, dtype=np.float64).reshape(-1)
    change = score - previous_score
    trend = np.full(score.shape, Trend.UNKNOWN.value, dtype=object)
    trend[np.abs(change) < bands.trend_step] = Trend.STEADY.value
    trend[change >= bands.trend_step] = Trend.RISING.value
    trend[change <= -bands.trend_step] = Trend.FALLING.value
    return HealthResult(
        signals=tuple(signals),
        values=matrix,
        points=points,
        shares=shares,
        contributions=contributions,
        score=score,
        band=band.astype(str),
        change=change,
        trend=trend.astype(str),
    )
