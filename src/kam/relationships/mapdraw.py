"""Draw an account's relationship map as SVG, server-side: no JavaScript, no fonts fetched.

An org chart laid out by reporting lines (a tidy tree per root; the roots grouped by
department), colour for attitude, circle size for influence, a dashed outline for people nobody
on our team knows in person, a warning mark for an open entrenched interest, and departed people
faded and struck through. Two overlay layers, each a ``<g class="overlay">`` with an id, so the
page's CSS can toggle them: contact links (influence, alliance, tension) and our team's
relationships (line width = strength). Every person is a ``<g data-contact-id>`` so the page
can open their panel with HTMX on click.

Legibility at a few hundred people comes from three choices: managers whose reports are all
leaves stack them in a column instead of a long row; ``collapse_depth`` hides deeper levels
behind a '+N' badge; ``focus_contact_id`` draws one person's neighbourhood only.
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
    InterestStatus,
    LinkKind,
)

FONT_STACK = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Noto Sans', sans-serif"
COLOURS = {
    Attitude.SUPPORTER: "#2e7d32",
    Attitude.NEUTRAL: "#9e9e9e",
    Attitude.OPPONENT: "#c62828",
}
UNASSESSED = "#ffffff"
SLOT_W = 150  # horizontal room per tree slot; labels sit under the circle
ROW_H = 110  # vertical room per level
STACK_H = 54  # vertical room per stacked leaf (label beside the circle)
STACK_INDENT = 22
MARGIN = 30
TEAM_H = 70  # band above the chart holding our users, when the team overlay is drawn
DEPT_H = 58  # department heading, plus room for the largest circle under it
NAME_SIZE = 12
TITLE_SIZE = 10
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
    focus_hops: int = 1
    stack_leaves_over: int = 1  # a manager with more leaf reports stacks them in a column
    singles_per_column: int = 6  # people with no manager and no reports, per column
    team_min_strength: float = 20.0
    # Overlays drawn but hidden start with display="none"; page CSS can still show them.
    overlays_shown: frozenset[str] = frozenset({"links", "team"})
    interest_min_threat: int = 1
    panel_url_template: str | None = None  # e.g. '/relationships/contacts/{id}/panel/'
    panel_target: str = "#contact-panel"


@dataclass(frozen=True)
class MapDrawing:
    """The SVG text and its size in pixels."""

    svg: str
    width: int
    height: int
    contact_ids: tuple[int, ...]  # drawn, in drawing order
    hidden_below: Mapping[int, int] = field(default_factory=dict)  # collapsed: id -> count


@dataclass(eq=False)
class _Node:
    contact: Contact
    children: list[_Node] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    stacked: bool = False  # drawn in a column under its manager, label to the right
    hidden_count: int = 0


def clean_text(text: str) -> str:
    """Text safe inside XML: invalid characters dropped, normalised to NFC."""
    return _INVALID_XML.sub("", unicodedata.normalize("NFC", text))


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and other wide characters take a full em, others ~0.58."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.58 for ch in text)


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


def radius(influence: int) -> float:
    """Circle radius for an influence of 0-5: big enough to click, growing with weight."""
    return 9.0 + 3.0 * max(0, min(5, influence))


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
        if options.focus_contact_id is not None
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


Contour = list[tuple[float, float]]  # per level below a point: (leftmost, rightmost) in slots


def _column_levels(count: int) -> int:
    """Levels of the chart a stacked column of ``count`` leaves reaches down through."""
    bottom = ROW_H * 0.75 + (count - 1) * STACK_H + 30  # 30: the last label
    return max(1, math.ceil(bottom / ROW_H))


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


def _layout_tree(root: _Node, slot0: float, top: float, options: MapOptions) -> tuple[float, float]:
    """Tidy tree layout (Reingold-Tilford style): subtrees are packed side by side as close as
    their contours allow and each manager is centred over their reports. A manager with more
    than ``stack_leaves_over`` leaf reports gets them in one column at the left of their span,
    which keeps a 200-person chart a few screens wide. Iterative, so a long reporting chain
    cannot overflow Python's stack. Returns (slots used, lowest y)."""
    contour: dict[int, Contour] = {}  # node id -> contour of its subtree, relative to it
    offset: dict[int, float] = {}  # node id -> x relative to its manager, in slots
    column: dict[int, list[_Node]] = {}  # manager id -> stacked leaves
    column_at: dict[int, float] = {}  # manager id -> column centre relative to the manager
    order: list[_Node] = []
    stack = [root]
    while stack:  # pre-order, reversed below to get children before managers
        node = stack.pop()
        order.append(node)
        leaves = [k for k in node.children if not k.children]
        if len(leaves) > options.stack_leaves_over:
            column[node.contact.id] = leaves
            branches = [k for k in node.children if k.children]
        else:
            branches = node.children
        node.children = [*leaves, *branches] if node.contact.id in column else node.children
        stack.extend(branches)
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
        centre = (offsets[0] + offsets[-1]) / 2
        if stacked:
            column_at[cid] = offsets[0] - centre
            offsets = offsets[1:]
        for kid, off in zip(kids, offsets, strict=True):
            offset[kid.contact.id] = off - centre
        contour[cid] = [(-0.5, 0.5), *((lo - centre, hi - centre) for lo, hi in merged)]
    left = min(lo for lo, _ in contour[root.contact.id])
    right = max(hi for _, hi in contour[root.contact.id])
    root.x = (slot0 - left) * SLOT_W
    bottom = top
    for node in order:  # pre-order: a manager is placed before their reports
        if node is root:
            node.y = top
        cid = node.contact.id
        stacked = column.get(cid, [])
        in_column = {id(k) for k in stacked}
        for kid in node.children:
            if id(kid) in in_column:
                continue
            kid.x = node.x + offset[kid.contact.id] * SLOT_W
            kid.y = node.y + ROW_H
        centre = node.x + column_at.get(cid, 0.0) * SLOT_W
        for i, kid in enumerate(stacked):
            kid.stacked = True
            kid.x = centre - SLOT_W / 2 + STACK_INDENT + radius(kid.contact.influence)
            kid.y = node.y + ROW_H * 0.75 + i * STACK_H
            bottom = max(bottom, kid.y)
        bottom = max(bottom, node.y)
    return right - left, bottom


def _layout(
    roots: list[_Node], options: MapOptions, top: float
) -> tuple[list[tuple[str, float, float]], float, float]:
    """Place every tree, grouped by department. Returns headings, width and height."""
    by_department: dict[str, list[_Node]] = defaultdict(list)
    for root in roots:
        by_department[root.contact.department].append(root)
    order = sorted(by_department, key=lambda d: (-sum(_count(r) for r in by_department[d]), d))
    headings: list[tuple[str, float, float]] = []
    slot = 0.0
    bottom = top
    row_top = top + DEPT_H
    for department in order:
        group = sorted(by_department[department], key=_order)
        trees = [r for r in group if r.children]
        singles = [r for r in group if not r.children]
        start = slot
        for tree in trees:
            used, low = _layout_tree(tree, slot, row_top, options)
            slot += used
            bottom = max(bottom, low)
        # People with neither manager nor reports: columns of a few, labels to the right.
        per_column = max(1, options.singles_per_column)
        for i, node in enumerate(singles):
            column, row = divmod(i, per_column)
            node.stacked = True
            node.x = (slot + column) * SLOT_W + STACK_INDENT + radius(node.contact.influence)
            node.y = row_top + row * STACK_H
            bottom = max(bottom, node.y)
        if singles:
            slot += -(-len(singles) // per_column)
        headings.append((department, start * SLOT_W, top))
        slot += 0.4  # a gap between departments
    return headings, slot * SLOT_W, bottom


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


def _person(
    node: _Node,
    *,
    departed: bool,
    known: bool,
    threatened: bool,
    focused: bool,
    options: MapOptions,
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
    if c.role is not None:
        attrs.append(f"data-role={_attr(c.role.value)}")
    if options.panel_url_template is not None:
        url = options.panel_url_template.replace("{id}", str(c.id))
        attrs += [f"hx-get={_attr(url)}", f"hx-target={_attr(options.panel_target)}"]
    if departed:
        attrs.append('opacity="0.45"')
    parts = [f'<g {" ".join(attrs)} transform="translate({_fmt(node.x)},{_fmt(node.y)})">']
    tooltip = " · ".join(t for t in (c.name, c.title, c.department) if t)
    parts.append(f"<title>{escape(clean_text(tooltip))}</title>")
    dash = ' stroke-dasharray="4 3"' if not known else ""
    stroke_w = 3 if focused else 1.5
    parts.append(
        f'<circle r="{_fmt(r)}" fill="{fill}" stroke="#37474f" stroke-width="{stroke_w}"{dash}/>'
    )
    if departed:
        parts.append(
            f'<line x1="{_fmt(-r)}" y1="{_fmt(r)}" x2="{_fmt(r)}" y2="{_fmt(-r)}" '
            'stroke="#37474f" stroke-width="2"/>'
        )
    if threatened:
        # A small amber warning triangle at the top right of the circle.
        tx, ty = r * 0.7, -r * 0.7
        parts.append(
            f'<g class="interest-mark" transform="translate({_fmt(tx)},{_fmt(ty)})">'
            '<path d="M0,-8 L7,5 L-7,5 Z" fill="#ffb300" stroke="#6d4c00" stroke-width="1"/>'
            '<text y="4" text-anchor="middle" font-size="9" font-weight="bold">!</text></g>'
        )
    if node.hidden_count:
        parts.append(
            f'<text class="collapsed" x="0" y="{_fmt(r + 40)}" text-anchor="middle" '
            f'font-size="{TITLE_SIZE}">+{node.hidden_count}</text>'
        )
    strike = ' text-decoration="line-through"' if departed else ""
    if node.stacked:
        width = SLOT_W - STACK_INDENT - 2 * r - 8
        x, anchor, y1, y2 = r + 5, "start", 4, 16
    else:
        width = SLOT_W - 8
        x, anchor, y1, y2 = 0, "middle", r + 14, r + 26
    name = escape(fit_text(c.name, NAME_SIZE, width))
    title = escape(fit_text(c.title, TITLE_SIZE, width))
    parts.append(
        f'<text x="{_fmt(x)}" y="{_fmt(y1)}" text-anchor="{anchor}" '
        f'font-size="{NAME_SIZE}"{strike}>{name}</text>'
    )
    if title:
        parts.append(
            f'<text x="{_fmt(x)}" y="{_fmt(y2)}" text-anchor="{anchor}" '
            f'font-size="{TITLE_SIZE}" fill="#546e7a">{title}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


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
    team = account.team
    top = MARGIN + (TEAM_H if team else 0)
    headings, chart_w, bottom = _layout(roots, options, top)
    nodes = _walk(roots)
    position = {n.contact.id: n for n in nodes}
    width = int(max(chart_w, len(team) * SLOT_W) + 2 * MARGIN)
    height = int(bottom + ROW_H + MARGIN)

    def _hidden(overlay: str) -> str:
        return "" if overlay in options.overlays_shown else ' display="none"'

    threatened = {
        i.contact_id
        for i in account.interests
        if i.status == InterestStatus.OPEN and i.threat_level >= options.interest_min_threat
    }

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}" class="relationship-map" '
        'role="img">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#1565c0"/></marker></defs>',
        f'<g transform="translate({MARGIN},0)">',
        '<g id="departments" class="layer departments">',
    ]
    for department, x, y in headings:
        label = escape(fit_text(department or "—", 13, 4 * SLOT_W))
        out.append(
            f'<text x="{_fmt(x)}" y="{_fmt(y + 16)}" font-size="13" font-weight="bold" '
            f'fill="#263238" data-department={_attr(department)}>{label}</text>'
        )
    out.append("</g>")

    # Reporting lines: elbows for a row of reports, a rail down the side for a stacked column.
    out.append('<g id="reporting-lines" class="layer reporting" fill="none" stroke="#90a4ae">')
    for node in nodes:
        for kid in node.children:
            if kid.stacked:
                rail = kid.x - radius(kid.contact.influence) - STACK_INDENT / 2
                d = f"M{_fmt(node.x)},{_fmt(node.y)} L{_fmt(rail)},{_fmt(node.y)} " + (
                    f"L{_fmt(rail)},{_fmt(kid.y)} L{_fmt(kid.x)},{_fmt(kid.y)}"
                )
            else:
                mid = (node.y + kid.y) / 2
                d = (
                    f"M{_fmt(node.x)},{_fmt(node.y)} L{_fmt(node.x)},{_fmt(mid)} "
                    f"L{_fmt(kid.x)},{_fmt(mid)} L{_fmt(kid.x)},{_fmt(kid.y)}"
                )
            out.append(f'<path d="{d}"/>')
    out.append("</g>")

    # Overlay 1: links between contacts, drawn under the people so circles stay clickable.
    out.append(
        f'<g id="overlay-links" class="overlay overlay-links" fill="none"{_hidden("links")}>'
    )
    styles = {
        LinkKind.INFLUENCES: 'stroke="#1565c0" marker-end="url(#arrow)"',
        LinkKind.ALLIED_WITH: 'stroke="#2e7d32"',
        LinkKind.IN_TENSION_WITH: 'stroke="#c62828" stroke-dasharray="6 4"',
        LinkKind.RESTRICTS_ACCESS: 'stroke="#6a1b9a" stroke-dasharray="2 3"',
    }
    for link in account.links:
        a, b = position.get(link.source_id), position.get(link.target_id)
        if a is None or b is None or a is b:
            continue
        out.append(
            f'<line class="link {link.kind.value}" data-source="{link.source_id}" '
            f'data-target="{link.target_id}" x1="{_fmt(a.x)}" y1="{_fmt(a.y)}" '
            f'x2="{_fmt(b.x)}" y2="{_fmt(b.y)}" {styles[link.kind]} stroke-width="1.2"/>'
        )
    out.append("</g>")

    # Overlay 2: our team along the top, a line per relationship, width by strength.
    out.append(f'<g id="overlay-team" class="overlay overlay-team"{_hidden("team")}>')
    user_x: dict[int, float] = {}
    for i, member in enumerate(team):
        x = (i + 0.5) * SLOT_W
        user_x[member.id] = x
    for (user_id, contact_id), value in strengths.items():
        target = position.get(contact_id)
        if target is None or user_id not in user_x or value < options.team_min_strength:
            continue
        out.append(
            f'<line class="team-link" data-user-id="{user_id}" data-contact-id="{contact_id}" '
            f'data-strength="{value:.0f}" x1="{_fmt(user_x[user_id])}" y1="{MARGIN + 20}" '
            f'x2="{_fmt(target.x)}" y2="{_fmt(target.y)}" stroke="#ef6c00" '
            f'stroke-opacity="0.5" stroke-width="{_fmt(0.5 + value / 100 * 5)}"/>'
        )
    for member in team:
        x = user_x[member.id]
        sponsor = " sponsor" if member.is_executive_sponsor else ""
        label = escape(fit_text(member.name, NAME_SIZE, SLOT_W - 16))
        out.append(
            f'<g class="user{sponsor}" data-user-id="{member.id}">'
            f'<rect x="{_fmt(x - SLOT_W / 2 + 6)}" y="{MARGIN}" width="{SLOT_W - 12}" '
            f'height="26" rx="6" fill="#fff3e0" stroke="#ef6c00"/>'
            f'<text x="{_fmt(x)}" y="{MARGIN + 17}" text-anchor="middle" '
            f'font-size="{NAME_SIZE}">{label}</text></g>'
        )
    out.append("</g>")

    out.append('<g id="contacts" class="layer contacts">')
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
            )
        )
    out.append("</g></g></svg>")
    return MapDrawing(
        svg="".join(out),
        width=width,
        height=height,
        contact_ids=tuple(n.contact.id for n in nodes),
        hidden_below=hidden,
    )
