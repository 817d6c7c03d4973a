"""The value of time per account: what one more hour of work on an account is expected to be
worth in a period (METHOD.md M6). Pure: plain numbers and numpy arrays, no Django.

The model, in words
-------------------
1. **What is at stake** at each account, in the reporting currency:

       stake = EV(open opportunities due within 6 months, or undated)
             + long_horizon_weight x EV(open opportunities due later)
             + headroom_capture x headroom   (wallet minus our sales, when the wallet is known)
             + risk_share x loss_risk x yearly revenue   (when the account has a health)

   EV is value x probability. Long-horizon value is weighted (default 0.5), never discounted
   to nothing. The loss risk is 1 - health / 100 from the account's latest health (the risk
   app's composite of its signals, kam.risk.health); ``risk_share`` (default 0.2) is the part
   of the revenue at risk that a period's attention can keep. A part kam does not know (no
   wallet, no health) adds nothing and is named as
   unknown; an account where nothing at all is known gets the median stake of the accounts
   where something is (neutral, never the worst case).
2. **How much of it time can move**: ``uplift_share`` of the stake (default 10 %) is what a
   full period of attention can win, scaled by the selection score: x(0.5 + score/100), so
   0.5 for a score of 0 and 1.5 for 100; an unknown score counts 1.
3. **Diminishing returns**: that amount is spread over a concave, piecewise linear curve of
   ``segment_hours`` (default 8, 16, 24, 32 hours: 80 in all) for a quarter, stretched or
   shrunk to the period's length (x months / 3: a year's period has 32, 64, 96, 128), so the
   caps keep pace with the capacities, which are hours per week; each segment's value per
   hour is ``decay`` (default 0.5) times the previous one's. Hours beyond the last segment
   add nothing: that is the account's cap.
4. **Floors**: the tier's service level asks ``visits_per_month x months x hours_per_visit``
   hours; an account with long-horizon work (opportunities or objectives 6-12+ months out)
   gets at least ``long_horizon_floor_hours`` (for a quarter, scaled like the segments).
   The floor is the larger of the two; the cap is raised to the floor when the floor is
   larger. The tier enters through its service level's floor; the score scales the value.

Every parameter lives in ``ValueConfig``; the programme lead changes them on the allocation
page (kam.priorities.models.ValueSettings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_SEGMENTS = (8.0, 16.0, 24.0, 32.0)


@dataclass(frozen=True)
class ValueConfig:
    """The value model's parameters, with the documented defaults."""

    segment_hours: tuple[float, ...] = DEFAULT_SEGMENTS
    decay: float = 0.5
    uplift_share: float = 0.10
    headroom_capture: float = 0.05
    long_horizon_weight: float = 0.5
    risk_share: float = 0.2
    long_horizon_floor_hours: float = 6.0
    hours_per_visit: float = 3.0

    def __post_init__(self) -> None:
        problems = config_problems(self)
        if problems:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))


def config_problems(config: Any) -> dict[str, str]:
    """What is wrong with a configuration (anything with ValueConfig's attributes), by
    parameter; empty when it is sound."""
    problems: dict[str, str] = {}
    segments = config.segment_hours
    if not 1 <= len(segments) <= 8 or any(not (0 < h <= 1000) for h in segments):
        problems["segment_hours"] = "give 1 to 8 positive segment lengths"
    if not 0.05 <= config.decay <= 1.0:
        problems["decay"] = "between 0.05 and 1"
    for name in ("uplift_share", "headroom_capture", "long_horizon_weight", "risk_share"):
        if not 0.0 <= getattr(config, name) <= 1.0:
            problems[name] = "between 0 and 1"
    for name in ("long_horizon_floor_hours", "hours_per_visit"):
        if not getattr(config, name) >= 0:
            problems[name] = "zero or more"
    return problems


@dataclass
class AccountFacts:
    """What kam knows about n accounts, as arrays of length n; NaN where it does not know."""

    ev_near: np.ndarray  # EV of open opportunities due before the long-horizon line (or undated)
    ev_long: np.ndarray  # EV of open opportunities due later
    long_work: np.ndarray  # bool: has long-horizon opportunities or open long-term objectives
    revenue: np.ndarray  # yearly revenue, NaN unknown
    wallet: np.ndarray  # the customer's spend in the category, NaN unknown
    loss_risk: np.ndarray  # 0..1 (1 - health / 100), NaN unknown
    score: np.ndarray  # 0..100, NaN unknown
    visits_per_month: np.ndarray  # the tier's service level, 0 without a tier
    months: float = 3.0  # length of the period in months

    def __len__(self) -> int:
        return len(self.ev_near)

    @classmethod
    def of(cls, rows: list[dict], months: float = 3.0) -> AccountFacts:
        """From one dict per account (missing keys are unknown): handy for small cases."""

        def column(key: str, default: float = np.nan) -> np.ndarray:
            return np.array([r.get(key, default) for r in rows], dtype=float)

        return cls(
            ev_near=column("ev_near", 0.0),
            ev_long=column("ev_long", 0.0),
            long_work=np.array([bool(r.get("long_work", False)) for r in rows]),
            revenue=column("revenue"),
            wallet=column("wallet"),
            loss_risk=column("loss_risk"),
            score=column("score"),
            visits_per_month=column("visits_per_month", 0.0),
            months=months,
        )


@dataclass
class ValueCurves:
    """Each account's concave curve: ``slopes[i, k]`` value per hour on segment k, of
    ``lengths[k]`` hours; ``floors`` and ``caps`` in hours; ``stake`` and its parts for the
    explanation; ``unknown[i]`` the parts kam could not know."""

    slopes: np.ndarray
    lengths: np.ndarray
    floors: np.ndarray
    caps: np.ndarray
    stake: np.ndarray
    parts: dict[str, np.ndarray] = field(default_factory=dict)
    neutral: np.ndarray | None = None  # accounts given the median stake: nothing known

    def value(self, i: int, hours: float) -> float:
        """The value of ``hours`` on account i: the area under its curve up to them."""
        total, left = 0.0, float(hours)
        for slope, length in zip(self.slopes[i], self.lengths, strict=True):
            step = min(left, float(length))
            total += step * float(slope)
            left -= step
            if left <= 0:
                break
        return total

    def marginal(self, i: int, hours: float) -> float:
        """The value of one more hour on account i when it already has ``hours``."""
        edge = 0.0
        for slope, length in zip(self.slopes[i], self.lengths, strict=True):
            edge += float(length)
            if hours < edge - 1e-9:
                return float(slope)
        return 0.0


def value_curves(facts: AccountFacts, config: ValueConfig | None = None) -> ValueCurves:
    """Every account's value curve, floor and cap (see the module's docstring)."""
    config = config or ValueConfig()
    scale = facts.months / 3.0  # the segments are a quarter's hours
    lengths = np.asarray(config.segment_hours, dtype=float) * scale
    ev = np.nan_to_num(facts.ev_near) + config.long_horizon_weight * np.nan_to_num(facts.ev_long)
    headroom = np.clip(facts.wallet - np.nan_to_num(facts.revenue), 0.0, None)
    won_headroom = config.headroom_capture * headroom  # NaN where the wallet is unknown
    at_risk = config.risk_share * facts.loss_risk * facts.revenue  # NaN: either unknown
    stake = ev + np.nan_to_num(won_headroom) + np.nan_to_num(at_risk)
    knows_something = (
        (ev > 0) | ~np.isnan(won_headroom) | ~np.isnan(at_risk) | ~np.isnan(facts.revenue)
    )
    # Nothing known at all: the median of the accounts where something is (neutral).
    neutral = ~knows_something
    known = stake[knows_something]
    stake = np.where(neutral, float(np.median(known)) if known.size else 0.0, stake)
    score_factor = np.where(np.isnan(facts.score), 1.0, 0.5 + np.clip(facts.score, 0, 100) / 100)
    movable = config.uplift_share * stake * score_factor
    weights = config.decay ** np.arange(len(lengths))
    first = movable / float(np.dot(weights, lengths))
    slopes = first[:, None] * weights[None, :]

    service = facts.visits_per_month * facts.months * config.hours_per_visit
    long_floor = np.where(facts.long_work, config.long_horizon_floor_hours * scale, 0.0)
    floors = np.maximum(np.nan_to_num(service), long_floor)
    caps = np.maximum(float(lengths.sum()), floors)
    return ValueCurves(
        slopes=slopes,
        lengths=lengths,
        floors=floors,
        caps=caps,
        stake=stake,
        parts={
            "opportunities": ev,
            "headroom": won_headroom,
            "risk": at_risk,
            "service_floor": np.nan_to_num(service),
            "long_floor": long_floor,
        },
        neutral=neutral,
    )


def beyond_floor(curves: ValueCurves) -> tuple[np.ndarray, np.ndarray]:
    """The segments' lengths left above each account's floor ``[n, K]`` and the value of the
    floor's own hours ``[n]``: the allocation must give the floor, and chooses the rest."""
    edges = np.concatenate([[0.0], np.cumsum(curves.lengths)])
    starts, ends = edges[:-1][None, :], edges[1:][None, :]
    floors = curves.floors[:, None]
    left = np.clip(ends - np.maximum(starts, floors), 0.0, None)
    inside = np.clip(np.minimum(ends, floors) - starts, 0.0, None)
    floor_value = (inside * curves.slopes).sum(axis=1)
    return left, floor_value
