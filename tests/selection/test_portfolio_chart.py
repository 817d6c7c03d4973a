"""The portfolio matrix drawing: axes span the data with their values, the quadrant names
stay clear of every dot, key accounts are named beside their dots without overlapping, and
every dot and name opens the scorecard (issue 14 item 4)."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

from kam.selection.portfolio_chart import Dot, nice_range, portfolio_chart

SVG = "{http://www.w3.org/2000/svg}"


def chart(dots):
    return portfolio_chart(
        dots,
        x_split=50,
        y_split=60,
        x_label="strength",
        y_label="score",
        quadrants=("Invest", "Maintain", "Streamline", "Manage for cash"),
        title="Portfolio matrix",
        number=lambda v: f"{v:g}",
    )


def crowd(n: int = 80, seed: int = 3) -> list[Dot]:
    rng = random.Random(seed)
    return [
        Dot(
            x=rng.uniform(15, 88),
            y=rng.uniform(40, 71),
            name=f"PT Account Number {i}",
            href=f"/selection/accounts/{i}/",
            tooltip=f"Account {i}",
            size=rng.uniform(4, 10),
            key=i % 2 == 0,
        )
        for i in range(n)
    ]


def test_the_axes_span_the_data_not_the_whole_scale():
    lo, hi, step = nice_range([39.0, 71.0, 60.0], 0, 100)
    assert 30 <= lo <= 39 and 71 <= hi <= 80 and step in (2, 5, 10)
    svg = chart(crowd()).svg
    ticks = re.findall(r'class="tick y"[^>]*>([^<]+)<', svg)
    assert len(ticks) >= 5 and "0" not in ticks and "100" not in ticks


def test_quadrant_names_sit_clear_of_every_dot_and_key_accounts_are_named():
    drawn = chart(crowd())
    root = ET.fromstring(drawn.svg)  # noqa: S314 (our own output)
    dots = [
        (float(c.attrib["cx"]), float(c.attrib["cy"]), float(c.attrib["r"]))
        for c in root.iter(f"{SVG}circle")
    ]
    plot = next(r for r in root.iter(f"{SVG}rect"))
    top = float(plot.attrib["y"])
    quadrants = [t for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "quadrant"]
    assert len(quadrants) == 4
    for q in quadrants:
        y = float(q.attrib["y"])
        assert all(abs(y - 5 - cy) > r + 7 for _, cy, r in dots)  # never over a dot
        assert y < top or y > max(cy for _, cy, _ in dots)
    names = [t for t in root.iter(f"{SVG}text") if t.attrib.get("class") == "account-name"]
    assert drawn.labelled == len(names) >= 25
    assert all("".join(n.itertext()).startswith("PT Account Number") for n in names)
    assert all(a.attrib["href"].startswith("/selection/accounts/") for a in root.iter(f"{SVG}a"))
