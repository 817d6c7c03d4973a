"""One formatting path per language (issue 14 item 6) and the chart slips it fixes (item 7)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kam.core import charts, formatting


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "32,983,315 · 3.45 · 26.2% · 0.5"),
        ("id", "32.983.315 · 3,45 · 26,2% · 0,5"),
        ("zh-hant", "32,983,315 · 3.45 · 26.2% · 0.5"),
    ],
)
def test_numbers_read_in_the_readers_format(language, expected):
    template = Template(
        "{% load kam_format %}{{ big|num }} · {{ small|num:2 }} · {{ share|pct:1 }} · "
        '{{ half|num:"-2" }}'
    )
    with translation.override(language):
        shown = template.render(
            Context({"big": 32983315, "small": 3.449, "share": 26.24, "half": Decimal("0.50")})
        )
    assert shown == expected


def test_a_missing_figure_is_a_dash_and_never_minus_zero():
    assert formatting.number(None) == "—"
    assert formatting.number(-0.2) == "0"
    assert formatting.percent("") == "—"


def test_a_charts_legend_has_its_own_line_under_the_title():
    svg = charts.quarterly_chart(
        ["Q1", "Q2"],
        [charts.Series("Sales", [1.0, 2.0]), charts.Series("Margin", [1.0, 1.5], kind="line")],
        title="Sales and gross margin by quarter, reporting currency",
    )
    title_y = re.search(r'<text x="\d+" y="([\d.]+)" font-weight="600">', svg).group(1)
    legend_ys = set(
        re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end" fill="#(?!6b7280)', svg)
    )
    assert legend_ys and all(float(y) >= float(title_y) + 12 for y in legend_ys)


def test_chart_axes_use_the_readers_decimal_comma():
    with translation.override("id"):
        svg = charts.quarterly_chart(["Q1"], [charts.Series("Sales", [2_500_000.0])], title="t")
    assert "2,5M" in svg and "2.5M" not in svg
