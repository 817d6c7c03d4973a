"""The pure risk modules on hand-checked cases: health, loss probability, scenarios, simulation."""

from __future__ import annotations

import math
from itertools import product
from statistics import NormalDist

import numpy as np
import pytest

from kam.risk import health, loss, scenarios, simulation
from kam.selection.scoring import Criterion, Direction, Normalisation

NAN = float("nan")
TWO = (
    Criterion("a", 3, Direction.HIGHER_IS_BETTER, Normalisation.MIN_MAX, bounds=(0, 100)),
    Criterion("b", 1, Direction.LOWER_IS_BETTER, Normalisation.MIN_MAX, bounds=(0, 10)),
)


def test_it_weights_the_known_signals_and_leaves_an_unknown_one_out():
    result = health.compute_health({"a": [80, 80], "b": [5, NAN]}, signals=TWO)
    # 80 x 3/4 + 50 x 1/4 = 72.5; the second account has only a: 80 at the full weight.
    assert result.score[0] == pytest.approx(72.5)
    assert result.score[1] == pytest.approx(80.0)
    second = result.account(1)
    assert second.unknown == ("b",)
    assert second.parts[1].contribution == 0 and second.parts[0].weight_pct == 100


def test_an_account_with_no_known_signal_has_no_health_not_zero():
    result = health.compute_health({"a": [NAN], "b": [NAN]}, signals=TWO)
    assert math.isnan(result.score[0])
    assert result.account(0).band is health.Band.UNKNOWN


def test_bands_and_trend_follow_the_thresholds():
    bands = health.Bands(watch_below=65, at_risk_below=40, trend_step=5)
    result = health.compute_health(
        {"a": [90, 50, 10], "b": [0, 0, 0]},
        signals=TWO,
        bands=bands,
        previous=[80, 70, NAN],
    )
    # scores: 92.5, 62.5, 32.5
    assert list(result.band) == ["healthy", "watch", "at_risk"]
    assert list(result.trend) == ["rising", "falling", "unknown"]
    with pytest.raises(ValueError):
        health.Bands(watch_below=30, at_risk_below=40)


def test_the_default_signals_accept_every_key_and_reject_an_unknown_weight():
    n = 2
    values = {key: np.full(n, NAN) for key in health.SIGNAL_KEYS}
    values["threads"] = np.array([1.0, 5.0])  # single-threaded: 20 points; five threads: 100
    result = health.compute_health(values)
    assert list(result.score) == [20.0, 100.0]
    with pytest.raises(ValueError):
        health.with_weights({"nonsense": 1})


def test_loss_probability_is_the_base_rate_at_the_centres_and_unknowns_are_neutral():
    result = loss.loss_probability(
        {"health": [50, NAN], "barriers": [50, NAN], "days_late": [0, NAN], "revenue_trend": [0, 0]}
    )
    assert result.probability == pytest.approx([0.08, 0.08])
    assert all(item["log_odds"] == 0 for item in result.account(1)["inputs"])


def test_each_input_moves_the_odds_by_its_term():
    result = loss.loss_probability(
        {"health": [30], "barriers": [0], "days_late": [30], "revenue_trend": [-10]}
    )
    terms = {i["key"]: i["log_odds"] for i in result.account(0)["inputs"]}
    assert terms == pytest.approx(
        {"health": 1.0, "barriers": 1.0, "days_late": 0.9, "revenue_trend": 0.8}
    )
    odds = 0.08 / 0.92 * math.exp(3.7)
    assert result.probability[0] == pytest.approx(odds / (1 + odds))


def _portfolio():
    # A parent (0) with a subsidiary (1), and an independent account (2).
    return scenarios.Portfolio.of(
        revenue=[600, 200, 200],
        margin=[120, 40, 80],
        contribution=[60, 20, 50],
        group=scenarios.group_of([None, 0, None]),
    )


def test_losing_a_group_loses_the_parent_and_its_subsidiary():
    p = _portfolio()
    lost = scenarios.losses(p.n, groups=[1], group=p.group)
    assert list(lost) == [1, 1, 0]
    assert scenarios.top(p, 1) == [0, 1]
    assert scenarios.top(p, 1, by_group=False) == [0]


def test_a_scenario_by_quarter_with_fixed_costs_and_recovery():
    p = _portfolio()
    effect = scenarios.scenario_effect(
        p, scenarios.losses(p.n, shares={2: 0.5}), fixed_costs=40, recovery=0.5
    )
    assert effect.revenue_lost == 100 and effect.margin_lost == 40
    assert effect.revenue_lost_pct == pytest.approx(10)
    q1, q4 = effect.quarters[0], effect.quarters[-1]
    # quarter 1 wins back 100 x 0.5 x 1/4 = 12.5 a year; quarter 4 half of it, 50
    assert q1.revenue_after == pytest.approx((1000 - 100 + 12.5) / 4)
    assert q4.revenue_after == pytest.approx((1000 - 100 + 50) / 4)
    assert q1.result_after == pytest.approx(q1.contribution_after - 10)
    assert q1.fixed_share_after_pct == pytest.approx(10 / q1.revenue_after * 100)


def test_replacements_rank_headroom_and_say_how_long_growth_takes():
    plan = scenarios.replacements(
        revenue=[100, 100, 100],
        wallet=[NAN, 300, NAN],
        growth_pct=[0, 10, 20],
        lost=[1, 0, 0],
        revenue_lost=100,
    )
    assert [c.account for c in plan.candidates] == [1, 2]
    assert plan.years == pytest.approx(100 / 30)


def test_concentration_totals_groups():
    c = scenarios.concentration([600, 200, 200], [0, 0, 2])
    assert c["top"][1] == pytest.approx(80)
    assert c["hhi"] == pytest.approx(80**2 + 20**2)


def test_independent_losses_match_the_exact_distribution():
    """rho = 0, five accounts: the simulated distribution function against the exact one, by
    enumerating every outcome, within four standard errors of plain sampling at each value;
    P95 and P99 where the exact distribution function crosses 0.95 and 0.99 (it is 0.95
    exactly from 250 to 400, and 0.9897 at 470, 0.9920 at 480)."""
    p = np.array([0.1, 0.2, 0.05, 0.3, 0.15])
    revenue = np.array([100.0, 50.0, 400.0, 30.0, 70.0])
    outcomes = sorted(
        (float(np.dot(o, revenue)), float(np.prod(np.where(o, p, 1 - p))))
        for o in product([0, 1], repeat=5)
    )
    n = 200_000
    result = simulation.simulate(
        probability=p, revenue=revenue, rho=0.0, scenarios=n, seed=7, chunk=20_000
    )
    cumulative = 0.0
    for at, (value, prob) in enumerate(outcomes):
        cumulative += prob
        if at + 1 < len(outcomes) and outcomes[at + 1][0] == value:
            continue  # the same loss by another outcome
        simulated = float(np.mean(result.revenue_losses <= value + 1e-6))
        assert (
            abs(simulated - cumulative) <= 4 * math.sqrt(cumulative * (1 - cumulative) / n) + 1e-9
        )
    assert 250 <= result.percentiles["P95"] <= 400
    assert 470 <= result.percentiles["P99"] <= 480
    assert result.expected_loss == pytest.approx(float(p @ revenue), rel=0.002)


def test_stratified_draws_are_normal_and_one_per_stratum():
    rng = np.random.default_rng(5)
    draws = simulation.stratified_normals(rng, 1_000, 3)
    strata = np.floor(np.array([[NormalDist().cdf(v) for v in col] for col in draws.T]) * 1_000)
    assert all(sorted(col) == list(range(1_000)) for col in strata)
    assert simulation.normal_quantile([0.5, 0.975, 1e-6]) == pytest.approx(
        [0.0, 1.959964, -4.753424], abs=1e-6
    )


def test_correlated_losses_approach_the_one_factor_limit():
    """A large homogeneous portfolio: P95 of the share lost within 5% of Vasicek's formula."""
    n, p, rho = 1_000, 0.05, 0.3
    result = simulation.simulate(
        probability=np.full(n, p), revenue=np.ones(n), rho=rho, scenarios=10_000, seed=3
    )
    analytic = simulation.vasicek_quantile(p=p, rho=rho, q=0.95) * n
    assert result.percentiles["P95"] == pytest.approx(analytic, rel=0.05)
    assert result.tail_complete


def test_a_simulation_is_reproducible_and_names_the_tail_driver():
    kwargs = dict(probability=[0.3, 0.01, 0.01], revenue=[1000, 10, 10], rho=0.2, scenarios=2_000)
    one = simulation.simulate(seed=11, threads=1, **kwargs)
    two = simulation.simulate(seed=11, threads=2, **kwargs)
    assert np.array_equal(one.revenue_losses, two.revenue_losses)
    assert int(np.argmax(one.tail_contribution)) == 0
    with pytest.raises(ValueError):
        simulation.simulate(probability=[1.5], revenue=[1], scenarios=10)
