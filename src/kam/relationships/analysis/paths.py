"""Introduction paths to influential people nobody knows, and hidden influencers.

Paths run from one of OUR users to a contact they know well, then contact to contact along
reporting lines (both ways), influence links (in their direction: the influencer speaks to the
influenced) and alliances, to the target. A pair in tension, or with a 'restricts access'
link between them, is never a hop, whatever other link joins them.

Cost of a hop is ``-log(p)`` with ``p = strength / 100``: the cost of a path is then minus the
log of the product of its hop strengths, so Dijkstra finds the chain most likely to land as a
whole, and ``100 * exp(-cost)`` is a 0-100 path score the page can show. ``1 / strength`` was
rejected because its sum has no such meaning and it prefers one weak hop over two strong ones
(1/0.5 < 1/0.9 + 1/0.9). ``p`` is capped at 0.99 so every hop still costs something.

'Best three paths' means the best path through each of three *different* people we know (the
introducers): Yen's k shortest paths would return near-copies of one chain with a detour, which
tells the team nothing new. Edges INTO a known-well contact are dropped, so a chain never walks
through someone we could ask directly; that person's own, shorter path is a candidate instead.

The graph work runs in rustworkx: one Dijkstra per introducer, or one per target on the
reversed graph, whichever set is smaller (networkx was 10-40x slower, see BASELINES.md).
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Protocol

import rustworkx as rx

from .findings import Code, Finding, Severity, finding
from .model import ContactLink, LinkKind
from .strength import AccountContext

REPORTS_TO = "reports_to"
MAX_P = 0.99


def hop_cost(strength: float) -> float:
    """Dijkstra cost of a hop of strength 0-100; infinite for no strength."""
    p = min(MAX_P, strength / 100.0)
    return math.inf if p <= 0.0 else -math.log(p)


def blocked_pairs(links: Iterable[ContactLink]) -> frozenset[tuple[int, int]]:
    """Ordered pairs (both orders) that a path must never hop between."""
    blocked: set[tuple[int, int]] = set()
    for link in links:
        if link.kind in (LinkKind.IN_TENSION_WITH, LinkKind.RESTRICTS_ACCESS):
            blocked.add((link.source_id, link.target_id))
            blocked.add((link.target_id, link.source_id))
    return frozenset(blocked)


def contact_hops(ctx: AccountContext) -> dict[tuple[int, int], tuple[float, str]]:
    """Usable hops between active contacts: (from, to) -> (strength 0-100, link kind).

    When several links join a pair the strongest wins; blocked pairs are left out.
    """
    account, config = ctx.account, ctx.config
    active = {c.id for c in account.contacts if not c.has_left(account.as_of)}
    blocked = blocked_pairs(account.links)
    hops: dict[tuple[int, int], tuple[float, str]] = {}

    def add(a: int, b: int, strength: float, kind: str) -> None:
        if strength <= 0.0 or a == b or a not in active or b not in active or (a, b) in blocked:
            return
        current = hops.get((a, b))
        if current is None or current[0] < strength:
            hops[(a, b)] = (strength, kind)

    report_strength = config.link_strengths.get(REPORTS_TO, 60.0)
    for c in account.contacts:
        if c.reports_to is not None:
            add(c.id, c.reports_to, report_strength, REPORTS_TO)
            add(c.reports_to, c.id, report_strength, REPORTS_TO)
    for link in account.links:
        if link.kind not in (LinkKind.INFLUENCES, LinkKind.ALLIED_WITH):
            continue
        strength = link.strength
        if strength is None:
            strength = config.link_strengths.get(link.kind, 50.0)
        add(link.source_id, link.target_id, strength, link.kind.value)
        if link.kind == LinkKind.ALLIED_WITH:
            add(link.target_id, link.source_id, strength, link.kind.value)
    return hops


@dataclass(frozen=True)
class IntroductionPath:
    """A chain from one of our users to the target: user -> contact -> ... -> target."""

    target_id: int
    user_id: int
    contact_ids: tuple[int, ...]  # introducer first, target last
    hop_kinds: tuple[str, ...]  # 'known' for the first hop, then the link kind per hop
    hop_strengths: tuple[float, ...]  # 0-100, one per hop
    score: float  # 0-100: product of the hop strengths

    @property
    def introducer_id(self) -> int:
        """The contact we know well who starts the chain."""
        return self.contact_ids[0]


@dataclass(frozen=True)
class PathReport:
    """Best introduction paths per target, and the findings to show."""

    paths: Mapping[int, tuple[IntroductionPath, ...]]  # target id -> best first
    findings: tuple[Finding, ...]


def analyse_introductions(
    ctx: AccountContext, *, target_ids: Collection[int] | None = None
) -> PathReport:
    """Best introduction paths to each influential contact nobody on the team knows.

    ``target_ids`` narrows the work to some contacts (the page asking about one person).
    An introducer's best chain longer than ``path_max_hops`` is dropped, not replaced by a
    shorter but weaker one: past five hand-overs an introduction is not a plan.
    """
    account, config = ctx.account, ctx.config
    hops = contact_hops(ctx)
    # Introducers: contacts someone knows well, with the user who knows them best.
    best_user: dict[int, tuple[float, int]] = {}
    for (user_id, contact_id), value in ctx.strengths.pairs.items():
        if value < config.known_well_min:
            continue
        current = best_user.get(contact_id)
        if current is None or (value, -user_id) > (current[0], -current[1]):
            best_user[contact_id] = (value, user_id)
    active = {c.id: c for c in account.contacts if not c.has_left(account.as_of)}
    entries = {cid: v for cid, v in best_user.items() if cid in active}
    if target_ids is None:
        targets = [
            c.id
            for c in active.values()
            if c.influence >= config.influential_min
            and not ctx.known_in_person_by(c.id)
            and c.id not in entries
        ]
    else:
        targets = [t for t in dict.fromkeys(target_ids) if t in active and t not in entries]

    # Node index: active contacts only; the hop from our user is costed per candidate.
    ids = list(active)
    index = {cid: i for i, cid in enumerate(ids)}
    forward = rx.PyDiGraph(multigraph=False)
    forward.add_nodes_from(ids)
    # The search works on node indices; ids are only looked up for the winning chains,
    # which keeps the Python side small next to the Dijkstra runs.
    cost = {(index[a], index[b]): hop_cost(s) for (a, b), (s, _) in hops.items()}
    # No edge INTO an introducer: a chain never walks through someone we could ask directly.
    forward.add_edges_from([(a, b, c) for (a, b), c in cost.items() if ids[b] not in entries])
    entry_cost = {index[e]: hop_cost(strength) for e, (strength, _) in entries.items()}
    candidates: dict[int, list[tuple[float, list[int]]]] = {index[t]: [] for t in targets}
    keep = config.path_count
    max_len = config.path_max_hops + 1  # contacts on the path, introducer included
    edge_cost = cost.__getitem__

    def offer(target: int, chain: list[int]) -> None:
        if len(chain) > max_len:
            return
        item = (-(entry_cost[chain[0]] + sum(map(edge_cost, pairwise(chain)))), chain)
        heap = candidates[target]
        if len(heap) < keep:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)

    if targets and entries:
        if len(entries) <= len(targets):
            target_nodes = list(candidates)
            for source in entry_cost:
                found = rx.digraph_dijkstra_shortest_paths(forward, source, weight_fn=float)
                for node in target_nodes:
                    if node in found:
                        offer(node, list(found[node]))
        else:
            backward = forward.copy()
            backward.reverse()
            for target in candidates:
                found = rx.digraph_dijkstra_shortest_paths(backward, target, weight_fn=float)
                for node in entry_cost:
                    if node in found:
                        offer(target, list(reversed(found[node])))

    paths: dict[int, tuple[IntroductionPath, ...]] = {}
    findings: list[Finding] = []
    for target in targets:
        ranked = sorted(candidates[index[target]], reverse=True)  # highest -cost first
        built = tuple(
            _build_path(target, tuple(ids[i] for i in chain), entries, hops) for _, chain in ranked
        )
        paths[target] = built
        contact = active[target]
        if not built:
            findings.append(
                finding(
                    Code.NO_INTRODUCTION_PATH,
                    Severity.WARNING,
                    contact_id=target,
                    contact_name=contact.name,
                    influence=contact.influence,
                )
            )
            continue
        findings.append(
            finding(
                Code.INTRODUCTION_PATH,
                Severity.INFO,
                contact_id=target,
                contact_name=contact.name,
                influence=contact.influence,
                paths=tuple(
                    {
                        "user_id": p.user_id,
                        "user_name": _member_name(ctx, p.user_id),
                        "via": tuple(
                            {"id": cid, "name": active[cid].name} for cid in p.contact_ids[:-1]
                        ),
                        "score": p.score,
                    }
                    for p in built
                ),
            )
        )
    return PathReport(MappingProxyType(paths), tuple(findings))


def _member_name(ctx: AccountContext, user_id: int) -> str:
    member = ctx.account.member_by_id.get(user_id)
    return member.name if member else ""


def _build_path(
    target: int,
    chain: tuple[int, ...],
    entries: Mapping[int, tuple[float, int]],
    hops: Mapping[tuple[int, int], tuple[float, str]],
) -> IntroductionPath:
    first_strength, user_id = entries[chain[0]]
    strengths = [first_strength]
    kinds = ["known"]
    for a, b in pairwise(chain):
        strength, kind = hops[(a, b)]
        strengths.append(strength)
        kinds.append(kind)
    score = 100.0 * math.prod(min(MAX_P, s / 100.0) for s in strengths)
    return IntroductionPath(target, user_id, chain, tuple(kinds), tuple(strengths), score)


@dataclass(frozen=True)
class CentralityReport:
    """Betweenness of each active contact over the contact links, and hidden influencers.

    ``as_of`` is set when the scores are an older map's (``stale``): on a large account the
    view shows them as of that moment while they are recomputed in the background, never
    as the current map's."""

    betweenness: Mapping[int, float]  # normalised 0-1
    findings: tuple[Finding, ...]
    stale: bool = False
    as_of: datetime | None = None


# Below this many active people betweenness takes well under a tenth of a second: a view
# computes it itself when the stored scores are an older map's. From it on (seconds at 2,000
# people) the view shows the older scores, dated, and asks the store for a recompute.
BACKGROUND_MIN_PEOPLE = 400


class CentralityStore(Protocol):
    """Where betweenness scores are kept between page views, keyed by the graph they were
    computed on (``centrality_key``): the exact computation takes seconds on a 2,000-person
    account, and the graph changes far less often than the page is read.

    A store may also offer ``latest() -> (scores, computed_at) | None`` (the scores of
    whatever map was stored last) and ``recompute(key)`` (compute and store this map's in the
    background): then a large account's view never computes them itself while older ones
    exist."""

    def get(self, key: str) -> Mapping[int, float] | None: ...

    def put(self, key: str, scores: Mapping[int, float]) -> None: ...


def _centrality_graph(ctx: AccountContext) -> tuple[list[int], list[tuple[int, int]]]:
    """The graph betweenness runs on: the active contacts, and the usable hops between them."""
    account = ctx.account
    active = sorted(c.id for c in account.contacts if not c.has_left(account.as_of))
    return active, sorted(contact_hops(ctx))


def centrality_key(ctx: AccountContext) -> str:
    """A fingerprint of the graph betweenness depends on (who is active, which hops exist),
    so scores computed once serve every later view until a person or a link changes."""
    active, hops = _centrality_graph(ctx)
    digest = hashlib.sha256()
    digest.update(",".join(map(str, active)).encode())
    digest.update(b"|")
    digest.update(";".join(f"{a}>{b}" for a, b in hops).encode())
    return digest.hexdigest()


def betweenness_scores(ctx: AccountContext) -> dict[int, float]:
    """Exact betweenness (normalised 0-1) of each active contact over the usable hops."""
    active, hops = _centrality_graph(ctx)
    if len(active) < 3:
        return {}
    index = {cid: i for i, cid in enumerate(active)}
    graph = rx.PyDiGraph(multigraph=False)
    graph.add_nodes_from(active)
    graph.add_edges_from_no_data([(index[a], index[b]) for a, b in hops])
    scores = rx.digraph_betweenness_centrality(graph, normalized=True)
    return {active[i]: float(v) for i, v in scores.items()}


def analyse_centrality(
    ctx: AccountContext, store: CentralityStore | None = None
) -> CentralityReport:
    """Find hidden influencers: people many link chains run through but assessed as minor.

    Betweenness (the share of shortest chains between two people that pass through a
    contact) finds brokers the assessment missed. rustworkx computes it in ~0.3 s on 2,000
    contacts / 20,000 links where networkx takes ~14 s (1.5-3.4 s on a busy machine); it is
    unweighted on purpose, since a broker matters by position, not by how warm each link is.
    With a ``store``, the scores are computed once per graph (``centrality_key``) and read
    back on later views: exact, never a sampled estimate. On an account of
    ``BACKGROUND_MIN_PEOPLE`` active people or more whose map changed, a store that offers
    ``latest`` gives the older map's scores, reported ``stale`` and dated ``as_of``, while
    its ``recompute`` brings the current map's (kam.relationships.background); a smaller
    account, or one with nothing stored, is computed here.
    """
    account, config = ctx.account, ctx.config
    active = sum(1 for c in account.contacts if not c.has_left(account.as_of))
    if active < 3:
        return CentralityReport(MappingProxyType({}), ())
    key = centrality_key(ctx) if store is not None else ""
    stored = store.get(key) if store is not None else None
    stale, as_of = False, None
    older = None
    if stored is None and store is not None and active >= BACKGROUND_MIN_PEOPLE:
        latest = getattr(store, "latest", None)
        older = latest() if latest is not None else None
    if stored is not None:
        betweenness = dict(stored)
    elif older is not None:
        # An older map's scores, shown as such while the background recomputes this one's;
        # people no longer active are left out, people new to the map have none yet.
        scores, as_of = older
        current = {c.id for c in account.contacts if not c.has_left(account.as_of)}
        betweenness = {cid: v for cid, v in scores.items() if cid in current}
        stale = True
        store.recompute(key)
    else:
        betweenness = betweenness_scores(ctx)
        if store is not None:
            store.put(key, betweenness)
    ranked = sorted(betweenness, key=lambda cid: (-betweenness[cid], cid))
    top_n = max(1, math.ceil(len(ranked) * config.hidden_influencer_top_share))
    findings: list[Finding] = []
    by_id = account.contact_by_id
    for rank, cid in enumerate(ranked[:top_n], start=1):
        contact = by_id[cid]
        if betweenness[cid] <= 0.0 or contact.influence > config.hidden_influencer_max_influence:
            continue
        findings.append(
            finding(
                Code.HIDDEN_INFLUENCER,
                Severity.INFO,
                contact_id=cid,
                contact_name=contact.name,
                betweenness=betweenness[cid],
                rank=rank,
                assessed_influence=contact.influence,
            )
        )
        if len(findings) >= config.hidden_influencer_limit:
            break
    return CentralityReport(MappingProxyType(betweenness), tuple(findings), stale, as_of)
