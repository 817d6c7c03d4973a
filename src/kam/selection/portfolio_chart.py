"""The portfolio matrix as SVG: customer attractiveness (the score) against our relative
strength (share of the customer's wallet), in four quadrants with a stance each.

Readable in a meeting: the axes span the data (not 0-100, where every dot sat in one thin
band) with their values written in the reader's number format; the quadrant names sit outside
the plot, so no dot ever covers them; every key account carries its name beside its dot, placed
where it covers no other dot or name (tried around the dot, then further out with a leader
line); a click on a dot or a name opens the account's scorecard.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from kam.core.charts import FONT

LABEL_SIZE = 11
TICK_SIZE = 11


@dataclass(frozen=True)
class Dot:
    x: float  # share of wallet, %
    y: float  # score
    name: str
    href: str
    tooltip: str
    size: float = 5.0  # radius
    key: bool = False  # a key account: named on the chart


@dataclass(frozen=True)
class Chart:
    svg: str
    labelled: int  # key accounts named on the chart
    unlabelled: tuple[str, ...]  # key accounts with no room for their name (in the tooltip)


def _width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def _short(text: str, size: float, room: float) -> str:
    if _width(text, size) <= room:
        return text
    kept = ""
    for ch in text:
        if _width(kept + ch + "…", size) > room:
            break
        kept += ch
    return kept + "…"


def nice_range(
    values: Sequence[float], lo_limit: float, hi_limit: float
) -> tuple[float, float, float]:
    """An axis from a little below the smallest value to a little above the largest, on round
    steps of 1, 2 or 5 times a power of ten (about eight ticks), kept within the limits."""
    lo, hi = min(values), max(values)
    span = max(hi - lo, 10.0)
    if hi - lo < span:  # one account, or all alike: at least ten points around them
        mid = (lo + hi) / 2
        lo, hi = mid - span / 2, mid + span / 2
    raw = span * 1.1 / 8
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    lo = max(lo_limit, math.floor((lo - span * 0.04) / step) * step)
    hi = min(hi_limit, math.ceil((hi + span * 0.04) / step) * step)
    return lo, hi, step


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def portfolio_chart(
    dots: Sequence[Dot],
    *,
    x_split: float,
    y_split: float,
    x_label: str,
    y_label: str,
    quadrants: tuple[str, str, str, str],  # top-left, top-right, bottom-left, bottom-right
    title: str,
    number: Callable[[float], str],
    width: int = 1100,
    height: int = 820,
) -> Chart:
    left, right, top, bottom = 70, 24, 56, 96
    x0, y0, x1, y1 = left, top, width - right, height - bottom
    xs = [d.x for d in dots] + [x_split]
    ys = [d.y for d in dots] + [y_split]
    x_lo, x_hi, x_step = nice_range(xs, 0.0, 100.0)
    y_lo, y_hi, y_step = nice_range(ys, 0.0, 100.0)

    def px(v: float) -> float:
        return x0 + (x1 - x0) * (min(max(v, x_lo), x_hi) - x_lo) / (x_hi - x_lo)

    def py(v: float) -> float:
        return y1 - (y1 - y0) * (min(max(v, y_lo), y_hi) - y_lo) / (y_hi - y_lo)

    sx, sy = px(x_split), py(y_split)
    body = [f'<text x="{x0}" y="18" font-weight="600" font-size="14">{escape(title)}</text>']
    shades = ("#eef4ff", "#e9f7ef", "#f5f5f5", "#fff5e6")
    boxes = ((x0, y0, sx, sy), (sx, y0, x1, sy), (x0, sy, sx, y1), (sx, sy, x1, y1))
    for (a, b, c, d), shade in zip(boxes, shades, strict=True):
        body.append(
            f'<rect x="{a:.1f}" y="{b:.1f}" width="{c - a:.1f}" height="{d - b:.1f}" '
            f'fill="{shade}"/>'
        )
    # Axis values, in the reader's number format.
    ticks_x, v = [], x_lo
    while v <= x_hi + 1e-9:
        ticks_x.append(v)
        v += x_step
    ticks_y, v = [], y_lo
    while v <= y_hi + 1e-9:
        ticks_y.append(v)
        v += y_step
    body.append('<g class="ticks" fill="#4b5563">')
    for t in ticks_x:
        x = px(t)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0}" y2="{y1}" stroke="#ffffff"/>')
        body.append(
            f'<text class="tick x" x="{x:.1f}" y="{y1 + 16}" text-anchor="middle" '
            f'font-size="{TICK_SIZE}">{escape(number(t))}</text>'
        )
    for t in ticks_y:
        y = py(t)
        body.append(f'<line x1="{x0}" x2="{x1}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ffffff"/>')
        body.append(
            f'<text class="tick y" x="{x0 - 8}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="{TICK_SIZE}">{escape(number(t))}</text>'
        )
    body.append("</g>")
    body.append(
        f'<line x1="{sx:.1f}" x2="{sx:.1f}" y1="{y0}" y2="{y1}" stroke="#6b7280" '
        'stroke-dasharray="5 4"/>'
        f'<line x1="{x0}" x2="{x1}" y1="{sy:.1f}" y2="{sy:.1f}" stroke="#6b7280" '
        'stroke-dasharray="5 4"/>'
    )
    # The quadrant names outside the plot: above it for the attractive half, under the axis
    # values for the other; no dot can reach them there.
    for name, cx, cy in (
        (quadrants[0], (x0 + sx) / 2, y0 - 10),
        (quadrants[1], (sx + x1) / 2, y0 - 10),
        (quadrants[2], (x0 + sx) / 2, y1 + 40),
        (quadrants[3], (sx + x1) / 2, y1 + 40),
    ):
        body.append(
            f'<text class="quadrant" x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" '
            f'fill="#374151" font-size="13" font-weight="600">{escape(name)}</text>'
        )
    body.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{height - 12}" text-anchor="middle" '
        f'fill="#374151" font-size="12">{escape(x_label)}</text>'
    )
    body.append(
        f'<text transform="translate(18 {(y0 + y1) / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="#374151" font-size="12">{escape(y_label)}</text>'
    )
    # Dots: the others first, the key accounts on top.
    placed = [(px(d.x), py(d.y), d) for d in dots]
    taken = [(x - d.size - 1, y - d.size - 1, x + d.size + 1, y + d.size + 1) for x, y, d in placed]
    for x, y, d in sorted(placed, key=lambda p: p[2].key):
        fill = "#1f5fbf" if d.key else "#9aa5b1"
        body.append(
            f'<a href={quoteattr(d.href)} class="dot-link" aria-label={quoteattr(d.tooltip)}>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{d.size:.1f}" class="dot{" key" if d.key else ""}" fill="{fill}" '
            f'fill-opacity="0.85" stroke="#fff"><title>{escape(d.tooltip)}</title></circle></a>'
        )
    # Names of the key accounts, biggest first, where they cover nothing.
    labelled, unlabelled = 0, []
    names: list[str] = []
    for x, y, d in sorted(placed, key=lambda p: -p[2].size):
        if not d.key:
            continue
        text = _short(d.name, LABEL_SIZE, 150)
        w, h = _width(text, LABEL_SIZE), LABEL_SIZE + 3
        spot = None
        for reach in (2.0, 9.0, 18.0, 30.0, 44.0):
            gap = d.size + reach
            for dx, dy, anchor in (
                (gap, 0, "start"),
                (-gap, 0, "end"),
                (0, -gap - 2, "middle"),
                (0, gap + h - 2, "middle"),
                (gap * 0.7, -gap * 0.7, "start"),
                (gap * 0.7, gap * 0.7 + h / 2, "start"),
                (-gap * 0.7, -gap * 0.7, "end"),
                (-gap * 0.7, gap * 0.7 + h / 2, "end"),
                (gap * 0.4, -gap - 2, "start"),
                (-gap * 0.4, -gap - 2, "end"),
                (gap * 0.4, gap + h - 2, "start"),
                (-gap * 0.4, gap + h - 2, "end"),
            ):
                tx, ty = x + dx, y + dy + 4
                bx0 = tx if anchor == "start" else tx - w if anchor == "end" else tx - w / 2
                box = (bx0 - 1, ty - h + 2, bx0 + w + 1, ty + 3)
                inside = box[0] >= x0 and box[2] <= x1 and box[1] >= y0 and box[3] <= y1
                if inside and not any(_overlaps(box, t) for t in taken):
                    spot = (tx, ty, anchor, box, reach)
                    break
            if spot:
                break
        if spot is None:
            unlabelled.append(d.name)
            continue
        tx, ty, anchor, box, reach = spot
        taken.append(box)
        labelled += 1
        leader = ""
        if reach > 2.0:  # a thin line back to the dot when the name had to move away
            lx = (
                box[0]
                if anchor == "start"
                else box[2]
                if anchor == "end"
                else (box[0] + box[2]) / 2
            )
            ly = (box[1] + box[3]) / 2
            leader = (
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" stroke="#9aa5b1" '
                'stroke-width="0.8"/>'
            )
        names.append(
            f'{leader}<a href={quoteattr(d.href)} class="name-link"><title>{escape(d.tooltip)}'
            f'</title><text class="account-name" x="{tx:.1f}" y="{ty:.1f}" '
            f'text-anchor="{anchor}" font-size="{LABEL_SIZE}" fill="#111827">{escape(text)}'
            "</text></a>"
        )
    body.extend(names)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="group" aria-label={quoteattr(title)} font-family="{FONT}" font-size="11" '
        f'class="portfolio-matrix"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )
    return Chart(svg, labelled, tuple(unlabelled))
