"""Measure a drawn relationship map in the browser: every label's rendered box (its texts'
union, as chromium lays the fonts out) against every straight piece of every line, and against
every other label. Shared by the 200-person page test and the demo's largest map."""

from __future__ import annotations

MEASURE = """
(svg) => {
  const box = (el) => {
    const b = el.getBBox();
    const m = el.getCTM();
    const p = [new DOMPoint(b.x, b.y), new DOMPoint(b.x + b.width, b.y + b.height)]
      .map((q) => q.matrixTransform(m));
    return [Math.min(p[0].x, p[1].x), Math.min(p[0].y, p[1].y),
            Math.max(p[0].x, p[1].x), Math.max(p[0].y, p[1].y)];
  };
  const labels = [...svg.querySelectorAll("g.label")].map((g) => {
    const parts = [...g.querySelectorAll("text")].filter((t) => t.textContent).map(box);
    return [Math.min(...parts.map((p) => p[0])), Math.min(...parts.map((p) => p[1])),
            Math.max(...parts.map((p) => p[2])), Math.max(...parts.map((p) => p[3]))];
  });
  const segments = [];
  for (const path of svg.querySelectorAll(
      "#reporting-lines path, #overlay-links path, #overlay-team path")) {
    const m = path.getCTM();
    const pts = path.getAttribute("d").trim().split(/[ML]/).filter((s) => s.trim())
      .map((s) => s.trim().split(/[ ,]+/).map(Number))
      .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
    for (let i = 1; i < pts.length; i++) segments.push([pts[i - 1], pts[i]]);
  }
  // Liang-Barsky: does the segment enter the box (shrunk by half a pixel)?
  const crosses = ([a, b], [x0, y0, x1, y1]) => {
    x0 += 0.5; y0 += 0.5; x1 -= 0.5; y1 -= 0.5;
    let t0 = 0, t1 = 1;
    const dx = b.x - a.x, dy = b.y - a.y;
    for (const [p, q] of [[-dx, a.x - x0], [dx, x1 - a.x], [-dy, a.y - y0], [dy, y1 - a.y]]) {
      if (p === 0) { if (q < 0) return false; continue; }
      const r = q / p;
      if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; }
      else { if (r < t0) return false; if (r < t1) t1 = r; }
    }
    return t0 <= t1;
  };
  let crossings = 0;
  for (const s of segments) for (const l of labels) if (crosses(s, l)) crossings++;
  let overlaps = 0;
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i], b = labels[j];
      if (a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5)
        overlaps++;
    }
  const sizes = [...svg.querySelectorAll("text")].map(
    (t) => parseFloat(getComputedStyle(t).fontSize));
  return {people: svg.querySelectorAll("g.contact").length, labels: labels.length,
          segments: segments.length, crossings, overlaps, smallest_text: Math.min(...sizes)};
}
"""


def measure(page, selector: str = "svg.relationship-map") -> dict:
    """The map's figures: people, labels, line segments, crossings, overlaps, smallest text."""
    return page.locator(selector).first.evaluate(MEASURE)
