"""Relationship strength per (our user, their contact) pair, and single-threaded accounts.

Strength comes from the interaction log: every interaction adds the weight of its kind,
halved every ``half_life_days`` of age, and the decayed sum is mapped onto 0-100 with a
saturating curve ``100 * (1 - exp(-raw / scale))``. The curve is absolute rather than relative
to the strongest pair, so a strength means the same thing across accounts and a new meeting
never lowers anyone else's figure. A manual override always wins.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from .findings import Code, Finding, Severity, finding
from .model import AccountSnapshot, AnalysisConfig

Pair = tuple[int, int]  # (user id, contact id)


def decay_weight(age_days: float, half_life_days: float) -> float:
    """Weight left after ``age_days``: 1 today, 0.5 after one half-life; 0 for future dates."""
    if age_days < 0:
        # An interaction dated after the analysis day is a plan, not a relationship yet.
        return 0.0
    return 0.5 ** (age_days / half_life_days)


def scale_strength(raw: float, scale: float) -> float:
    """Map a decayed weight sum (>= 0) onto 0-100, rising fast at first then saturating."""
    return 100.0 * (1.0 - math.exp(-max(raw, 0.0) / scale))


@dataclass(frozen=True)
class StrengthTable:
    """Strength (0-100) of every pair with any interaction or override."""

    pairs: Mapping[Pair, float]
    overridden: frozenset[Pair]

    def of(self, user_id: int, contact_id: int) -> float:
        """Strength of one pair, 0 when they never interacted."""
        return self.pairs.get((user_id, contact_id), 0.0)

    def by_contact(self) -> dict[int, float]:
        """Sum of strengths over our users, per contact."""
        totals: dict[int, float] = defaultdict(float)
        for (_, contact_id), value in self.pairs.items():
            totals[contact_id] += value
        return dict(totals)


def relationship_strengths(account: AccountSnapshot, config: AnalysisConfig) -> StrengthTable:
    """Derive the strength of every (user, contact) pair from the interaction log."""
    raw: dict[Pair, float] = defaultdict(float)
    weights = config.kind_weights
    for item in account.interactions:
        age = (account.as_of - item.on).days
        weight = weights.get(item.kind, config.unknown_kind_weight)
        value = weight * decay_weight(age, config.half_life_days)
        if value <= 0.0:
            continue
        for user_id in item.user_ids:
            for contact_id in item.contact_ids:
                raw[(user_id, contact_id)] += value
    pairs = {pair: scale_strength(v, config.strength_scale) for pair, v in raw.items()}
    overridden = set()
    for override in account.overrides:
        pair = (override.user_id, override.contact_id)
        pairs[pair] = min(100.0, max(0.0, float(override.strength)))
        overridden.add(pair)
    return StrengthTable(MappingProxyType(pairs), frozenset(overridden))


@dataclass(frozen=True)
class AccountContext:
    """What several analyses share, computed once per account: strengths, who knows whom."""

    account: AccountSnapshot
    config: AnalysisConfig
    strengths: StrengthTable
    known_by: Mapping[int, frozenset[int]]  # contact id -> users who know them in person
    interaction_dates: Mapping[int, tuple[date, ...]]  # contact id -> sorted dates

    @classmethod
    def build(
        cls, account: AccountSnapshot, config: AnalysisConfig | None = None
    ) -> AccountContext:
        """Compute the shared facts of ``account`` under ``config`` (defaults if None)."""
        config = config or AnalysisConfig()
        known: dict[int, set[int]] = defaultdict(set)
        dates: dict[int, list[date]] = defaultdict(list)
        for contact in account.contacts:
            if contact.assessment is not None:
                known[contact.id].update(contact.assessment.known_in_person_by)
        for item in account.interactions:
            in_person = item.kind in config.in_person_kinds and item.on <= account.as_of
            for contact_id in item.contact_ids:
                dates[contact_id].append(item.on)
                if in_person:
                    known[contact_id].update(item.user_ids)
        return cls(
            account=account,
            config=config,
            strengths=relationship_strengths(account, config),
            known_by=MappingProxyType({k: frozenset(v) for k, v in known.items() if v}),
            interaction_dates=MappingProxyType({k: tuple(sorted(v)) for k, v in dates.items()}),
        )

    def known_in_person_by(self, contact_id: int) -> frozenset[int]:
        """Our users who know this contact in person (assessment or in-person interaction)."""
        return self.known_by.get(contact_id, frozenset())

    def last_interaction(self, contact_id: int, on_or_before: date) -> date | None:
        """Date of the latest interaction with the contact on or before a day."""
        dates = self.interaction_dates.get(contact_id, ())
        index = bisect_right(dates, on_or_before)
        return dates[index - 1] if index else None


@dataclass(frozen=True)
class ThreadingReport:
    """How the relationship is spread over the customer's people."""

    share_by_contact: Mapping[int, float]  # 0-1, of the total strength
    top_contact_id: int | None
    top_share: float
    findings: tuple[Finding, ...]


def analyse_threading(ctx: AccountContext) -> ThreadingReport:
    """Flag a single-threaded account: one contact carries most of the total strength."""
    account, config = ctx.account, ctx.config
    totals = ctx.strengths.by_contact()
    grand_total = sum(totals.values())
    if grand_total <= 0.0:
        nothing = finding(Code.RELATIONSHIPS_NONE, Severity.RISK)
        return ThreadingReport(MappingProxyType({}), None, 0.0, (nothing,))
    shares = {cid: value / grand_total for cid, value in totals.items()}
    # Ties break on the lower id so the report is stable from run to run.
    top_id = min(shares, key=lambda cid: (-shares[cid], cid))
    top_share = shares[top_id]
    findings: list[Finding] = []
    if top_share > config.single_thread_share:
        contact = account.contact_by_id.get(top_id)
        code, severity = Code.SINGLE_THREADED, Severity.WARNING
        if contact is not None and contact.has_left(account.as_of):
            code, severity = Code.SINGLE_THREADED_CONTACT_LEFT, Severity.RISK
        elif contact is not None and contact.is_leaving(account.as_of):
            code, severity = Code.SINGLE_THREADED_CONTACT_LEAVING, Severity.RISK
        successor = (
            account.contact_by_id.get(contact.successor_id)
            if contact is not None and contact.successor_id is not None
            else None
        )
        findings.append(
            finding(
                code,
                severity,
                contact_id=top_id,
                contact_name=contact.name if contact else "",
                share=top_share,
                contact_strength=totals[top_id],
                total_strength=grand_total,
                threshold=config.single_thread_share,
                left_on=contact.left_on if contact else None,
                successor_id=successor.id if successor else None,
                successor_name=successor.name if successor else "",
            )
        )
    return ThreadingReport(MappingProxyType(shares), top_id, top_share, tuple(findings))


def team_contact_matrix(
    ctx: AccountContext, *, contact_ids: Iterable[int] | None = None
) -> TeamContactMatrix:
    """Strength per (team member, contact): rows are our users, columns the contacts.

    By default the columns are the contacts anyone on the team has a strength with, ordered by
    total strength, so the matrix of a 2,000-contact account stays readable.
    """
    users = [m.id for m in ctx.account.team]
    if contact_ids is None:
        totals = ctx.strengths.by_contact()
        columns = sorted(totals, key=lambda cid: (-totals[cid], cid))
    else:
        columns = list(contact_ids)
    pairs = ctx.strengths.pairs
    rows = tuple(tuple(pairs.get((u, c), 0.0) for c in columns) for u in users)
    return TeamContactMatrix(tuple(users), tuple(columns), rows)


@dataclass(frozen=True)
class TeamContactMatrix:
    """Strength per pair as a dense matrix: ``strengths[row][column]``."""

    user_ids: tuple[int, ...]
    contact_ids: tuple[int, ...]
    strengths: tuple[tuple[float, ...], ...]

    def as_mapping(self) -> Mapping[int, Mapping[int, float]]:
        """The same figures as {user id: {contact id: strength}}."""
        return {
            u: dict(zip(self.contact_ids, row, strict=True))
            for u, row in zip(self.user_ids, self.strengths, strict=True)
        }
