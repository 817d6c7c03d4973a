"""Per-account features from quarterly rollups."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kam.selection.features import QuarterlyRollup, compute_features


def rollup(
    revenue: Sequence[Sequence[float]],
    *,
    cost: Sequence[Sequence[float]] | None = None,
    units: Sequence[Sequence[float]] | None = None,
    discounts: Sequence[Sequence[float]] | None = None,
    avg_days_late: Sequence[float] | None = None,
    worst_days_late: Sequence[float] | None = None,
    on_time_pct: Sequence[float] | None = None,
    cost_to_serve: Sequence[float] | None = None,
) -> QuarterlyRollup:
    """A rollup where everything not given is zero (cost, discounts...) or NaN (payments)."""
    shape = np.shape(revenue)
    n = shape[0]
    return QuarterlyRollup.from_arrays(
        revenue=revenue,
        cost=cost if cost is not None else np.zeros(shape),
        units=units if units is not None else np.zeros(shape),
        discounts=discounts if discounts is not None else np.zeros(shape),
        avg_days_late=avg_days_late if avg_days_late is not None else [np.nan] * n,
        worst_days_late=worst_days_late if worst_days_late is not None else [np.nan] * n,
        on_time_pct=on_time_pct if on_time_pct is not None else [np.nan] * n,
        cost_to_serve=cost_to_serve if cost_to_serve is not None else [0.0] * n,
    )


def test_it_compares_the_last_four_quarters_with_the_four_before() -> None:
    quarters = [[1, 1, 1, 1, 10, 10, 10, 10, 20, 20, 20, 20]]
    f = compute_features(rollup(quarters, units=[[q * 2 for q in quarters[0]]]))
    assert f.revenue[0] == 80
    assert f.revenue_previous[0] == 40
    assert f.units[0] == 160
    assert f.units_previous[0] == 80
    assert f.yoy_growth_pct[0] == pytest.approx(100.0)


def test_it_has_no_year_on_year_growth_without_a_full_previous_year() -> None:
    f = compute_features(rollup([[5, 10, 10, 10, 10]]))
    assert np.isnan(f.revenue_previous[0])
    assert f.row(0)["yoy_growth_pct"] is None


def test_it_has_no_year_on_year_growth_for_a_new_customer() -> None:
    f = compute_features(rollup([[0, 0, 0, 0, 10, 10, 10, 10]]))
    assert f.revenue_previous[0] == 0
    assert f.row(0)["yoy_growth_pct"] is None


def test_it_computes_gross_margin_as_revenue_minus_cost_over_revenue() -> None:
    f = compute_features(rollup([[100, 100, 100, 100]], cost=[[75, 75, 75, 75]]))
    assert f.margin_pct[0] == pytest.approx(25.0)


def test_it_shows_a_negative_margin_when_an_account_buys_below_cost() -> None:
    f = compute_features(rollup([[100, 100, 100, 100]], cost=[[110, 110, 110, 110]]))
    assert f.margin_pct[0] == pytest.approx(-10.0)


def test_it_leaves_the_margin_unknown_for_an_account_with_no_revenue() -> None:
    f = compute_features(rollup([[0, 0, 0, 0], [10, 10, 10, 10]]))
    assert f.row(0)["margin_pct"] is None
    assert f.row(1)["margin_pct"] == pytest.approx(100.0)


def test_a_steadily_growing_account_has_a_positive_slope_and_every_quarter_growing() -> None:
    f = compute_features(rollup([[90, 100, 110, 120, 130]]))
    assert f.revenue_trend[0] == pytest.approx(10.0)
    assert f.revenue_trend_pct[0] == pytest.approx(10.0 / 115.0 * 100.0)
    assert f.growing_quarters_pct[0] == pytest.approx(100.0)


def test_a_shrinking_account_has_a_negative_slope_and_no_quarter_growing() -> None:
    f = compute_features(rollup([[200, 180, 160, 140]]))
    assert f.revenue_trend[0] == pytest.approx(-20.0)
    assert f.growing_quarters_pct[0] == 0.0


def test_it_counts_the_step_into_the_window_when_the_quarter_before_is_known() -> None:
    # Window quarters 50, 60, 55, 70 after a quarter of 100: 2 of the 4 quarters grew.
    f = compute_features(rollup([[100, 50, 60, 55, 70]]))
    assert f.growing_quarters_pct[0] == pytest.approx(50.0)
    # Without the quarter before, 2 of 3 steps grew.
    f = compute_features(rollup([[50, 60, 55, 70]]))
    assert f.growing_quarters_pct[0] == pytest.approx(200.0 / 3.0)


def test_a_customer_buying_18_percent_of_all_sales_shows_that_share() -> None:
    f = compute_features(rollup([[18, 18, 18, 18], [41, 41, 41, 41], [41, 41, 41, 41]]))
    assert f.sales_share_pct[0] == pytest.approx(18.0)
    assert f.sales_share_pct.sum() == pytest.approx(100.0)


def test_it_measures_discounts_as_a_share_of_list_value_and_their_rising_trend() -> None:
    # List value 100 each quarter; discounts 5, 10, 15, 20 leave revenue 95, 90, 85, 80.
    f = compute_features(
        rollup([[95, 90, 85, 80]], discounts=[[5, 10, 15, 20]], cost=[[70, 70, 70, 70]])
    )
    assert f.discount_pct[0] == pytest.approx(50 / 400 * 100)
    assert f.discount_trend[0] == pytest.approx(5.0)
    assert f.margin_trend[0] < 0


def test_it_takes_cost_to_serve_out_of_account_profit_but_not_discounts_twice() -> None:
    f = compute_features(
        rollup(
            [[100, 100, 100, 100]],
            cost=[[60, 60, 60, 60]],
            discounts=[[10, 10, 10, 10]],
            cost_to_serve=[50],
        )
    )
    assert f.profit[0] == pytest.approx(400 - 240 - 50)


def test_it_skips_quarters_without_revenue_in_the_margin_trend() -> None:
    f = compute_features(rollup([[100, 0, 100, 100]], cost=[[50, 0, 60, 70]]))
    # Quarters 0, 2, 3 with margins 50, 40, 30: a slope of -100/14 per quarter.
    assert f.margin_trend[0] == pytest.approx(np.polyfit([0, 2, 3], [50, 40, 30], 1)[0])


def test_it_passes_payment_behaviour_through_for_the_page() -> None:
    f = compute_features(
        rollup([[1, 1, 1, 1]], avg_days_late=[12.5], worst_days_late=[60], on_time_pct=[80])
    )
    assert f.row(0)["avg_days_late"] == 12.5
    assert f.row(0)["worst_days_late"] == 60
    assert f.row(0)["on_time_pct"] == 80


def test_it_accepts_decimal_money_from_the_database() -> None:
    f = compute_features(
        rollup([[Decimal("10.10")] * 4], cost=[[Decimal("5.05")] * 4])  # type: ignore[list-item]
    )
    assert f.revenue[0] == pytest.approx(40.4)
    assert f.margin_pct[0] == pytest.approx(50.0)


def test_it_refuses_arrays_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="cost"):
        QuarterlyRollup.from_arrays(
            revenue=[[1, 2]],
            cost=[[1, 2, 3]],
            units=[[1, 2]],
            discounts=[[0, 0]],
            avg_days_late=[0],
            worst_days_late=[0],
            on_time_pct=[100],
            cost_to_serve=[0],
        )


def test_it_refuses_a_window_longer_than_the_quarters_given() -> None:
    with pytest.raises(ValueError, match="window"):
        compute_features(rollup([[1, 2, 3]]), window=4)


def test_every_feature_is_offered_to_scoring_by_name() -> None:
    f = compute_features(rollup([[1, 2, 3, 4]]))
    columns = f.columns()
    assert "window" not in columns
    assert {"revenue", "margin_pct", "sales_share_pct", "profit", "on_time_pct"} <= set(columns)
    assert all(c.shape == (1,) for c in columns.values())


def test_it_computes_100k_accounts_by_12_quarters_in_one_pass() -> None:
    # Its speed is measured in benchmarks/bench_rescore.py, not here: a test must not depend
    # on how busy the machine is. Here: the whole programme at once, row for row.
    rng = np.random.default_rng(7)
    shape = (100_000, 12)
    revenue = rng.gamma(2.0, 1000.0, shape)
    data = QuarterlyRollup(
        revenue=revenue,
        cost=revenue * rng.uniform(0.5, 1.1, shape),
        units=rng.integers(0, 500, shape).astype(np.float64),
        discounts=revenue * rng.uniform(0.0, 0.2, shape),
        avg_days_late=rng.uniform(0, 40, shape[0]),
        worst_days_late=rng.uniform(0, 90, shape[0]),
        on_time_pct=rng.uniform(0, 100, shape[0]),
        cost_to_serve=rng.uniform(0, 500, shape[0]),
    )
    f = compute_features(data)
    assert f.n_accounts == 100_000
    one = compute_features(
        QuarterlyRollup(
            revenue=revenue[41:42],
            cost=data.cost[41:42],
            units=data.units[41:42],
            discounts=data.discounts[41:42],
            avg_days_late=data.avg_days_late[41:42],
            worst_days_late=data.worst_days_late[41:42],
            on_time_pct=data.on_time_pct[41:42],
            cost_to_serve=data.cost_to_serve[41:42],
        )
    )
    for name, column in one.columns().items():
        if name == "sales_share_pct":  # a share of the whole programme, not of one row
            continue
        assert column[0] == pytest.approx(f.columns()[name][41], nan_ok=True), name


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        (3, 6),
        elements=st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
    )
)
def test_the_revenue_trend_is_the_least_squares_slope(revenue: np.ndarray) -> None:
    f = compute_features(rollup(revenue.tolist()), window=4)
    for account in range(3):
        expected = np.polyfit(np.arange(4), revenue[account, -4:], 1)[0]
        assert f.revenue_trend[account] == pytest.approx(expected, rel=1e-6, abs=1e-6)
