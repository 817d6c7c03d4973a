"""Every finding code is worded in a sentence with its facts filled in (explain.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kam.relationships.analysis.findings import Code, Severity, finding
from kam.relationships.explain import Explainer, every_code_worded, label

LEFT = date(2026, 11, 10)
PEOPLE = ({"id": 1, "name": "Siti Rahayu"}, {"id": 2, "name": "王伟"})
FACTS = {
    Code.RELATIONSHIPS_NONE: ({}, ["no relationship"]),
    Code.SINGLE_THREADED: ({"contact_name": "Budi", "share": 0.8}, ["Budi", "80%"]),
    Code.SINGLE_THREADED_CONTACT_LEFT: (
        {"contact_name": "Budi", "share": 0.99, "left_on": LEFT, "successor_name": "Siti"},
        ["Budi", "99%", "Nov. 10, 2026", "Their successor is Siti."],
    ),
    Code.SINGLE_THREADED_CONTACT_LEAVING: (
        {"contact_name": "Budi", "share": 0.6, "left_on": LEFT, "successor_name": ""},
        ["Budi", "leaves on Nov. 10, 2026", "No successor is recorded"],
    ),
    Code.COVERAGE_BELOW_MINIMUM: (
        {
            "known_count": 1,
            "influential_count": 4,
            "minimum": 3,
            "target": 5,
            "influence_min": 4,
            "unknown": PEOPLE,
        },
        ["Only 1 of the 4", "at least 3, ideally 5", "Siti Rahayu and 王伟"],
    ),
    Code.COVERAGE_BELOW_TARGET: (
        {
            "known_count": 3,
            "influential_count": 6,
            "minimum": 3,
            "target": 5,
            "influence_min": 4,
            "unknown": (),
        },
        ["3 of the 6", "short of the 5"],
    ),
    Code.COVERAGE_MET: (
        {
            "known_count": 5,
            "influential_count": 5,
            "minimum": 3,
            "target": 5,
            "influence_min": 4,
            "unknown": (),
        },
        ["rule of 3 to 5 is met"],
    ),
    Code.NO_DECISION_MAKER_IDENTIFIED: ({"role": "decision_maker"}, ["Decision maker / economic"]),
    Code.NO_DECISION_MAKER_KNOWN: ({"role": "decision_maker", "contacts": PEOPLE}, ["王伟"]),
    Code.NO_COACH_IDENTIFIED: ({"role": "coach"}, ["Coach / ally"]),
    Code.NO_COACH_KNOWN: ({"role": "coach", "contacts": PEOPLE[:1]}, ["coach", "Siti Rahayu"]),
    Code.NO_EXECUTIVE_SPONSOR: ({}, ["executive sponsor"]),
    Code.SPONSOR_KNOWS_NOBODY: ({"user_id": 7, "user_name": "Lee"}, ["Lee"]),
    Code.DEAL_BUY_IN_NOT_IDENTIFIED: (
        {"opportunity_name": "Hinges", "value": Decimal("1500000")},
        ["Hinges", "1,500,000 IDR"],
    ),
    Code.DEAL_CONTACT_UNKNOWN_NO_STEP: (
        {"opportunity_name": "Hinges", "value": Decimal(1), "contact_name": "Siti"},
        ["Hinges", "Siti", "no step"],
    ),
    Code.DEAL_CONTACT_UNKNOWN_STEP_PLANNED: (
        {
            "opportunity_name": "Hinges",
            "value": Decimal(1),
            "contact_name": "Siti",
            "planned_step": "Lunch with Budi",
        },
        ["Planned step: Lunch with Budi"],
    ),
    Code.DEAL_CONTACT_LEFT: (
        {
            "opportunity_name": "Hinges",
            "value": Decimal(1),
            "contact_name": "Siti",
            "left_on": LEFT,
            "successor_name": "Budi",
        },
        ["Siti, who left on Nov. 10, 2026", "successor is Budi"],
    ),
    Code.DEAL_CONTACT_OPPONENT: (
        {"opportunity_name": "Hinges", "value": Decimal(1), "contact_name": "Siti"},
        ["Siti, who is against us"],
    ),
    Code.OPPONENT: (
        {
            "contact_name": "Wei Ling",
            "influence": 4,
            "buy_in_needed": True,
            "open_interests": 2,
            "known_by": (7,),
        },
        [
            "Wei Ling is against us (influence 4 of 5)",
            "2 open entrenched interests",
            "Known in person by Alice",
        ],
    ),
    Code.INTEREST_NO_STRATEGY: (
        {"interest_kind": "incumbent_kickbacks", "threat_level": 4, "contact_name": "Wei Ling"},
        ["Wei Ling", "Kick-backs from the incumbent vendor", "threat 4 of 5", "no strategy"],
    ),
    Code.INTEREST_ADVOCATE_MISSING: (
        {"interest_kind": "other", "threat_level": 2, "contact_name": "Wei Ling"},
        ["advocate", "nobody is named"],
    ),
    Code.INTEREST_ADVOCATE_OPPONENT: (
        {
            "interest_kind": "other",
            "threat_level": 2,
            "contact_name": "Wei Ling",
            "advocate_name": "Harry Lim",
        },
        ["Harry Lim", "against us"],
    ),
    Code.INTEREST_ADVOCATE_LEFT: (
        {
            "interest_kind": "other",
            "threat_level": 2,
            "contact_name": "Wei Ling",
            "advocate_name": "Harry Lim",
            "left_on": LEFT,
        },
        ["Harry Lim, left on Nov. 10, 2026"],
    ),
    Code.INTEREST_HOLDER_LEFT: (
        {"interest_kind": "other", "threat_level": 2, "contact_name": "Wei Ling", "left_on": LEFT},
        ["Wei Ling", "can probably be closed"],
    ),
    Code.INTRODUCTION_PATH: (
        {
            "contact_name": "Siti",
            "influence": 5,
            "paths": (
                {
                    "user_id": 7,
                    "user_name": "Alice",
                    "via": ({"id": 1, "name": "Budi"},),
                    "score": 40,
                },
            ),
        },
        ["Alice → Budi → Siti", "1 way to be introduced"],
    ),
    Code.NO_INTRODUCTION_PATH: ({"contact_name": "Siti", "influence": 5}, ["no chain of links"]),
    Code.ATTITUDE_IMPROVED: (
        {"contact_name": "Siti", "attitude_from": "neutral", "attitude_to": "supporter"},
        ["improved from Neutral to Pleased / supporter"],
    ),
    Code.ATTITUDE_WORSENED: (
        {"contact_name": "Siti", "attitude_from": "neutral", "attitude_to": "opponent"},
        ["worsened from Neutral to Unhappy / opponent"],
    ),
    Code.INFLUENCE_ROSE: (
        {"contact_name": "Siti", "influence_from": 2, "influence_to": 4},
        ["rose from 2 to 4"],
    ),
    Code.INFLUENCE_FELL: (
        {"contact_name": "Siti", "influence_from": 4, "influence_to": 2},
        ["fell from 4 to 2"],
    ),
    Code.INFLUENCER_RISING: (
        {"contact_name": "Siti", "trend_from": "steady", "influence": 3},
        ["now rising (it was steady)"],
    ),
    Code.INFLUENCER_FADING: (
        {"contact_name": "Siti", "trend_from": "rising", "influence": 3},
        ["now falling (it was rising)"],
    ),
    Code.GONE_QUIET: (
        {"contact_name": "Siti", "days_silent": 75, "last_interaction_on": LEFT},
        ["no interaction for 75 days", "Nov. 10, 2026"],
    ),
    Code.DEPARTED: (
        {
            "contact_name": "Budi",
            "left_on": LEFT,
            "successor_name": "",
            "opportunities": ({"id": 1, "name": "Hinges"},),
        },
        ["Budi left on Nov. 10, 2026", "Open opportunities it touches: Hinges."],
    ),
    Code.INTEREST_EMERGED: (
        {"interest_kind": "other", "threat_level": 3, "contact_name": "Siti", "raised_on": LEFT},
        ["New entrenched interest of Siti"],
    ),
    Code.INTEREST_DEFUSED: (
        {"interest_kind": "other", "threat_level": 3, "contact_name": "Siti", "defused_on": LEFT},
        ["defused on Nov. 10, 2026"],
    ),
    Code.DEPARTMENT_NOT_REACHED: (
        {"department": "Desain", "contact_count": 4, "influential": PEOPLE[:1]},
        ["reaches Desain (4 people)", "Influential there: Siti Rahayu."],
    ),
    Code.DEPARTMENT_INFLUENTIAL_NOT_REACHED: (
        {"department": "", "contact_count": 4, "influential": PEOPLE},
        ["(no department)", "Siti Rahayu and 王伟"],
    ),
    Code.HIDDEN_INFLUENCER: (
        {"contact_name": "Ahmad", "betweenness": 0.3, "rank": 2, "assessed_influence": 1},
        ["Ahmad may be a hidden influencer", "influence 1 of 5", "rank 2"],
    ),
}


def test_every_finding_code_has_a_sentence():
    assert every_code_worded() == {c.value for c in Code}
    assert set(FACTS) == set(Code)


@pytest.mark.parametrize("code", list(Code), ids=lambda c: c.value)
def test_it_words_each_finding_with_its_facts(code):
    facts, expected = FACTS[code]
    explainer = Explainer(users={7: "Alice"}, currency="IDR")
    with translation.override("en"):
        text = explainer.sentence(finding(code, Severity.RISK, **facts))
    for part in expected:
        assert part in text, (part, text)
    assert "%(" not in text


def test_dates_follow_the_active_language():
    explainer = Explainer()
    gone = finding(
        Code.GONE_QUIET,
        Severity.INFO,
        contact_name="Siti",
        days_silent=75,
        last_interaction_on=LEFT,
    )
    with translation.override("id"):
        text = explainer.sentence(gone)
    assert "10 Nov" in text and "Nov. 10" not in text  # day first, as Indonesian writes it


def test_choice_values_get_the_models_labels():
    assert label("attitude", "opponent") == "Unhappy / opponent"
    assert label("strategy", "wait_to_leave") == "Wait for them to leave"
    assert label("link_kind", "restricts_access") == "restricts our access to"
