"""The allocation of hours (METHOD.md M6) as a linear programme solved by HiGHS. Pure: numpy
arrays in, numpy arrays out, no Django.

Variables
    x[p]   hours of pair p (one person who may serve one account: its KAM or team member)
    y[a,k] hours on segment k of account a's value curve above its floor
    e[a]   hours pinned on account a beyond its cap (worth nothing; only where pins need it)
Maximise   sum slope[a,k] y[a,k]  (+ the constant value of every floor's hours)
Subject to
    for each account a:   sum_p x[p in a] - sum_k y[a,k] - e[a] = floor[a]
    for each person  i:   sum_p x[p of i]                        <= capacity[i]
    for each account with a budget:  cost[a] * sum_p x[p in a]     <= budget left[a]
    for each person  with a budget:  sum_p cost[a(p)] x[p of i]    <= budget left[i]
    0 <= y[a,k] <= length above the floor; x[p] = pin[p] where pinned, else x[p] >= 0

The curves are concave (slopes fall segment by segment), so the LP fills an account's
segments in order and its optimum is the allocation maximising total expected value. The
dual of a person's capacity row is the value of one more hour of their time.

When floors and pins cannot all hold (they ask more than a person's capacity or a budget),
the capacities and budgets are made elastic: a first LP finds the least over-commitment
(hours, and money in hours at the account's cost), which is reported per person and budget;
the value LP is then solved with the capacities and budgets raised by exactly that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

EPS = 1e-6
INF = highspy.kHighsInf


class Bind:
    """What decides an account's hours (kam.priorities.models.Binding's codes)."""

    PINNED = "pinned"
    FLOOR = "floor"
    CAP = "cap"
    MARGIN = "margin"
    BUDGET = "budget"
    NONE = "none"


@dataclass
class Problem:
    """One period's allocation problem: n accounts, m people, P (person, account) pairs."""

    slopes: np.ndarray  # [n, K] value per hour of each curve segment
    lengths: np.ndarray  # [K] hours of each segment
    floors: np.ndarray  # [n] hours the account must get
    capacity: np.ndarray  # [m] hours each person has in the period
    pair_person: np.ndarray  # [P] int
    pair_account: np.ndarray  # [P] int
    pinned: np.ndarray | None = None  # [P] hours fixed, NaN where free
    cost_per_hour: np.ndarray | None = None  # [n] money one hour at the account costs
    account_budget: np.ndarray | None = None  # [n] money left, NaN: no budget
    person_budget: np.ndarray | None = None  # [m] money left, NaN: no budget

    @property
    def n(self) -> int:
        return len(self.floors)

    @property
    def m(self) -> int:
        return len(self.capacity)


@dataclass
class Lp:
    """The LP as HiGHS takes it (column-wise sparse matrix) and where each part sits."""

    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    offset: float
    n_pairs: int
    seg_account: np.ndarray  # account of each y column
    seg_index: np.ndarray  # segment number of each y column
    extra_account: np.ndarray  # account of each e column
    budget_accounts: np.ndarray  # account of each account-budget row
    budget_people: np.ndarray  # person of each person-budget row
    floors: np.ndarray  # the floors used (lowered where only pins serve the account)
    unserved: np.ndarray  # [n] bool: a floor nobody may serve
    left: np.ndarray  # [n, K] segment hours above the floor

    @property
    def n_cols(self) -> int:
        return len(self.col_cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)


@dataclass
class Solution:
    """The proposal, with what the explanation needs."""

    status: str  # "optimal", or "overcommitted" when capacities or budgets had to stretch
    objective: float
    hours: np.ndarray  # [P]
    account_hours: np.ndarray  # [n]
    person_hours: np.ndarray  # [m]
    person_price: np.ndarray  # [m] value of one more hour of each person (capacity dual)
    marginal: np.ndarray  # [n] value of the next hour on each account
    binding: np.ndarray  # [n] Bind codes
    over_hours: np.ndarray  # [m] hours beyond capacity the floors and pins need
    account_over_budget: np.ndarray  # [n] money beyond the account's budget
    person_over_budget: np.ndarray  # [m] money beyond the person's budget
    floors: np.ndarray  # [n] floors used
    unserved: np.ndarray  # [n] floors nobody may serve
    timings: dict[str, float] = field(default_factory=dict)
    iterations: int = 0


def _nan(size: int) -> np.ndarray:
    return np.full(size, np.nan)


def build(problem: Problem) -> Lp:
    """The value LP of ``problem``, in arrays (see the module's docstring)."""
    n, m = problem.n, problem.m
    pp = np.asarray(problem.pair_person, dtype=np.int64)
    pa = np.asarray(problem.pair_account, dtype=np.int64)
    n_pairs = len(pp)
    pinned = problem.pinned if problem.pinned is not None else _nan(n_pairs)
    is_pinned = ~np.isnan(pinned)
    pin_hours = np.where(is_pinned, pinned, 0.0)
    cost = problem.cost_per_hour if problem.cost_per_hour is not None else np.zeros(n)
    acc_budget = problem.account_budget if problem.account_budget is not None else _nan(n)
    per_budget = problem.person_budget if problem.person_budget is not None else _nan(m)

    # Floors nobody may serve cannot hold (reported); where only pinned pairs serve an
    # account, the pins decide its hours.
    servers = np.bincount(pa, minlength=n)
    free = np.bincount(pa, weights=(~is_pinned).astype(float), minlength=n)
    pinned_total = np.bincount(pa, weights=pin_hours, minlength=n)
    unserved = (servers == 0) & (problem.floors > 0)
    floors = np.where(servers == 0, 0.0, problem.floors)
    floors = np.where((servers > 0) & (free == 0), np.minimum(floors, pinned_total), floors)

    edges = np.concatenate([[0.0], np.cumsum(problem.lengths)])
    starts, ends = edges[:-1][None, :], edges[1:][None, :]
    left = np.clip(ends - np.maximum(starts, floors[:, None]), 0.0, None)
    inside = np.clip(np.minimum(ends, floors[:, None]) - starts, 0.0, None)
    left[servers == 0] = 0.0
    offset = float((inside * problem.slopes).sum())

    seg_a, seg_k = np.nonzero(left > 0)
    extra_hours = pinned_total - floors - left.sum(axis=1)
    extra_account = np.nonzero(extra_hours > EPS)[0]

    has_acc_budget = ~np.isnan(acc_budget) & (servers > 0)
    budget_accounts = np.nonzero(has_acc_budget)[0]
    has_per_budget = ~np.isnan(per_budget)
    budget_people = np.nonzero(has_per_budget)[0]
    acc_row = np.full(n, -1)
    acc_row[budget_accounts] = n + m + np.arange(len(budget_accounts))
    per_row = np.full(m, -1)
    per_row[budget_people] = n + m + len(budget_accounts) + np.arange(len(budget_people))

    n_seg, n_extra = len(seg_a), len(extra_account)
    x_cols = np.arange(n_pairs)
    y_cols = n_pairs + np.arange(n_seg)
    e_cols = n_pairs + n_seg + np.arange(n_extra)
    # Triplets (column, row, value), then sorted by column into the CSC layout.
    cols = [x_cols, x_cols, y_cols, e_cols]
    rows = [pa, n + pp, seg_a, extra_account]
    vals = [np.ones(n_pairs), np.ones(n_pairs), -np.ones(n_seg), -np.ones(n_extra)]
    in_acc = acc_row[pa] >= 0
    cols.append(x_cols[in_acc])
    rows.append(acc_row[pa][in_acc])
    vals.append(cost[pa][in_acc])
    in_per = per_row[pp] >= 0
    cols.append(x_cols[in_per])
    rows.append(per_row[pp][in_per])
    vals.append(cost[pa][in_per])
    col = np.concatenate(cols)
    row = np.concatenate(rows)
    val = np.concatenate(vals).astype(float)
    keep = val != 0
    col, row, val = col[keep], row[keep], val[keep]
    order = np.lexsort((row, col))
    col, row, val = col[order], row[order], val[order]
    n_cols = n_pairs + n_seg + n_extra
    a_start = np.searchsorted(col, np.arange(n_cols + 1)).astype(np.int32)

    col_cost = np.concatenate([np.zeros(n_pairs), problem.slopes[seg_a, seg_k], np.zeros(n_extra)])
    col_lower = np.concatenate([pin_hours, np.zeros(n_seg), np.zeros(n_extra)])
    col_upper = np.concatenate(
        [np.where(is_pinned, pin_hours, INF), left[seg_a, seg_k], extra_hours[extra_account]]
    )
    row_lower = np.concatenate(
        [floors, np.full(m, -INF), np.full(len(budget_accounts) + len(budget_people), -INF)]
    )
    row_upper = np.concatenate(
        [floors, problem.capacity, acc_budget[budget_accounts], per_budget[budget_people]]
    )
    return Lp(
        col_cost=col_cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=np.asarray(row_upper, dtype=float),
        a_start=a_start,
        a_index=row.astype(np.int32),
        a_value=val,
        offset=offset,
        n_pairs=n_pairs,
        seg_account=seg_a,
        seg_index=seg_k,
        extra_account=extra_account,
        budget_accounts=budget_accounts,
        budget_people=budget_people,
        floors=floors,
        unserved=unserved,
        left=left,
    )


@dataclass
class Solved:
    status: str
    objective: float
    col_value: np.ndarray
    row_dual: np.ndarray
    seconds: float
    iterations: int


def solve_lp(lp: Lp, *, maximise: bool = True, presolve: bool = False) -> Solved:
    """Solve ``lp`` with HiGHS's simplex. Presolve is off by default: on this LP it costs far
    more than it saves (BASELINES.md: 25x)."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "on" if presolve else "off")
    highs.setOptionValue("threads", 1)
    model = highspy.HighsLp()
    model.num_col_ = lp.n_cols
    model.num_row_ = lp.n_rows
    model.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    model.offset_ = lp.offset
    model.col_cost_ = lp.col_cost
    model.col_lower_ = lp.col_lower
    model.col_upper_ = lp.col_upper
    model.row_lower_ = lp.row_lower
    model.row_upper_ = lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = lp.n_cols
    model.a_matrix_.num_row_ = lp.n_rows
    model.a_matrix_.start_ = lp.a_start
    model.a_matrix_.index_ = lp.a_index
    model.a_matrix_.value_ = lp.a_value
    started = time.perf_counter()
    highs.passModel(model)
    highs.run()
    seconds = time.perf_counter() - started
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kOptimal:
        solution = highs.getSolution()
        return Solved(
            "optimal",
            float(info.objective_function_value),
            np.asarray(solution.col_value),
            np.asarray(solution.row_dual),
            seconds,
            int(info.simplex_iteration_count),
        )
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return Solved("infeasible", float("nan"), np.array([]), np.array([]), seconds, 0)
    raise RuntimeError(f"HiGHS stopped: {highs.modelStatusToString(status)}")


def _elastic(lp: Lp, m: int, n: int, cost_scale: float) -> Lp:
    """The least over-commitment LP: one stretch column on each capacity and budget row,
    costing 1 per hour (a budget's money counted in hours at ``cost_scale``)."""
    first = n  # capacity rows start after the n account rows
    stretch_rows = np.arange(first, lp.n_rows)
    k = len(stretch_rows)
    start = lp.a_start[-1]
    a_start = np.concatenate([lp.a_start, start + np.arange(1, k + 1)]).astype(np.int32)
    weights = np.where(stretch_rows < n + m, 1.0, 1.0 / max(cost_scale, EPS))
    return Lp(
        col_cost=np.concatenate([np.zeros(lp.n_cols), weights]),
        col_lower=np.concatenate([lp.col_lower, np.zeros(k)]),
        col_upper=np.concatenate([lp.col_upper, np.full(k, INF)]),
        row_lower=lp.row_lower,
        row_upper=lp.row_upper,
        a_start=a_start,
        a_index=np.concatenate([lp.a_index, stretch_rows]).astype(np.int32),
        a_value=np.concatenate([lp.a_value, -np.ones(k)]),
        offset=0.0,
        n_pairs=lp.n_pairs,
        seg_account=lp.seg_account,
        seg_index=lp.seg_index,
        extra_account=lp.extra_account,
        budget_accounts=lp.budget_accounts,
        budget_people=lp.budget_people,
        floors=lp.floors,
        unserved=lp.unserved,
        left=lp.left,
    )


def allocate(problem: Problem, *, presolve: bool = False) -> Solution:
    """The allocation maximising total expected value, with its explanation's figures."""
    n, m = problem.n, problem.m
    timings: dict[str, float] = {}
    started = time.perf_counter()
    lp = build(problem)
    timings["build"] = time.perf_counter() - started
    solved = solve_lp(lp, presolve=presolve)
    timings["solve"] = solved.seconds
    over = np.zeros(lp.n_rows)
    status = "optimal"
    if solved.status == "infeasible":
        costs = problem.cost_per_hour
        scale = float(np.median(costs[costs > 0])) if costs is not None and (costs > 0).any() else 1
        stretched = solve_lp(_elastic(lp, m, n, scale), maximise=False, presolve=presolve)
        if stretched.status != "optimal":
            raise RuntimeError("the over-commitment LP has no solution")
        over[n:] = np.clip(stretched.col_value[lp.n_cols :], 0.0, None)
        # The re-solve gets the whole stretch (and a hair for the solver's tolerance), even
        # one too small to report: a floor of 1e-7 h over a zero capacity must still hold.
        lp.row_upper = lp.row_upper + np.where(over > 0, over + 1e-9, 0.0)
        over[over < EPS] = 0.0
        solved = solve_lp(lp, presolve=presolve)
        timings["solve"] += stretched.seconds + solved.seconds
        if solved.status != "optimal":
            raise RuntimeError("the allocation has no solution even over-committed")
        status = "overcommitted"
    return _explain(problem, lp, solved, over, status, timings)


def _explain(
    problem: Problem, lp: Lp, solved: Solved, over: np.ndarray, status: str, timings: dict
) -> Solution:
    n, m = problem.n, problem.m
    pp = np.asarray(problem.pair_person, dtype=np.int64)
    pa = np.asarray(problem.pair_account, dtype=np.int64)
    values = solved.col_value
    hours = values[: lp.n_pairs].copy()
    hours[hours < EPS] = 0.0  # the solver's tolerance, not a proposal
    y = values[lp.n_pairs : lp.n_pairs + len(lp.seg_account)]
    account_hours = np.bincount(pa, weights=hours, minlength=n)
    person_hours = np.bincount(pp, weights=hours, minlength=m)
    # A capacity's dual, whatever HiGHS's sign convention for a maximisation: never negative.
    person_price = np.abs(solved.row_dual[n : n + m])
    person_price[person_price < EPS] = 0.0

    # The next hour's value on each account: the slope of its first segment not yet full.
    filled = np.zeros_like(lp.left)
    filled[lp.seg_account, lp.seg_index] = y
    room = lp.left - filled > EPS
    has_room = room.any(axis=1)
    next_segment = np.argmax(room, axis=1)
    marginal = np.where(has_room, problem.slopes[np.arange(n), next_segment], 0.0)

    pinned = problem.pinned if problem.pinned is not None else _nan(len(pp))
    free = np.bincount(pa, weights=np.isnan(pinned).astype(float), minlength=n)
    servers = np.bincount(pa, minlength=n)
    budget_binds = np.zeros(n, dtype=bool)
    if len(lp.budget_accounts):
        duals = np.abs(solved.row_dual[n + m : n + m + len(lp.budget_accounts)])
        budget_binds[lp.budget_accounts] = duals > EPS
    above_floor = filled.sum(axis=1)
    binding = np.full(n, Bind.MARGIN, dtype=object)
    binding[(~has_room) & (account_hours > EPS)] = Bind.CAP
    binding[(above_floor <= EPS) & (lp.floors > EPS)] = Bind.FLOOR
    binding[budget_binds] = Bind.BUDGET
    binding[account_hours <= EPS] = Bind.NONE
    binding[(servers > 0) & (free == 0)] = Bind.PINNED

    acc_over = np.zeros(n)
    per_over = np.zeros(m)
    k_acc = len(lp.budget_accounts)
    acc_over[lp.budget_accounts] = over[n + m : n + m + k_acc]
    per_over[lp.budget_people] = over[n + m + k_acc :]
    return Solution(
        status=status,
        objective=solved.objective,
        hours=hours,
        account_hours=account_hours,
        person_hours=person_hours,
        person_price=person_price,
        marginal=marginal,
        binding=binding.astype(str),
        over_hours=over[n : n + m],
        account_over_budget=acc_over,
        person_over_budget=per_over,
        floors=lp.floors,
        unserved=lp.unserved,
        timings=timings,
        iterations=solved.iterations,
    )
