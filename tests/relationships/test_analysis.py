"""Behaviour of the relationship analyses on a small furniture-maker account.

The cast on our side: alice (KAM, id 1), bob (on the team, id 2), carol (executive sponsor,
id 3). At the customer, Wang Wei runs the company; procurement (Siti) is fixated on cost; the
way forward is through design (Budi) and sales (Lars). Helpers here are reused by the other
test modules of this package.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kam.relationships.analysis import (
    AccountContext,
    AccountSnapshot,
    AnalysisConfig,
    Assessment,
    Attitude,
    BuyingRole,
    BuyInState,
    Code,
    Contact,
    ContactLink,
    ContactStatus,
    DefusingStrategy,
    EntrenchedInterest,
    Interaction,
    LinkKind,
    Objective,
    Opportunity,
    Severity,
    StrengthOverride,
    TeamMember,
    Trend,
    analyse_account,
    analyse_centrality,
    analyse_coverage,
    analyse_deals,
    analyse_departments,
    analyse_drift,
    analyse_introductions,
    analyse_threading,
    analyse_threats,
    centrality_key,
    relationship_strengths,
    team_contact_matrix,
)

TODAY = date(2026, 11, 22)
ALICE, BOB, CAROL = 1, 2, 3
TEAM = (
    TeamMember(ALICE, "Alice", "kam"),
    TeamMember(BOB, "Bob", "sales engineer"),
    TeamMember(CAROL, "Carol", "executive", is_executive_sponsor=True),
)


def person(
    cid: int,
    name: str,
    *,
    department: str = "",
    reports_to: int | None = None,
    role: BuyingRole | None = None,
    influence: int | None = 3,
    attitude: Attitude = Attitude.NEUTRAL,
    trend: Trend = Trend.STEADY,
    known_by: tuple[int, ...] = (),
    step: str = "",
    buy_in: bool = False,
    **contact: Any,
) -> Contact:
    """A contact with a current assessment dated a month ago."""
    assessment = Assessment(
        on=TODAY - timedelta(days=30),
        role=role,
        influence=influence,
        trend=trend,
        attitude=attitude,
        buy_in_needed=buy_in,
        known_in_person_by=frozenset(known_by),
        planned_step=step,
    )
    return Contact(
        cid,
        name,
        department=department,
        reports_to=reports_to,
        assessment=assessment,
        **contact,
    )


def met(
    days_ago: int, users: tuple[int, ...], contacts: tuple[int, ...], kind: str = "meeting"
) -> Interaction:
    """One interaction ``days_ago`` days before today."""
    return Interaction(TODAY - timedelta(days=days_ago), kind, users, contacts)


def account(**parts: Any) -> AccountSnapshot:
    """An account as of today with our team, overridable part by part."""
    parts.setdefault("team", TEAM)
    parts.setdefault("contacts", ())
    return AccountSnapshot(as_of=TODAY, **parts)


def furniture_maker() -> AccountSnapshot:
    """The reference account used by most tests."""
    contacts = (
        person(
            10,
            "王伟",
            department="Management",
            role=BuyingRole.DECISION_MAKER,
            influence=5,
            attitude=Attitude.SUPPORTER,
            known_by=(ALICE,),
        ),
        person(
            11,
            "Siti Rahayu",
            department="Procurement",
            reports_to=10,
            role=BuyingRole.GATEKEEPER,
            influence=4,
            attitude=Attitude.OPPONENT,
            known_by=(BOB,),
        ),
        person(12, "Budi Santoso", department="Design", reports_to=10, influence=5),
        person(
            13,
            "Anna Berg",
            department="Design",
            reports_to=12,
            role=BuyingRole.COACH,
            influence=2,
            attitude=Attitude.SUPPORTER,
        ),
        person(14, "Lars Sato", department="Sales", reports_to=10, influence=4),
    )
    interactions = (
        met(10, (ALICE,), (10,), "pilot"),
        met(20, (ALICE,), (10,), "meeting"),
        met(15, (BOB,), (11,), "visit"),
        met(40, (BOB,), (13,), "call"),
    )
    return account(contacts=contacts, interactions=interactions)


def ctx_of(snapshot: AccountSnapshot, **config: Any) -> AccountContext:
    """Context under the default config with some fields changed."""
    return AccountContext.build(snapshot, AnalysisConfig(**config))


def codes(findings: Any) -> list[str]:
    """The codes of a sequence of findings, in order."""
    return [f.code for f in findings]


# --- relationship strength -------------------------------------------------------------------


def test_recent_interactions_weigh_more_than_old_ones() -> None:
    snap = account(
        contacts=(person(10, "A"), person(11, "B")),
        interactions=(met(5, (ALICE,), (10,)), met(300, (ALICE,), (11,))),
    )
    table = relationship_strengths(snap, AnalysisConfig())
    assert table.of(ALICE, 10) > table.of(ALICE, 11) > 0


def test_a_pilot_counts_more_than_an_email() -> None:
    snap = account(
        contacts=(person(10, "A"), person(11, "B")),
        interactions=(met(5, (ALICE,), (10,), "pilot"), met(5, (ALICE,), (11,), "email")),
    )
    table = relationship_strengths(snap, AnalysisConfig())
    assert table.of(ALICE, 10) > 3 * table.of(ALICE, 11)


def test_half_life_halves_the_weight_of_an_old_meeting() -> None:
    snap = account(
        contacts=(person(10, "A"), person(11, "B")),
        interactions=(met(0, (ALICE,), (10,)), met(90, (ALICE,), (11,))),
    )
    table = relationship_strengths(snap, AnalysisConfig(strength_scale=1000.0))
    # On the nearly linear start of the curve the ratio of strengths is the ratio of weights.
    assert table.of(ALICE, 11) / table.of(ALICE, 10) == pytest.approx(0.5, rel=1e-3)


def test_a_manual_override_wins_over_the_log() -> None:
    snap = replace(
        furniture_maker(),
        overrides=(StrengthOverride(ALICE, 10, 15), StrengthOverride(BOB, 12, 90)),
    )
    table = relationship_strengths(snap, AnalysisConfig())
    assert table.of(ALICE, 10) == 15
    assert table.of(BOB, 12) == 90
    assert (ALICE, 10) in table.overridden


def test_future_interactions_do_not_count_yet() -> None:
    snap = account(contacts=(person(10, "A"),), interactions=(met(-7, (ALICE,), (10,)),))
    assert relationship_strengths(snap, AnalysisConfig()).of(ALICE, 10) == 0


# --- single-threaded ------------------------------------------------------------------------


def test_it_flags_a_single_threaded_account() -> None:
    report = analyse_threading(ctx_of(furniture_maker()))
    assert report.top_contact_id == 10
    assert report.top_share > 0.5
    [flag] = report.findings
    assert flag.code == Code.SINGLE_THREADED
    assert flag.facts["contact_name"] == "王伟"


def test_it_raises_a_risk_when_the_single_thread_has_left() -> None:
    snap = furniture_maker()
    gone = replace(snap.contacts[0], status=ContactStatus.LEFT, left_on=TODAY, successor_id=14)
    snap = replace(snap, contacts=(gone, *snap.contacts[1:]))
    [flag] = analyse_threading(ctx_of(snap)).findings
    assert flag.code == Code.SINGLE_THREADED_CONTACT_LEFT
    assert flag.severity == Severity.RISK
    assert flag.facts["successor_name"] == "Lars Sato"


def test_it_warns_when_the_single_thread_is_leaving() -> None:
    snap = furniture_maker()
    leaving = replace(snap.contacts[0], left_on=TODAY + timedelta(days=30))
    snap = replace(snap, contacts=(leaving, *snap.contacts[1:]))
    [flag] = analyse_threading(ctx_of(snap)).findings
    assert flag.code == Code.SINGLE_THREADED_CONTACT_LEAVING


def test_it_does_not_flag_a_well_spread_account() -> None:
    snap = replace(
        furniture_maker(),
        interactions=tuple(met(10, (ALICE, BOB), (cid,)) for cid in (10, 11, 12, 14)),
    )
    assert analyse_threading(ctx_of(snap)).findings == ()


def test_it_says_so_when_there_is_no_relationship_at_all() -> None:
    snap = replace(furniture_maker(), interactions=())
    assert codes(analyse_threading(ctx_of(snap)).findings) == [Code.RELATIONSHIPS_NONE]


# --- coverage -------------------------------------------------------------------------------


def test_it_reports_coverage_below_the_rule_of_three() -> None:
    report = analyse_coverage(ctx_of(furniture_maker()))
    first = report.findings[0]
    assert first.code == Code.COVERAGE_BELOW_MINIMUM
    assert first.facts["known_count"] == 2  # 王伟 and Siti
    assert [p["name"] for p in first.facts["unknown"]] == ["Budi Santoso", "Lars Sato"]


def test_meeting_someone_counts_as_knowing_them_in_person() -> None:
    snap = replace(
        furniture_maker(),
        interactions=(*furniture_maker().interactions, met(3, (CAROL,), (12, 14), "visit")),
    )
    report = analyse_coverage(ctx_of(snap))
    assert report.findings[0].code == Code.COVERAGE_BELOW_TARGET
    assert set(report.known_influential_ids) == {10, 11, 12, 14}


def test_an_email_does_not_count_as_knowing_someone_in_person() -> None:
    snap = replace(furniture_maker(), interactions=(met(3, (CAROL,), (12, 14), "email"),))
    assert 12 in analyse_coverage(ctx_of(snap)).unknown_influential_ids


def test_it_names_the_roles_still_uncovered() -> None:
    snap = replace(furniture_maker(), team=TEAM[:2])  # no executive sponsor
    found = codes(analyse_coverage(ctx_of(snap)).findings)
    assert Code.NO_COACH_KNOWN in found  # Anna is the coach; only a call with Bob
    assert Code.NO_EXECUTIVE_SPONSOR in found
    assert Code.NO_DECISION_MAKER_KNOWN not in found


def test_it_flags_a_sponsor_who_knows_nobody() -> None:
    report = analyse_coverage(ctx_of(furniture_maker()))
    sponsor = [f for f in report.findings if f.code == Code.SPONSOR_KNOWS_NOBODY]
    assert [f.facts["user_name"] for f in sponsor] == ["Carol"]


def test_it_flags_an_account_with_no_decision_maker_identified() -> None:
    snap = furniture_maker()
    snap = replace(snap, contacts=tuple(c for c in snap.contacts if c.id != 10))
    assert Code.NO_DECISION_MAKER_IDENTIFIED in codes(analyse_coverage(ctx_of(snap)).findings)


# --- the three questions --------------------------------------------------------------------


def _with_deals(snap: AccountSnapshot) -> AccountSnapshot:
    deals = (
        Opportunity(1, "New showroom", Decimal("250000"), 0.6, significant=True,
                    buy_in_contact_ids=(10, 12, 14)),
        Opportunity(2, "Spare parts", Decimal("5000"), 0.9, significant=False,
                    buy_in_contact_ids=(12,)),
    )  # fmt: skip
    contacts = tuple(
        replace(c, assessment=replace(c.assessment, planned_step="Meet at Salone del Mobile"))
        if c.id == 14 and c.assessment
        else c
        for c in snap.contacts
    )
    return replace(snap, opportunities=deals, contacts=contacts)


def test_it_asks_the_three_questions_for_significant_open_deals_only() -> None:
    deals = analyse_deals(ctx_of(_with_deals(furniture_maker())))
    assert [d.name for d in deals] == ["New showroom"]
    states = {row.name: row.state for row in deals[0].rows}
    assert states == {
        "王伟": BuyInState.KNOWN,
        "Budi Santoso": BuyInState.NO_STEP,
        "Lars Sato": BuyInState.STEP_PLANNED,
    }


def test_it_flags_a_buy_in_nobody_knows_with_no_step_planned() -> None:
    [deal] = analyse_deals(ctx_of(_with_deals(furniture_maker())))
    risky = [f for f in deal.findings if f.code == Code.DEAL_CONTACT_UNKNOWN_NO_STEP]
    assert [f.facts["contact_name"] for f in risky] == ["Budi Santoso"]
    assert risky[0].facts["opportunity_name"] == "New showroom"
    planned = [f for f in deal.findings if f.code == Code.DEAL_CONTACT_UNKNOWN_STEP_PLANNED]
    assert planned[0].facts["planned_step"] == "Meet at Salone del Mobile"
    assert deal.needs_attention


def test_it_flags_a_significant_deal_with_nobody_named_for_buy_in() -> None:
    snap = replace(furniture_maker(), opportunities=(Opportunity(1, "X", significant=True),))
    [deal] = analyse_deals(ctx_of(snap))
    assert codes(deal.findings) == [Code.DEAL_BUY_IN_NOT_IDENTIFIED]


def test_won_deals_ask_no_questions() -> None:
    snap = replace(
        furniture_maker(),
        opportunities=(Opportunity(1, "X", significant=True, status="won"),),  # type: ignore[arg-type]
    )
    assert analyse_deals(ctx_of(snap)) == ()


# --- opponents and entrenched interests -----------------------------------------------------


def _with_interests(snap: AccountSnapshot) -> AccountSnapshot:
    interests = (
        EntrenchedInterest(1, 11, "kickbacks", 5),  # no strategy
        EntrenchedInterest(2, 12, "threatened_value", 3, DefusingStrategy.ENLIST_ADVOCATE, 11),
        EntrenchedInterest(3, 14, "diminished_influence", 2, DefusingStrategy.EARN_TRUST),
    )
    return replace(snap, interests=interests)


def test_it_lists_opponents_and_their_weight() -> None:
    report = analyse_threats(ctx_of(_with_interests(furniture_maker())))
    assert report.opponent_ids == (11,)
    opponent = next(f for f in report.findings if f.code == Code.OPPONENT)
    assert opponent.severity == Severity.RISK  # influence 4
    assert opponent.facts["open_interests"] == 1


def test_it_flags_an_open_interest_with_no_defusing_strategy() -> None:
    report = analyse_threats(ctx_of(_with_interests(furniture_maker())))
    flagged = [f for f in report.findings if f.code == Code.INTEREST_NO_STRATEGY]
    assert [(f.contact_id, f.facts["threat_level"]) for f in flagged] == [(11, 5)]
    assert flagged[0].severity == Severity.RISK


def test_it_flags_an_advocate_who_is_an_opponent() -> None:
    report = analyse_threats(ctx_of(_with_interests(furniture_maker())))
    [flag] = [f for f in report.findings if f.code == Code.INTEREST_ADVOCATE_OPPONENT]
    assert flag.facts["advocate_name"] == "Siti Rahayu"
    assert flag.contact_id == 12


def test_it_flags_an_advocate_who_has_left() -> None:
    snap = _with_interests(furniture_maker())
    contacts = tuple(
        replace(c, status=ContactStatus.LEFT, left_on=TODAY) if c.id == 11 else c
        for c in snap.contacts
    )
    report = analyse_threats(ctx_of(replace(snap, contacts=contacts)))
    found = codes(report.findings)
    assert Code.INTEREST_ADVOCATE_LEFT in found
    assert Code.INTEREST_HOLDER_LEFT in found  # Siti's own kick-backs interest can be closed
    assert Code.OPPONENT not in found  # a departed opponent is no longer in the way


def test_an_interest_with_a_strategy_raises_nothing() -> None:
    report = analyse_threats(ctx_of(_with_interests(furniture_maker())))
    assert all(f.contact_id != 14 for f in report.findings)


# --- introduction paths ---------------------------------------------------------------------


def _org(links: tuple[ContactLink, ...] = ()) -> AccountSnapshot:
    """Alice knows 1 well; target 9 (influence 5) is two reporting hops away: 1 -> 2 -> 9."""
    contacts = (
        person(1, "Known", influence=3, known_by=(ALICE,)),
        person(2, "Middle", reports_to=1, influence=2),
        person(9, "Target", reports_to=2, influence=5),
        person(5, "Side", influence=2),
    )
    interactions = tuple(met(d, (ALICE,), (1,), "pilot") for d in (1, 5, 9))
    return account(contacts=contacts, links=links, interactions=interactions)


def test_it_finds_an_introduction_path_through_reporting_lines() -> None:
    report = analyse_introductions(ctx_of(_org()))
    [best] = report.paths[9]
    assert best.user_id == ALICE
    assert best.contact_ids == (1, 2, 9)
    assert best.hop_kinds == ("known", "reports_to", "reports_to")
    assert 0 < best.score < 100
    [flag] = report.findings
    assert flag.code == Code.INTRODUCTION_PATH
    assert [v["name"] for v in flag.facts["paths"][0]["via"]] == ["Known", "Middle"]


def test_it_never_routes_an_introduction_through_a_tension_link() -> None:
    tension = (ContactLink(2, 9, LinkKind.IN_TENSION_WITH),)
    report = analyse_introductions(ctx_of(_org(tension)))
    assert report.paths[9] == ()
    assert codes(report.findings) == [Code.NO_INTRODUCTION_PATH]


def test_it_goes_around_a_tension_link_when_it_can() -> None:
    links = (
        ContactLink(2, 9, LinkKind.IN_TENSION_WITH),
        ContactLink(1, 5, LinkKind.ALLIED_WITH),
        ContactLink(5, 9, LinkKind.INFLUENCES),
    )
    [best] = analyse_introductions(ctx_of(_org(links))).paths[9]
    assert best.contact_ids == (1, 5, 9)


def test_it_does_not_route_through_a_restricted_access_link() -> None:
    restricted = (ContactLink(1, 2, LinkKind.RESTRICTS_ACCESS),)
    assert analyse_introductions(ctx_of(_org(restricted))).paths[9] == ()


def test_it_follows_influence_in_its_direction_only() -> None:
    snap = _org()
    # Drop the reporting lines: only an influence link joins 1 and the target now.
    contacts = tuple(replace(c, reports_to=None) for c in snap.contacts)
    backwards = replace(snap, contacts=contacts, links=(ContactLink(9, 1, LinkKind.INFLUENCES),))
    forwards = replace(snap, contacts=contacts, links=(ContactLink(1, 9, LinkKind.INFLUENCES),))
    assert analyse_introductions(ctx_of(backwards)).paths[9] == ()
    assert analyse_introductions(ctx_of(forwards)).paths[9][0].contact_ids == (1, 9)


def test_it_does_not_route_through_people_who_left() -> None:
    snap = _org()
    contacts = tuple(
        replace(c, status=ContactStatus.LEFT, left_on=TODAY) if c.id == 2 else c
        for c in snap.contacts
    )
    assert analyse_introductions(ctx_of(replace(snap, contacts=contacts))).paths[9] == ()


def test_it_offers_up_to_three_paths_through_different_introducers() -> None:
    # Five introducers, each allied with the target; Alice knows them with falling strength.
    contacts = (
        person(9, "Target", influence=5),
        *(person(i, f"Door {i}", influence=2) for i in range(1, 6)),
    )
    interactions = tuple(
        met(d, (ALICE,), (i,), "pilot") for i in range(1, 6) for d in range(0, 60, 10 * i)
    )
    links = tuple(ContactLink(i, 9, LinkKind.ALLIED_WITH) for i in range(1, 6))
    snap = account(contacts=contacts, interactions=interactions, links=links)
    paths = analyse_introductions(ctx_of(snap, known_well_min=10)).paths[9]
    assert [p.introducer_id for p in paths] == [1, 2, 3]
    assert paths[0].score >= paths[1].score >= paths[2].score


def test_it_prefers_two_strong_hops_to_one_weak_one() -> None:
    contacts = (
        person(1, "Known A", influence=2),
        person(2, "Known B", influence=2),
        person(3, "Bridge", influence=2),
        person(9, "Target", influence=5),
    )
    interactions = tuple(met(d, (ALICE,), (c,), "pilot") for c in (1, 2) for d in (1, 2, 3))
    links = (
        ContactLink(1, 9, LinkKind.INFLUENCES, strength=20),
        ContactLink(2, 3, LinkKind.ALLIED_WITH, strength=95),
        ContactLink(3, 9, LinkKind.ALLIED_WITH, strength=95),
    )
    snap = account(contacts=contacts, interactions=interactions, links=links)
    best = analyse_introductions(ctx_of(snap)).paths[9][0]
    assert best.contact_ids == (2, 3, 9)


def test_a_chain_never_walks_through_someone_we_already_know_well() -> None:
    contacts = (
        person(1, "Known A", influence=2),
        person(2, "Known B", influence=2),
        person(9, "Target", influence=5),
    )
    interactions = tuple(met(d, (ALICE,), (c,), "pilot") for c in (1, 2) for d in (1, 2))
    links = (ContactLink(1, 2, LinkKind.ALLIED_WITH), ContactLink(2, 9, LinkKind.ALLIED_WITH))
    snap = account(contacts=contacts, interactions=interactions, links=links)
    paths = analyse_introductions(ctx_of(snap)).paths[9]
    assert [p.contact_ids for p in paths] == [(2, 9)]


# --- drift ----------------------------------------------------------------------------------


def _history(cid: int, name: str, before: Assessment, after: Assessment, **kw: Any) -> Contact:
    return Contact(cid, name, assessment=after, history=(before, after), **kw)


def test_it_reports_attitude_and_influence_drift_over_a_period() -> None:
    old, new = TODAY - timedelta(days=200), TODAY - timedelta(days=10)
    contacts = (
        _history(1, "Sours", Assessment(old, attitude=Attitude.SUPPORTER),
                 Assessment(new, attitude=Attitude.OPPONENT)),
        _history(2, "Warms", Assessment(old, attitude=Attitude.OPPONENT),
                 Assessment(new, attitude=Attitude.NEUTRAL)),
        _history(3, "Climbs", Assessment(old, influence=2), Assessment(new, influence=4)),
        _history(4, "Turning", Assessment(old, influence=3),
                 Assessment(new, influence=3, trend=Trend.RISING)),
        _history(5, "Fades", Assessment(old, influence=4),
                 Assessment(new, influence=4, trend=Trend.FALLING)),
    )  # fmt: skip
    report = analyse_drift(
        ctx_of(account(contacts=contacts)), start=TODAY - timedelta(days=90), end=TODAY
    )
    by_contact = {f.contact_id: f for f in report.findings}
    assert by_contact[1].code == Code.ATTITUDE_WORSENED
    assert by_contact[1].facts["attitude_to"] == "opponent"
    assert by_contact[2].code == Code.ATTITUDE_IMPROVED
    assert by_contact[3].code == Code.INFLUENCE_ROSE
    assert (by_contact[3].facts["influence_from"], by_contact[3].facts["influence_to"]) == (2, 4)
    assert by_contact[4].code == Code.INFLUENCER_RISING
    assert by_contact[5].code == Code.INFLUENCER_FADING
    assert report.rising_ids == (3, 4)
    assert report.fading_ids == (5,)


def test_changes_outside_the_period_are_not_drift() -> None:
    old, new = TODAY - timedelta(days=200), TODAY - timedelta(days=150)
    contacts = (
        _history(1, "Old news", Assessment(old, influence=2), Assessment(new, influence=5)),
    )
    report = analyse_drift(
        ctx_of(account(contacts=contacts)), start=TODAY - timedelta(days=90), end=TODAY
    )
    assert report.findings == ()


def test_it_flags_contacts_gone_quiet() -> None:
    contacts = (person(1, "Quiet", influence=5), person(2, "Chatty"), person(3, "Never met"))
    interactions = (met(100, (ALICE,), (1,)), met(5, (ALICE,), (2,)))
    report = analyse_drift(
        ctx_of(account(contacts=contacts, interactions=interactions)),
        start=TODAY - timedelta(days=30),
        end=TODAY,
    )
    assert report.silent_ids == (1,)
    [quiet] = report.findings
    assert quiet.facts["days_silent"] == 100
    assert quiet.severity == Severity.WARNING  # influential


def test_it_lists_departures_with_the_open_deals_they_touched() -> None:
    contacts = (
        person(1, "Leaver", influence=3, left_on=TODAY - timedelta(days=5),
               status=ContactStatus.LEFT, successor_id=2),
        person(2, "Successor"),
    )  # fmt: skip
    objectives = (Objective(7, "Cut lead times", "long", source_contact_id=1),)
    deals = (
        Opportunity(1, "Showroom", Decimal(100), buy_in_contact_ids=(1,)),
        Opportunity(2, "Logistics", Decimal(50), objective_id=7),
        Opportunity(3, "Unrelated", Decimal(10), buy_in_contact_ids=(2,)),
    )
    snap = account(contacts=contacts, objectives=objectives, opportunities=deals)
    report = analyse_drift(ctx_of(snap), start=TODAY - timedelta(days=30), end=TODAY)
    [gone] = report.findings
    assert gone.code == Code.DEPARTED
    assert gone.severity == Severity.RISK
    assert gone.facts["successor_name"] == "Successor"
    touched = {
        o["name"]: (o["buy_in_needed"], o["objective_source"]) for o in gone.facts["opportunities"]
    }
    assert touched == {"Showroom": (True, False), "Logistics": (False, True)}


def test_it_reports_interests_emerging_and_defused_in_the_period() -> None:
    interests = (
        EntrenchedInterest(1, 1, "kickbacks", 4, raised_on=TODAY - timedelta(days=3)),
        EntrenchedInterest(2, 1, "other", 2, defused_on=TODAY - timedelta(days=4)),
        EntrenchedInterest(3, 1, "other", 2, raised_on=TODAY - timedelta(days=400)),
    )
    snap = account(contacts=(person(1, "Holder"),), interests=interests)
    report = analyse_drift(ctx_of(snap), start=TODAY - timedelta(days=30), end=TODAY)
    assert codes(report.findings) == [Code.INTEREST_EMERGED, Code.INTEREST_DEFUSED]


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError):
        analyse_drift(ctx_of(furniture_maker()), start=TODAY, end=TODAY - timedelta(days=1))


# --- departments and the matrix -------------------------------------------------------------


def test_it_shows_which_departments_we_reach_and_through_whom() -> None:
    snap = furniture_maker()
    snap = replace(snap, interactions=(*snap.interactions, met(2, (BOB,), (13,), "demo")))
    report = analyse_departments(ctx_of(snap))
    reach = {d.department: d for d in report.departments}
    assert reach["Procurement"].reach_by_user == {BOB: (11,)}
    assert reach["Management"].reach_by_user == {ALICE: (10,)}
    flagged = {f.facts["department"]: f for f in report.findings}
    # The furniture maker: procurement reached, design and sales (where the way is) not.
    assert flagged["Sales"].code == Code.DEPARTMENT_NOT_REACHED
    assert flagged["Sales"].severity == Severity.RISK
    assert flagged["Design"].code == Code.DEPARTMENT_INFLUENTIAL_NOT_REACHED
    assert [p["name"] for p in flagged["Design"].facts["influential"]] == ["Budi Santoso"]
    assert "Procurement" not in flagged
    assert reach["Design"].reached_ids == (13,)  # Anna, through Bob's demo


def test_the_team_by_contact_matrix_holds_the_strength_of_each_pair() -> None:
    ctx = ctx_of(furniture_maker())
    matrix = team_contact_matrix(ctx)
    assert matrix.user_ids == (ALICE, BOB, CAROL)
    assert matrix.contact_ids[0] == 10  # strongest first
    grid = matrix.as_mapping()
    assert grid[ALICE][10] == ctx.strengths.of(ALICE, 10) > 0
    assert grid[CAROL][10] == 0


# --- centrality and the whole account -------------------------------------------------------


def test_it_finds_a_hidden_influencer_in_a_bridging_position() -> None:
    # Two cliques of five joined only through contact 99, assessed as minor (influence 1).
    contacts = [person(i, f"P{i}", influence=4) for i in range(1, 11)]
    contacts.append(person(99, "Quiet broker", influence=1))
    links = [
        ContactLink(a, b, LinkKind.ALLIED_WITH)
        for group in (range(1, 6), range(6, 11))
        for a in group
        for b in group
        if a < b
    ]
    links += [ContactLink(1, 99, LinkKind.ALLIED_WITH), ContactLink(99, 6, LinkKind.ALLIED_WITH)]
    snap = account(contacts=tuple(contacts), links=tuple(links))
    report = analyse_centrality(ctx_of(snap, hidden_influencer_top_share=0.1))
    assert max(report.betweenness, key=report.betweenness.__getitem__) == 99
    assert [f.contact_id for f in report.findings] == [99]


class _Shelf:
    """A CentralityStore in memory: the pure analysis' side of the contract."""

    def __init__(self) -> None:
        self.kept: dict[str, dict[int, float]] = {}

    def get(self, key):
        return self.kept.get(key)

    def put(self, key, scores) -> None:
        self.kept[key] = dict(scores)


def test_centrality_is_computed_once_per_graph_and_again_when_a_link_changes() -> None:
    contacts = tuple(person(i, f"P{i}", influence=1) for i in range(1, 6))
    chain = tuple(ContactLink(i, i + 1, LinkKind.ALLIED_WITH) for i in range(1, 5))
    snap = account(contacts=contacts, links=chain)
    shelf = _Shelf()
    first = analyse_centrality(ctx_of(snap), shelf)
    assert first.betweenness[3] == max(first.betweenness.values())  # the middle of the chain
    (key,) = shelf.kept
    # A stored score is what the next view shows: proof it is read, not recomputed.
    shelf.kept[key] = {cid: (1.0 if cid == 5 else 0.0) for cid in first.betweenness}
    assert max(analyse_centrality(ctx_of(snap), shelf).betweenness.items(), key=lambda x: x[1]) == (
        5,
        1.0,
    )
    # Another link is another graph: recomputed, never the stale scores.
    wider = account(contacts=contacts, links=(*chain, ContactLink(1, 5, LinkKind.ALLIED_WITH)))
    again = analyse_centrality(ctx_of(wider), shelf)
    assert len(shelf.kept) == 2
    assert again.betweenness[5] < 1.0


def test_the_centrality_key_ignores_the_order_links_were_read_in() -> None:
    contacts = tuple(person(i, f"P{i}") for i in range(1, 6))
    links = tuple(ContactLink(i, i + 1, LinkKind.INFLUENCES) for i in range(1, 5))
    one = centrality_key(ctx_of(account(contacts=contacts, links=links)))
    other = centrality_key(ctx_of(account(contacts=contacts[::-1], links=links[::-1])))
    assert one == other


def test_analyse_account_runs_everything_and_puts_risks_first() -> None:
    snap = _with_interests(_with_deals(furniture_maker()))
    result = analyse_account(snap)
    severities = [f.severity for f in result.findings]
    assert severities == sorted(
        severities, key=[Severity.RISK, Severity.WARNING, Severity.INFO].index
    )
    found = set(codes(result.findings))
    assert {Code.SINGLE_THREADED, Code.COVERAGE_BELOW_MINIMUM, Code.OPPONENT} <= found
    assert result.introductions.paths  # Budi and Lars are targets


def test_findings_carry_codes_and_facts_never_sentences() -> None:
    result = analyse_account(_with_interests(_with_deals(furniture_maker())))
    for f in result.findings:
        assert f.code.value.count(".") == 1  # 'area.reason', a translation key
        assert all(isinstance(key, str) and " " not in key for key in f.facts)
