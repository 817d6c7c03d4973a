"""What the relationship pages show, assembled from the queries and the analyses.

These are the pages' selectors: they take an account already resolved in the user's scope,
read it in a fixed number of queries (the analyses' snapshot, then one query per list), and
return plain objects the templates walk without touching the database again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.urls import reverse

from kam.accounts.models import Account
from kam.planning.models import Horizon
from kam.planning.queries import HorizonBucket, objectives_for, opportunities_by_horizon
from kam.relationships import analysis as pure
from kam.relationships import queries
from kam.relationships.explain import SEVERITY_LABELS, Explainer, fmt_percent, label
from kam.relationships.public_findings import account_explainer, analysis_users
from kam.users.models import User

MATRIX_ROWS = 25  # contacts shown in the team matrix before 'show all'


@dataclass(frozen=True)
class FindingRow:
    """A finding worded for the page, with a link to the person it is about."""

    code: str
    severity: str
    severity_label: str
    text: str
    contact_id: int | None
    contact_url: str | None
    contact_name: str


@dataclass(frozen=True)
class Person:
    """A contact named on the page: the name, its page, attitude for the colour dot."""

    id: int
    name: str
    url: str | None
    attitude: str = ""
    influence: int = 0
    departed: bool = False


@dataclass(frozen=True)
class BuyInView:
    person: Person
    state: str
    known_by: str
    planned_step: str
    attitude_label: str


@dataclass(frozen=True)
class DealView:
    name: str
    value: str
    rows: list[BuyInView]
    findings: list[FindingRow]
    needs_attention: bool


@dataclass(frozen=True)
class PathView:
    user: str
    via: list[Person]
    score: int


@dataclass(frozen=True)
class TargetPaths:
    target: Person
    paths: list[PathView]


@dataclass(frozen=True)
class DepartmentView:
    name: str
    people: int
    influential: int
    reached: int
    unreached: list[Person]
    through: list[tuple[str, int]]  # (our user, contacts they reach there)


@dataclass(frozen=True)
class MatrixRow:
    person: Person
    cells: list[int]


@dataclass
class Matrix:
    users: list[str]
    rows: list[MatrixRow]
    total: int
    shown_all: bool


@dataclass
class AnalysisView:
    """Everything the analyses say about one account, worded."""

    account: Account
    today: date
    period: int
    explainer: Explainer
    attention: list[FindingRow]
    by_group: dict[str, list[FindingRow]]
    coverage: pure.CoverageReport
    influential: list[Person]
    known_influential: list[Person]
    unknown_influential: list[Person]
    threading_top: Person | None
    threading_share: float
    deals: list[DealView]
    paths: list[TargetPaths]
    departments: list[DepartmentView]
    matrix: Matrix
    drift_start: date
    coverage_minimum: int
    coverage_target: int
    people: dict[int, Person] = field(default_factory=dict)
    # Set when the hidden influencers come from an older map's scores while the current
    # map's are recomputed in the background (a large account right after a change).
    centrality_as_of: datetime | None = None

    @property
    def rule_steps(self) -> list[str]:
        """Slots of the 3-to-5 gauge: filled per influential person known, the first
        ``coverage_minimum`` marked as required."""
        known = len(self.known_influential)
        slots = max(self.coverage_target, known)
        return [
            " ".join(
                c
                for c, on in (("filled", i < known), ("required", i < self.coverage_minimum))
                if on
            )
            for i in range(slots)
        ]

    @property
    def risks(self) -> list[FindingRow]:
        return [r for r in self.attention if r.severity == pure.Severity.RISK]

    @property
    def deals_needing_attention(self) -> int:
        return sum(1 for d in self.deals if d.needs_attention)

    @property
    def warning_count(self) -> int:
        return sum(1 for r in self.attention if r.severity == pure.Severity.WARNING)

    @property
    def threading_percent(self) -> str:
        return fmt_percent(self.threading_share)


def contact_url(public_id: UUID | None) -> str | None:
    if public_id is None:
        return None
    return reverse("relationships:contact_detail", kwargs={"public_id": public_id})


def analysis_view(
    *,
    account: Account,
    user: User,
    today: date,
    period: int = 90,
    matrix_all: bool = False,
    with_centrality: bool = True,
) -> AnalysisView:
    """Run the analyses and word them: the snapshot's 15 queries plus three."""
    analysis = queries.account_analyses(
        account=account,
        today=today,
        period=timedelta(days=period),
        with_centrality=with_centrality,
    )
    snapshot = analysis.context.account
    public_ids = queries.contact_public_ids(account=account)
    explainer = account_explainer(
        account=account, analysis=analysis, users=analysis_users(analysis)
    )
    people = {
        c.id: Person(
            id=c.id,
            name=c.name,
            url=contact_url(public_ids.get(c.id)),
            attitude=c.attitude.value if c.assessment else "",
            influence=c.influence,
            departed=c.has_left(today),
        )
        for c in snapshot.contacts
    }

    def row(finding: pure.Finding) -> FindingRow:
        person = people.get(finding.contact_id) if finding.contact_id is not None else None
        return FindingRow(
            code=str(finding.code),
            severity=str(finding.severity),
            severity_label=str(SEVERITY_LABELS[finding.severity]),
            text=explainer.sentence(finding),
            contact_id=finding.contact_id,
            contact_url=person.url if person else None,
            contact_name=person.name if person else "",
        )

    rows = [row(f) for f in analysis.findings]  # risks first
    by_group: dict[str, list[FindingRow]] = defaultdict(list)
    for item in rows:
        by_group[item.code.split(".", 1)[0]].append(item)

    coverage = analysis.coverage
    top = analysis.threading.top_contact_id
    return AnalysisView(
        account=account,
        today=today,
        period=period,
        explainer=explainer,
        attention=[r for r in rows if r.severity != pure.Severity.INFO],
        by_group=dict(by_group),
        coverage=coverage,
        influential=[people[i] for i in coverage.influential_ids],
        known_influential=[people[i] for i in coverage.known_influential_ids],
        unknown_influential=[people[i] for i in coverage.unknown_influential_ids],
        threading_top=people.get(top) if top is not None else None,
        threading_share=analysis.threading.top_share,
        deals=[_deal(d, people, explainer, row) for d in analysis.deals],
        paths=_paths(analysis.introductions, people, explainer),
        departments=[_department(d, people, explainer) for d in analysis.departments.departments],
        matrix=_matrix(analysis.matrix, people, explainer, show_all=matrix_all),
        drift_start=analysis.drift.start,
        coverage_minimum=analysis.context.config.coverage_min,
        coverage_target=analysis.context.config.coverage_target,
        people=people,
        centrality_as_of=(
            analysis.centrality.as_of
            if analysis.centrality is not None and analysis.centrality.stale
            else None
        ),
    )


def _deal(
    deal: pure.DealQuestions, people: dict[int, Person], explainer: Explainer, row: Any
) -> DealView:
    views = []
    for r in deal.rows:
        person = people.get(r.contact_id) or Person(r.contact_id, r.name or "?", None)
        views.append(
            BuyInView(
                person=person,
                state=str(r.state),
                known_by=explainer.user_names(r.known_by),
                planned_step=r.planned_step,
                attitude_label=label("attitude", r.attitude),
            )
        )
    return DealView(
        name=deal.name,
        value=explainer.money(deal.value),
        rows=views,
        findings=[row(f) for f in deal.findings],
        needs_attention=deal.needs_attention,
    )


def _paths(
    report: pure.PathReport, people: dict[int, Person], explainer: Explainer
) -> list[TargetPaths]:
    out = []
    for target_id, paths in report.paths.items():
        out.append(
            TargetPaths(
                target=people[target_id],
                paths=[
                    PathView(
                        user=explainer.users.get(p.user_id, "?"),
                        via=[people[c] for c in p.contact_ids[:-1]],
                        score=round(p.score),
                    )
                    for p in paths
                ],
            )
        )
    # The most influential unknown people first; those with no path at all stand out.
    out.sort(key=lambda t: (-t.target.influence, t.target.name))
    return out


def _department(
    reach: pure.DepartmentReach, people: dict[int, Person], explainer: Explainer
) -> DepartmentView:
    return DepartmentView(
        name=explainer.department(reach.department),
        people=len(reach.contact_ids),
        influential=len(reach.influential_ids),
        reached=len(reach.reached_ids),
        unreached=[people[i] for i in reach.unreached_influential_ids],
        through=sorted(
            ((explainer.users.get(u, "?"), len(ids)) for u, ids in reach.reach_by_user.items()),
            key=lambda t: (-t[1], t[0]),
        ),
    )


def _matrix(
    matrix: pure.TeamContactMatrix,
    people: dict[int, Person],
    explainer: Explainer,
    *,
    show_all: bool,
) -> Matrix:
    """The team-by-contact strengths, one row per contact (a team is 1-10 people wide, an
    account can be hundreds of contacts long), strongest relationships first."""
    columns = matrix.contact_ids if show_all else matrix.contact_ids[:MATRIX_ROWS]
    rows = [
        MatrixRow(
            person=people[cid],
            cells=[round(matrix.strengths[u][j]) for u in range(len(matrix.user_ids))],
        )
        for j, cid in enumerate(columns)
    ]
    return Matrix(
        users=[explainer.users.get(u, "?") for u in matrix.user_ids],
        rows=rows,
        total=len(matrix.contact_ids),
        shown_all=show_all or len(matrix.contact_ids) <= MATRIX_ROWS,
    )


@dataclass
class PlanView:
    """The customer's objectives by term, and our open opportunities by horizon."""

    short_term: list[Any]
    long_term: list[Any]
    horizons: list[HorizonBucket]

    @property
    def buckets(self) -> list[tuple[HorizonBucket, list[tuple[str, Any]]]]:
        """Each horizon with its value per currency as a list: a template looking up
        ``.items`` on the bucket's defaultdict would create an 'items' key instead."""
        return [(b, sorted(dict(b.value_by_currency).items())) for b in self.horizons]

    @property
    def terms(self) -> list[tuple[str, list[Any]]]:
        return [
            (str(Horizon.SHORT_TERM.label), self.short_term),
            (str(Horizon.LONG_TERM.label), self.long_term),
        ]


def plan_view(*, account: Account, user: User, today: date) -> PlanView:
    """Objectives (one query) and opportunities by horizon (three)."""
    objectives = list(objectives_for(user=user, account=account))
    return PlanView(
        short_term=[o for o in objectives if o.horizon == Horizon.SHORT_TERM],
        long_term=[o for o in objectives if o.horizon == Horizon.LONG_TERM],
        horizons=opportunities_by_horizon(user=user, today=today, account=account),
    )
