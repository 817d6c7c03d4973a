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
    0 <= y[a,k] <= length above the floor; x[p] = pin[p] where pinned, else
    0 <= x[p] <= top[a(p)], top[a] = floor[a] + the segments' hours above it + e's bound

The bound on x[p] is implied by the account's row (no person can give an account more than
the account takes), so it changes nothing in the model; it lets the dual simplex flip a pair
between its bounds instead of pivoting, which cut the benchmark's solve by a third. Only the
pairs that may serve an account have a column, only accounts with a floor or value above it
have a row that does anything, and pins, floors and caps are column bounds or row sides,
never rows of their own.

The curves are concave (slopes fall segment by segment), so the LP fills an account's
segments in order and its optimum is the allocation maximising total expected value. The
dual of a person's capacity row is the value of one more hour of their time.

How it is solved (the LP above, every pair a column, is the model; what follows is only how
HiGHS is driven to its optimum). A large LP (``SIFT_MIN_PAIRS`` pairs or more) is solved by
column generation ("sifting"): first with one pair per account (the server with the most
capacity left when the floors are handed out, largest floor first), then every left-out pair
whose reduced cost says it would raise the value is added and the LP re-solved from the basis
it has, until none would. A pair left out then has a reduced cost that cannot raise the value:
the solution, with those pairs at 0, is optimal for the whole LP (the same objective as
solving it in one go; the benchmark checks it to 1e-6). Most pairs of a large programme are
never used (each account is served by one or two of its people at an optimal vertex), and the
first restricted LP, a forest, solves in a tenth of the time, giving the rest a warm start.
HiGHS's options: dual simplex with devex pricing (faster than its default dual steepest
edge here: 1.4 against 1.7 CPU s on the benchmark's LP), presolve off (on this LP presolve
costs as much as it saves or, on earlier versions, 25x). Primal simplex (5.5 s), the interior
point method with crossover (4.9 s; 110 IPM iterations on this degenerate LP) and PDLP
(3.8 s, not a vertex) were slower.

When floors and pins cannot all hold (they ask more than a person's capacity or a budget),
the capacities and budgets are made elastic: a first LP finds the least over-commitment
(hours, and money in hours at the account's cost), which is reported per person and budget;
the value LP is then solved with the capacities and budgets raised by exactly that. Under
column generation, a first restricted LP that is infeasible proves nothing: the elastic LP
(always feasible, so column generation settles it) decides; with no over-commitment the value
LP is solved from the pairs the elastic LP met every floor with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

EPS = 1e-6
INF = highspy.kHighsInf
# Pairs from which an LP is solved by column generation (see the module's docstring).
SIFT_MIN_PAIRS = 5000
# A left-out pair is added when its reduced cost would raise the value by more than this
# per hour (HiGHS's own dual feasibility tolerance).
PRICE_TOLERANCE = 1e-7


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
    pair_account: np.ndarray  # [P] account (its row) of each x column
    pair_person: np.ndarray  # [P] person of each x column (their capacity row is n + it)
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
    # No pair can give its account more than the account takes: an implied bound.
    top = floors + left.sum(axis=1)
    top[extra_account] += extra_hours[extra_account]
    col_upper = np.concatenate(
        [np.where(is_pinned, pin_hours, top[pa]), left[seg_a, seg_k], extra_hours[extra_account]]
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
        pair_account=pa,
        pair_person=pp,
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
    pairs: np.ndarray | None = None  # [P] bool: the pairs in the LP column generation ended with


def _highs(presolve: bool) -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "on" if presolve else "off")
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("solver", "simplex")
    highs.setOptionValue("simplex_strategy", 1)  # dual
    highs.setOptionValue("simplex_dual_edge_weight_strategy", 1)  # devex
    return highs


def _columns(lp: Lp, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSC parts (starts, row indices, values) of the columns ``cols`` of ``lp``."""
    lengths = (lp.a_start[1:] - lp.a_start[:-1])[cols]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    take = np.repeat(lp.a_start[:-1][cols] - starts[:-1], lengths) + np.arange(starts[-1])
    return starts, lp.a_index[take].astype(np.int32), lp.a_value[take]


def _model(lp: Lp, cols: np.ndarray, maximise: bool) -> highspy.HighsLp:
    starts, index, value = _columns(lp, cols)
    model = highspy.HighsLp()
    model.num_col_ = len(cols)
    model.num_row_ = lp.n_rows
    model.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    model.offset_ = lp.offset
    model.col_cost_ = lp.col_cost[cols]
    model.col_lower_ = lp.col_lower[cols]
    model.col_upper_ = lp.col_upper[cols]
    model.row_lower_ = lp.row_lower
    model.row_upper_ = lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = len(cols)
    model.a_matrix_.num_row_ = lp.n_rows
    model.a_matrix_.start_ = starts
    model.a_matrix_.index_ = index
    model.a_matrix_.value_ = value
    return model


def _status(highs: highspy.Highs) -> str:
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal"
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return "infeasible"
    raise RuntimeError(f"HiGHS stopped: {highs.modelStatusToString(status)}")


def solve_lp(
    lp: Lp,
    *,
    maximise: bool = True,
    presolve: bool = False,
    sift: bool | None = None,
    start: np.ndarray | None = None,
    settle: bool = True,
) -> Solved:
    """Solve ``lp`` with HiGHS's dual simplex, by column generation when it is large (or
    ``sift``; see the module's docstring), from the pairs ``start`` when given. When the
    restricted LP is infeasible (which does not prove the whole LP is), the whole LP is
    solved, or with ``settle=False`` the status is "unknown". Presolve is off by default: on
    this LP it costs more than it saves (BASELINES.md: 25x)."""
    if sift is None:
        sift = lp.n_pairs >= SIFT_MIN_PAIRS
    started = time.perf_counter()
    solved = _sifted(lp, maximise, presolve, start) if sift else None
    if solved is None and sift and not settle:
        solved = Solved("unknown", float("nan"), np.array([]), np.array([]), 0.0, 0)
    elif solved is None:
        highs = _highs(presolve)
        highs.passModel(_model(lp, np.arange(lp.n_cols), maximise))
        highs.run()
        iterations = int(highs.getInfo().simplex_iteration_count)
        solved = _solved(highs, np.arange(lp.n_cols), lp.n_cols, iterations)
    solved.seconds = time.perf_counter() - started
    return solved


def _solved(highs: highspy.Highs, cols: np.ndarray, n_cols: int, iterations: int) -> Solved:
    """The solution of the columns ``cols`` of an LP of ``n_cols``, the others at 0."""
    info = highs.getInfo()
    if _status(highs) == "infeasible":
        return Solved("infeasible", float("nan"), np.array([]), np.array([]), 0.0, iterations)
    solution = highs.getSolution()
    values = np.zeros(n_cols)
    values[cols] = np.asarray(solution.col_value)
    return Solved(
        "optimal",
        float(info.objective_function_value),
        values,
        np.asarray(solution.row_dual),
        0.0,
        iterations,
    )


def _first_pairs(lp: Lp) -> np.ndarray:
    """One free pair per account to start from: the floors handed out largest first, each to
    the account's server with the most capacity left (more servers while the floor needs
    them)."""
    pa, pp = lp.pair_account, lp.pair_person
    n = len(lp.floors)
    left = np.array(lp.row_upper[n : n + int(pp.max(initial=-1)) + 1], dtype=float)
    # Pinned pairs are in the LP anyway, at their pins; the floors go to the free ones.
    free = np.nonzero(lp.col_upper[: lp.n_pairs] > lp.col_lower[: lp.n_pairs])[0]
    order = free[np.argsort(pa[free], kind="stable")]
    bounds = np.searchsorted(pa[order], np.arange(n + 1))
    chosen = np.zeros(lp.n_pairs, dtype=bool)
    for a in np.argsort(-lp.floors, kind="stable").tolist():
        servers = order[bounds[a] : bounds[a + 1]]
        if not len(servers):
            continue
        need = float(lp.floors[a])
        while True:
            room = left[pp[servers]]
            best = int(np.argmax(room))
            chosen[servers[best]] = True
            take = min(need, max(float(room[best]), 0.0))
            left[pp[servers[best]]] -= take
            need -= take
            if need <= EPS or room[best] <= EPS:
                break
    return chosen


def _sifted(
    lp: Lp, maximise: bool, presolve: bool, start: np.ndarray | None = None, max_rounds: int = 50
) -> Solved | None:
    """Column generation over the pairs, from ``start`` (else ``_first_pairs``); None when
    the restricted LP is infeasible or will not settle."""
    if lp.n_pairs == 0:
        return None
    inside = np.zeros(lp.n_cols, dtype=bool)
    inside[lp.n_pairs :] = True
    first = _first_pairs(lp) if start is None else start
    inside[: lp.n_pairs] = first | (lp.col_lower[: lp.n_pairs] > 0)
    cols = np.nonzero(inside)[0]
    highs = _highs(presolve)
    highs.passModel(_model(lp, cols, maximise))
    iterations = 0
    sign = 1.0 if maximise else -1.0
    for _round in range(max_rounds):
        highs.run()
        iterations += int(highs.getInfo().simplex_iteration_count)
        if _status(highs) != "optimal":
            return None
        duals = np.asarray(highs.getSolution().row_dual)
        # Reduced cost of every pair: its cost less its column times the row duals.
        used = lp.a_value[: lp.a_start[lp.n_pairs]] * duals[lp.a_index[: lp.a_start[lp.n_pairs]]]
        reduced = lp.col_cost[: lp.n_pairs] - np.add.reduceat(used, lp.a_start[: lp.n_pairs])
        better = np.nonzero(~inside[: lp.n_pairs] & (sign * reduced > PRICE_TOLERANCE))[0]
        if not len(better):
            solved = _solved(highs, cols, lp.n_cols, iterations)
            solved.pairs = inside[: lp.n_pairs].copy()
            return solved
        starts, index, value = _columns(lp, better)
        highs.addCols(
            len(better),
            lp.col_cost[better],
            lp.col_lower[better],
            lp.col_upper[better],
            len(index),
            starts[:-1],
            index,
            value,
        )
        inside[better] = True
        cols = np.concatenate([cols, better])
    return None


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
        pair_account=lp.pair_account,
        pair_person=lp.pair_person,
        seg_account=lp.seg_account,
        seg_index=lp.seg_index,
        extra_account=lp.extra_account,
        budget_accounts=lp.budget_accounts,
        budget_people=lp.budget_people,
        floors=lp.floors,
        unserved=lp.unserved,
        left=lp.left,
    )


def allocate(problem: Problem, *, presolve: bool = False, sift: bool | None = None) -> Solution:
    """The allocation maximising total expected value, with its explanation's figures
    (``sift``: solve by column generation; None: when the LP is large)."""
    n, m = problem.n, problem.m
    timings: dict[str, float] = {}
    started = time.perf_counter()
    lp = build(problem)
    timings["build"] = time.perf_counter() - started
    solved = solve_lp(lp, presolve=presolve, sift=sift, settle=False)
    timings["solve"] = solved.seconds
    over = np.zeros(lp.n_rows)
    status = "optimal"
    if solved.status in ("infeasible", "unknown"):
        costs = problem.cost_per_hour
        scale = float(np.median(costs[costs > 0])) if costs is not None and (costs > 0).any() else 1
        stretched = solve_lp(
            _elastic(lp, m, n, scale), maximise=False, presolve=presolve, sift=sift
        )
        timings["solve"] += stretched.seconds
        if stretched.status != "optimal":
            raise RuntimeError("the over-commitment LP has no solution")
        over[n:] = np.clip(stretched.col_value[lp.n_cols :], 0.0, None)
        if solved.status == "unknown" and not (over > 0).any():
            # Column generation's first LP was infeasible, the whole one is not: solve it
            # from the pairs that met every floor.
            solved = solve_lp(lp, presolve=presolve, sift=sift, start=stretched.pairs)
            timings["solve"] += solved.seconds
    if solved.status != "optimal":
        # The re-solve gets the whole stretch (and a hair for the solver's tolerance), even
        # one too small to report: a floor of 1e-7 h over a zero capacity must still hold.
        lp.row_upper = lp.row_upper + np.where(over > 0, over + 1e-9, 0.0)
        over[over < EPS] = 0.0
        solved = solve_lp(lp, presolve=presolve, sift=sift, start=stretched.pairs)
        timings["solve"] += solved.seconds
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
