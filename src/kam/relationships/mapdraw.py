"""Draw an account's relationship map as SVG, server-side: no JavaScript, no fonts fetched.

An org chart by reporting lines, grouped by department: each department is a block of tidy
trees (a manager centred over their reports, leaf reports stacked in a column), and the blocks
wrap onto shelves so the chart keeps a readable width (a screen, or an A3 sheet via
``aspect``). Colour for attitude, repeated as a sign inside the circle (+, =, minus, ?) so colour is
never the only carrier; circle size for influence; a dashed outline for people nobody on our
team knows in person; a warning mark for an open entrenched interest; departed people faded and
struck through. Every label sits to the right of its circle in its own slot, and every line
(reporting lines, contact links, our team's relationships) runs orthogonally through the empty
channels between labels (``maproute``), so no line ever crosses a name.

Two overlay layers, each a ``<g class="overlay">`` with an id, so the page's CSS can toggle
them: contact links (influence, alliance, tension, restriction) and our team's relationships
(line width = strength). Every person is a ``<g data-contact-id>`` so the page can open their
panel with HTMX on click; every label is a ``<g class="label">`` so a browser test can measure
that nothing crosses it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from kam.relationships.analysis.model import (
    AccountSnapshot,
    Attitude,
    Contact,
    ContactLink,
    InterestStatus,
    LinkKind,
)
from kam.relationships.maproute import Port, Router

FONT_STACK = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Noto Sans', sans-serif"
COLOURS = {
    Attitude.SUPPORTER: "#2e7d32",
    Attitude.NEUTRAL: "#9e9e9e",
    Attitude.OPPONENT: "#c62828",
}
UNASSESSED = "#ffffff"
# The sign inside the circle repeats the attitude for readers who cannot tell the colours apart.
SIGNS = {Attitude.SUPPORTER: "+", Attitude.NEUTRAL: "=", Attitude.OPPONENT: "\u2212"}
UNASSESSED_SIGN = "?"
# A slot is one person's room: a free corridor at its left (where lines run), the circle, then
# the label. Circles are aligned on one axis per slot so stacked names line up.
SLOT_W = 200  # the widest slot: longer names and titles are shortened with an ellipsis
SLOT_MIN = 120  # the narrowest, whatever the labels (room for a click and a short name)
R_MAX = 20.5  # radius(5)
CIRCLE_LEFT = 16.0
CX = CIRCLE_LEFT + R_MAX  # circle centre, from the slot's left
LABEL_X = CIRCLE_LEFT + 2 * R_MAX + 6
LABEL_PAD = 12.0  # free room after the label, before the next slot's corridor
LABEL_END = SLOT_W - LABEL_PAD
RAIL_X = 13.0  # the reporting rail down a stacked column
CORRIDOR_X = 2.0  # centre of the free vertical channel at a slot's left edge
BOX_HALF = 21.0  # a person's box reaches this far above and below the circle's centre
ROW_H = 112  # vertical room per level
BUS = 44  # the horizontal reporting connector, below the manager's centre
COL_TOP = 76  # the first stacked report, below the manager's centre
STACK_H = 46  # vertical room per stacked person
HEAD_H = 24  # a department heading
LANE_BAND = 26  # free band under the headings, where lines can cross the shelf
SHELF_GAP = 40  # between shelves: a band for lines
DEPT_GAP = 36  # between department blocks on a shelf
MARGIN = 30
TEAM_H = 60  # band above the chart holding our users, when the team overlay is drawn
TEAM_MIN_W = 110  # a team member's box narrows to this so the band fits the chart's width
NAME_SIZE = 12
TITLE_SIZE = 11
HEADING_SIZE = 13
# What every person, label and line shares, said once (the SVG stays self-contained for the
# export) instead of on each of hundreds of elements: the page sent 190 KiB for 150 people.
STYLE = (
    ".relationship-map .contact>circle{stroke:#37474f;stroke-width:1.5}"
    ".relationship-map .contact.focus>circle{stroke-width:3}"
    ".relationship-map .contact>circle.ring{stroke:#f9a825}"
    ".relationship-map .sign{text-anchor:middle;font-size:12px;font-weight:bold;"
    "pointer-events:none;fill:#263238}"
    ".relationship-map .supporter .sign,.relationship-map .opponent .sign{fill:#fff}"
    ".relationship-map .label .n{fill:#102027}.relationship-map .label .t{fill:#455a64}"
    ".relationship-map .link{stroke-width:1.4}"
    ".relationship-map .influences{stroke:#1565c0;marker-end:url(#arrow)}"
    ".relationship-map .allied_with{stroke:#2e7d32}"
    ".relationship-map .in_tension_with{stroke:#c62828;stroke-dasharray:6 4}"
    ".relationship-map .restricts_access{stroke:#6a1b9a;stroke-dasharray:2 3}"
    ".relationship-map .team-link{stroke:#ef6c00;stroke-opacity:.7}"
    # What the reader switched off (classes on the root, set by the page): they also reach the
    # printed sheets, which show the drawing through <use> where the page's CSS cannot.
    ".relationship-map.hide-links #overlay-links,.relationship-map.hide-team #overlay-team,"
    ".relationship-map.hide-influences .link.influences,"
    ".relationship-map.hide-allied_with .link.allied_with,"
    ".relationship-map.hide-in_tension_with .link.in_tension_with,"
    ".relationship-map.hide-restricts_access .link.restricts_access{display:none}"
)
# XML 1.0 forbids most control characters; a name pasted from a spreadsheet may carry one.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class MapOptions:
    """What to draw. ``None`` filters mean 'everyone'."""

    departments: frozenset[str] | None = None
    roles: frozenset[str] | None = None  # BuyingRole values
    include_departed: bool = True
    collapse_depth: int | None = None  # 0 = roots only
    focus_contact_id: int | None = None
    focus_hops: int | None = 1  # None: the whole map, the focused person highlighted
    stack_leaves_over: int = 1  # a manager with more leaf reports stacks them in a column
    singles_per_column: int = 6  # people with no manager and no reports, per column
    # Wrap department blocks onto a new shelf past this many pixels, and a manager's reports
    # onto further rows: the drawing then fits a 1,400 px screen with its margins.
    max_width: int = 1280
    aspect: float | None = None  # instead: the width whose drawing is closest to this w/h
    team_min_strength: float = 20.0
    # Overlays drawn but hidden start with display="none"; page CSS can still show them.
    overlays_shown: frozenset[str] = frozenset({"links", "team"})
    interest_min_threat: int = 1
    panel_url_template: str | None = None  # e.g. '/relationships/contacts/{id}/panel/'
    # Each line is routed through the channels (about a millisecond each): past these many,
    # the most telling are drawn (tensions and restrictions first, then between the most
    # influential people; our team's strongest relationships) and the rest counted, never
    # silently dropped. The focused person's lines are always drawn.
    max_links: int = 1200
    label: str = "Relationship map"  # the drawing's accessible name (the page translates it)
    max_team_lines: int = 400
    panel_target: str = "#contact-panel"
    # Which kinds of link (LinkKind values) are shown; the others are drawn hidden (the page's
    # toggles show them without a reload) or, in an export, left out. None: every kind.
    link_kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class MapDrawing:
    """The SVG text and its size in pixels."""

    svg: str
    width: int
    height: int
    contact_ids: tuple[int, ...]  # drawn, in drawing order
    hidden_below: Mapping[int, int] = field(default_factory=dict)  # collapsed: id -> count
    unrouted: int = 0  # lines the channels could not carry (left out rather than drawn across)
    lines_left_out: int = 0  # past MapOptions.max_links / max_team_lines, counted
    link_counts: Mapping[str, int] = field(default_factory=dict)  # kind -> links drawn
    # Where a printed sheet may end without cutting through anyone: between shelves.
    breaks: tuple[float, ...] = ()


@dataclass(eq=False)
class _Node:
    contact: Contact
    children: list[_Node] = field(default_factory=list)
    x: float = 0.0  # circle centre
    y: float = 0.0
    slot: int = 0  # relative slot while laying out a tree
    stacked: bool = False  # drawn in a column under its manager
    hidden_count: int = 0
    cross_manager: int | None = None  # a manager in another department block


def clean_text(text: str) -> str:
    """Text safe inside XML: invalid characters dropped, normalised to NFC."""
    return _INVALID_XML.sub("", unicodedata.normalize("NFC", text))


def text_width(text: str, size: float) -> float:
    """Rendered width, erring wide: CJK and other wide characters take a full em, others 0.62
    (capitals and bold run wider than the average Latin letter)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.62 for ch in text)


def fit_text(text: str, size: float, max_width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``max_width`` pixels."""
    text = clean_text(text)
    if text_width(text, size) <= max_width:
        return text
    kept = ""
    for ch in text:
        if text_width(kept + ch + "…", size) > max_width:
            break
        kept += ch
    return kept + "…"


def slot_width(contacts: Iterable[Contact], hidden: Mapping[int, int]) -> float:
    """The slot width the labels need: the widest name or title (with a collapsed person's
    '+N'), between SLOT_MIN and SLOT_W. Chinese names of two or three characters then take
    about 140 px instead of 200, which is what lets 150 people fit a screen and an A3 sheet."""
    need = 0.0
    for c in contacts:
        badge = text_width(f"+{hidden[c.id]}", NAME_SIZE) + 6 if c.id in hidden else 0.0
        need = max(
            need,
            text_width(clean_text(c.name), NAME_SIZE) + badge,
            text_width(clean_text(c.title), TITLE_SIZE),
        )
    return float(min(SLOT_W, max(SLOT_MIN, math.ceil(LABEL_X + need + LABEL_PAD))))


def radius(influence: int) -> float:
    """Circle radius for an influence of 0-5: big enough to click, growing with weight."""
    return 8.0 + 2.5 * max(0, min(5, influence))


def _neighbourhood(account: AccountSnapshot, start: int, hops: int) -> set[int]:
    """Contacts within ``hops`` of ``start`` over reporting lines and links, either way."""
    adjacent: dict[int, set[int]] = defaultdict(set)
    for c in account.contacts:
        if c.reports_to is not None:
            adjacent[c.id].add(c.reports_to)
            adjacent[c.reports_to].add(c.id)
    for link in account.links:
        adjacent[link.source_id].add(link.target_id)
        adjacent[link.target_id].add(link.source_id)
    seen = {start}
    queue = deque([(start, 0)])
    while queue:
        node, depth = queue.popleft()
        if depth == hops:
            continue
        for other in adjacent[node]:
            if other not in seen:
                seen.add(other)
                queue.append((other, depth + 1))
    return seen


def _visible(account: AccountSnapshot, options: MapOptions) -> dict[int, Contact]:
    keep: dict[int, Contact] = {}
    near = (
        _neighbourhood(account, options.focus_contact_id, options.focus_hops)
        if options.focus_contact_id is not None and options.focus_hops is not None
        else None
    )
    for c in account.contacts:
        if near is not None and c.id not in near:
            continue
        if not options.include_departed and c.has_left(account.as_of):
            continue
        if options.departments is not None and c.department not in options.departments:
            continue
        # The focused person stays even when their role is filtered out: they are the point.
        outside_roles = options.roles is not None and (
            c.role is None or c.role not in options.roles
        )
        if outside_roles and c.id != options.focus_contact_id:
            continue
        keep[c.id] = c
    return keep


def _visible_parent(
    contact: Contact, every: Mapping[int, Contact], shown: Collection[int]
) -> int | None:
    """Nearest shown manager up the reporting line, so filtering keeps the chart's shape."""
    seen = {contact.id}
    manager = contact.reports_to
    while manager is not None and manager not in seen:
        if manager in shown:
            return manager
        seen.add(manager)  # a reporting cycle in bad data must not loop forever
        above = every.get(manager)
        manager = above.reports_to if above else None
    return None


def _build_forest(account: AccountSnapshot, shown: Mapping[int, Contact]) -> list[_Node]:
    nodes = {cid: _Node(c) for cid, c in shown.items()}
    parent_of: dict[int, int] = {}
    roots: list[_Node] = []
    for cid, node in nodes.items():
        parent = _visible_parent(node.contact, account.contact_by_id, shown)
        if parent is None:
            roots.append(node)
        else:
            parent_of[cid] = parent
            nodes[parent].children.append(node)
    # People on a reporting cycle (bad data) hang from no root: cut each cycle at one of its
    # members so everyone is still drawn.
    reached = {id(n) for n in _walk(roots)}
    for start in sorted(nodes):
        if id(nodes[start]) in reached:
            continue
        cid, seen = start, set()
        while cid not in seen:  # climb until the walk repeats: then cid is on the cycle
            seen.add(cid)
            cid = parent_of[cid]
        node = nodes[cid]
        manager = nodes[parent_of[cid]]
        manager.children = [k for k in manager.children if k is not node]
        roots.append(node)
        reached.update(id(n) for n in _walk([node]))
    for node in nodes.values():
        node.children.sort(key=_order)
    return roots


def _order(node: _Node) -> tuple[int, str, int]:
    return (-node.contact.influence, node.contact.name, node.contact.id)


def _collapse(node: _Node, depth: int, limit: int, hidden: dict[int, int]) -> None:
    """Cut children below ``limit``; the last visible node counts what it hides."""
    if depth == limit and node.children:
        node.hidden_count = _count(node) - 1
        hidden[node.contact.id] = node.hidden_count
        node.children = []
        return
    for child in node.children:
        _collapse(child, depth + 1, limit, hidden)


def _count(node: _Node) -> int:
    total, stack = 0, [node]
    while stack:
        n = stack.pop()
        total += 1
        stack.extend(n.children)
    return total


def _split_departments(roots: list[_Node]) -> list[_Node]:
    """Cut the forest where a report sits in another department than their manager: the
    report heads a tree of their own in their department's block, and remembers the manager
    (the reporting line between the blocks is routed like any other line)."""
    out = list(roots)
    for node in _walk(roots):
        keep = []
        for kid in node.children:
            if kid.contact.department != node.contact.department:
                kid.cross_manager = node.contact.id
                out.append(kid)
            else:
                keep.append(kid)
        node.children = keep
    return out


Contour = list[tuple[float, float]]  # per level below a point: (leftmost, rightmost) in slots


def _column_levels(count: int) -> int:
    """Levels of the chart a stacked column of ``count`` people reaches down through: every
    level whose reporting connectors (at ``BUS`` below it) would still meet the column."""
    bottom = COL_TOP + (count - 1) * STACK_H + BOX_HALF
    return max(1, math.floor((bottom - BUS + 2) / ROW_H) + 1)


def _pack(blocks: list[Contour]) -> tuple[list[float], Contour]:
    """Place blocks left to right as close as their contours allow (touching at the nearest
    level; each node's contour is already one slot wide). Returns offsets and merged contour."""
    offsets: list[float] = []
    merged: Contour = []
    for contour in blocks:
        shift = 0.0
        if merged:
            shift = max(
                right - left for (_, right), (left, _) in zip(merged, contour, strict=False)
            )
        offsets.append(shift)
        for level, (left, right) in enumerate(contour):
            if level < len(merged):
                old_left, old_right = merged[level]
                merged[level] = (min(old_left, left + shift), max(old_right, right + shift))
            else:
                merged.append((left + shift, right + shift))
    return offsets, merged


def _layout_tree(root: _Node, options: MapOptions) -> tuple[int, float]:
    """Tidy tree layout (Reingold-Tilford style) in whole slots: subtrees are packed side by
    side as close as their contours allow and each manager sits over the middle of their
    reports. A manager with more than ``stack_leaves_over`` leaf reports gets them in one
    column at the left of their span, which keeps a 200-person chart a few screens wide.
    Iterative, so a long reporting chain cannot overflow Python's stack. Sets each node's
    ``slot`` (from the tree's left) and ``y`` (from the root's centre); returns the slots used
    and the lowest box edge."""
    contour: dict[int, Contour] = {}  # node id -> contour of its subtree, relative to it
    offset: dict[int, float] = {}  # node id -> slot relative to its manager
    column: dict[int, list[_Node]] = {}  # manager id -> stacked leaves
    column_at: dict[int, float] = {}  # manager id -> column slot relative to the manager
    order: list[_Node] = []
    stack = [root]
    while stack:  # pre-order, reversed below to get children before managers
        node = stack.pop()
        order.append(node)
        leaves = [k for k in node.children if not k.children]
        if len(leaves) > options.stack_leaves_over:
            column[node.contact.id] = leaves
            node.children = [*leaves, *(k for k in node.children if k.children)]
            stack.extend(k for k in node.children if k.children)
        else:
            stack.extend(node.children)
    for node in reversed(order):
        cid = node.contact.id
        stacked = column.get(cid, [])
        in_column = {id(k) for k in stacked}
        kids = [k for k in node.children if id(k) not in in_column]
        blocks: list[Contour] = []
        if stacked:
            blocks.append([(-0.5, 0.5)] * _column_levels(len(stacked)))
        blocks.extend(contour[k.contact.id] for k in kids)
        if not blocks:
            contour[cid] = [(-0.5, 0.5)]
            continue
        offsets, merged = _pack(blocks)
        centre = offsets[0] + math.floor((offsets[-1] - offsets[0]) / 2)
        if stacked:
            column_at[cid] = offsets[0] - centre
            offsets = offsets[1:]
        for kid, off in zip(kids, offsets, strict=True):
            offset[kid.contact.id] = off - centre
        contour[cid] = [(-0.5, 0.5), *((lo - centre, hi - centre) for lo, hi in merged)]
    left = min(lo for lo, _ in contour[root.contact.id])
    right = max(hi for _, hi in contour[root.contact.id])
    root.slot, root.y = round(-left - 0.5), 0.0
    bottom = BOX_HALF
    for node in order:  # pre-order: a manager is placed before their reports
        cid = node.contact.id
        stacked = column.get(cid, [])
        in_column = {id(k) for k in stacked}
        for kid in node.children:
            if id(kid) not in in_column:
                kid.slot = node.slot + round(offset[kid.contact.id])
                kid.y = node.y + ROW_H
        for i, kid in enumerate(stacked):
            kid.stacked = True
            kid.slot = node.slot + round(column_at[cid])
            kid.y = node.y + COL_TOP + i * STACK_H
            bottom = max(bottom, kid.y + BOX_HALF)
        bottom = max(bottom, node.y + BOX_HALF)
    return round(right - left), bottom


@dataclass
class _Unit:
    """A tree, or a column of people with no manager and no reports, inside a department."""

    department: str
    nodes: list[_Node]  # a tree: its root first; a column: its people top to bottom
    slots: int
    height: float  # from the first row's centre to the lowest box edge
    tree: bool
    top: bool = False  # a department holding the top of the organisation


@dataclass
class _Segment:
    """A department's units on one shelf, under one heading."""

    department: str
    units: list[_Unit]
    left: float = 0.0

    @property
    def slots(self) -> int:
        return sum(u.slots for u in self.units)


@dataclass
class _Layout:
    shelves: list[tuple[float, float, list[_Segment]]]  # top, bottom, segments
    width: float
    height: float
    lanes: list[tuple[float, float, float]]
    corridors: list[tuple[float, float, float]]


def _wrap_wide(tree: _Node, options: MapOptions, max_slots: int) -> list[_Node]:
    """Lay out ``tree``; while it is wider than ``max_slots``, detach the last report who has
    reports of their own from the widest family nearest the top (a head with eight managers
    side by side was 1,800 px wide). Each detached team heads a tree of its own in the same
    department block, placed after (the shelves wrap it onto the next row), and its reporting
    line to the manager is routed through the channels like one between departments.
    Returns the detached roots, in their order under the manager."""
    detached: list[_Node] = []
    while True:
        slots, _ = _layout_tree(tree, options)
        if slots <= max_slots:
            return detached
        families = [n for n in _walk([tree]) if sum(1 for k in n.children if k.children) >= 2]
        if not families:
            return detached
        manager = max(families, key=lambda n: sum(1 for k in n.children if k.children))
        last = next(k for k in reversed(manager.children) if k.children)
        manager.children = [k for k in manager.children if k is not last]
        last.cross_manager = manager.contact.id
        detached.insert(0, last)


def _units(
    roots: list[_Node], options: MapOptions, depth: Mapping[int, int], slot_w: float
) -> list[_Unit]:
    """The department blocks' units; trees too wide for a shelf are wrapped, and the teams
    this detaches are appended to ``roots`` (the drawing walks them from there)."""
    by_department: dict[str, list[_Node]] = defaultdict(list)
    for root in roots:
        by_department[root.contact.department].append(root)
    # The top of the organisation first (the department of the highest people), then by size.
    order = sorted(
        by_department,
        key=lambda d: (
            min(depth.get(r.contact.id, 0) for r in by_department[d]),
            -sum(_count(r) for r in by_department[d]),
            d,
        ),
    )
    units: list[_Unit] = []
    per_column = max(1, options.singles_per_column)
    for department in order:
        group = sorted(by_department[department], key=_order)
        top = min(depth.get(r.contact.id, 0) for r in group) == 0
        max_slots = max(3, int(options.max_width // slot_w))
        trees = [r for r in group if r.children]
        while trees:
            tree = trees.pop(0)
            detached = _wrap_wide(tree, options, max_slots)
            roots.extend(detached)
            trees[:0] = detached
            slots, bottom = _layout_tree(tree, options)
            units.append(_Unit(department, [tree], slots, bottom, True, top))
        singles = [r for r in group if not r.children]
        for i in range(0, len(singles), per_column):
            column = singles[i : i + per_column]
            for row, node in enumerate(column):
                node.slot, node.y, node.stacked = 0, row * STACK_H, True
            units.append(
                _Unit(department, column, 1, (len(column) - 1) * STACK_H + BOX_HALF, False, top)
            )
    return units


def _shelve(units: list[_Unit], max_width: float, slot_w: float) -> list[list[_Segment]]:
    """Fill shelves left to right with department segments, wrapping past ``max_width``. A
    department moves whole to the next shelf when it fits there; one wider than a shelf is
    split between its trees."""
    shelves: list[list[_Segment]] = [[]]
    width = 0.0
    blocks: dict[str, list[_Unit]] = {}
    for unit in units:
        blocks.setdefault(unit.department, []).append(unit)
    for department, group in blocks.items():
        block_w = sum(u.slots for u in group) * slot_w
        # A department that fits whole in the room left on an earlier shelf goes there (the
        # blocks come largest first, so the smaller ones fill the gaps: a shelf less to read,
        # a sheet less to print). The top of the organisation keeps a shelf of its own.
        room = next(
            (
                shelf
                for shelf in shelves[:-1]
                if not shelf[0].units[0].top
                and not group[0].top
                and _shelf_width(shelf, slot_w) + DEPT_GAP + block_w <= max_width
            ),
            None,
        )
        if room is not None:
            room.append(_Segment(department, list(group)))
            continue
        below_top = shelves[-1] and shelves[-1][-1].units[0].top and not group[0].top
        if shelves[-1] and (below_top or width + DEPT_GAP + block_w > max_width):
            shelves.append([])
            width = 0.0
        segment = _Segment(department, [])
        for unit in group:
            unit_w = unit.slots * slot_w
            if segment.units and width + unit_w > max_width:
                shelves[-1].append(segment)
                shelves.append([])
                width = 0.0
                segment = _Segment(department, [])
            elif not segment.units and shelves[-1]:
                width += DEPT_GAP
            segment.units.append(unit)
            width += unit_w
        shelves[-1].append(segment)
    return [s for s in shelves if s]


def _shelf_width(shelf: list[_Segment], slot_w: float) -> float:
    return sum(s.slots * slot_w for s in shelf) + DEPT_GAP * (len(shelf) - 1)


def _extent(shelves: list[list[_Segment]], slot_w: float) -> tuple[float, float]:
    """Width and height of shelves, without placing anything."""
    width = max(
        (sum(s.slots * slot_w for s in shelf) + DEPT_GAP * (len(shelf) - 1) for shelf in shelves),
        default=slot_w,
    )
    height = sum(
        HEAD_H + LANE_BAND + BOX_HALF + max(u.height for s in shelf for u in s.units) + SHELF_GAP
        for shelf in shelves
    )
    return width, height


def _layout(
    roots: list[_Node],
    options: MapOptions,
    top: float,
    depth: Mapping[int, int],
    slot_w: float,
    min_width: float = 0.0,
) -> _Layout:
    """Place every person: department blocks on shelves, trees inside the blocks."""
    units = _units(roots, options, depth, slot_w)
    max_width = float(options.max_width)
    if options.aspect:
        widest = max(sum(u.slots for u in units) * slot_w, slot_w)
        candidates = [w * slot_w for w in range(3, 41) if (w - 1) * slot_w <= widest]

        def misfit(w: float) -> float:
            width, height = _extent(_shelve(units, w, slot_w), slot_w)
            return abs(math.log(max(1.0, width) / max(1.0, height) / options.aspect))

        max_width = min(candidates or [max_width], key=misfit)
    shelves = _shelve(units, max_width, slot_w)
    chart_w = max(_extent(shelves, slot_w)[0], min_width)
    lanes: list[tuple[float, float, float]] = []
    corridors: list[tuple[float, float, float]] = []
    x_lo, x_hi = -MARGIN + 6, chart_w + MARGIN - 6
    lane_above = top - 14
    lanes.append((lane_above, x_lo, x_hi))
    placed: list[tuple[float, float, list[_Segment]]] = []
    shelf_top = top
    for shelf in shelves:
        row0 = shelf_top + HEAD_H + LANE_BAND + BOX_HALF
        x = 0.0
        bottom = row0
        for segment in shelf:
            segment.left = x
            slot = 0
            for unit in segment.units:
                for node in _walk(unit.nodes) if unit.tree else unit.nodes:
                    node.x = x + (slot + node.slot) * slot_w + CX
                    node.y = row0 + node.y
                slot += unit.slots
                bottom = max(bottom, row0 + unit.height)
            x += segment.slots * slot_w + DEPT_GAP
        lanes.append((shelf_top + HEAD_H + LANE_BAND / 2, x_lo, x_hi))
        level = row0
        while level + 70 < bottom:
            lanes.append((level + 70, x_lo, x_hi))
            level += ROW_H
        lane_below = bottom + SHELF_GAP / 2
        lanes.append((lane_below, x_lo, x_hi))
        for segment in shelf:
            for k in range(segment.slots + 1):
                cx = segment.left + k * slot_w + CORRIDOR_X
                corridors.append((cx, lane_above - 1, lane_below + 1))
        placed.append((shelf_top, bottom, shelf))
        shelf_top = bottom + SHELF_GAP
        lane_above = lane_below
    corridors.append((-MARGIN / 2, top - 15, lane_above + 1))
    corridors.append((chart_w + MARGIN / 2, top - 15, lane_above + 1))
    return _Layout(placed, chart_w, shelf_top - SHELF_GAP / 2, lanes, corridors)


def _walk(roots: Iterable[_Node]) -> list[_Node]:
    out: list[_Node] = []
    stack = list(reversed(list(roots)))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def _attr(value: object) -> str:
    return quoteattr(clean_text(str(value)))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path(points: list[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{_fmt(head[0])},{_fmt(head[1])}" + "".join(f" L{_fmt(x)},{_fmt(y)}" for x, y in rest)


def _person(
    node: _Node,
    *,
    departed: bool,
    known: bool,
    threatened: bool,
    focused: bool,
    options: MapOptions,
    slot_w: float,
) -> str:
    c = node.contact
    r = radius(c.influence)
    attitude = c.attitude if c.assessment else None
    fill = COLOURS[attitude] if attitude is not None else UNASSESSED
    classes = ["contact", attitude.value if attitude is not None else "unassessed"]
    if not known:
        classes.append("unknown")
    if departed:
        classes.append("departed")
    if threatened:
        classes.append("threatened")
    if focused:
        classes.append("focus")
    attrs = [f'class="{" ".join(classes)}"', f'data-contact-id="{c.id}"']
    if options.panel_url_template is not None:
        # hx-target is inherited from the people's layer, said once there.
        url = options.panel_url_template.replace("{id}", str(c.id))
        attrs.append(f"hx-get={_attr(url)}")
        # Reachable by keyboard: Tab to the person, Enter opens their panel (map.js).
        label = " · ".join(t for t in (c.name, c.title, c.department) if t)
        attrs += ['tabindex="0"', 'role="button"', f"aria-label={_attr(clean_text(label))}"]
    if departed:
        attrs.append('opacity="0.5"')
    parts = [f'<g {" ".join(attrs)} transform="translate({_fmt(node.x)},{_fmt(node.y)})">']
    tooltip = " · ".join(t for t in (c.name, c.title, c.department) if t)
    parts.append(f"<title>{escape(clean_text(tooltip))}</title>")
    dash = ' stroke-dasharray="4 3"' if not known else ""
    if focused:
        parts.append(f'<circle class="ring" r="{_fmt(r + 5)}" fill="none"/>')
    parts.append(f'<circle r="{_fmt(r)}" fill="{fill}"{dash}/>')
    sign = SIGNS[attitude] if attitude is not None else UNASSESSED_SIGN
    parts.append(f'<text class="sign" y="4" aria-hidden="true">{sign}</text>')
    if departed:
        parts.append(
            f'<line x1="{_fmt(-r)}" y1="{_fmt(r)}" x2="{_fmt(r)}" y2="{_fmt(-r)}" '
            'stroke="#37474f" stroke-width="2"/>'
        )
    if threatened:
        # A small amber warning triangle at the top right of the circle.
        tx, ty = r * 0.75, -r * 0.6
        parts.append(
            f'<g class="interest-mark" transform="translate({_fmt(tx)},{_fmt(ty)})">'
            '<path d="M0,-9 L8,5 L-8,5 Z" fill="#ffb300" stroke="#6d4c00" stroke-width="1"/>'
            '<text y="4" text-anchor="middle" font-size="11" font-weight="bold">!</text></g>'
        )
    x = LABEL_X - CX
    label_end = slot_w - LABEL_PAD
    width = label_end - LABEL_X
    strike = ' text-decoration="line-through"' if departed else ""
    parts.append('<g class="label">')
    name_w = width
    title = fit_text(c.title, TITLE_SIZE, width)
    y_name = -3 if title else 4
    if node.hidden_count:
        badge = f"+{node.hidden_count}"
        name_w -= text_width(badge, NAME_SIZE) + 6
        parts.append(
            f'<text class="collapsed" x="{_fmt(label_end - CX)}" y="{y_name}" '
            f'text-anchor="end" font-size="{NAME_SIZE}" font-weight="bold" '
            f'fill="#ad1457">{badge}</text>'
        )
    name = escape(fit_text(c.name, NAME_SIZE, name_w))
    parts.append(
        f'<text class="n" x="{_fmt(x)}" y="{y_name}" font-size="{NAME_SIZE}"{strike}>{name}</text>'
    )
    if title:
        parts.append(
            f'<text class="t" x="{_fmt(x)}" y="13" font-size="{TITLE_SIZE}">{escape(title)}</text>'
        )
    parts.append("</g></g>")
    return "".join(parts)


def _slot_left(node: _Node) -> float:
    return node.x - CX


def _port(node: _Node) -> Port:
    """Where a routed line meets a person: the left of their circle, from the corridor."""
    r = radius(node.contact.influence)
    return Port(node.x - r - 1, node.y, "corridor", _slot_left(node) + CORRIDOR_X)


def _depths(roots: list[_Node]) -> dict[int, int]:
    depth: dict[int, int] = {}
    stack = [(r, 0) for r in roots]
    while stack:
        node, d = stack.pop()
        depth[node.contact.id] = d
        stack.extend((k, d + 1) for k in node.children)
    return depth


def draw_map(
    account: AccountSnapshot,
    *,
    strengths: Mapping[tuple[int, int], float] | None = None,
    known_by: Mapping[int, Collection[int]] | None = None,
    options: MapOptions | None = None,
) -> MapDrawing:
    """Draw the relationship map of ``account``.

    ``strengths`` maps (user id, contact id) to 0-100 (``AccountContext.strengths.pairs``);
    ``known_by`` maps a contact to the users who know them in person
    (``AccountContext.known_by``); without it the assessments' lists are used.
    """
    options = options or MapOptions()
    strengths = strengths or {}
    if known_by is None:
        known_by = {c.id: c.assessment.known_in_person_by for c in account.contacts if c.assessment}
    shown = _visible(account, options)
    roots = _build_forest(account, shown)
    hidden: dict[int, int] = {}
    if options.collapse_depth is not None:
        for root in roots:
            _collapse(root, 0, max(0, options.collapse_depth), hidden)
    depth = _depths(roots)
    roots = _split_departments(roots)
    team = account.team
    top = MARGIN + (TEAM_H if team else 24)
    slot_w = slot_width((n.contact for n in _walk(roots)), hidden)
    # Our team's boxes share the chart's width (narrowing to TEAM_MIN_W) rather than widen it.
    team_w = max(TEAM_MIN_W, min(slot_w, options.max_width / max(1, len(team))))
    layout = _layout(roots, options, top, depth, slot_w, len(team) * team_w)
    nodes = _walk(roots)
    position = {n.contact.id: n for n in nodes}
    chart_w = layout.width
    width = int(chart_w + 2 * MARGIN)
    height = int(layout.height + 12 + MARGIN)

    # What lines must keep clear of: every person's circle and label, headings, team boxes.
    obstacles: list[tuple[float, float, float, float]] = [
        (
            n.x - radius(n.contact.influence) - 1,
            n.y - BOX_HALF,
            _slot_left(n) + slot_w - LABEL_PAD,
            n.y + BOX_HALF,
        )
        for n in nodes
    ]
    headings: list[tuple[str, float, float, float]] = []  # text, x, baseline y, width
    backgrounds: list[tuple[float, float, float, float]] = []
    for shelf_top, bottom, segments in layout.shelves:
        for segment in segments:
            room = segment.slots * slot_w - CIRCLE_LEFT - 12
            label = fit_text(segment.department or "—", HEADING_SIZE, room)
            w = text_width(label, HEADING_SIZE)
            x0 = segment.left + CIRCLE_LEFT
            headings.append((label, x0, shelf_top + 16, w))
            obstacles.append((x0, shelf_top, x0 + w, shelf_top + 21))
            backgrounds.append(
                (
                    segment.left - 8,
                    shelf_top - 6,
                    segment.slots * slot_w + 4,
                    bottom - shelf_top + 14,
                )
            )
    team_x: dict[int, float] = {}
    for i, member in enumerate(team):
        team_x[member.id] = (i + 0.5) * team_w
        obstacles.append((i * team_w + 6, MARGIN, (i + 1) * team_w - 6, MARGIN + 26))
    router = Router(layout.lanes, layout.corridors, obstacles)
    unrouted = 0

    def _hidden(overlay: str) -> str:
        return "" if overlay in options.overlays_shown else ' display="none"'

    threatened = {
        i.contact_id
        for i in account.interests
        if i.status == InterestStatus.OPEN and i.threat_level >= options.interest_min_threat
    }

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="relationship-map" width="{width}" '
        f'height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}" class="relationship-map" '
        # A group, not an image: the people on it are controls (their panel opens on click or
        # Enter), and each says who they are; the title names the whole.
        f'role="group" aria-label={_attr(options.label)}><title>{escape(options.label)}</title>'
        f"<style>{STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#1565c0"/></marker></defs>',
        f'<g transform="translate({MARGIN},0)">',
        '<g id="departments" class="layer departments">',
    ]
    for i, (x, y, w, h) in enumerate(backgrounds):
        shade = "#f3f6f9" if i % 2 == 0 else "#f7f4ee"
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" rx="8" '
            f'fill="{shade}" stroke="#dde3ea"/>'
        )
    for label, x, y, _w in headings:
        out.append(
            f'<g class="label heading"><text x="{_fmt(x)}" y="{_fmt(y)}" '
            f'font-size="{HEADING_SIZE}" font-weight="bold" fill="#263238" '
            f"data-department={_attr(label)}>{escape(label)}</text></g>"
        )
    out.append("</g>")

    # Reporting lines: inside a block, a connector under the manager then down to each
    # report (or down a rail beside a stacked column); between blocks, routed.
    out.append(
        '<g id="reporting-lines" class="layer reporting" fill="none" stroke="#90a4ae" '
        'stroke-width="1.3">'
    )
    for node in nodes:
        r = radius(node.contact.influence)
        for kid in node.children:
            kr = radius(kid.contact.influence)
            points = [(node.x, node.y + r), (node.x, node.y + BUS)]
            if kid.stacked:
                rail = _slot_left(kid) + RAIL_X
                points += [(rail, node.y + BUS), (rail, kid.y), (kid.x - kr, kid.y)]
            else:
                points += [(kid.x, node.y + BUS), (kid.x, kid.y - kr)]
            out.append(f'<path d="{_path(points)}"/>')
        if node.cross_manager is not None and node.cross_manager in position:
            manager = position[node.cross_manager]
            route = router.route(_port(manager), _port(node))
            if route is None:
                unrouted += 1
            else:
                out.append(
                    f'<path class="across" data-source="{manager.contact.id}" '
                    f'data-target="{node.contact.id}" d="{_path(route)}"/>'
                )
    out.append("</g>")

    # Overlay 1: links between contacts, drawn under the people so circles stay clickable.
    out.append(
        f'<g id="overlay-links" class="overlay overlay-links" fill="none"{_hidden("links")}>'
    )
    drawable = [
        link
        for link in account.links
        if link.source_id in position
        and link.target_id in position
        and link.source_id != link.target_id
    ]
    links = _most_telling(drawable, position, options)
    left_out = len(drawable) - len(links)
    link_counts: dict[str, int] = defaultdict(int)
    for link in links:
        if options.link_kinds is not None and link.kind.value not in options.link_kinds:
            continue
        a, b = position[link.source_id], position[link.target_id]
        route = router.route(_port(a), _port(b))
        if route is None:
            unrouted += 1
            continue
        out.append(
            f'<path class="link {link.kind.value}" data-source="{link.source_id}" '
            f'data-target="{link.target_id}" d="{_path(route)}"/>'
        )
        link_counts[link.kind.value] += 1
    out.append("</g>")

    # Overlay 2: our team along the top, a line per relationship, width by strength.
    out.append(f'<g id="overlay-team" class="overlay overlay-team" fill="none"{_hidden("team")}>')
    lane = top - 14
    team_lines = [
        (pair, value)
        for pair, value in strengths.items()
        if pair[1] in position and pair[0] in team_x and value >= options.team_min_strength
    ]
    if len(team_lines) > options.max_team_lines:
        focus = options.focus_contact_id
        team_lines.sort(key=lambda item: (item[0][1] != focus, -item[1], item[0]))
        left_out += len(team_lines) - options.max_team_lines
        team_lines = team_lines[: options.max_team_lines]
    for (user_id, contact_id), value in sorted(team_lines):
        target = position[contact_id]
        ux = team_x[user_id]
        route = router.route(Port(ux, lane, "lane"), _port(target))
        if route is None:
            unrouted += 1
            continue
        out.append(
            f'<path class="team-link" data-user-id="{user_id}" data-contact-id="{contact_id}" '
            f'd="{_path([(ux, MARGIN + 26), *route])}" '
            f'stroke-width="{_fmt(0.8 + value / 100 * 3)}"/>'
        )
    for member in team:
        x = team_x[member.id]
        sponsor = " sponsor" if member.is_executive_sponsor else ""
        label = escape(fit_text(member.name, NAME_SIZE, team_w - 24))
        out.append(
            f'<g class="user{sponsor}" data-user-id="{member.id}">'
            f'<rect x="{_fmt(x - team_w / 2 + 6)}" y="{MARGIN}" width="{_fmt(team_w - 12)}" '
            f'height="26" rx="6" fill="#fff3e0" stroke="#ef6c00"/>'
            f'<g class="label"><text x="{_fmt(x)}" y="{MARGIN + 17}" text-anchor="middle" '
            f'font-size="{NAME_SIZE}">{label}</text></g></g>'
        )
    out.append("</g>")

    target = f" hx-target={_attr(options.panel_target)}" if options.panel_url_template else ""
    out.append(f'<g id="contacts" class="layer contacts"{target}>')
    as_of = account.as_of
    for node in nodes:
        c = node.contact
        out.append(
            _person(
                node,
                departed=c.has_left(as_of),
                known=bool(known_by.get(c.id)),
                threatened=c.id in threatened,
                focused=c.id == options.focus_contact_id,
                options=options,
                slot_w=slot_w,
            )
        )
    out.append("</g></g></svg>")
    return MapDrawing(
        svg="".join(out),
        width=width,
        height=height,
        contact_ids=tuple(n.contact.id for n in nodes),
        hidden_below=hidden,
        unrouted=unrouted,
        lines_left_out=left_out,
        link_counts=dict(link_counts),
        breaks=tuple(bottom + SHELF_GAP / 2 for _top, bottom, _shelf in layout.shelves[:-1]),
    )


# Which links to keep when there are too many to route: risks first, then influence.
_LINK_RANK = {
    LinkKind.IN_TENSION_WITH: 0,
    LinkKind.RESTRICTS_ACCESS: 1,
    LinkKind.INFLUENCES: 2,
    LinkKind.ALLIED_WITH: 3,
}


def _most_telling(
    links: list[ContactLink], position: Mapping[int, _Node], options: MapOptions
) -> list[ContactLink]:
    """The links to draw, in their original order: all of them up to ``max_links``, else the
    focused person's, then tensions and restrictions, then those between the most
    influential people."""
    if len(links) <= options.max_links:
        return links
    focus = options.focus_contact_id

    def rank(item: tuple[int, ContactLink]) -> tuple:
        i, link = item
        weight = (
            position[link.source_id].contact.influence + position[link.target_id].contact.influence
        )
        touches = focus in (link.source_id, link.target_id)
        return (not touches, _LINK_RANK.get(link.kind, 4), -weight, i)

    kept = sorted(enumerate(links), key=rank)[: options.max_links]
    return [link for _, link in sorted(kept, key=lambda item: item[0])]
