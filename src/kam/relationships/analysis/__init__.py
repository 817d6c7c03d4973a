"""Relationship map analyses (method M3): pure maths over plain dataclasses, no Django.

The Django layer fills an ``AccountSnapshot`` from the database, builds an ``AccountContext``
once (strengths, who knows whom) and calls the analyses it needs, or ``analyse_account`` for
all of them. Every result carries ``Finding`` objects: a reason code and its facts, worded in
each language by the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .coverage import (
    CoverageReport,
    DepartmentReach,
    DepartmentReport,
    analyse_coverage,
    analyse_departments,
)
from .deals import (
    BuyInRow,
    BuyInState,
    DealQuestions,
    ThreatReport,
    analyse_deals,
    analyse_threats,
)
from .drift import DriftReport, analyse_drift, assessment_on
from .findings import Code, Finding, Severity
from .model import (
    ATTITUDE_RANK,
    AccountSnapshot,
    AnalysisConfig,
    Assessment,
    Attitude,
    BuyingRole,
    Contact,
    ContactLink,
    ContactStatus,
    DefusingStrategy,
    EntrenchedInterest,
    Interaction,
    InterestStatus,
    LinkKind,
    Objective,
    Opportunity,
    OpportunityStatus,
    Standing,
    StrengthOverride,
    TeamMember,
    Trend,
)
from .paths import (
    CentralityReport,
    CentralityStore,
    IntroductionPath,
    PathReport,
    analyse_centrality,
    analyse_introductions,
    betweenness_scores,
    blocked_pairs,
    centrality_key,
    contact_hops,
    hop_cost,
)
from .strength import (
    AccountContext,
    StrengthTable,
    TeamContactMatrix,
    ThreadingReport,
    analyse_threading,
    decay_weight,
    relationship_strengths,
    scale_strength,
    team_contact_matrix,
)


@dataclass(frozen=True)
class AccountAnalysis:
    """Every relationship analysis of one account, as of ``context.account.as_of``."""

    context: AccountContext
    threading: ThreadingReport
    coverage: CoverageReport
    deals: tuple[DealQuestions, ...]
    threats: ThreatReport
    introductions: PathReport
    drift: DriftReport
    departments: DepartmentReport
    matrix: TeamContactMatrix
    centrality: CentralityReport | None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """All findings, the risks first (stable order within a severity)."""
        groups = [
            self.threading.findings,
            self.coverage.findings,
            *(d.findings for d in self.deals),
            self.threats.findings,
            self.introductions.findings,
            self.drift.findings,
            self.departments.findings,
            self.centrality.findings if self.centrality else (),
        ]
        order = {Severity.RISK: 0, Severity.WARNING: 1, Severity.INFO: 2}
        flat = [f for group in groups for f in group]
        return tuple(sorted(flat, key=lambda f: order[f.severity]))


def analyse_account(
    account: AccountSnapshot,
    *,
    config: AnalysisConfig | None = None,
    drift_start: date | None = None,
    with_centrality: bool = True,
    centrality_store: CentralityStore | None = None,
) -> AccountAnalysis:
    """Run every analysis; drift covers ``drift_start`` (default 90 days back) to ``as_of``;
    betweenness is read from ``centrality_store`` when it holds this graph's scores."""
    ctx = AccountContext.build(account, config)
    start = drift_start or account.as_of - timedelta(days=90)
    return AccountAnalysis(
        context=ctx,
        threading=analyse_threading(ctx),
        coverage=analyse_coverage(ctx),
        deals=analyse_deals(ctx),
        threats=analyse_threats(ctx),
        introductions=analyse_introductions(ctx),
        drift=analyse_drift(ctx, start=start, end=account.as_of),
        departments=analyse_departments(ctx),
        matrix=team_contact_matrix(ctx),
        centrality=analyse_centrality(ctx, centrality_store) if with_centrality else None,
    )


__all__ = [
    "ATTITUDE_RANK",
    "AccountAnalysis",
    "AccountContext",
    "AccountSnapshot",
    "AnalysisConfig",
    "Assessment",
    "Attitude",
    "BuyInRow",
    "BuyInState",
    "BuyingRole",
    "CentralityReport",
    "CentralityStore",
    "Code",
    "Contact",
    "ContactLink",
    "ContactStatus",
    "CoverageReport",
    "DealQuestions",
    "DefusingStrategy",
    "DepartmentReach",
    "DepartmentReport",
    "DriftReport",
    "EntrenchedInterest",
    "Finding",
    "Interaction",
    "InterestStatus",
    "IntroductionPath",
    "LinkKind",
    "Objective",
    "Opportunity",
    "OpportunityStatus",
    "PathReport",
    "Severity",
    "Standing",
    "StrengthOverride",
    "StrengthTable",
    "TeamContactMatrix",
    "TeamMember",
    "ThreadingReport",
    "ThreatReport",
    "Trend",
    "analyse_account",
    "analyse_centrality",
    "analyse_coverage",
    "analyse_deals",
    "analyse_departments",
    "analyse_drift",
    "analyse_introductions",
    "analyse_threading",
    "analyse_threats",
    "assessment_on",
    "betweenness_scores",
    "blocked_pairs",
    "centrality_key",
    "contact_hops",
    "decay_weight",
    "hop_cost",
    "relationship_strengths",
    "scale_strength",
    "team_contact_matrix",
]
