"""The simulated loss distribution as a server-drawn SVG bar chart, P95 and P99 marked."""

# ruff: noqa: E501 - SVG markup reads better on one line per element

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from kam.core.charts import short_figure

FONT = "system-ui, 'Noto Sans', 'Noto Sans CJK TC', sans-serif"


def loss_chart(
    edges: Sequence[float],
    counts: Sequence[int],
    *,
    marks: Mapping[str, float],
    title: str,
    x_label: str,
    width: int = 640,
    height: int = 240,
) -> str:
    """Bars of how many scenarios lose each amount; a dashed line at each mark (P95, P99)."""
    left, right, top, bottom = 40, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = (edges[0], edges[-1]) if edges else (0.0, 1.0)
    span = (high - low) or 1.0
    tallest = max(counts or [1]) or 1
    body = [f'<text x="{left}" y="16" font-weight="600">{escape(title)}</text>']
    bar_w = plot_w / max(len(counts), 1)
    for k, count in enumerate(counts):
        h = plot_h * count / tallest
        body.append(
            f'<rect x="{left + k * bar_w + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="#1f5fbf"/>'
        )
    for k in range(0, len(edges), max(len(edges) // 5, 1)):
        xx = left + plot_w * (edges[k] - low) / span
        body.append(
            f'<text x="{xx:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#6b7280">{short_figure(edges[k])}</text>'
        )
    for label, value in marks.items():
        xx = left + plot_w * (value - low) / span
        body.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#b83280" stroke-dasharray="4 3"/>'
        )
        body.append(f'<text x="{xx + 3:.1f}" y="{top + 10}" fill="#b83280">{escape(label)}</text>')
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#9aa5b8"/>'
    )
    body.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#6b7280">{escape(x_label)}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label={quoteattr(title)} font-family="{FONT}" font-size="11"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )
