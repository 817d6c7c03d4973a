"""The pure modules: exit barrier strength, rebates due, profit after the programme."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kam.tactics.profit import AccountMoney, account_profit, totals
from kam.tactics.rebates import rebate_due
from kam.tactics.strength import BarrierTactic, barrier_strength

TODAY = date(2026, 11, 2)


def test_an_account_with_no_barrier_recorded_has_an_unknown_strength():
    assert barrier_strength([], TODAY).score is None


def test_planned_barriers_count_nothing_and_mature_ones_count_fully():
    planned = [BarrierTactic("integrated", "planned", None)]
    assert barrier_strength(planned, TODAY).score == 0
    mature = [
        BarrierTactic(k, "in_place", date(2020, 1, 1))
        for k in ("own_units", "joint_teams", "integrated")
    ]
    assert barrier_strength(mature, TODAY).score == 100


@given(st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3000))
def test_a_barrier_in_place_longer_is_never_weaker(a, b):
    short, long_ = sorted((a, b))
    strength = [
        barrier_strength(
            [BarrierTactic("joint_teams", "in_place", date.fromordinal(TODAY.toordinal() - d))],
            TODAY,
        ).score
        for d in (short, long_)
    ]
    assert 0 <= strength[0] <= strength[1] <= 100


def test_the_rate_of_the_highest_step_reached_applies_to_all_revenue():
    steps = [(D("100000"), D("2")), (D("500000"), D("4"))]
    due = rebate_due(revenue=D("600000"), volume=D("600000"), steps=steps)
    assert (due.rate, due.due, due.next_threshold) == (D("4"), D("24000.00"), None)
    below = rebate_due(revenue=D("50000"), volume=D("50000"), steps=steps)
    assert (below.due, below.next_threshold) == (D("0.00"), D("100000"))


def _money(**kw):
    base = dict(
        revenue=D("1000"),
        cost_of_goods=D("600"),
        discounts=D("50"),
        rebates=D("0"),
        tactics_cost=D("100"),
        cost_to_serve=D("50"),
        is_key=True,
    )
    return AccountMoney(**{**base, **kw})


def test_profit_after_the_programme_takes_off_every_part():
    p = account_profit(_money())
    # 1050 list - 600 goods - 50 serve = 400 without; programme 50 + 0 + 100 = 150.
    assert (p.profit_without, p.programme_cost, p.profit_after) == (D("400"), D("150"), D("250"))
    assert p.flags == ()


def test_an_unknown_part_leaves_profit_unknown_never_zero():
    assert account_profit(_money(cost_to_serve=None)).profit_after is None
    assert account_profit(_money(tactics_cost=None)).programme_cost is None
    assert account_profit(_money(cost_of_goods=None)).flags == ()
    t = totals([account_profit(_money()), account_profit(_money(cost_to_serve=None))])
    assert (t.accounts, t.unknown, t.profit_after) == (2, 1, D("250"))


def test_it_flags_a_rebate_eating_the_margin_and_a_programme_costing_more_than_it_keeps():
    p = account_profit(_money(rebates=D("300")))
    # margin 400; rebates 300 >= half; programme 450 > profit after -50.
    assert set(p.flags) == {"rebates_eat_margin", "costs_more_than_protects", "loss_making"}
