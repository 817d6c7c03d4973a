"""Findings: a reason code plus the facts, so the Django layer words them in each language.

The analyses never write sentences. A finding carries a stable ``code`` (a message id for the
translations) and ``facts``: ids, names, numbers and dates, which the templates format for the
reader's locale (dates stay ``date`` objects, money stays ``Decimal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Severity(StrEnum):
    """How loudly the page should show a finding."""

    INFO = "info"
    WARNING = "warning"
    RISK = "risk"


class Code(StrEnum):
    """Every reason code an analysis can return; the value is the translation key."""

    # relationship strength and threading
    RELATIONSHIPS_NONE = "relationships.none"
    SINGLE_THREADED = "relationships.single_threaded"
    SINGLE_THREADED_CONTACT_LEFT = "relationships.single_threaded_contact_left"
    SINGLE_THREADED_CONTACT_LEAVING = "relationships.single_threaded_contact_leaving"
    # coverage
    COVERAGE_BELOW_MINIMUM = "coverage.below_minimum"
    COVERAGE_BELOW_TARGET = "coverage.below_target"
    COVERAGE_MET = "coverage.met"
    NO_DECISION_MAKER_IDENTIFIED = "coverage.no_decision_maker_identified"
    NO_DECISION_MAKER_KNOWN = "coverage.no_decision_maker_known"
    NO_COACH_IDENTIFIED = "coverage.no_coach_identified"
    NO_COACH_KNOWN = "coverage.no_coach_known"
    NO_EXECUTIVE_SPONSOR = "coverage.no_executive_sponsor"
    SPONSOR_KNOWS_NOBODY = "coverage.sponsor_knows_nobody"
    # the three questions of a significant deal
    DEAL_BUY_IN_NOT_IDENTIFIED = "deal.buy_in_not_identified"
    DEAL_CONTACT_UNKNOWN_NO_STEP = "deal.contact_unknown_no_step"
    DEAL_CONTACT_UNKNOWN_STEP_PLANNED = "deal.contact_unknown_step_planned"
    DEAL_CONTACT_LEFT = "deal.contact_left"
    DEAL_CONTACT_OPPONENT = "deal.contact_opponent"
    # opponents and entrenched interests
    OPPONENT = "threat.opponent"
    INTEREST_NO_STRATEGY = "threat.interest_no_strategy"
    INTEREST_ADVOCATE_MISSING = "threat.interest_advocate_missing"
    INTEREST_ADVOCATE_OPPONENT = "threat.interest_advocate_opponent"
    INTEREST_ADVOCATE_LEFT = "threat.interest_advocate_left"
    INTEREST_HOLDER_LEFT = "threat.interest_holder_left"
    # introduction paths
    INTRODUCTION_PATH = "path.introduction"
    NO_INTRODUCTION_PATH = "path.none"
    # drift over a period
    ATTITUDE_IMPROVED = "drift.attitude_improved"
    ATTITUDE_WORSENED = "drift.attitude_worsened"
    INFLUENCE_ROSE = "drift.influence_rose"
    INFLUENCE_FELL = "drift.influence_fell"
    INFLUENCER_RISING = "drift.influencer_rising"
    INFLUENCER_FADING = "drift.influencer_fading"
    GONE_QUIET = "drift.gone_quiet"
    DEPARTED = "drift.departed"
    INTEREST_EMERGED = "drift.interest_emerged"
    INTEREST_DEFUSED = "drift.interest_defused"
    # departments
    DEPARTMENT_NOT_REACHED = "department.not_reached"
    DEPARTMENT_INFLUENTIAL_NOT_REACHED = "department.influential_not_reached"
    # network position
    HIDDEN_INFLUENCER = "centrality.hidden_influencer"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing worth telling the team, as a code and its facts (never a sentence)."""

    code: Code
    severity: Severity
    contact_id: int | None = None
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def finding(
    code: Code, severity: Severity, *, contact_id: int | None = None, **facts: Any
) -> Finding:
    """Build a finding with read-only facts."""
    return Finding(code, severity, contact_id, MappingProxyType(facts))
