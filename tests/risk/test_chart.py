"""The simulated loss chart's axis reads in the reader's number format."""

from django.utils import translation

from kam.risk.chart import loss_chart


def axis(language: str) -> str:
    with translation.override(language):
        return loss_chart(
            [28_400_000.0, 61_500_000.0, 94_600_000.0],
            [3, 5],
            marks={"P95": 90_000_000.0},
            title="t",
            x_label="x",
        )


def test_the_axis_has_a_decimal_comma_in_indonesian_and_a_point_in_english():
    assert ">28,4M<" in axis("id") and ">28.4M<" not in axis("id")
    assert ">28.4M<" in axis("en")
