"""Orthogonal routing of the map's lines through the free channels between labels.

The map's layout leaves two kinds of empty channel: horizontal *lanes* (between rows, between
shelves, under the department headings) and vertical *corridors* (the strip at the left of
every slot, which holds no label or circle, and the margins). A line that only runs along
those channels never crosses a label. The router cuts each candidate channel where an obstacle
(a person's circle and label, a heading, a team box) reaches into it, joins the free pieces
where they meet into a graph, and finds each line's shortest way with rustworkx's Dijkstra.
Lines sharing a channel get their own track inside it (a few pixels apart) so they stay
distinguishable.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import rustworkx as rx

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Point = tuple[float, float]

# Offsets of successive tracks from a channel's centre line.
TRACKS = (0.0, 3.0, -3.0, 6.0, -6.0)
LANE_HALF = 10.0  # a lane must be free this far above and below its centre line
CORRIDOR_HALF = 7.0
BEND_COST = 24.0  # prefer fewer turns over a slightly shorter way


@dataclass(frozen=True)
class Port:
    """Where a line leaves a thing: at (x, y), joining corridor ``channel_x`` (kind
    "corridor": a horizontal stub from x to the corridor) or the lane at ``y`` (kind "lane":
    the point already lies on the lane)."""

    x: float
    y: float
    kind: str = "corridor"
    channel_x: float = 0.0


def _free(
    lo: float, hi: float, blocked: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """[lo, hi] minus the blocked intervals."""
    pieces, start = [], lo
    for b0, b1 in sorted(blocked):
        if b1 <= start:
            continue
        if b0 > start:
            pieces.append((start, min(b0, hi)))
        start = max(start, b1)
        if start >= hi:
            break
    if start < hi:
        pieces.append((start, hi))
    return [(a, b) for a, b in pieces if b - a > 1]


@dataclass
class Router:
    """Build once per drawing with the channels and obstacles, then ``route`` each line."""

    lanes: Sequence[tuple[float, float, float]]  # y, x0, x1
    corridors: Sequence[tuple[float, float, float]]  # x, y0, y1
    obstacles: Sequence[Box]
    _lane: list[tuple[float, float, float]] = field(default_factory=list, init=False)
    _corr: list[tuple[float, float, float]] = field(default_factory=list, init=False)
    _nodes: dict[int, tuple[int, int]] = field(default_factory=dict, init=False)
    _on_corr: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list), init=False)
    _on_lane: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list), init=False)
    _used: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int), init=False)

    def __post_init__(self) -> None:
        for y, x0, x1 in self.lanes:
            blocked = [
                (b[0] - 2, b[2] + 2)
                for b in self.obstacles
                if b[1] < y + LANE_HALF and b[3] > y - LANE_HALF
            ]
            self._lane += [(y, a, b) for a, b in _free(x0, x1, blocked)]
        for x, y0, y1 in self.corridors:
            blocked = [
                (b[1] - 2, b[3] + 2)
                for b in self.obstacles
                if b[0] < x + CORRIDOR_HALF and b[2] > x - CORRIDOR_HALF
            ]
            self._corr += [(x, a, b) for a, b in _free(y0, y1, blocked)]
        self.graph: rx.PyGraph = rx.PyGraph()
        for li, (y, x0, x1) in enumerate(self._lane):
            for ci, (x, y0, y1) in enumerate(self._corr):
                if x0 <= x <= x1 and y0 <= y <= y1:
                    node = self.graph.add_node((ci, li))
                    self._nodes[node] = (ci, li)
                    self._on_corr[ci].append(node)
                    self._on_lane[li].append(node)
        for nodes in self._on_lane.values():
            nodes.sort(key=lambda n: self._corr[self._nodes[n][0]][0])
            for a, b in itertools.pairwise(nodes):
                dx = self._corr[self._nodes[b][0]][0] - self._corr[self._nodes[a][0]][0]
                self.graph.add_edge(a, b, abs(dx) + BEND_COST)
        for nodes in self._on_corr.values():
            nodes.sort(key=lambda n: self._lane[self._nodes[n][1]][0])
            for a, b in itertools.pairwise(nodes):
                dy = self._lane[self._nodes[b][1]][0] - self._lane[self._nodes[a][1]][0]
                self.graph.add_edge(a, b, abs(dy) + BEND_COST)

    def _attach(self, port: Port) -> tuple[str, int, list[tuple[int, float]]] | None:
        """The channel a port joins and the graph nodes it reaches, with their cost."""
        if port.kind == "lane":
            for li, (y, x0, x1) in enumerate(self._lane):
                if abs(y - port.y) < 0.5 and x0 <= port.x <= x1:
                    near = [
                        (n, abs(self._corr[self._nodes[n][0]][0] - port.x))
                        for n in self._on_lane[li]
                    ]
                    return "lane", li, near
            return None
        for ci, (x, y0, y1) in enumerate(self._corr):
            if abs(x - port.channel_x) < 0.5 and y0 <= port.y <= y1:
                near = [
                    (n, abs(self._lane[self._nodes[n][1]][0] - port.y)) for n in self._on_corr[ci]
                ]
                return "corridor", ci, near
        return None

    def _track(self, kind: str, index: int, route: dict[tuple[str, int], float]) -> float:
        key = (kind, index)
        if key not in route:
            route[key] = TRACKS[self._used[key] % len(TRACKS)]
            self._used[key] += 1
        return route[key]

    def route(self, start: Port, end: Port) -> list[Point] | None:
        """The points of an orthogonal line from ``start`` to ``end``, or None if the
        channels do not connect them."""
        a, b = self._attach(start), self._attach(end)
        if a is None or b is None:
            return None
        offsets: dict[tuple[str, int], float] = {}
        if a[:2] == b[:2]:  # the same channel: straight along it
            hops: list[tuple[int, int]] = []
        else:
            src, dst = self.graph.add_node(None), self.graph.add_node(None)
            try:
                for node, cost in a[2]:
                    self.graph.add_edge(src, node, cost + BEND_COST)
                for node, cost in b[2]:
                    self.graph.add_edge(node, dst, cost + BEND_COST)
                paths = rx.dijkstra_shortest_paths(self.graph, src, target=dst, weight_fn=float)
                if dst not in paths:
                    return None
                hops = [self._nodes[n] for n in list(paths[dst])[1:-1]]
            finally:
                self.graph.remove_node(src)
                self.graph.remove_node(dst)

        def corridor_x(ci: int) -> float:
            return self._corr[ci][0] + self._track("c", ci, offsets)

        def lane_y(li: int) -> float:
            return self._lane[li][0] + self._track("l", li, offsets)

        points: list[Point] = [(start.x, start.y)]
        if a[0] == "corridor":
            points.append((corridor_x(a[1]), start.y))
        for ci, li in hops:
            points.append((corridor_x(ci), lane_y(li)))
        if b[0] == "corridor":
            points.append((corridor_x(b[1]), end.y))
        points.append((end.x, end.y))
        return _orthogonal(points, first_lane=a[0] == "lane")


def _orthogonal(points: list[Point], *, first_lane: bool) -> list[Point]:
    """Join consecutive points with axis-parallel moves only, dropping repeats and collinear
    middles. Tracks make a lane's y differ slightly from a port's, so a step is inserted."""
    out: list[Point] = [points[0]]
    for x, y in points[1:]:
        px, py = out[-1]
        if px != x and py != y:
            # Move along the channel first: horizontal from a lane port, else vertical.
            out.append((x, py) if (first_lane and len(out) == 1) else (px, y))
        out.append((x, y))
    cleaned: list[Point] = []
    for p in out:
        if cleaned and p == cleaned[-1]:
            continue
        if len(cleaned) >= 2:
            (x0, y0), (x1, y1) = cleaned[-2], cleaned[-1]
            if (x0 == x1 == p[0]) or (y0 == y1 == p[1]):
                cleaned[-1] = p
                continue
        cleaned.append(p)
    return cleaned
