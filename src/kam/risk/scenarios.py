"""Deterministic loss scenarios (issue 13 item 6) and replacement (item 8), as pure functions.

The portfolio is the last 12 months per account: revenue, gross margin (revenue - cost of
goods) and contribution (gross margin - discounts given - cost to serve). A scenario loses a
share (0-1) of some accounts' volume, evenly over the next ``quarters`` quarters; a recovery
assumption wins back a share of the lost revenue, rising in a straight line to ``recovery``
by the last quarter (its margin at the portfolio's average margin). The fixed cost base is
spread evenly over the quarters and carried by what remains.

A group is a parent account and its subsidiaries (``group_of``): losing the group loses all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Portfolio:
    """Yearly figures per account (one currency), and each account's group (its own position
    when it has no parent in the portfolio)."""

    revenue: FloatArray
    margin: FloatArray
    contribution: FloatArray
    group: IntArray

    @classmethod
    def of(
        cls,
        *,
        revenue: ArrayLike,
        margin: ArrayLike,
        contribution: ArrayLike,
        group: ArrayLike | None = None,
    ) -> Portfolio:
        rev = np.nan_to_num(np.asarray(revenue, dtype=np.float64))
        n = rev.shape[0]
        g = np.arange(n) if group is None else np.asarray(group, dtype=np.int64)
        portfolio = cls(
            revenue=rev,
            margin=np.nan_to_num(np.asarray(margin, dtype=np.float64)),
            contribution=np.nan_to_num(np.asarray(contribution, dtype=np.float64)),
            group=g,
        )
        if {portfolio.margin.shape, portfolio.contribution.shape, g.shape} != {(n,)}:
            raise ValueError("every array needs one value per account")
        return portfolio

    @property
    def n(self) -> int:
        return int(self.revenue.shape[0])


def group_of(parent: Sequence[int | None]) -> IntArray:
    """Each account's group: the position of its top-most ancestor (itself when none)."""
    n = len(parent)
    group = np.arange(n)
    for i in range(n):
        j, seen = i, 0
        while parent[j] is not None and seen <= n:  # a cycle cannot loop forever
            j, seen = int(parent[j]), seen + 1  # type: ignore[arg-type]
        group[i] = j
    return group


def losses(
    n: int,
    *,
    accounts: Iterable[int] = (),
    groups: Iterable[int] = (),
    shares: dict[int, float] | None = None,
    group: IntArray | None = None,
) -> FloatArray:
    """The share of each account's volume lost: whole accounts, whole groups (by any member's
    position) and partial shares (0-1)."""
    lost = np.zeros(n)
    lost[list(accounts)] = 1.0
    wanted = list(groups)
    if wanted:
        if group is None:
            raise ValueError("losing a group needs the groups")
        lost[np.isin(group, group[wanted])] = 1.0
    for i, share in (shares or {}).items():
        if not 0 <= share <= 1:
            raise ValueError("a share of volume lost must be between 0 and 1")
        lost[i] = max(lost[i], share)
    return lost


def top(portfolio: Portfolio, count: int, *, by_group: bool = True) -> list[int]:
    """Positions of the ``count`` largest accounts by revenue (groups totalled when
    ``by_group``: the largest groups, every member of them)."""
    if count < 1:
        raise ValueError("top N needs N >= 1")
    if not by_group:
        return [int(i) for i in np.argsort(-portfolio.revenue, kind="stable")[:count]]
    totals = np.bincount(portfolio.group, weights=portfolio.revenue, minlength=portfolio.n)
    biggest = np.argsort(-totals, kind="stable")[:count]
    return [int(i) for i in np.flatnonzero(np.isin(portfolio.group, biggest))]


@dataclass(frozen=True)
class QuarterEffect:
    quarter: int  # 1..quarters
    revenue: float
    revenue_after: float
    margin: float
    margin_after: float
    contribution: float
    contribution_after: float
    fixed_costs: float
    result_after: float  # contribution after the loss, less the quarter's fixed costs
    fixed_share_after_pct: float | None  # fixed costs as % of the revenue that remains


@dataclass(frozen=True)
class ScenarioEffect:
    lost: FloatArray
    revenue_lost: float  # a year, before recovery
    margin_lost: float
    contribution_lost: float
    revenue_lost_pct: float
    quarters: tuple[QuarterEffect, ...]


def scenario_effect(
    portfolio: Portfolio,
    lost: ArrayLike,
    *,
    fixed_costs: float = 0.0,
    recovery: float = 0.0,
    quarters: int = 4,
) -> ScenarioEffect:
    """The effect of losing ``lost`` (share per account) on revenue, gross margin and
    contribution, quarter by quarter."""
    share = np.asarray(lost, dtype=np.float64)
    if share.shape != (portfolio.n,) or np.any((share < 0) | (share > 1)):
        raise ValueError("lost must be a share 0-1 per account")
    if not 0 <= recovery <= 1:
        raise ValueError("the recovery must be between 0 and 1")
    if fixed_costs < 0 or quarters < 1:
        raise ValueError("fixed costs must be >= 0 and quarters >= 1")
    revenue, margin, contribution = (
        float(portfolio.revenue.sum()),
        float(portfolio.margin.sum()),
        float(portfolio.contribution.sum()),
    )
    rev_lost = float(share @ portfolio.revenue)
    mar_lost = float(share @ portfolio.margin)
    con_lost = float(share @ portfolio.contribution)
    average_margin = margin / revenue if revenue else 0.0
    rows = []
    for q in range(1, quarters + 1):
        won_back = rev_lost * recovery * q / quarters
        rev_after = (revenue - rev_lost + won_back) / quarters
        mar_after = (margin - mar_lost + won_back * average_margin) / quarters
        con_after = (contribution - con_lost + won_back * average_margin) / quarters
        fixed = fixed_costs / quarters
        rows.append(
            QuarterEffect(
                quarter=q,
                revenue=revenue / quarters,
                revenue_after=rev_after,
                margin=margin / quarters,
                margin_after=mar_after,
                contribution=contribution / quarters,
                contribution_after=con_after,
                fixed_costs=fixed,
                result_after=con_after - fixed,
                fixed_share_after_pct=fixed / rev_after * 100 if rev_after > 0 else None,
            )
        )
    return ScenarioEffect(
        lost=share,
        revenue_lost=rev_lost,
        margin_lost=mar_lost,
        contribution_lost=con_lost,
        revenue_lost_pct=rev_lost / revenue * 100 if revenue else 0.0,
        quarters=tuple(rows),
    )


@dataclass(frozen=True)
class Replacement:
    account: int
    headroom: float  # wallet not yet ours, a year
    growth: float  # revenue added a year at the current growth (0 when not growing)


@dataclass(frozen=True)
class ReplacementPlan:
    candidates: tuple[Replacement, ...]
    years: float | None  # to win back the lost revenue at their growth; None: never


def replacements(
    *,
    revenue: ArrayLike,
    wallet: ArrayLike,
    growth_pct: ArrayLike,
    lost: ArrayLike,
    revenue_lost: float,
    count: int = 10,
) -> ReplacementPlan:
    """The accounts that could replace ``revenue_lost``: not lost, with headroom in their
    wallet (NaN wallet: unknown, headroom not counted) or growing; how long their growth
    (capped by their headroom when known) takes to win it back."""
    rev = np.nan_to_num(np.asarray(revenue, dtype=np.float64))
    wal = np.asarray(wallet, dtype=np.float64)
    gro = np.asarray(growth_pct, dtype=np.float64)
    out = np.asarray(lost, dtype=np.float64) > 0
    headroom = np.where(np.isnan(wal), 0.0, np.maximum(wal - rev, 0.0))
    growth = np.where(np.isnan(gro), 0.0, np.maximum(rev * gro / 100.0, 0.0))
    growth = np.where(np.isnan(wal), growth, np.minimum(growth, headroom))
    rank = np.where(out, -1.0, headroom + growth)
    order = [int(i) for i in np.argsort(-rank, kind="stable")[:count] if rank[i] > 0]
    yearly = float(growth[~out].sum())
    years = None
    if revenue_lost <= 0:
        years = 0.0
    elif yearly > 0:
        years = revenue_lost / yearly
    return ReplacementPlan(
        candidates=tuple(
            Replacement(account=i, headroom=float(headroom[i]), growth=float(growth[i]))
            for i in order
        ),
        years=years,
    )


def balance_of_power(
    *, revenue: ArrayLike, total: ArrayLike, wallet: float | ArrayLike | None
) -> list[tuple[float, float | None]]:
    """Per quarter (oldest first): the account's share of our sales, % and our share of its
    wallet, % (the quarter's revenue a year, against its yearly wallet; None when unknown).
    ``wallet`` is one yearly figure, or one per quarter (NaN or None: unknown)."""
    rev = np.asarray(revenue, dtype=np.float64)
    tot = np.asarray(total, dtype=np.float64)
    if wallet is None or np.isscalar(wallet):
        wal = np.full(rev.shape, np.nan if not wallet else float(wallet))
    else:
        wal = np.array([np.nan if w is None else float(w) for w in wallet], dtype=np.float64)
    rows = []
    for r, t, w in zip(rev, tot, wal, strict=True):
        ours = float(r / t * 100) if t > 0 else 0.0
        theirs = float(r * 4 / w * 100) if w > 0 else None  # NaN > 0 is False: unknown
        rows.append((ours, theirs))
    return rows


def power_movement(rows: list[tuple[float, float | None]]) -> dict:
    """How the balance moved from the first quarter to the last: the change in points of its
    share of our sales and of our share of its wallet (None when either end is unknown), and
    who holds the big stick at the end: ``them`` when it weighs more in our sales than we do
    in its wallet, ``us`` when the other way, ``unknown`` when its wallet is unknown."""
    if not rows:
        return {"sales_change": None, "wallet_change": None, "holder": "unknown"}
    (first_sales, first_wallet), (last_sales, last_wallet) = rows[0], rows[-1]
    wallet_change = (
        None if first_wallet is None or last_wallet is None else last_wallet - first_wallet
    )
    holder = "unknown" if last_wallet is None else "them" if last_sales >= last_wallet else "us"
    return {
        "sales_change": last_sales - first_sales,
        "wallet_change": wallet_change,
        "holder": holder,
    }


def concentration(revenue: ArrayLike, group: ArrayLike | None = None) -> dict:
    """Shares of the top 1, 5 and 10 (%) and the HHI (0-10,000), of accounts or, given
    ``group``, of groups totalled."""
    rev = np.maximum(np.nan_to_num(np.asarray(revenue, dtype=np.float64)), 0.0)
    if group is not None:
        rev = np.bincount(np.asarray(group, dtype=np.int64), weights=rev)
    total = float(rev.sum())
    if total <= 0:
        return {"top": {1: 0.0, 5: 0.0, 10: 0.0}, "hhi": 0.0}
    ordered = np.sort(rev)[::-1]
    shares = ordered / total * 100.0
    return {
        "top": {n: float(shares[:n].sum()) for n in (1, 5, 10)},
        "hhi": float((shares**2).sum()),
    }
