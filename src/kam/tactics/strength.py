"""Exit barrier strength (METHOD.md M8, tactics 5-7): how costly leaving would be for the
customer, 0-100, from the barrier tactics in place and how long they have been. Pure: no
Django.

The model, documented so the score can be explained:
- each barrier tactic carries points: selling in the customer's own units 25, cross-business
  teams and initiatives 35, integrated delivery, inventory and invoicing 40 (the deeper the
  integration into the customer's operations, the costlier to undo); they sum to 100;
- a tactic in place earns its points in proportion to how long it has been in place, fully
  after ``MATURE_YEARS`` (2 years), with at least ``NEW_SHARE`` (25%) from its first day; in
  place since an unknown date earns ``UNKNOWN_SINCE_SHARE`` (50%);
- planned or not applicable earns nothing;
- an account with none of the three recorded (for itself or its tier) has an unknown
  strength (None), never 0: kam does not know what integrates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

POINTS = {"own_units": 25, "joint_teams": 35, "integrated": 40}
MATURE_YEARS = 2.0
NEW_SHARE = 0.25
UNKNOWN_SINCE_SHARE = 0.5
IN_PLACE = "in_place"


@dataclass(frozen=True)
class BarrierTactic:
    kind: str  # one of POINTS
    status: str  # in_place / planned / not_applicable
    since: date | None


@dataclass(frozen=True)
class Part:
    """One barrier tactic's share of the strength, for its reason."""

    kind: str
    status: str
    years: float | None  # in place for so many years; None: unknown or not in place
    points: float
    most: int


@dataclass(frozen=True)
class Strength:
    score: int | None
    parts: tuple[Part, ...]


def barrier_strength(tactics: Iterable[BarrierTactic], today: date) -> Strength:
    """The strength of one account's exit barriers on ``today``, with each tactic's part."""
    parts = []
    for tactic in tactics:
        most = POINTS.get(tactic.kind)
        if most is None:
            continue
        years = None
        if tactic.status != IN_PLACE:
            points = 0.0
        elif tactic.since is None:
            points = most * UNKNOWN_SINCE_SHARE
        else:
            years = max(0.0, (today - tactic.since).days / 365.25)
            points = most * min(1.0, max(NEW_SHARE, years / MATURE_YEARS))
        parts.append(Part(tactic.kind, tactic.status, years, points, most))
    if not parts:
        return Strength(None, ())
    score = round(sum(p.points for p in parts))
    return Strength(max(0, min(100, score)), tuple(parts))
