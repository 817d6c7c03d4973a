"""Grading scored accounts into tiers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam.selection.tiering import (
    AIRLINE,
    DIVISIONS,
    GOLD_SILVER_BRONZE,
    NO_TIER,
    PRESETS,
    Crossing,
    CutOff,
    Override,
    Reason,
    ServiceLevel,
    Tier,
    TierScheme,
    assign_tiers,
    misplaced_cut_off,
)


def codes(assignment: object) -> list[str | None]:
    """Tier code of every account, ``None`` for no tier."""
    tiers = assignment.scheme.tiers  # type: ignore[attr-defined]
    return [None if t == NO_TIER else tiers[t].code for t in assignment.tier]  # type: ignore[attr-defined]


def test_it_offers_the_named_presets_with_a_service_level_per_tier() -> None:
    assert set(PRESETS) == {"gold_silver_bronze", "divisions", "airline"}
    assert [t.code for t in DIVISIONS.tiers] == ["premier", "first_division", "second_division"]
    assert [t.code for t in AIRLINE.tiers] == ["first", "club", "economy", "standby"]
    gold = GOLD_SILVER_BRONZE.tiers[0].service
    assert gold.dedicated_staff and gold.priority_ordering and gold.visits_per_month > 0
    assert not AIRLINE.tiers[-1].key  # standby is served but is not a key tier


def test_under_score_cut_offs_an_account_gets_the_best_tier_it_reaches() -> None:
    result = assign_tiers(scheme=GOLD_SILVER_BRONZE, scores=[90, 75, 74.9, 60, 45, 44.9])
    assert codes(result) == ["gold", "gold", "silver", "silver", "bronze", None]
    assert result.reason.tolist()[-1] == Reason.BELOW_CUT_OFFS
    assert result.for_account(1).facts["cut_off"] == 75.0


def test_rank_cut_offs_are_cumulative_top_n() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.RANK, [1, 3, 4])
    result = assign_tiers(scheme=scheme, scores=[10, 50, 40, 30, 20, 60])
    assert codes(result) == [None, "silver", "silver", "bronze", None, "gold"]
    assert result.for_account(5).rank == 1


def test_top_percent_never_admits_more_than_the_percentage() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.TOP_PERCENT, [10, 20, 50])
    result = assign_tiers(scheme=scheme, scores=[70, 60, 50, 40, 30])
    # 10% of 5 is half an account: nobody is gold; 20% is one; 50% is two.
    assert codes(result) == ["silver", "bronze", None, None, None]


def test_under_abc_the_account_that_crosses_80_percent_is_in_a() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100], Crossing.UPPER)
    revenue = [25, 50, 10, 8, 4, 3]
    result = assign_tiers(scheme=scheme, scores=[0] * 6, revenue=revenue)
    # Cumulative share before each, largest first: 0, 50, 75 (crosses 80: A), 85, 93, 97.
    assert codes(result) == ["gold", "gold", "gold", "silver", "silver", "bronze"]
    assert result.for_account(2).facts["cumulative_share_pct"] == pytest.approx(85.0)


def test_under_abc_an_account_landing_exactly_on_the_cut_off_belongs_to_it() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100], Crossing.UPPER)
    result = assign_tiers(scheme=scheme, scores=[0] * 3, revenue=[50, 30, 20])
    # 50 + 30 = exactly 80%: the second account is in A, the third starts B.
    assert codes(result) == ["gold", "gold", "silver"]


def test_under_abc_accounts_without_revenue_reach_no_tier() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100], Crossing.UPPER)
    result = assign_tiers(scheme=scheme, scores=[50, 50, 50], revenue=[100, 0, -20])
    assert codes(result) == ["gold", None, None]


def test_abc_needs_revenue() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100])
    with pytest.raises(ValueError, match="revenue"):
        assign_tiers(scheme=scheme, scores=[1])


def test_capacity_keeps_the_top_n_and_puts_the_rest_on_standby() -> None:
    scheme = replace(AIRLINE, capacity=2)
    result = assign_tiers(scheme=scheme, scores=[95, 70, 85, 60, 40, 10])
    assert codes(result) == ["first", "standby", "first", "standby", "standby", None]
    assert result.is_key.sum() == 2
    assert result.for_account(1).reason == Reason.OVER_CAPACITY
    explained = result.for_account(1)
    assert explained.qualified is not None and explained.qualified.code == "club"
    assert explained.computed is not None and explained.computed.code == "standby"


def test_capacity_without_a_waiting_tier_leaves_the_rest_with_no_tier() -> None:
    scheme = replace(GOLD_SILVER_BRONZE, capacity=1)
    result = assign_tiers(scheme=scheme, scores=[80, 90])
    assert codes(result) == [None, "gold"]


def test_ties_at_capacity_go_to_the_higher_tie_break_then_the_earlier_account() -> None:
    scheme = replace(GOLD_SILVER_BRONZE, capacity=1)
    by_revenue = assign_tiers(scheme=scheme, scores=[80, 80], tie_break=[100, 900])
    assert codes(by_revenue) == [None, "gold"]
    by_position = assign_tiers(scheme=scheme, scores=[80, 80], tie_break=[500, 500])
    assert codes(by_position) == ["gold", None]


def test_an_override_wins_and_is_reported_with_the_computed_tier_and_reason() -> None:
    overrides = {1: Override("gold", "strategic entry into the Jakarta market", by="lead")}
    result = assign_tiers(scheme=GOLD_SILVER_BRONZE, scores=[80, 20], overrides=overrides)
    assert codes(result) == ["gold", "gold"]
    explained = result.for_account(1)
    assert explained.reason == Reason.OVERRIDE
    assert explained.computed is None
    assert explained.override is not None and explained.override.reason.startswith("strategic")


def test_an_override_can_take_an_account_out_of_the_tiers() -> None:
    result = assign_tiers(
        scheme=GOLD_SILVER_BRONZE, scores=[80], overrides={0: Override(None, "does not want it")}
    )
    assert codes(result) == [None]
    assert result.computed.tolist() == [0]


def test_overrides_take_their_seats_first_under_capacity() -> None:
    scheme = replace(GOLD_SILVER_BRONZE, capacity=2)
    result = assign_tiers(
        scheme=scheme, scores=[90, 80, 30], overrides={2: Override("bronze", "pilot")}
    )
    assert codes(result) == ["gold", None, "bronze"]
    assert result.over_capacity_by == 0


def test_more_overrides_than_seats_stand_and_the_excess_is_reported() -> None:
    scheme = replace(GOLD_SILVER_BRONZE, capacity=1)
    overrides = {0: Override("gold", "a"), 1: Override("silver", "b")}
    result = assign_tiers(scheme=scheme, scores=[10, 10, 99], overrides=overrides)
    assert codes(result) == ["gold", "silver", None]
    assert result.over_capacity_by == 1


def test_a_knocked_out_or_unscored_account_gets_no_tier() -> None:
    result = assign_tiers(
        scheme=GOLD_SILVER_BRONZE, scores=[99, float("nan"), 80], eligible=[False, True, True]
    )
    assert codes(result) == [None, None, "gold"]
    assert result.for_account(0).reason == Reason.KNOCKED_OUT
    assert result.for_account(1).reason == Reason.NO_SCORE
    assert result.for_account(2).rank == 1  # the knocked-out account takes no place in ranks


def test_counts_tally_every_tier_and_the_accounts_with_none() -> None:
    result = assign_tiers(scheme=GOLD_SILVER_BRONZE, scores=[90, 80, 65, 10])
    assert result.counts() == {None: 1, "gold": 2, "silver": 1, "bronze": 0}


def test_a_custom_scheme_checks_its_cut_offs_and_tier_order() -> None:
    basic = ServiceLevel(1.0, 90, dedicated_staff=False, priority_ordering=False)
    with pytest.raises(ValueError, match="best tier first"):
        TierScheme("mine", (Tier("a", "A", 50, basic), Tier("b", "B", 60, basic)))
    with pytest.raises(ValueError, match="not key"):
        TierScheme("mine", (Tier("a", "A", 60, basic, key=False), Tier("b", "B", 50, basic)))
    with pytest.raises(ValueError, match="no tier"):
        assign_tiers(scheme=GOLD_SILVER_BRONZE, scores=[1], overrides={0: Override("x", "?")})


# Property tests ------------------------------------------------------------------------------

scores_st = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30)
capacity_st = st.one_of(st.none(), st.integers(0, 10))


@settings(max_examples=200, deadline=None)
@given(scores_st, capacity_st, st.sampled_from([GOLD_SILVER_BRONZE, AIRLINE]))
def test_a_higher_score_never_gets_a_lower_tier(
    scores: list[float], capacity: int | None, scheme: TierScheme
) -> None:
    result = assign_tiers(scheme=replace(scheme, capacity=capacity), scores=scores)
    # Tier index, with "no tier" after the last.
    level = np.where(result.tier == NO_TIER, len(scheme.tiers), result.tier)
    for a in range(len(scores)):
        for b in range(len(scores)):
            if scores[a] > scores[b]:
                assert level[a] <= level[b]


@settings(max_examples=200, deadline=None)
@given(
    scores_st,
    st.integers(0, 10),
    st.sampled_from(list(CutOff)),
    st.lists(st.floats(-100, 1e6, allow_nan=False), min_size=30, max_size=30),
)
def test_capacity_is_never_exceeded_and_every_account_gets_one_tier_or_none(
    scores: list[float], capacity: int, cut_off: CutOff, revenue: list[float]
) -> None:
    cuts = {
        CutOff.SCORE: [80, 65, 50, 35],
        CutOff.RANK: [2, 5, 9, 12],
        CutOff.TOP_PERCENT: [10, 25, 50, 80],
        CutOff.REVENUE_SHARE: [50, 80, 95, 100],
    }[cut_off]
    scheme = replace(AIRLINE.with_cut_offs(cut_off, cuts), capacity=capacity)
    result = assign_tiers(scheme=scheme, scores=scores, revenue=revenue[: len(scores)])
    assert result.is_key.sum() <= capacity
    assert result.tier.shape == (len(scores),)
    assert ((result.tier >= NO_TIER) & (result.tier < len(scheme.tiers))).all()
    assert sum(result.counts().values()) == len(scores)


def test_under_abc_float_noise_does_not_pull_an_account_back_over_a_cut_off() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [84, 95, 100], Crossing.UPPER)
    # 0.7 + 0.35 out of 1.25 is exactly 84%, which floats compute as 83.99999999999999.
    result = assign_tiers(scheme=scheme, scores=[0] * 4, revenue=[0.1, 0.7, 0.1, 0.35])
    assert codes(result) == ["silver", "gold", "silver", "gold"]


def test_by_default_abc_puts_the_account_that_crosses_a_cut_off_in_the_next_tier() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100])
    assert scheme.crossing is Crossing.NEXT
    revenue = [25, 50, 10, 8, 4, 3]
    result = assign_tiers(scheme=scheme, scores=[0] * 6, revenue=revenue)
    # Cumulative share including each, largest first: 50, 75 (A), 85 (crosses 80: B), 93 (B),
    # 97 (crosses 95: C), 100 (C).
    assert codes(result) == ["gold", "gold", "silver", "silver", "bronze", "bronze"]
    assert result.for_account(2).facts["cumulative_share_pct"] == pytest.approx(85.0)


def test_under_the_textbook_rule_an_account_landing_exactly_on_a_cut_off_stays_in_it() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [84, 95, 100])
    # 0.7 + 0.35 out of 1.25 is exactly 84%, which floats compute as 83.99999999999999.
    result = assign_tiers(scheme=scheme, scores=[0] * 4, revenue=[0.1, 0.7, 0.1, 0.35])
    assert codes(result) == ["silver", "gold", "bronze", "gold"]


def test_under_the_textbook_rule_one_account_over_the_a_cut_off_alone_is_b() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100])
    result = assign_tiers(scheme=scheme, scores=[0] * 3, revenue=[90, 6, 4])
    assert codes(result) == ["silver", "bronze", "bronze"]


@pytest.mark.parametrize("crossing", list(Crossing))
def test_under_abc_negative_revenue_ranks_last_and_does_not_inflate_the_shares(
    crossing: Crossing,
) -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100], crossing)
    # A refund of 50 must not shrink the total to 50 (which would make the first account 140%
    # of it): shares are taken of 100, the positive revenue.
    result = assign_tiers(scheme=scheme, scores=[90, 0, 50, 0], revenue=[-50, 70, 20, 10])
    if crossing is Crossing.NEXT:  # 70, 90, 100
        assert codes(result) == [None, "gold", "silver", "bronze"]
    else:  # before: 0, 70, 90
        assert codes(result) == [None, "gold", "gold", "silver"]
    assert result.rank.tolist() == [4, 1, 2, 3]
    assert result.for_account(1).facts["cumulative_share_pct"] == pytest.approx(70.0)


def test_a_zero_net_account_ranks_ahead_of_a_negative_one_whatever_its_score() -> None:
    scheme = GOLD_SILVER_BRONZE.with_cut_offs(CutOff.REVENUE_SHARE, [80, 95, 100])
    result = assign_tiers(scheme=scheme, scores=[99, 1, 50], revenue=[-1, 0, 10])
    assert result.rank.tolist() == [3, 2, 1]


@pytest.mark.parametrize(
    ("kind", "values", "bad"),
    [
        (CutOff.REVENUE_SHARE, [75, 60, 45], 1),
        (CutOff.REVENUE_SHARE, [80, 95, 120], 2),
        (CutOff.SCORE, [60, 75, 45], 1),
        (CutOff.RANK, [0, 5, 9], 0),
        (CutOff.RANK, [2, 5, 9], None),
    ],
)
def test_it_names_the_first_tier_whose_cut_off_is_out_of_order(
    kind: CutOff, values: list[float], bad: int | None
) -> None:
    assert misplaced_cut_off(kind, values) == bad
