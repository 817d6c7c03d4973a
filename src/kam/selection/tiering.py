"""Grading scored accounts into named tiers with service levels (METHOD.md M2, M8).

A :class:`TierScheme` lists its tiers best first, each with a cut-off and a service level, and
says how the cut-offs read (:class:`CutOff`):

- ``SCORE``: a tier's cut-off is the minimum score; an account gets the best tier it reaches.
- ``RANK``: the cut-off is cumulative, "the top N": Gold 10, Silver 30 means ranks 1-10 are
  Gold and 11-30 Silver. ``TOP_PERCENT`` is the same with N = floor(x% of the eligible
  accounts): "at most x%", so the top 10% of 5 accounts is nobody.
- ``REVENUE_SHARE`` (ABC): accounts ranked by revenue, cut-offs are cumulative shares of total
  revenue (A 80, B 95, C 100). Which side the account whose revenue takes the cumulative share
  past a cut-off falls on is the scheme's :class:`Crossing`:

  - ``NEXT`` (the default, the textbook rule most sales directors use): an account is in A
    while the cumulative share *including it* stays within 80%; the one that crosses goes to
    B. So the first account alone can be B when it holds more than 80% of revenue.
  - ``UPPER``: an account is in A while the share of the accounts *before it* is under 80%;
    the one that crosses is still A (so A always holds at least 80% of revenue).

  Shares are rounded to 9 places, so float noise cannot move an account sitting exactly on a
  cut-off. Net revenue at or below zero (credit notes outweighing sales) reaches no tier:
  such accounts are ranked last (the most negative last) and count as zero in the total that
  shares are taken of, so a refund cannot shrink the total and inflate everybody else's share.
  The total and the ranking cover every account given, knocked out or not (revenue is a
  fact; the knock-out only keeps the account out of a key tier).

Ranking and ties: accounts are ordered by score (for ABC: by revenue, then score), then by
``tie_break`` (higher first; pass e.g. current revenue), then by position in the input (earlier
first).
Callers should feed accounts in a stable order (by primary key) so that ties resolve the same
way on every run.

Capacity, "these N accounts and no more": after the cut-offs, at most ``capacity`` accounts sit
in key tiers. Overrides into key tiers take their seats first; the remaining seats go to the
computed key accounts by tier (best first), then the ranking above. Accounts left without a
seat fall to the scheme's first non-key tier (a waiting list such as Standby) if it has one,
otherwise to no tier, with the reason ``over_capacity``. Overrides always stand: if there are
more overrides into key tiers than seats, ``over_capacity_by`` says by how many.

Knocked-out accounts (``eligible`` false) and accounts without a score get no tier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: every command loads this module
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]

NO_TIER = -1


class CutOff(StrEnum):
    """How a scheme's tier cut-offs are read (see the module docstring)."""

    SCORE = "score"
    RANK = "rank"
    TOP_PERCENT = "top_percent"
    REVENUE_SHARE = "revenue_share"


class Crossing(StrEnum):
    """Under ABC, the tier of the account whose revenue crosses a cut-off (module docstring)."""

    NEXT = "next"  # the textbook rule: it goes to the next tier
    UPPER = "upper"  # it stays in the tier whose cut-off it crosses


class Reason(StrEnum):
    """Why an account has the tier it has."""

    CUT_OFF = "cut_off"  # reached the tier's cut-off
    BELOW_CUT_OFFS = "below_cut_offs"
    OVER_CAPACITY = "over_capacity"
    KNOCKED_OUT = "knocked_out"
    NO_SCORE = "no_score"
    OVERRIDE = "override"


@dataclass(frozen=True)
class ServiceLevel:
    """What the accounts of a tier get (M8): none gets bad service, each gets its due."""

    visits_per_month: float
    plan_review_days: int
    dedicated_staff: bool
    priority_ordering: bool
    extras: str = ""


@dataclass(frozen=True)
class Tier:
    """A named tier; ``cut_off`` is read as the scheme's :class:`CutOff` says.

    ``code`` is a stable slug the web layer translates ("gold"); ``name`` is a fallback label
    for custom tiers. ``key`` false marks a tier that is served but not a key account tier
    (a waiting list).
    """

    code: str
    name: str
    cut_off: float
    service: ServiceLevel
    key: bool = True


@dataclass(frozen=True)
class TierScheme:
    """Tiers best first, how their cut-offs read, and an optional capacity of key accounts."""

    code: str
    tiers: tuple[Tier, ...]
    cut_off: CutOff = CutOff.SCORE
    capacity: int | None = None
    crossing: Crossing = Crossing.NEXT

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("a tier scheme needs at least one tier")
        codes = [t.code for t in self.tiers]
        if len(set(codes)) != len(codes):
            raise ValueError("tier codes must be unique within a scheme")
        bad = misplaced_cut_off(self.cut_off, [t.cut_off for t in self.tiers])
        if bad is not None:
            raise ValueError(
                f"tier cut-offs must be listed best tier first, strictly ordered "
                f"(tier {self.tiers[bad].code!r})"
            )
        keys = [t.key for t in self.tiers]
        if keys != sorted(keys, reverse=True):
            raise ValueError("key tiers must come before the tiers that are not key")
        if self.capacity is not None and self.capacity < 0:
            raise ValueError("capacity must not be negative")

    def index(self, code: str) -> int:
        """Position of the tier ``code`` in the scheme; ``ValueError`` if there is none."""
        for i, tier in enumerate(self.tiers):
            if tier.code == code:
                return i
        raise ValueError(f"no tier {code!r} in scheme {self.code!r}")

    def with_cut_offs(
        self, cut_off: CutOff, values: Sequence[float], crossing: Crossing | None = None
    ) -> TierScheme:
        """The same tiers and service levels read with other cut-offs (one value per tier)."""
        if len(values) != len(self.tiers):
            raise ValueError(f"give one cut-off per tier ({len(self.tiers)})")
        tiers = tuple(replace(t, cut_off=v) for t, v in zip(self.tiers, values, strict=True))
        return replace(self, tiers=tiers, cut_off=cut_off, crossing=crossing or self.crossing)


def misplaced_cut_off(kind: CutOff, values: Sequence[float]) -> int | None:
    """Position of the first tier whose cut-off is out of order or out of range, or ``None``.

    Best tier first: score minimums fall, cumulative ranks and shares rise; shares and
    percentages lie in (0, 100], ranks are at least 1."""
    for i, value in enumerate(values):
        if not math.isfinite(value):
            return i
        if kind in (CutOff.REVENUE_SHARE, CutOff.TOP_PERCENT) and not 0 < value <= 100:
            return i
        if kind is CutOff.RANK and value < 1:
            return i
    for i, (a, b) in enumerate(pairwise(values), start=1):
        if (a <= b) if kind is CutOff.SCORE else (a >= b):
            return i
    return None


@dataclass(frozen=True)
class Override:
    """A person's decision to put an account in a tier (``None``: no tier), with the reason."""

    tier: str | None
    reason: str
    by: str = ""


@dataclass(frozen=True)
class AccountTier:
    """One account's tier with what a page needs to explain it."""

    account: int
    tier: Tier | None
    computed: Tier | None  # after the capacity, before any override
    qualified: Tier | None  # by the cut-offs alone, before the capacity
    reason: Reason
    rank: int | None  # 1 = first in the ranking the scheme uses; None when not ranked
    is_key: bool
    override: Override | None
    facts: dict[str, float | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class TierAssignment:
    """The tier of every account: index into ``scheme.tiers`` or ``NO_TIER`` (-1)."""

    scheme: TierScheme
    tier: IntArray  # final
    computed: IntArray  # after the capacity, before overrides
    qualified: IntArray  # by the cut-offs alone
    reason: NDArray[np.str_]
    rank: IntArray  # 0 when not ranked
    cumulative_share_pct: FloatArray | None  # ABC only: share including the account
    overrides: Mapping[int, Override]
    over_capacity_by: int

    @property
    def is_key(self) -> BoolArray:
        """Accounts in a key tier."""
        import numpy as np

        key_tiers = np.array([t.key for t in self.scheme.tiers] + [False])
        return np.asarray(key_tiers[self.tier])  # NO_TIER (-1) picks the trailing False

    def counts(self) -> dict[str | None, int]:
        """How many accounts each tier holds, by tier code (``None``: no tier)."""
        import numpy as np

        found = np.bincount(self.tier + 1, minlength=len(self.scheme.tiers) + 1)
        codes: list[str | None] = [None, *(t.code for t in self.scheme.tiers)]
        return {code: int(n) for code, n in zip(codes, found, strict=True)}

    def for_account(self, account: int) -> AccountTier:
        """Everything about one account's tier."""
        tiers = self.scheme.tiers
        tier, computed = int(self.tier[account]), int(self.computed[account])
        qualified = int(self.qualified[account])
        facts: dict[str, float | int | None] = {"capacity": self.scheme.capacity}
        if qualified != NO_TIER:
            facts["cut_off"] = tiers[qualified].cut_off
        if self.cumulative_share_pct is not None:
            facts["cumulative_share_pct"] = float(self.cumulative_share_pct[account])
        rank = int(self.rank[account])
        return AccountTier(
            account=account,
            tier=None if tier == NO_TIER else tiers[tier],
            computed=None if computed == NO_TIER else tiers[computed],
            qualified=None if qualified == NO_TIER else tiers[qualified],
            reason=Reason(str(self.reason[account])),
            rank=rank or None,
            is_key=bool(self.is_key[account]),
            override=self.overrides.get(account),
            facts=facts,
        )


def assign_tiers(
    *,
    scheme: TierScheme,
    scores: ArrayLike,
    eligible: ArrayLike | None = None,
    revenue: ArrayLike | None = None,
    tie_break: ArrayLike | None = None,
    overrides: Mapping[int, Override] | None = None,
) -> TierAssignment:
    """Give every account exactly one tier, or none, under ``scheme`` (see module docstring).

    ``scores`` are 0-100 per account (NaN: no score); ``eligible`` usually
    ``ScoreResult.eligible``; ``revenue`` is required by ``REVENUE_SHARE`` schemes;
    ``overrides`` maps an account's position to a person's decision.
    """
    import numpy as np

    score = np.asarray(scores, dtype=np.float64)
    n = score.shape[0]
    ok = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    tie = np.zeros(n) if tie_break is None else np.asarray(tie_break, dtype=np.float64)
    tie = np.nan_to_num(tie, nan=-np.inf)  # an unknown tie-break loses the tie
    if ok.shape != (n,) or tie.shape != (n,):
        raise ValueError("eligible and tie_break need one value per scored account")
    overrides = dict(overrides or {})
    if any(not 0 <= account < n for account in overrides):
        raise ValueError("an override names an account position outside the scores given")
    has_score = ~np.isnan(score)
    ok = ok & has_score
    tiers = scheme.tiers
    cuts = np.array([t.cut_off for t in tiers], dtype=np.float64)
    rank = np.zeros(n, dtype=np.int64)
    share: FloatArray | None = None

    if scheme.cut_off is CutOff.REVENUE_SHARE:
        if revenue is None:
            raise ValueError("a revenue-share (ABC) scheme needs the revenue of each account")
        net = np.nan_to_num(np.asarray(revenue, dtype=np.float64))
        if net.shape != (n,):
            raise ValueError("revenue needs one value per scored account")
        money = np.clip(net, 0.0, None)
        # Ranked by net revenue, so that accounts with more credits than sales come last.
        order = _ranking(net, np.nan_to_num(score, nan=-1.0), tie, np.ones(n, dtype=bool))
        rank[order] = np.arange(1, n + 1)
        total = money.sum()
        ordered = money[order]
        share = np.zeros(n)
        placed = np.zeros(n)
        if total > 0:
            share[order] = np.cumsum(ordered) / total * 100.0
            # Rounded so that float noise (79.99999999997) cannot move an account across a
            # cut-off it sits exactly on.
            if scheme.crossing is Crossing.NEXT:
                placed[order] = np.round(np.cumsum(ordered) / total * 100.0, 9)
            else:
                placed[order] = np.round((np.cumsum(ordered) - ordered) / total * 100.0, 9)
        if scheme.crossing is Crossing.NEXT:
            # First tier whose cut-off the share *including* the account stays within.
            tier_of = _first_at_or_over(placed, cuts)
        else:
            # First tier whose cut-off the share *before* the account has not reached.
            tier_of = _first_over(placed, cuts)
        computed = np.where((money > 0) & (total > 0), tier_of, NO_TIER)
    else:
        order = _ranking(score, tie, np.zeros(n), ok)
        rank[order] = np.arange(1, order.size + 1)
        if scheme.cut_off is CutOff.SCORE:
            # A tier is reached at score >= its minimum; count the minimums still above.
            computed = (cuts[None, :] > np.nan_to_num(score, nan=-np.inf)[:, None]).sum(axis=1)
            computed = np.where(computed < len(tiers), computed, NO_TIER)
        else:
            tops = cuts
            if scheme.cut_off is CutOff.TOP_PERCENT:
                tops = np.array([math.floor(c * order.size / 100.0) for c in cuts], dtype=float)
            # Rank r is inside "the top N" when r - 1 < N.
            places = np.asarray(rank - 1, dtype=np.float64)
            computed = np.where(rank > 0, _first_over(places, tops), NO_TIER)
    computed = computed.astype(np.int64)

    reason = np.where(computed == NO_TIER, Reason.BELOW_CUT_OFFS.value, Reason.CUT_OFF.value)
    reason = reason.astype("<U16")
    computed = np.where(ok, computed, NO_TIER)
    reason[~ok] = Reason.KNOCKED_OUT.value
    reason[~has_score] = Reason.NO_SCORE.value

    qualified = computed.copy()
    over_by = 0
    if scheme.capacity is not None:
        computed, over_by = _apply_capacity(scheme, computed, reason, rank, overrides)

    final = computed.copy()
    for account, decision in overrides.items():
        final[account] = NO_TIER if decision.tier is None else scheme.index(decision.tier)
        reason[account] = Reason.OVERRIDE.value
    return TierAssignment(
        scheme=scheme,
        tier=final,
        computed=computed,
        qualified=qualified,
        reason=reason,
        rank=rank,
        cumulative_share_pct=share,
        overrides=overrides,
        over_capacity_by=over_by,
    )


def _ranking(
    primary: FloatArray, second: FloatArray, third: FloatArray, use: BoolArray
) -> IntArray:
    """Positions of the ``use`` accounts, best first: primary, second, third descending, then
    position ascending (``lexsort`` is stable, so equal keys keep their input order)."""
    import numpy as np

    positions = np.flatnonzero(use)
    keys = (-third[positions], -second[positions], -primary[positions])
    return np.asarray(positions[np.lexsort(keys)], dtype=np.int64)


def _first_over(values: FloatArray, cuts: FloatArray) -> IntArray:
    """Index of the first cut-off strictly above each value, ``NO_TIER`` when there is none."""
    import numpy as np

    index = np.searchsorted(cuts, values, side="right")
    return np.where(index < cuts.size, index, NO_TIER).astype(np.int64)


def _first_at_or_over(values: FloatArray, cuts: FloatArray) -> IntArray:
    """Index of the first cut-off at or above each value, ``NO_TIER`` when there is none."""
    import numpy as np

    index = np.searchsorted(cuts, values, side="left")
    return np.where(index < cuts.size, index, NO_TIER).astype(np.int64)


def _apply_capacity(
    scheme: TierScheme,
    computed: IntArray,
    reason: NDArray[np.str_],
    rank: IntArray,
    overrides: Mapping[int, Override],
) -> tuple[IntArray, int]:
    """Keep at most ``scheme.capacity`` key accounts; returns the tiers and the overflow."""
    import numpy as np

    assert scheme.capacity is not None
    key_tiers = np.array([t.key for t in scheme.tiers] + [False])
    overridden_key = sum(
        1
        for o in overrides.values()
        if o.tier is not None and scheme.tiers[scheme.index(o.tier)].key
    )
    seats = max(scheme.capacity - overridden_key, 0)
    candidate = key_tiers[computed].copy()
    candidate[list(overrides)] = False  # an overridden account's seat is counted above
    positions = np.flatnonzero(candidate)
    # Best tier first, then the scheme's own ranking.
    order = positions[np.lexsort((rank[positions], computed[positions]))]
    dropped = order[seats:]
    waiting = next((i for i, t in enumerate(scheme.tiers) if not t.key), NO_TIER)
    result = computed.copy()
    result[dropped] = waiting
    reason[dropped] = Reason.OVER_CAPACITY.value
    return result, max(overridden_key - scheme.capacity, 0)


def _service(visits: float, review: int, staff: bool, priority: bool) -> ServiceLevel:
    """A service level, positionally, to keep the presets below readable."""
    return ServiceLevel(visits, review, staff, priority)


# Presets (M2): score cut-offs by default; ``with_cut_offs`` switches them to ranks or ABC.
# Service levels are starting points for the programme lead to edit, not recommendations.
GOLD_SILVER_BRONZE = TierScheme(
    code="gold_silver_bronze",
    tiers=(
        Tier("gold", "Gold", 75.0, _service(2.0, 90, True, True)),
        Tier("silver", "Silver", 60.0, _service(1.0, 90, True, False)),
        Tier("bronze", "Bronze", 45.0, _service(0.5, 180, False, False)),
    ),
)
DIVISIONS = TierScheme(
    code="divisions",
    tiers=(
        Tier("premier", "Premier", 75.0, _service(2.0, 90, True, True)),
        Tier("first_division", "1st division", 60.0, _service(1.0, 90, True, False)),
        Tier("second_division", "2nd division", 45.0, _service(0.5, 180, False, False)),
    ),
)
AIRLINE = TierScheme(
    code="airline",
    tiers=(
        Tier("first", "First", 80.0, _service(2.0, 60, True, True)),
        Tier("club", "Club", 65.0, _service(1.0, 90, True, True)),
        Tier("economy", "Economy", 50.0, _service(0.5, 180, False, False)),
        # Standby: qualified but waiting for a seat in the programme; served, not key.
        Tier("standby", "Standby", 35.0, _service(0.25, 365, False, False), key=False),
    ),
)
PRESETS: dict[str, TierScheme] = {s.code: s for s in (GOLD_SILVER_BRONZE, DIVISIONS, AIRLINE)}
