"""Small server-side SVG charts: no JavaScript, nothing loaded from the internet.

Pure functions from numbers and labels to an SVG string. Every text is escaped.
"""

# ruff: noqa: E501 - SVG markup reads better on one line per element

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from kam.core import formatting

FONT = "system-ui, 'Noto Sans', 'Noto Sans CJK TC', sans-serif"
TITLE_Y = 14
LEGEND_Y = 30  # the legend's own line under the title: a long title never runs into it
PALETTE = ("#1f5fbf", "#e07a1f", "#2f9e5b", "#b83280", "#6b7280")


def short_figure(value: float) -> str:
    """An axis or tooltip figure, short (1.5M) and in the reader's number format (1,5M)."""
    magnitude = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return formatting.number(value / limit, 1, trim=True) + suffix
    return formatting.number(value, 0 if magnitude >= 10 or value == 0 else 1, trim=True)


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    step = (high - low) / count
    power = 10 ** math.floor(math.log10(step))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= step)
    start = math.floor(low / step) * step
    return [
        start + i * step
        for i in range(int((high - start) / step) + 2)
        if start + i * step <= high + step / 2
    ]


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(title)} font-family="{FONT}" '
        f'font-size="11"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    kind: str = "bar"  # "bar" or "line"


def quarterly_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 520,
    height: int = 220,
) -> str:
    """Bars and lines over quarters on one axis (values of one unit)."""
    # The legend gets its own line under the title, so long titles never run into it.
    left, right, top, bottom = 48, 10, 40, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    low, high = min([0.0, *values]), max([0.0, *values]) or 1.0
    ticks = _ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    n = max(len(labels), 1)
    slot = plot_w / n
    body = [f'<text x="{left}" y="{TITLE_Y}" font-weight="600">{escape(title)}</text>']
    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e5e7eb"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#6b7280">{short_figure(tick)}</text>'
        )
    bars = [s for s in series if s.kind == "bar"]
    bar_w = slot * 0.7 / max(len(bars), 1)
    for b, s in enumerate(bars):
        for i, v in enumerate(s.values):
            if v is None or not math.isfinite(v):
                continue
            x = left + i * slot + slot * 0.15 + b * bar_w
            y0, y1 = sorted((y(0), y(v)))
            body.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                f'fill="{PALETTE[b % len(PALETTE)]}"><title>{escape(labels[i])}: {short_figure(v)}</title></rect>'
            )
    for k, s in enumerate(s for s in series if s.kind == "line"):
        colour = PALETTE[(len(bars) + k) % len(PALETTE)]
        points = [
            (left + (i + 0.5) * slot, y(v))
            for i, v in enumerate(s.values)
            if v is not None and math.isfinite(v)
        ]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            body += [
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>'
                for px, py in points
            ]
    for i, label in enumerate(labels):
        if n <= 8 or i % 2 == 0:
            body.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - 10}" text-anchor="middle" fill="#6b7280">{escape(label)}</text>'
            )
    legend_x = width - right
    for s in reversed(series):
        colour_index = (
            series.index(s)
            if s.kind == "bar"
            else len(bars) + [x for x in series if x.kind == "line"].index(s)
        )
        body.append(
            f'<text x="{legend_x}" y="{LEGEND_Y}" text-anchor="end" fill="{PALETTE[colour_index % len(PALETTE)]}">■ {escape(s.name)}</text>'
        )
        legend_x -= 24 + sum(11 if ord(ch) > 0x2E80 else 6.5 for ch in s.name)
    return _svg(width, height, body, title)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    href: str = ""
    css: str = ""
    size: float = 5.0


def matrix_chart(
    points: Sequence[Point],
    *,
    x_split: float,
    y_split: float,
    x_label: str,
    y_label: str,
    quadrants: tuple[str, str, str, str],
    title: str,
    width: int = 640,
    height: int = 480,
    x_max: float = 100.0,
    y_max: float = 100.0,
) -> str:
    """A 2x2 portfolio matrix; ``quadrants`` read top-left, top-right, bottom-left, bottom-right."""
    left, right, top, bottom = 48, 16, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), x_max) / x_max

    def py(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), y_max) / y_max)

    sx, sy = px(x_split), py(y_split)
    shades = ("#eef4ff", "#e9f7ef", "#f7f7f7", "#fff5e6")
    boxes = (
        (left, top, sx, sy),
        (sx, top, width - right, sy),
        (left, sy, sx, height - bottom),
        (sx, sy, width - right, height - bottom),
    )
    body = [f'<text x="{left}" y="16" font-weight="600">{escape(title)}</text>']
    for (x0, y0, x1, y1), shade, name in zip(boxes, shades, quadrants, strict=True):
        body.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="{shade}"/>'
        )
        body.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 + 16:.1f}" text-anchor="middle" fill="#4b5563" font-size="12" font-weight="600">{escape(name)}</text>'
        )
    body.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="#374151">{escape(x_label)}</text>'
    )
    body.append(
        f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" fill="#374151">{escape(y_label)}</text>'
    )
    for point in points:
        dot = (
            f'<circle cx="{px(point.x):.1f}" cy="{py(point.y):.1f}" r="{point.size:.1f}" '
            f'class="dot {escape(point.css)}" fill="#1f5fbf" fill-opacity="0.75" stroke="#fff">'
            f"<title>{escape(point.label)}</title></circle>"
        )
        body.append(f"<a href={quoteattr(point.href)}>{dot}</a>" if point.href else dot)
    return _svg(width, height, body, title)


def pareto_chart(
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 320,
    marks: Sequence[float] = (80.0, 95.0),
) -> str:
    """Cumulative share of the total against the share of accounts, largest first."""
    left, right, top, bottom = 48, 16, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    ordered = sorted((max(v, 0.0) for v in values), reverse=True)
    total = sum(ordered) or 1.0
    n = max(len(ordered), 1)
    body = [f'<text x="{left}" y="16" font-weight="600">{escape(title)}</text>']
    for pct in (0, 25, 50, 75, 100):
        yy = top + plot_h * (1 - pct / 100)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e5e7eb"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#6b7280">{pct}%</text>'
        )
        xx = left + plot_w * pct / 100
        body.append(
            f'<text x="{xx:.1f}" y="{height - 22}" text-anchor="middle" fill="#6b7280">{pct}%</text>'
        )
    # At most ~400 vertices whatever the number of accounts: the curve looks the same.
    stride = max(1, n // 400)
    running, points = 0.0, [(left, top + plot_h)]
    for i, v in enumerate(ordered, start=1):
        running += v
        if i % stride == 0 or i == n:
            points.append((left + plot_w * i / n, top + plot_h * (1 - running / total)))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    body.append(f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
    for mark in marks:
        yy = top + plot_h * (1 - mark / 100)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e07a1f" stroke-dasharray="4 3"/>'
        )
    body.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#374151">{escape(x_label)}</text>'
    )
    body.append(
        f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" fill="#374151">{escape(y_label)}</text>'
    )
    return _svg(width, height, body, title)
