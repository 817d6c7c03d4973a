"""Warning flags beside the score."""

from __future__ import annotations

import numpy as np
import pytest

from kam.selection.features import AccountFeatures, QuarterlyRollup, compute_features
from kam.selection.flags import (
    BigButBadReason,
    FlagCode,
    FlagThresholds,
    flag_accounts,
)
from kam.selection.scoring import Criterion, Normalisation, ScoreResult, score_accounts

HEALTHY = [100.0, 100.0, 100.0, 100.0]


def features(
    revenue: list[list[float]],
    cost: list[list[float]],
    *,
    discounts: list[list[float]] | None = None,
    days_late: list[float] | None = None,
) -> AccountFeatures:
    """Features of a few accounts over their quarters; payments on time unless given."""
    n, quarters = len(revenue), len(revenue[0])
    late = days_late if days_late is not None else [0.0] * n
    return compute_features(
        QuarterlyRollup.from_arrays(
            revenue=revenue,
            cost=cost,
            units=np.zeros((n, quarters)),
            discounts=discounts if discounts is not None else np.zeros((n, quarters)),
            avg_days_late=late,
            worst_days_late=[d * 2 for d in late],
            on_time_pct=[100.0] * n,
            cost_to_serve=[0.0] * n,
        )
    )


def small(n: int) -> list[list[float]]:
    """``n`` small accounts' quarterly revenue."""
    return [[1.0] * 4 for _ in range(n)]


def test_it_flags_a_top_buyer_squeezing_price_below_cost() -> None:
    f = features([[1000.0] * 4, *small(3)], [[1050.0] * 4, *[[0.5] * 4 for _ in range(3)]])
    report = flag_accounts(features=f, thresholds=FlagThresholds(big_top_k=1))
    (flag,) = report.for_account(0)
    assert flag.code == FlagCode.BIG_BUT_BAD
    assert flag.reasons == (BigButBadReason.BELOW_COST,)
    assert flag.facts["rank"] == 1
    assert flag.facts["margin_pct"] == pytest.approx(-5.0)
    assert flag.facts["margin_threshold_pct"] == 10.0


def test_it_says_low_margin_rather_than_below_cost_when_margin_is_thin_but_positive() -> None:
    f = features([[1000.0] * 4], [[950.0] * 4])
    (flag,) = flag_accounts(features=f).for_account(0)
    assert flag.reasons == (BigButBadReason.LOW_MARGIN,)


def test_it_flags_a_top_buyer_that_pays_late_and_says_that_is_why() -> None:
    f = features([[1000.0] * 4], [[500.0] * 4], days_late=[45.0])
    (flag,) = flag_accounts(features=f).for_account(0)
    assert flag.reasons == (BigButBadReason.PAYS_LATE,)
    assert flag.facts["avg_days_late"] == 45.0
    assert flag.facts["worst_days_late"] == 90.0
    assert flag.facts["days_late_threshold"] == 30.0


def test_it_reports_both_reasons_when_a_big_buyer_squeezes_and_pays_late() -> None:
    f = features([[1000.0] * 4], [[1100.0] * 4], days_late=[60.0])
    (flag,) = flag_accounts(features=f).for_account(0)
    assert set(flag.reasons) == {BigButBadReason.BELOW_COST, BigButBadReason.PAYS_LATE}


def test_it_leaves_a_small_account_with_a_bad_margin_alone() -> None:
    revenue = [[100.0 + i] * 4 for i in range(3)] + [[1.0] * 4]
    cost = [[50.0] * 4 for _ in range(3)] + [[2.0] * 4]
    report = flag_accounts(features=features(revenue, cost), thresholds=FlagThresholds(big_top_k=3))
    assert report.for_account(3) == ()
    assert report.accounts_with(FlagCode.BIG_BUT_BAD) == []


def test_a_top_percentage_widens_who_counts_as_big() -> None:
    revenue = [[100.0 - i] * 4 for i in range(10)]
    cost = [[50.0] * 4 for _ in range(9)] + [[99.0] * 4]  # the 10th largest squeezes
    assert (
        flag_accounts(
            features=features(revenue, cost), thresholds=FlagThresholds(big_top_k=5)
        ).accounts_with(FlagCode.BIG_BUT_BAD)
        == []
    )
    wide = FlagThresholds(big_top_k=5, big_top_pct=100.0)
    report = flag_accounts(features=features(revenue, cost), thresholds=wide)
    assert report.accounts_with(FlagCode.BIG_BUT_BAD) == [9]
    assert report.for_account(9)[0].facts["top"] == 10


def test_it_flags_discounts_rising_while_margin_falls_with_both_slopes() -> None:
    # List value 100 a quarter, discounts 2, 6, 10, 14; cost steady at 70.
    f = features([[98.0, 94.0, 90.0, 86.0]], [[70.0] * 4], discounts=[[2.0, 6.0, 10.0, 14.0]])
    (flag,) = flag_accounts(features=f).for_account(0)
    assert flag.code == FlagCode.EFFICIENCIES_GIVEN_BACK
    assert flag.facts["discount_trend_pp"] == pytest.approx(4.0)
    assert flag.facts["margin_trend_pp"] == pytest.approx(
        np.polyfit(range(4), [100 - 7000 / r for r in (98, 94, 90, 86)], 1)[0]
    )
    assert flag.facts["quarters"] == 4


def test_rising_discounts_with_a_steady_margin_are_not_efficiencies_given_back() -> None:
    # The discount grows but cost falls in step: the seller keeps the same margin.
    revenue = [98.0, 94.0, 90.0, 86.0]
    cost = [r * 0.7 for r in revenue]
    f = features([revenue], [cost], discounts=[[2.0, 6.0, 10.0, 14.0]])
    assert flag_accounts(features=f).accounts_with(FlagCode.EFFICIENCIES_GIVEN_BACK) == []


def test_an_account_without_sales_raises_no_flag() -> None:
    f = features([[0.0] * 4], [[0.0] * 4])
    assert flag_accounts(features=f).flags == {}


def _volume_only_scores() -> tuple[AccountFeatures, ScoreResult]:
    """Three accounts scored mostly on volume: a big one, a middling one, a small one."""
    f = features([[1000.0] * 4, [500.0] * 4, [10.0] * 4], [[600.0] * 4, [100.0] * 4, [2.0] * 4])
    scores = score_accounts(
        {"revenue": f.revenue, "margin_pct": f.margin_pct},
        [
            Criterion("revenue", 70, normalisation=Normalisation.PERCENTILE),
            Criterion("margin_pct", 30, bounds=(0.0, 100.0)),
        ],
    )
    return f, scores


def test_it_flags_a_key_account_that_is_key_on_volume_alone() -> None:
    f, scores = _volume_only_scores()
    limits = FlagThresholds(big_top_k=1)
    report = flag_accounts(features=f, scores=scores, key=[True, True, False], thresholds=limits)
    single = report.accounts_with(FlagCode.SINGLE_CRITERION)
    # Account 0: 70 points from revenue, 12 from a 40% margin: revenue carries 85%.
    assert single == [0]
    flag = next(f for f in report.for_account(0) if f.code == FlagCode.SINGLE_CRITERION)
    assert flag.facts["criterion"] == "revenue"
    assert flag.facts["share_pct"] == pytest.approx(70 / 82 * 100)
    assert flag.facts["threshold_pct"] == 60.0


def test_it_flags_a_big_buyer_outside_the_key_tiers_whose_case_is_volume_alone() -> None:
    f, scores = _volume_only_scores()
    limits = FlagThresholds(big_top_k=1)
    report = flag_accounts(features=f, scores=scores, key=[False, True, False], thresholds=limits)
    assert report.accounts_with(FlagCode.SINGLE_CRITERION) == [0]


def test_it_does_not_flag_a_small_account_outside_the_key_tiers() -> None:
    f, scores = _volume_only_scores()
    limits = FlagThresholds(big_top_k=0)
    report = flag_accounts(features=f, scores=scores, key=[False, True, False], thresholds=limits)
    assert report.accounts_with(FlagCode.SINGLE_CRITERION) == []


def test_it_skips_single_criterion_dependence_without_scores_and_tiers() -> None:
    f, _ = _volume_only_scores()
    report = flag_accounts(features=f)
    assert report.accounts_with(FlagCode.SINGLE_CRITERION) == []


def test_it_points_out_a_small_account_growing_fast_and_steadily() -> None:
    grower = [5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 14.5, 17.5]
    flat = [100.0] * 8
    lumpy = [9.0, 12.0, 8.0, 13.0, 9.0, 12.0, 8.0, 13.0]
    f = features([flat, grower, lumpy], [[60.0] * 8, [3.0] * 8, [5.0] * 8])
    report = flag_accounts(features=f, thresholds=FlagThresholds(big_top_k=1))
    assert report.accounts_with(FlagCode.FAST_GROWER) == [1]
    flag = report.for_account(1)[0]
    assert flag.facts["growing_quarters_pct"] == 100.0
    assert flag.facts["rank"] == 2


def test_a_big_buyer_is_never_called_a_fast_grower() -> None:
    f = features([[5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 14.5, 17.5]], [[3.0] * 8])
    assert flag_accounts(features=f).accounts_with(FlagCode.FAST_GROWER) == []
