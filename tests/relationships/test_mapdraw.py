"""Behaviour of the server-side SVG relationship map."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kam.relationships.analysis import (
    AccountContext,
    AccountSnapshot,
    Attitude,
    BuyingRole,
    ContactLink,
    ContactStatus,
    EntrenchedInterest,
    LinkKind,
)
from kam.relationships.mapdraw import COLOURS, MapOptions, draw_map, fit_text, text_width
from tests.relationships.test_analysis import ALICE, BOB, TODAY, account, met, person

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse the SVG (fails the test if it is not well-formed XML)."""
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def people(root: ET.Element) -> dict[int, ET.Element]:
    """Each drawn person's <g>, by contact id."""
    return {
        int(g.attrib["data-contact-id"]): g
        for g in root.iter(f"{SVG}g")
        if "contact" in g.attrib.get("class", "").split()
    }


def position(g: ET.Element) -> tuple[float, float]:
    """The translate(x,y) of a person's group."""
    inner = g.attrib["transform"].removeprefix("translate(").removesuffix(")")
    x, y = inner.split(",")
    return float(x), float(y)


def org() -> AccountSnapshot:
    """A boss, two managers, their reports; a departed one; links; our team."""
    contacts = (
        person(1, "王伟", department="Management", influence=5, attitude=Attitude.SUPPORTER,
               known_by=(ALICE,), role=BuyingRole.DECISION_MAKER),
        person(2, "Siti Rahayu", department="Procurement", reports_to=1, influence=4,
               attitude=Attitude.OPPONENT, known_by=(BOB,), role=BuyingRole.GATEKEEPER),
        person(3, "Budi Santoso", department="Design", reports_to=1, influence=2),
        person(4, "Anna <Berg> & Co", department="Design", reports_to=3, influence=1,
               title='Lead "designer"'),
        person(5, "Dewi Lestari", department="Design", reports_to=3,
               status=ContactStatus.LEFT, left_on=TODAY - timedelta(days=3)),
        person(6, "Lars Sato", department="Sales", influence=3),
    )  # fmt: skip
    links = (
        ContactLink(2, 3, LinkKind.IN_TENSION_WITH),
        ContactLink(1, 6, LinkKind.INFLUENCES),
    )
    interests = (EntrenchedInterest(1, 2, "kickbacks", 4),)
    interactions = (
        met(1, (ALICE,), (1,), "pilot"),
        met(2, (ALICE,), (1,), "senior_visit"),
        met(60, (BOB,), (2,), "call"),
    )
    return account(contacts=contacts, links=links, interests=interests, interactions=interactions)


def draw(snap: AccountSnapshot | None = None, **options: object):  # type: ignore[no-untyped-def]
    """Draw with the context's strengths and who-knows-whom."""
    snap = snap or org()
    ctx = AccountContext.build(snap)
    return draw_map(
        snap,
        strengths=ctx.strengths.pairs,
        known_by=ctx.known_by,
        options=MapOptions(**options),  # type: ignore[arg-type]
    )


def test_it_returns_well_formed_svg_with_its_size() -> None:
    drawing = draw()
    root = parse(drawing.svg)
    assert root.tag == f"{SVG}svg"
    assert root.attrib["width"] == str(drawing.width) and drawing.width > 0
    assert root.attrib["height"] == str(drawing.height) and drawing.height > 0
    assert "Noto Sans CJK" in root.attrib["font-family"]


def test_each_person_is_a_group_the_page_can_click() -> None:
    drawing = draw(panel_url_template="/relationships/contacts/{id}/panel/")
    groups = people(parse(drawing.svg))
    assert set(groups) == {1, 2, 3, 4, 5, 6}
    assert groups[3].attrib["hx-get"] == "/relationships/contacts/3/panel/"
    # The panel's target is said once, on the people's layer (htmx inherits it).
    layer = parse(drawing.svg).find(f".//{SVG}g[@id='contacts']")
    assert layer is not None and layer.attrib["hx-target"] == "#contact-panel"


def test_it_keeps_chinese_names_and_escapes_markup_in_names() -> None:
    drawing = draw()
    assert "<Berg>" not in drawing.svg
    texts = ["".join(t.itertext()) for t in parse(drawing.svg).iter(f"{SVG}text")]
    assert "王伟" in texts
    assert any(t.startswith("Anna <Berg> & Co") or t.startswith("Anna <Berg>") for t in texts)
    assert 'Lead "designer"' in texts


def test_it_drops_control_characters_that_would_break_the_xml() -> None:
    snap = replace(org(), contacts=(person(1, "Bad\x00name\x1b"),))
    assert "Badname" in draw(snap).svg


def test_it_colours_people_by_attitude() -> None:
    groups = people(parse(draw().svg))
    fill = {cid: g.find(f"{SVG}circle").attrib["fill"] for cid, g in groups.items()}  # type: ignore[union-attr]
    assert fill[1] == COLOURS[Attitude.SUPPORTER]
    assert fill[2] == COLOURS[Attitude.OPPONENT]
    assert fill[3] == COLOURS[Attitude.NEUTRAL]


def test_more_influential_people_are_drawn_bigger() -> None:
    groups = people(parse(draw().svg))
    r = {cid: float(g.find(f"{SVG}circle").attrib["r"]) for cid, g in groups.items()}  # type: ignore[union-attr]
    assert r[1] > r[2] > r[3] > r[4]


def test_it_dashes_the_outline_of_people_nobody_knows_in_person() -> None:
    groups = people(parse(draw().svg))
    assert "unknown" in groups[3].attrib["class"]
    assert "stroke-dasharray" in groups[3].find(f"{SVG}circle").attrib  # type: ignore[union-attr]
    assert "stroke-dasharray" not in groups[1].find(f"{SVG}circle").attrib  # type: ignore[union-attr]


def test_it_marks_people_with_a_threatened_interest() -> None:
    groups = people(parse(draw().svg))
    marked = {
        cid for cid, g in groups.items() if g.find(f"{SVG}g[@class='interest-mark']") is not None
    }
    assert marked == {2}


def test_it_fades_and_strikes_through_departed_people() -> None:
    groups = people(parse(draw().svg))
    gone = groups[5]
    assert "departed" in gone.attrib["class"]
    assert float(gone.attrib["opacity"]) < 1
    assert gone.find(f"{SVG}line") is not None
    assert any(t.attrib.get("text-decoration") == "line-through" for t in gone.iter(f"{SVG}text"))


def test_departed_people_can_be_left_off() -> None:
    assert 5 not in draw(include_departed=False).contact_ids


def test_links_and_team_are_separate_overlays_css_can_toggle() -> None:
    root = parse(draw().svg)
    links = root.find(f".//{SVG}g[@id='overlay-links']")
    team = root.find(f".//{SVG}g[@id='overlay-team']")
    assert links is not None and "overlay" in links.attrib["class"]
    assert team is not None and "overlay" in team.attrib["class"]
    kinds = {line.attrib["class"] for line in links.iter(f"{SVG}path")}
    assert kinds == {"link in_tension_with", "link influences"}
    hidden = parse(draw(overlays_shown=frozenset({"team"})).svg)
    assert hidden.find(f".//{SVG}g[@id='overlay-links']").attrib["display"] == "none"  # type: ignore[union-attr]


def test_past_the_cap_the_telling_links_are_drawn_and_the_rest_counted() -> None:
    snap = replace(
        org(),
        links=(
            ContactLink(3, 6, LinkKind.ALLIED_WITH),
            ContactLink(2, 3, LinkKind.IN_TENSION_WITH),
            ContactLink(1, 6, LinkKind.INFLUENCES),
        ),
    )

    def drawn(**options: object) -> tuple[set[str], int]:
        drawing = draw(snap, **options)
        links = parse(drawing.svg).find(f".//{SVG}g[@id='overlay-links']")
        return {x.attrib["class"] for x in links.iter(f"{SVG}path")}, drawing.lines_left_out  # type: ignore[union-attr]

    assert drawn() == ({"link allied_with", "link in_tension_with", "link influences"}, 0)
    # A tension is a risk: it stays; the alliance between the less influential goes.
    assert drawn(max_links=2) == ({"link in_tension_with", "link influences"}, 1)
    # The person searched for keeps their lines before any other, even a tension.
    assert drawn(max_links=2, focus_contact_id=6, focus_hops=None) == (
        {"link allied_with", "link influences"},
        1,
    )
    team = draw(team_min_strength=1, max_team_lines=1)
    paths = parse(team.svg).iter(f"{SVG}path")
    assert len([x for x in paths if x.attrib.get("class") == "team-link"]) == 1
    assert team.lines_left_out >= 1


def test_team_lines_grow_wider_with_strength() -> None:
    root = parse(draw(team_min_strength=1).svg)
    lines = {
        (int(x.attrib["data-user-id"]), int(x.attrib["data-contact-id"])): float(
            x.attrib["stroke-width"]
        )
        for x in root.iter(f"{SVG}path")
        if x.attrib.get("class") == "team-link"
    }
    assert lines[(ALICE, 1)] > lines[(BOB, 2)]


def test_managers_sit_above_their_reports() -> None:
    pos = {cid: position(g) for cid, g in people(parse(draw().svg)).items()}
    assert pos[1][1] < pos[2][1] and pos[1][1] < pos[3][1]
    assert pos[3][1] < pos[4][1]
    # The boss is centred over the first and last of their direct reports.
    assert min(pos[2][0], pos[3][0]) <= pos[1][0] <= max(pos[2][0], pos[3][0])


def test_filtering_a_department_keeps_the_reports_under_the_nearest_shown_manager() -> None:
    drawing = draw(departments=frozenset({"Management", "Design"}))
    assert set(drawing.contact_ids) == {1, 3, 4, 5}
    assert "Siti" not in drawing.svg


def test_it_filters_by_buying_role() -> None:
    drawing = draw(roles=frozenset({BuyingRole.GATEKEEPER}))
    assert drawing.contact_ids == (2,)


def test_it_collapses_subtrees_below_a_depth() -> None:
    drawing = draw(collapse_depth=1)
    assert 4 not in drawing.contact_ids and 5 not in drawing.contact_ids
    assert drawing.hidden_below == {3: 2}
    assert "+2" in drawing.svg


def test_it_focuses_on_one_person_and_their_neighbourhood() -> None:
    drawing = draw(focus_contact_id=6, focus_hops=1)
    assert set(drawing.contact_ids) == {1, 6}  # Lars and the boss who influences him
    focused = people(parse(drawing.svg))[6]
    assert "focus" in focused.attrib["class"]


def test_it_survives_a_reporting_cycle_in_bad_data() -> None:
    snap = account(
        contacts=(
            person(1, "A", reports_to=2),
            person(2, "B", reports_to=1),
            person(0, "Under the cycle", reports_to=1),
        )
    )
    drawing = draw(snap)
    assert set(drawing.contact_ids) == {0, 1, 2}
    pos = {cid: position(g) for cid, g in people(parse(drawing.svg)).items()}
    assert pos[1][1] < pos[0][1]  # still drawn under their manager


def test_long_names_are_shortened_to_fit_their_slot() -> None:
    name = "Bapak Raden Mas Haryo Suryo Kusumo Adiningrat Wibowo"
    short = fit_text(name, 12, 100)
    assert short.endswith("…") and text_width(short, 12) <= 100
    assert text_width("王伟王伟", 12) > text_width("Wang", 12)


def _translate(el: ET.Element) -> tuple[float, float]:
    t = el.attrib.get("transform", "")
    if not t.startswith("translate("):
        return 0.0, 0.0
    x, y = t.removeprefix("translate(").removesuffix(")").replace(" ", ",").split(",")[:2]
    return float(x), float(y)


def label_boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Each label's box (its texts' union), estimated from the text and font size the way the
    drawing sizes them; the browser test measures the rendered boxes instead."""
    boxes = []

    def walk(el: ET.Element, dx: float, dy: float) -> None:
        ox, oy = _translate(el)
        dx, dy = dx + ox, dy + oy
        if el.tag == f"{SVG}g" and "label" in el.attrib.get("class", "").split():
            parts = []
            for t in el.iter(f"{SVG}text"):
                size = float(t.attrib["font-size"])
                w = text_width("".join(t.itertext()), size)
                x, y = dx + float(t.attrib.get("x", 0)), dy + float(t.attrib.get("y", 0))
                anchor = t.attrib.get("text-anchor", "start")
                x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
                parts.append((x0, y - 1.1 * size, x0 + w, y + 0.3 * size))
            boxes.append(
                (
                    min(p[0] for p in parts),
                    min(p[1] for p in parts),
                    max(p[2] for p in parts),
                    max(p[3] for p in parts),
                )
            )
            return
        for kid in el:
            walk(kid, dx, dy)

    walk(root, 0.0, 0.0)
    return boxes


def line_segments(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Every straight piece of the reporting lines and the overlays."""
    segments = []
    outer = root.find(f"{SVG}g")
    dx, _ = _translate(outer)  # type: ignore[arg-type]
    for layer in ("reporting-lines", "overlay-links", "overlay-team"):
        g = root.find(f".//{SVG}g[@id='{layer}']")
        for path in g.iter(f"{SVG}path"):  # type: ignore[union-attr]
            points = [
                tuple(float(v) for v in p.split(","))
                for p in path.attrib["d"].replace("M", "").split(" L")
            ]
            for (x1, y1), (x2, y2) in itertools.pairwise(points):
                segments.append((x1 + dx, y1, x2 + dx, y2))
    return segments


def crossings(svg: str) -> tuple[int, int]:
    """(lines crossing a label, pairs of overlapping labels) in a drawing."""
    root = parse(svg)
    boxes = label_boxes(root)
    lines = 0
    for x1, y1, x2, y2 in line_segments(root):
        lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        lines += sum(
            1 for b in boxes if lo_x < b[2] and hi_x > b[0] and lo_y < b[3] and hi_y > b[1]
        )
    overlaps = sum(
        1
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    )
    return lines, overlaps


def big_org(n: int = 200, seed: int = 7) -> AccountSnapshot:
    """A generated organisation of ``n`` people: a chief, department heads, managers and their
    staff, with links of every kind between random people (the browser test's 200)."""
    rng = random.Random(seed)
    departments = ["Procurement", "Engineering", "Sales", "Finance", "Design", "Operations"]
    contacts = [person(1, "Chief Executive", department="Board", influence=5)]
    heads = {}
    for d in departments:
        cid = len(contacts) + 1
        heads[d] = cid
        contacts.append(person(cid, f"Head of {d}", department=d, reports_to=1, influence=4))
    managers = []
    while len(contacts) < n:
        d = rng.choice(departments)
        cid = len(contacts) + 1
        if rng.random() < 0.2:
            boss = heads[d]
            managers.append((cid, d))
        else:
            mine = [m for m, md in managers if md == d]
            boss = rng.choice(mine) if mine else heads[d]
        contacts.append(
            person(
                cid,
                f"{rng.choice(['Siti', 'Wang', 'Anna', 'Budi', 'Lars'])} {d[:4]} {cid}",
                title=f"{d} specialist",
                department=d,
                reports_to=boss,
                influence=rng.randint(0, 5),
                attitude=rng.choice(list(Attitude)),
            )
        )
    kinds = list(LinkKind)
    links = tuple(
        ContactLink(a, b, rng.choice(kinds))
        for a, b in {(rng.randint(1, n), rng.randint(1, n)) for _ in range(n // 2)}
        if a != b
    )
    return account(contacts=tuple(contacts), links=links)


def test_no_line_crosses_a_label_and_no_labels_overlap_on_a_200_person_map() -> None:
    snap = big_org()
    drawing = draw_map(snap, strengths={(ALICE, c.id): 80 for c in snap.contacts[:40]},
                       options=MapOptions(team_min_strength=1))  # fmt: skip
    assert len(drawing.contact_ids) == 200 and drawing.unrouted == 0
    assert crossings(drawing.svg) == (0, 0)


@st.composite
def forests(draw_: st.DrawFn) -> AccountSnapshot:
    """Random org charts of up to 60 people, managers always earlier (no cycles)."""
    n = draw_(st.integers(1, 60))
    contacts = tuple(
        person(
            i,
            f"P{i}",
            reports_to=draw_(st.one_of(st.none(), st.integers(1, i - 1))) if i > 1 else None,
            department=draw_(st.sampled_from(["", "Design", "Sales"])),
            influence=draw_(st.integers(1, 5)),
        )
        for i in range(1, n + 1)
    )
    pairs = draw_(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=n))
    links = tuple(ContactLink(a, b, LinkKind.INFLUENCES) for a, b in set(pairs) if a != b)
    return account(contacts=contacts, links=links)


@settings(max_examples=60, deadline=None)
@given(forests(), st.integers(0, 4))
def test_no_line_ever_crosses_a_label(snap: AccountSnapshot, stack: int) -> None:
    strengths = {(ALICE, c.id): 50.0 for c in snap.contacts[::3]}
    drawing = draw_map(snap, strengths=strengths, options=MapOptions(stack_leaves_over=stack))
    assert len(drawing.contact_ids) == len(snap.contacts)
    assert drawing.unrouted == 0
    assert crossings(drawing.svg) == (0, 0)


def test_a_head_with_eight_managers_side_by_side_wraps_to_fit_a_1400_px_screen() -> None:
    """The demo's operations department (a head, eight managers with their teams) was
    1,800 px wide: the managers now wrap onto further rows, each still joined to the head by
    a routed reporting line that crosses no name."""
    contacts = [person(1, "Head of Operations", department="Operations", influence=5)]
    for m in range(8):
        manager = len(contacts) + 1
        contacts.append(
            person(
                manager,
                f"Operations Manager {m}",
                department="Operations",
                reports_to=1,
                title="Regional operations manager",
            )
        )
        for k in range(3):
            contacts.append(
                person(
                    len(contacts) + 1,
                    f"Specialist {m}-{k}",
                    department="Operations",
                    reports_to=manager,
                    title="Operations specialist",
                )
            )
    snap = account(contacts=tuple(contacts))
    drawing = draw(snap)
    assert drawing.width <= 1400
    assert len(drawing.contact_ids) == len(contacts) and drawing.unrouted == 0
    root = parse(drawing.svg)
    across = [p for p in root.iter(f"{SVG}path") if p.attrib.get("class") == "across"]
    assert across and {p.attrib["data-source"] for p in across} == {"1"}
    assert crossings(drawing.svg) == (0, 0)
