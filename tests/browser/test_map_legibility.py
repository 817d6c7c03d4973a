"""The relationship map of 200 people in a real browser: no line crosses a name, no two
labels overlap, no text smaller than 11 px, everyone drawn (issue 14 item 3)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from tests.browser.map_geometry import measure
from tests.factories import ContactFactory
from tests.relationships.factories import AssessmentFactory, LinkFactory

pytestmark = pytest.mark.browser

DEPARTMENTS = ["Pengadaan", "Teknik", "Penjualan", "Keuangan", "Desain", "运营部"]


def _organisation(account, size: int = 200, seed: int = 14) -> None:
    """A chief, department heads, managers and staff, each assessed, with random links of
    every kind: ``size`` people in all (the account fixture brings the first)."""
    rng = random.Random(seed)
    chief = account.contacts.get()
    heads = {d: ContactFactory(account=account, name=f"Kepala {d}", department=d,
                               reports_to=chief) for d in DEPARTMENTS}  # fmt: skip
    managers: dict[str, list] = {d: [] for d in DEPARTMENTS}
    people = [chief, *heads.values()]
    while len(people) < size:
        d = rng.choice(DEPARTMENTS)
        boss = heads[d] if rng.random() < 0.2 or not managers[d] else rng.choice(managers[d])
        person = ContactFactory(
            account=account,
            name=f"{rng.choice(['Siti', '王伟', 'Budi Santoso', 'Anna-Lena'])} {len(people)}",
            title=rng.choice(["Manajer pengadaan senior", "工程師", "Sales lead"]),
            department=d,
            reports_to=boss,
        )
        if boss is heads[d]:
            managers[d].append(person)
        people.append(person)
    for person in people:
        AssessmentFactory(
            contact=person,
            influence=rng.randint(1, 5),
            attitude=rng.choice(["supporter", "neutral", "opponent"]),
        )
    kinds = ["influences", "allied_with", "in_tension_with", "restricts_access"]
    pairs = {tuple(rng.sample(people, 2)) for _ in range(size // 2)}
    for source, target in pairs:
        LinkFactory(source=source, target=target, kind=rng.choice(kinds))


def test_a_200_person_map_has_no_line_across_a_name(log_in, live_server, alice, account):
    _organisation(account)
    page = log_in(alice)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/relationships/accounts/{account.public_id}/map/?team=on")
    figures = measure(page)
    assert figures["people"] == 200
    assert figures["segments"] > 500  # reporting lines, links and our team's lines measured
    assert figures["crossings"] == 0, figures
    assert figures["overlaps"] == 0, figures
    assert figures["smallest_text"] >= 11, figures
    assert "Everyone is shown: 200 people." in page.inner_text("[data-testid=map-status]")


# A3 landscape less the print margins (8 mm), in CSS pixels: what a printed sheet holds.
A3_PRINTABLE = {"width": 1527, "height": 1062}
PRINTED = """
() => {
  const drawing = document.querySelector("svg.relationship-map");
  const names = [...drawing.querySelectorAll("g.label text.n")]
    .map((t) => parseFloat(getComputedStyle(t).fontSize));
  const sheets = [...document.querySelectorAll("svg.map-sheet")].map((s) => {
    const box = s.getBoundingClientRect();
    const view = s.viewBox.baseVal;
    return {width: box.width, height: box.height, top: view.y, rows: view.height,
            scale: box.width / view.width};
  });
  return {names: Math.min(...names), height: drawing.viewBox.baseVal.height, sheets};
}
"""


def test_the_200_person_map_prints_on_a3_with_names_of_8_points(
    log_in, live_server, alice, account
):
    """'Lay out for A3 paper' then print: the map goes on as many A3 sheets as it needs, each
    whole on its page, none shrunk below names of 8 pt (it printed at half scale, names 5 pt)."""
    _organisation(account)
    page = log_in(alice)
    page.goto(f"{live_server.url}/relationships/accounts/{account.public_id}/map/?fit=a3")
    said = page.inner_text("[data-testid=print-sheets]")
    pdf = page.pdf(format="A3", landscape=True, print_background=True)
    page.emulate_media(media="print")
    page.set_viewport_size(A3_PRINTABLE)
    printed = page.evaluate(PRINTED)
    sheets = printed["sheets"]
    assert sheets and len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(sheets)
    assert said == ("(1 sheet)" if len(sheets) == 1 else f"({len(sheets)} sheets)")
    for sheet in sheets:
        assert sheet["width"] <= A3_PRINTABLE["width"] + 0.5, sheet
        assert sheet["height"] <= A3_PRINTABLE["height"] - 40, sheet  # under the title
        points = printed["names"] * sheet["scale"] * 72 / 96
        assert points >= 8, (points, sheet)
    # Together the sheets show the whole drawing, each taking up where the last ended.
    assert sheets[0]["top"] == 0
    for before, after in itertools.pairwise(sheets):
        assert abs(before["top"] + before["rows"] - after["top"]) < 0.5
    assert abs(sheets[-1]["top"] + sheets[-1]["rows"] - printed["height"]) < 1
