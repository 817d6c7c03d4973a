"""The packed score breakdown: what goes in comes out as the pages read it, best first."""

from __future__ import annotations

import importlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kam.selection import breakdown

KEYS = ["revenue", "margin_pct", "openness"]
MIGRATION = importlib.import_module(
    "kam.selection.migrations.0004_accountscore_packed_breakdown_composite_pk"
)


def test_it_gives_back_each_criterion_best_first_with_missing_values_as_none() -> None:
    packed = breakdown.pack(
        values=np.array([[53_550_365.48, 25.048629789482433, np.nan]]),
        normalised=np.array([[100.0, 51.1264, np.nan]]),
        points=np.array([[26.315789, 10.764, 0.0]]),
    )
    assert breakdown.unpack(packed[0].tobytes(), KEYS) == [
        {"key": "revenue", "value": 53_550_365.48, "normalised": 100.0, "points": 26.32},
        {"key": "margin_pct", "value": 25.048629789482433, "normalised": 51.13, "points": 10.76},
        {"key": "openness", "value": None, "normalised": None, "points": 0.0},
    ]


def test_ties_keep_the_order_of_the_criteria() -> None:
    packed = breakdown.pack(
        values=np.ones((1, 3)), normalised=np.full((1, 3), 50.0), points=np.array([[5.0, 7, 5]])
    )
    assert [c["key"] for c in breakdown.unpack(packed[0].tobytes(), KEYS)] == [
        "margin_pct",
        "revenue",
        "openness",
    ]


@settings(max_examples=200, deadline=None)
@given(
    arrays(np.float64, (4, 3), elements=st.floats(-1e12, 1e12) | st.just(np.nan)),
    arrays(np.float64, (4, 3), elements=st.floats(0, 100) | st.just(np.nan)),
    arrays(np.float64, (4, 3), elements=st.floats(0, 100)),
)
def test_values_come_back_exact_and_figures_rounded_as_the_pages_show_them(
    values, normalised, points
) -> None:
    packed = breakdown.pack(values=values, normalised=normalised, points=points)
    for row in range(4):
        entries = breakdown.unpack(packed[row].tobytes(), KEYS)
        shown = [c["points"] for c in entries]
        assert shown == sorted(shown, reverse=True)
        for entry in entries:
            j = KEYS.index(entry["key"])
            assert entry["value"] == (None if np.isnan(values[row, j]) else values[row, j])
            # Rounded as numpy rounds, as the JSON breakdown always was.
            expected = None if np.isnan(normalised[row, j]) else np.round(normalised[row, j], 2)
            assert entry["normalised"] == expected
            assert entry["points"] == np.round(points[row, j], 2)


def test_the_migration_packs_old_snapshots_exactly_as_a_run_does() -> None:
    contributions = [
        {"key": "margin_pct", "value": 25.048629789482433, "normalised": 51.13, "points": 10.76},
        {"key": "revenue", "value": 53_550_365.48, "normalised": 100.0, "points": 5.27},
        {"key": "openness", "value": None, "normalised": None, "points": 0.0},
    ]
    packed = MIGRATION._pack(contributions, {key: i for i, key in enumerate(KEYS)})
    assert breakdown.unpack(packed, KEYS) == contributions
    assert MIGRATION._unpack(packed, KEYS) == contributions
