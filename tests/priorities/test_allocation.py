"""The allocation LP on cases small enough to check by hand, and its value model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kam.priorities.allocation import Bind, Problem, allocate
from kam.priorities.value import AccountFacts, ValueConfig, value_curves

# Two accounts with two 5-hour segments each: A is worth 4 then 1 an hour, B 3 then 0.5.
SLOPES = np.array([[4.0, 1.0], [3.0, 0.5]])
LENGTHS = np.array([5.0, 5.0])


def problem(capacity, floors=(0.0, 0.0), pairs=((0, 0), (0, 1)), pinned=None, **money):
    people = np.array([p for p, _ in pairs])
    accounts = np.array([a for _, a in pairs])
    return Problem(
        slopes=SLOPES,
        lengths=LENGTHS,
        floors=np.array(floors, dtype=float),
        capacity=np.array(capacity, dtype=float),
        pair_person=people,
        pair_account=accounts,
        pinned=None if pinned is None else np.array(pinned, dtype=float),
        **money,
    )


def test_it_gives_each_hour_where_it_is_worth_most():
    # 8 hours: A's first 5 (worth 4 each), then B's first 3 (worth 3): 20 + 9.
    solution = allocate(problem([8.0]))
    assert solution.status == "optimal"
    assert solution.account_hours == pytest.approx([5.0, 3.0])
    assert solution.objective == pytest.approx(29.0)
    # One more hour would go to B at 3: the capacity's dual, the person's marginal value.
    assert solution.person_price[0] == pytest.approx(3.0)
    assert list(solution.binding) == [Bind.MARGIN, Bind.MARGIN]
    assert solution.marginal == pytest.approx([1.0, 3.0])


def test_the_capacity_dual_is_what_one_more_hour_adds():
    base = allocate(problem([8.0]))
    more = allocate(problem([9.0]))
    assert more.objective - base.objective == pytest.approx(base.person_price[0])


def test_a_floor_takes_its_hours_first_and_binds():
    # B must get 6 hours (5 at 3 + 1 at 0.5); the 2 left go to A at 4.
    solution = allocate(problem([8.0], floors=(0.0, 6.0)))
    assert solution.account_hours == pytest.approx([2.0, 6.0])
    assert solution.objective == pytest.approx(2 * 4 + 15 + 0.5)
    assert solution.binding[1] == Bind.FLOOR
    assert solution.person_price[0] == pytest.approx(4.0)


def test_hours_stop_at_the_cap_when_capacity_is_plenty():
    solution = allocate(problem([100.0]))
    assert solution.account_hours == pytest.approx([10.0, 10.0])
    assert list(solution.binding) == [Bind.CAP, Bind.CAP]
    assert solution.person_price[0] == pytest.approx(0.0)


def test_it_says_by_how_much_floors_overcommit_a_person():
    solution = allocate(problem([4.0], floors=(0.0, 6.0)))
    assert solution.status == "overcommitted"
    assert solution.over_hours[0] == pytest.approx(2.0)
    assert solution.account_hours == pytest.approx([0.0, 6.0])


def test_a_pin_is_kept_and_the_rest_optimised_around_it():
    # Person 0 serves A, person 1 serves A and B; person 1 is pinned to 4 hours on B.
    solution = allocate(
        problem([3.0, 6.0], pairs=((0, 0), (1, 0), (1, 1)), pinned=[np.nan, np.nan, 4.0])
    )
    assert solution.hours[2] == pytest.approx(4.0)
    assert solution.binding[1] == Bind.PINNED
    # A gets person 0's 3 hours and person 1's 2 left: 5 hours at 4.
    assert solution.account_hours[0] == pytest.approx(5.0)
    assert solution.objective == pytest.approx(5 * 4 + 4 * 3)


def test_an_account_nobody_serves_is_reported_not_failed():
    solution = allocate(problem([8.0], floors=(0.0, 3.0), pairs=((0, 0),)))
    assert solution.unserved[1]
    assert solution.account_hours == pytest.approx([8.0, 0.0])


def test_a_budget_holds_the_hours_of_an_account():
    # Every hour at A costs 100 and A has 200 left: 2 hours, then B.
    solution = allocate(
        problem(
            [8.0],
            cost_per_hour=np.array([100.0, 0.0]),
            account_budget=np.array([200.0, np.nan]),
        )
    )
    assert solution.account_hours == pytest.approx([2.0, 6.0])
    assert solution.binding[0] == Bind.BUDGET


@settings(max_examples=25, deadline=None)
@given(
    capacity=st.lists(st.floats(0, 40), min_size=1, max_size=3),
    floors=st.lists(st.floats(0, 12), min_size=2, max_size=2),
)
def test_it_never_exceeds_capacity_unless_it_says_so(capacity, floors):
    pairs = [(p, a) for p in range(len(capacity)) for a in (0, 1)]
    solution = allocate(problem(capacity, floors=floors, pairs=pairs))
    stretch = solution.over_hours if solution.status == "overcommitted" else 0.0
    assert np.all(solution.person_hours <= np.array(capacity) + stretch + 1e-6)
    assert np.all(solution.account_hours >= np.array(floors) - 1e-6)


def test_value_curves_are_concave_and_never_worst_case_for_the_unknown():
    facts = AccountFacts.of(
        [
            {"ev_near": 100_000.0, "score": 80, "revenue": 1e6, "wallet": 3e6},
            {"ev_long": 100_000.0, "long_work": True, "visits_per_month": 1},
            {},  # nothing known: the median, not zero
        ]
    )
    curves = value_curves(facts, ValueConfig())
    assert np.all(np.diff(curves.slopes, axis=1) <= 0)
    assert curves.stake[2] == pytest.approx(np.median(curves.stake[:2]))
    assert bool(curves.neutral[2])
    # Long-horizon value is weighted, not discounted to nothing, and gets a floor.
    assert 0 < curves.stake[1] < 100_000
    assert curves.floors[1] == pytest.approx(max(1 * 3 * 3.0, 6.0))
    # The area under the whole curve is the share of the stake time can move.
    total = sum(curves.value(0, 1000) for _ in [0])
    assert total == pytest.approx(0.10 * curves.stake[0] * 1.3)


def test_the_curve_keeps_pace_with_the_period_so_a_year_is_not_all_cap():
    """Segments are a quarter's hours: a year's period has four times the hours to give
    before the cap, as its capacities (hours per week) have four times the hours."""
    rows = [{"ev_near": 100_000.0, "long_work": True}]
    quarter = value_curves(AccountFacts.of(rows, months=3.0), ValueConfig())
    year = value_curves(AccountFacts.of(rows, months=12.0), ValueConfig())
    assert quarter.caps[0] == pytest.approx(80.0)
    assert year.caps[0] == pytest.approx(320.0)
    assert year.floors[0] == pytest.approx(4 * quarter.floors[0])
    # The same stake spread over four times the hours: each hour is worth a quarter as much.
    assert year.slopes[0, 0] == pytest.approx(quarter.slopes[0, 0] / 4)


def test_a_known_health_adds_the_revenue_at_risk_and_an_unknown_one_adds_nothing():
    facts = AccountFacts.of(
        [
            {"revenue": 1e6, "loss_risk": 0.6},  # health 40
            {"revenue": 1e6, "loss_risk": 0.1},  # health 90
            {"revenue": 1e6},  # no health: unknown, not the worst case
        ]
    )
    curves = value_curves(facts, ValueConfig(risk_share=0.2))
    assert curves.parts["risk"][0] == pytest.approx(0.2 * 0.6 * 1e6)
    assert curves.stake[0] > curves.stake[1] > curves.stake[2] == 0.0
    assert np.isnan(curves.parts["risk"][2])


def test_a_bad_configuration_is_refused_by_name():
    with pytest.raises(ValueError, match="decay"):
        ValueConfig(decay=2.0)


def _brute_force(capacity, floors, slopes, lengths, pairs):
    """The best integer allocation by trying every one: with whole hours in every bound the LP
    (a network flow) has a whole-hour optimum, so this is the LP's optimum too. None when no
    allocation meets the floors."""
    edges = np.concatenate([[0.0], np.cumsum(lengths)])

    def value(a, hours):
        return sum(
            s * min(max(hours - lo, 0.0), hi - lo)
            for s, lo, hi in zip(slopes[a], edges[:-1], edges[1:], strict=True)
        )

    best = None
    ranges = [range(int(capacity[p]) + 1) for p, _a in pairs]
    for hours in itertools.product(*ranges):
        used = np.zeros(len(capacity))
        got = np.zeros(len(floors))
        for (p, a), h in zip(pairs, hours, strict=True):
            used[p] += h
            got[a] += h
        if np.any(used > capacity) or np.any(got < floors):
            continue
        total = sum(value(a, got[a]) for a in range(len(floors)))
        best = total if best is None else max(best, total)
    return best


@settings(max_examples=40, deadline=None)
@given(
    capacity=st.lists(st.integers(0, 5), min_size=2, max_size=2),
    floors=st.lists(st.integers(0, 3), min_size=3, max_size=3),
    first=st.lists(st.integers(1, 9), min_size=3, max_size=3),
    serves=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_the_optimum_is_the_best_of_every_whole_hour_allocation(capacity, floors, first, serves):
    pairs = [(p, a) for p in range(2) for a in range(3) if serves[p * 3 + a]]
    assume(pairs and len({a for _p, a in pairs}) == 3)
    slopes = np.array([[f, f / 2, f / 4] for f in first], dtype=float)
    lengths = np.array([1.0, 2.0, 2.0])
    best = _brute_force(np.array(capacity, float), np.array(floors, float), slopes, lengths, pairs)
    solution = allocate(
        Problem(
            slopes=slopes,
            lengths=lengths,
            floors=np.array(floors, dtype=float),
            capacity=np.array(capacity, dtype=float),
            pair_person=np.array([p for p, _a in pairs]),
            pair_account=np.array([a for _p, a in pairs]),
        )
    )
    if best is None:
        assert solution.status == "overcommitted"
        assert solution.over_hours.sum() > 0
    else:
        assert solution.status == "optimal"
        assert solution.objective == pytest.approx(best, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_column_generation_finds_the_same_optimum_as_the_whole_lp(seed):
    # Random programmes with floors, pins and budgets, some over-committed: solved by column
    # generation (as a large programme is) and in one go, the same value, duals and reasons.
    rng = np.random.default_rng(seed)
    n, m = 60, 8
    pairs = sorted({(int(p), a) for a in range(n) for p in rng.choice(m, 3, replace=False)})
    pp = np.array([p for p, _a in pairs])
    pa = np.array([a for _p, a in pairs])
    pinned = np.where(rng.random(len(pairs)) < 0.05, rng.integers(0, 6, len(pairs)), np.nan)
    budget = np.where(rng.random(n) < 0.1, rng.uniform(0, 500, n), np.nan)
    problem = Problem(
        slopes=rng.lognormal(3, 1.5, n)[:, None] * np.array([1.0, 0.5, 0.25]),
        lengths=np.array([4.0, 8.0, 12.0]),
        floors=np.where(rng.random(n) < 0.6, rng.uniform(0, 10, n), 0.0),
        capacity=rng.uniform(20, 120 if seed % 2 else 60, m),
        pair_person=pp,
        pair_account=pa,
        pinned=pinned.astype(float),
        cost_per_hour=rng.uniform(0, 50, n),
        account_budget=budget,
    )
    whole = allocate(problem, sift=False)
    sifted = allocate(problem, sift=True)
    assert sifted.status == whole.status
    assert sifted.objective == pytest.approx(whole.objective, rel=1e-9)
    assert sifted.account_hours == pytest.approx(whole.account_hours, abs=1e-6)
    assert sifted.person_price == pytest.approx(whole.person_price, rel=1e-6, abs=1e-6)
    assert sifted.over_hours == pytest.approx(whole.over_hours, abs=1e-6)
    pins = ~np.isnan(problem.pinned)
    assert sifted.hours[pins] == pytest.approx(problem.pinned[pins])


def test_column_generation_recovers_when_its_first_pairs_cannot_meet_the_floors():
    # The first pairs give A's floor to person 0 (as much capacity left as person 1), leaving
    # nobody for B, which only person 0 serves: the restricted LP is infeasible, the whole
    # one is not, and the answer must say so (A from person 1), not report an over-commitment.
    case = problem([5.0, 5.0], floors=(5.0, 5.0), pairs=((0, 0), (1, 0), (0, 1)))
    solution = allocate(case, sift=True)
    assert solution.status == "optimal"
    assert solution.hours == pytest.approx([0.0, 5.0, 5.0])
    assert solution.objective == pytest.approx(allocate(case, sift=False).objective)
    assert not solution.over_hours.any()
