"""Properties of the relationship analyses that must hold for any account (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kam.relationships.analysis import (
    AccountContext,
    AccountSnapshot,
    AnalysisConfig,
    ContactLink,
    ContactStatus,
    Interaction,
    LinkKind,
    analyse_introductions,
    blocked_pairs,
    contact_hops,
    decay_weight,
    relationship_strengths,
)
from tests.relationships.test_analysis import ALICE, BOB, CAROL, TODAY, account, person

KINDS = ("email", "call", "meeting", "visit", "pilot", "senior_visit", "unheard_of")
USERS = (ALICE, BOB, CAROL)

interactions = st.lists(
    st.builds(
        Interaction,
        on=st.integers(-30, 2000).map(lambda d: TODAY - timedelta(days=d)),
        kind=st.sampled_from(KINDS),
        user_ids=st.lists(st.sampled_from(USERS), min_size=1, max_size=2, unique=True).map(tuple),
        contact_ids=st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True).map(tuple),
    ),
    max_size=60,
)


@given(interactions)
def test_strength_always_lies_between_0_and_100(log: list[Interaction]) -> None:
    snap = account(contacts=tuple(person(i, f"C{i}") for i in range(1, 7)), interactions=tuple(log))
    table = relationship_strengths(snap, AnalysisConfig())
    assert all(0.0 <= v <= 100.0 for v in table.pairs.values())


@given(
    st.floats(0, 5000, allow_nan=False),
    st.floats(0, 5000, allow_nan=False),
    st.floats(1, 1000, allow_nan=False),
)
def test_decay_never_grows_with_age(a: float, b: float, half_life: float) -> None:
    young, old = sorted((a, b))
    assert decay_weight(old, half_life) <= decay_weight(young, half_life) <= 1.0


@given(interactions, st.integers(0, 1000), st.sampled_from(KINDS))
def test_another_interaction_never_weakens_a_relationship(
    log: list[Interaction], age: int, kind: str
) -> None:
    contacts = tuple(person(i, f"C{i}") for i in range(1, 7))
    before = relationship_strengths(
        account(contacts=contacts, interactions=tuple(log)), AnalysisConfig()
    )
    extra = Interaction(TODAY - timedelta(days=age), kind, (ALICE,), (1,))
    after = relationship_strengths(
        account(contacts=contacts, interactions=(*log, extra)), AnalysisConfig()
    )
    assert all(after.of(u, c) >= v for (u, c), v in before.pairs.items())


N = 12
links = st.lists(
    st.builds(
        ContactLink,
        source_id=st.integers(1, N),
        target_id=st.integers(1, N),
        kind=st.sampled_from(list(LinkKind)),
        strength=st.one_of(st.none(), st.floats(1, 100)),
    ),
    max_size=50,
)


@st.composite
def networks(draw: st.DrawFn) -> AccountSnapshot:
    """Random small accounts: a reporting forest, links of every kind, some departures."""
    contacts = []
    for i in range(1, N + 1):
        manager = draw(st.one_of(st.none(), st.integers(1, N)))
        left = draw(st.integers(0, 9)) == 0
        contacts.append(
            person(
                i,
                f"C{i}",
                reports_to=manager if manager != i else None,
                influence=draw(st.integers(1, 5)),
                status=ContactStatus.LEFT if left else ContactStatus.ACTIVE,
                left_on=TODAY if left else None,
            )
        )
    known = draw(st.lists(st.integers(1, N), min_size=1, max_size=4, unique=True))
    log = tuple(
        Interaction(TODAY - timedelta(days=d), "pilot", (draw(st.sampled_from(USERS)),), (c,))
        for c in known
        for d in range(draw(st.integers(1, 4)))
    )
    return account(contacts=tuple(contacts), links=tuple(draw(links)), interactions=log)


@settings(max_examples=150, deadline=None)
@given(networks())
def test_paths_never_cross_tension_or_restriction_and_follow_real_links(
    snap: AccountSnapshot,
) -> None:
    ctx = AccountContext.build(snap, AnalysisConfig(known_well_min=30))
    report = analyse_introductions(ctx)
    blocked = blocked_pairs(snap.links)
    hops = contact_hops(ctx)
    for target, paths in report.paths.items():
        introducers = [p.introducer_id for p in paths]
        assert len(introducers) == len(set(introducers)) <= 3
        scores = [p.score for p in paths]
        assert scores == sorted(scores, reverse=True)
        for path in paths:
            assert path.contact_ids[-1] == target
            assert ctx.strengths.of(path.user_id, path.introducer_id) >= 30
            for a, b in zip(path.contact_ids, path.contact_ids[1:], strict=False):
                assert (a, b) not in blocked
                assert (a, b) in hops
            assert not any(snap.contact_by_id[c].has_left(TODAY) for c in path.contact_ids)
            assert 0.0 < path.score <= 100.0


@settings(max_examples=100, deadline=None)
@given(networks())
def test_the_best_path_does_not_depend_on_the_search_direction(snap: AccountSnapshot) -> None:
    # Asking for one target at a time searches backwards from it; asking for all of them
    # searches forwards from the introducers when they are fewer. Both must agree.
    ctx = AccountContext.build(snap, AnalysisConfig(known_well_min=30))
    together = analyse_introductions(ctx).paths
    for target, paths in together.items():
        alone = analyse_introductions(ctx, target_ids=[target]).paths[target]
        assert [round(p.score, 9) for p in alone] == [round(p.score, 9) for p in paths]


@settings(max_examples=50, deadline=None)
@given(networks())
def test_a_tension_link_added_anywhere_never_appears_in_a_path(snap: AccountSnapshot) -> None:
    ctx = AccountContext.build(snap, AnalysisConfig(known_well_min=30))
    for paths in analyse_introductions(ctx).paths.values():
        for path in paths:
            # Put the first hop of a found path in tension: no path may use that pair again.
            a, b, target = path.contact_ids[0], path.contact_ids[1], path.contact_ids[-1]
            tense = replace(snap, links=(*snap.links, ContactLink(b, a, LinkKind.IN_TENSION_WITH)))
            tense_ctx = AccountContext.build(tense, AnalysisConfig(known_well_min=30))
            for again in analyse_introductions(tense_ctx, target_ids=[target]).paths[target]:
                pairs = set(zip(again.contact_ids, again.contact_ids[1:], strict=False))
                assert (a, b) not in pairs and (b, a) not in pairs
