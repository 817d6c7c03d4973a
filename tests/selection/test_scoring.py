"""Compensatory weighted scoring."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kam.selection.scoring import (
    Criterion,
    Direction,
    KnockOut,
    Normalisation,
    normalise,
    score_accounts,
)

THRESHOLDS = Normalisation.THRESHOLDS
PERCENTILE = Normalisation.PERCENTILE
LOWER = Direction.LOWER_IS_BETTER
NAN = float("nan")


def test_weights_that_do_not_add_up_to_100_are_rescaled() -> None:
    values = {"revenue": [10, 20, 30], "margin_pct": [30, 10, 20]}
    as_parts = score_accounts(values, [Criterion("revenue", 3), Criterion("margin_pct", 1)])
    as_percent = score_accounts(values, [Criterion("revenue", 75), Criterion("margin_pct", 25)])
    as_120 = score_accounts(values, [Criterion("revenue", 90), Criterion("margin_pct", 30)])
    np.testing.assert_allclose(as_parts.score, as_percent.score)
    np.testing.assert_allclose(as_120.score, as_percent.score)
    np.testing.assert_allclose(as_parts.weights, [0.75, 0.25])
    # The best on every criterion still reaches 100 however the weights were typed.
    best = score_accounts({"a": [1, 2], "b": [1, 2]}, [Criterion("a", 45), Criterion("b", 45)])
    assert best.score[1] == pytest.approx(100.0)


def test_a_missing_value_scores_zero_points_and_is_reported_missing() -> None:
    result = score_accounts(
        {"revenue": [100, 100], "access": [NAN, 100]},
        [
            Criterion("revenue", 50, normalisation=THRESHOLDS, thresholds=((100, 100),)),
            Criterion("access", 50, normalisation=THRESHOLDS, thresholds=((100, 100),)),
        ],
    )
    # Not renormalised: the unrated account does not get 100 from its one known criterion.
    assert result.score.tolist() == [50.0, 100.0]
    explained = result.explain(0)
    access = explained.criteria[1]
    assert access.missing and access.value is None and access.points == 0.0
    assert explained.coverage_pct == pytest.approx(50.0)
    assert result.explain(1).coverage_pct == pytest.approx(100.0)


def test_missing_values_do_not_move_the_others_in_a_min_max_or_percentile() -> None:
    with_gap = normalise(np.array([0.0, NAN, 10.0]), Criterion("x", 1))
    assert with_gap[0] == 0.0 and with_gap[2] == 100.0 and np.isnan(with_gap[1])
    ranked = normalise(np.array([5.0, NAN, 1.0]), Criterion("x", 1, normalisation=PERCENTILE))
    assert ranked[0] == 100.0 and ranked[2] == 0.0


def test_none_from_the_database_counts_as_missing() -> None:
    result = score_accounts({"rating": [None, 3]}, [Criterion("rating", 1, bounds=(0, 4))])
    assert result.missing[0, 0]
    assert result.score[1] == pytest.approx(75.0)


def test_threshold_steps_give_the_points_of_the_highest_step_reached() -> None:
    share = Criterion(
        "sales_share_pct", 1, normalisation=THRESHOLDS, thresholds=((1, 20), (5, 60), (18, 100))
    )
    points = normalise(np.array([0.5, 1.0, 4.9, 5.0, 18.0, 40.0]), share)
    assert points.tolist() == [0, 20, 20, 60, 100, 100]


def test_lower_is_better_thresholds_reward_paying_on_time() -> None:
    late = Criterion(
        "avg_days_late",
        1,
        direction=LOWER,
        normalisation=THRESHOLDS,
        thresholds=((0, 100), (15, 60), (30, 20)),
    )
    points = normalise(np.array([-3, 0, 10, 15, 29, 31]), late)
    assert points.tolist() == [100, 100, 60, 60, 20, 0]


def test_percentile_gives_the_best_100_the_worst_0_and_ties_the_same() -> None:
    points = normalise(
        np.array([10.0, 20.0, 20.0, 40.0]), Criterion("x", 1, normalisation=PERCENTILE)
    )
    assert points.tolist() == [0.0, 50.0, 50.0, 100.0]
    lower = normalise(
        np.array([10.0, 40.0]), Criterion("x", 1, direction=LOWER, normalisation=PERCENTILE)
    )
    assert lower.tolist() == [100.0, 0.0]


def test_min_max_with_fixed_bounds_clips_values_outside_them() -> None:
    margin = Criterion("margin_pct", 1, bounds=(0.0, 40.0))
    assert normalise(np.array([-5.0, 10.0, 40.0, 55.0]), margin).tolist() == [0, 25, 100, 100]


def test_a_criterion_on_which_everyone_is_equal_is_neutral() -> None:
    same = np.array([7.0, 7.0, 7.0])
    assert normalise(same, Criterion("x", 1)).tolist() == [50.0] * 3
    assert normalise(same, Criterion("x", 1, normalisation=PERCENTILE)).tolist() == [50.0] * 3


def test_knock_outs_are_off_by_default() -> None:
    result = score_accounts({"credit_rating": [1, 4]}, [Criterion("credit_rating", 1)])
    assert result.eligible.all()


def test_a_knocked_out_account_keeps_its_score_but_is_not_eligible() -> None:
    result = score_accounts(
        {"revenue": [1000, 10], "credit_rating": [1, 4]},
        [Criterion("revenue", 1)],
        knock_outs=[KnockOut("credit_below_c", "credit_rating", minimum=2)],
    )
    assert result.score[0] == pytest.approx(100.0)
    assert result.eligible.tolist() == [False, True]
    (hit,) = result.explain(0).knocked_out_by
    assert (hit.code, hit.key, hit.value, hit.minimum) == ("credit_below_c", "credit_rating", 1, 2)
    assert not result.explain(1).knocked_out


def test_a_missing_value_knocks_out_only_when_the_rule_says_so() -> None:
    values: dict[str, list[float]] = {"revenue": [1, 2], "credit_rating": [NAN, 4]}
    lenient = KnockOut("credit_below_c", "credit_rating", minimum=2)
    strict = KnockOut("credit_below_c", "credit_rating", minimum=2, missing_knocks_out=True)
    assert score_accounts(values, [Criterion("revenue", 1)], knock_outs=[lenient]).eligible[0]
    assert not score_accounts(values, [Criterion("revenue", 1)], knock_outs=[strict]).eligible[0]


def test_the_why_column_lists_the_largest_contributions_first_and_skips_zeros() -> None:
    result = score_accounts(
        {"revenue": [0, 10], "margin_pct": [0, 5], "growth": [5, 0]},
        [Criterion("revenue", 50), Criterion("margin_pct", 30), Criterion("growth", 20)],
    )
    assert result.explain(1).top == ("revenue", "margin_pct")
    assert result.explain(0).top == ("growth",)
    assert result.top_contributions(1)[:, 0].tolist() == [2, 0]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([Criterion("a", 0)], "positive weight"),
        ([Criterion("nope", 1)], "no values"),
        ([Criterion("a", 1), Criterion("a", 2)], "once"),
        ([], "at least one"),
    ],
)
def test_it_refuses_criteria_it_cannot_score(criteria: list[Criterion], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_accounts({"a": [1, 2]}, criteria)


def test_it_refuses_a_negative_weight_or_thresholds_that_reward_worse_values() -> None:
    with pytest.raises(ValueError, match="weight"):
        Criterion("a", -1)
    with pytest.raises(ValueError, match="fall"):
        Criterion("a", 1, normalisation=THRESHOLDS, thresholds=((0, 100), (10, 50)))
    with pytest.raises(ValueError, match="rise"):
        Criterion("a", 1, direction=LOWER, normalisation=THRESHOLDS, thresholds=((0, 0), (9, 9)))


# Property tests ------------------------------------------------------------------------------

values_st = st.one_of(st.just(NAN), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
criterion_st = st.builds(
    Criterion,
    key=st.just("x"),
    weight=st.floats(0.0, 100.0),
    direction=st.sampled_from(Direction),
    normalisation=st.sampled_from([Normalisation.MIN_MAX, Normalisation.PERCENTILE]),
) | st.builds(
    lambda w, d: Criterion(
        "x",
        w,
        direction=d,
        normalisation=THRESHOLDS,
        thresholds=((0, 30), (100, 70), (1000, 100))
        if d is Direction.HIGHER_IS_BETTER
        else ((0, 100), (100, 70), (1000, 30)),
    ),
    st.floats(0.0, 100.0),
    st.sampled_from(Direction),
)


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[str, list[float]], list[Criterion]]:
    """A few accounts and criteria with random weights, directions and normalisations."""
    n = draw(st.integers(1, 8))
    k = draw(st.integers(1, 4))
    criteria = [
        Criterion(f"c{j}", c.weight, c.direction, c.normalisation, c.thresholds)
        for j, c in enumerate(draw(st.lists(criterion_st, min_size=k, max_size=k)))
    ]
    assume(sum(c.weight for c in criteria) > 0)
    values = {c.key: draw(st.lists(values_st, min_size=n, max_size=n)) for c in criteria}
    return values, criteria


@settings(max_examples=200, deadline=None)
@given(problems())
def test_scores_stay_within_0_and_100_and_are_the_sum_of_their_contributions(
    problem: tuple[dict[str, list[float]], list[Criterion]],
) -> None:
    values, criteria = problem
    result = score_accounts(values, criteria)
    assert ((result.score >= 0) & (result.score <= 100)).all()
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.score, atol=1e-9)
    assert (
        (result.normalised[~result.missing] >= 0) & (result.normalised[~result.missing] <= 100)
    ).all()


@settings(max_examples=200, deadline=None)
@given(problems(), st.data())
def test_making_one_account_better_on_a_criterion_never_lowers_its_score(
    problem: tuple[dict[str, list[float]], list[Criterion]], data: st.DataObject
) -> None:
    # Holding the other accounts' values fixed: with percentile or min-max normalisation the
    # others' points may move, but the account's own score does not fall.
    values, criteria = problem
    n = len(next(iter(values.values())))
    account = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, len(criteria) - 1))
    criterion = criteria[j]
    before = values[criterion.key][account]
    assume(not np.isnan(before))
    step = data.draw(st.floats(0.0, 1e6))
    better = before + step if criterion.direction is Direction.HIGHER_IS_BETTER else before - step
    improved = {**values, criterion.key: list(values[criterion.key])}
    improved[criterion.key][account] = better
    old = score_accounts(values, criteria).score[account]
    new = score_accounts(improved, criteria).score[account]
    assert new >= old - 1e-9


@settings(max_examples=100, deadline=None)
@given(problems(), st.data())
def test_under_thresholds_one_account_improving_changes_no_other_score(
    problem: tuple[dict[str, list[float]], list[Criterion]], data: st.DataObject
) -> None:
    values, criteria = problem
    criteria = [
        Criterion(c.key, c.weight, Direction.HIGHER_IS_BETTER, THRESHOLDS, ((0, 30), (50, 100)))
        for c in criteria
    ]
    n = len(next(iter(values.values())))
    account = data.draw(st.integers(0, n - 1))
    key = criteria[0].key
    assume(not np.isnan(values[key][account]))
    improved = {**values, key: list(values[key])}
    improved[key][account] += data.draw(st.floats(0.0, 1e6))
    old, new = score_accounts(values, criteria).score, score_accounts(improved, criteria).score
    assert new[account] >= old[account]
    np.testing.assert_array_equal(np.delete(new, account), np.delete(old, account))


@settings(max_examples=100, deadline=None)
@given(problems(), st.lists(values_st, min_size=8, max_size=8))
def test_a_criterion_with_zero_weight_changes_no_score(
    problem: tuple[dict[str, list[float]], list[Criterion]], extra: list[float]
) -> None:
    values, criteria = problem
    n = len(next(iter(values.values())))
    with_extra = {**values, "ignored": extra[:n]}
    plain = score_accounts(values, criteria).score
    padded = score_accounts(with_extra, [*criteria, Criterion("ignored", 0.0)]).score
    np.testing.assert_allclose(padded, plain, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_the_order_the_accounts_come_in_changes_no_account_score(
    problem: tuple[dict[str, list[float]], list[Criterion]], random: object
) -> None:
    values, criteria = problem
    n = len(next(iter(values.values())))
    order = list(range(n))
    random.shuffle(order)  # type: ignore[attr-defined]
    shuffled = {key: [column[i] for i in order] for key, column in values.items()}
    plain = score_accounts(values, criteria).score
    moved = score_accounts(shuffled, criteria).score
    np.testing.assert_allclose(moved, plain[order], atol=1e-9)
