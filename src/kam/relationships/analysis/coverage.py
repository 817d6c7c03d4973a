"""Coverage: enough influential people known in person, the key roles, and departments reached.

The rule of thumb of complex sales (Miller Heiman) is to know 3 to 5 influential people at the
customer in person; fewer and one departure or one bad meeting loses the account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .findings import Code, Finding, Severity, finding
from .model import BuyingRole, Contact
from .strength import AccountContext


@dataclass(frozen=True)
class CoverageReport:
    """Influential contacts known in person, and the roles still uncovered."""

    influential_ids: tuple[int, ...]
    known_influential_ids: tuple[int, ...]
    unknown_influential_ids: tuple[int, ...]
    executive_sponsor_ids: tuple[int, ...]
    findings: tuple[Finding, ...]


def _by_influence(contacts: list[Contact]) -> list[Contact]:
    return sorted(contacts, key=lambda c: (-c.influence, c.name, c.id))


def _people(contacts: list[Contact]) -> list[dict[str, object]]:
    # Facts keep ids and names together so the page can link each name to its panel.
    return [{"id": c.id, "name": c.name} for c in contacts]


def analyse_coverage(ctx: AccountContext) -> CoverageReport:
    """Count influential contacts known in person and list the roles nobody covers."""
    account, config = ctx.account, ctx.config
    active = [c for c in account.contacts if not c.has_left(account.as_of)]
    influential = _by_influence([c for c in active if c.influence >= config.influential_min])
    known = [c for c in influential if ctx.known_in_person_by(c.id)]
    unknown = [c for c in influential if not ctx.known_in_person_by(c.id)]
    findings: list[Finding] = []
    count_facts = {
        "known_count": len(known),
        "influential_count": len(influential),
        "minimum": config.coverage_min,
        "target": config.coverage_target,
        "influence_min": config.influential_min,
        "unknown": _people(unknown),
    }
    if len(known) < config.coverage_min:
        findings.append(finding(Code.COVERAGE_BELOW_MINIMUM, Severity.RISK, **count_facts))
    elif len(known) < config.coverage_target:
        findings.append(finding(Code.COVERAGE_BELOW_TARGET, Severity.WARNING, **count_facts))
    else:
        findings.append(finding(Code.COVERAGE_MET, Severity.INFO, **count_facts))

    roles = (
        (
            BuyingRole.DECISION_MAKER,
            Code.NO_DECISION_MAKER_IDENTIFIED,
            Code.NO_DECISION_MAKER_KNOWN,
        ),
        (BuyingRole.COACH, Code.NO_COACH_IDENTIFIED, Code.NO_COACH_KNOWN),
    )
    for role, unidentified, unknown_code in roles:
        holders = _by_influence([c for c in active if c.role == role])
        if not holders:
            findings.append(finding(unidentified, Severity.RISK, role=role.value))
        elif not any(ctx.known_in_person_by(c.id) for c in holders):
            findings.append(
                finding(unknown_code, Severity.RISK, role=role.value, contacts=_people(holders))
            )

    sponsors = [m for m in account.team if m.is_executive_sponsor]
    if not sponsors:
        findings.append(finding(Code.NO_EXECUTIVE_SPONSOR, Severity.WARNING))
    for sponsor in sponsors:
        if not any(sponsor.id in ctx.known_in_person_by(c.id) for c in active):
            findings.append(
                finding(
                    Code.SPONSOR_KNOWS_NOBODY,
                    Severity.WARNING,
                    user_id=sponsor.id,
                    user_name=sponsor.name,
                )
            )
    return CoverageReport(
        influential_ids=tuple(c.id for c in influential),
        known_influential_ids=tuple(c.id for c in known),
        unknown_influential_ids=tuple(c.id for c in unknown),
        executive_sponsor_ids=tuple(m.id for m in sponsors),
        findings=tuple(findings),
    )


@dataclass(frozen=True)
class DepartmentReach:
    """One department: its people, who we reach there, and through whom on our team."""

    department: str  # '' for contacts without a department; the page words it
    contact_ids: tuple[int, ...]
    influential_ids: tuple[int, ...]
    reached_ids: tuple[int, ...]
    unreached_influential_ids: tuple[int, ...]
    reach_by_user: Mapping[int, tuple[int, ...]]  # user id -> contact ids they reach here
    strength_by_user: Mapping[int, float]  # user id -> sum of their strengths here


@dataclass(frozen=True)
class DepartmentReport:
    """Department coverage of the account, in descending order of influence held."""

    departments: tuple[DepartmentReach, ...]
    findings: tuple[Finding, ...]


def analyse_departments(ctx: AccountContext) -> DepartmentReport:
    """Which departments we reach, through whom, and where influential people are unreached.

    A user reaches a contact when they know them in person or their strength is at least
    ``reach_min_strength``: an email thread alone does not open a department.
    """
    account, config = ctx.account, ctx.config
    by_department: dict[str, list[Contact]] = defaultdict(list)
    for contact in account.contacts:
        if not contact.has_left(account.as_of):
            by_department[contact.department].append(contact)
    reach: dict[int, set[int]] = defaultdict(set)  # contact id -> users reaching them
    for (user_id, contact_id), value in ctx.strengths.pairs.items():
        if value >= config.reach_min_strength:
            reach[contact_id].add(user_id)
    for contact_id, users in ctx.known_by.items():
        reach[contact_id].update(users)

    reports: list[DepartmentReach] = []
    findings: list[Finding] = []
    for department, contacts in by_department.items():
        contacts = _by_influence(contacts)
        influential = [c for c in contacts if c.influence >= config.influential_min]
        reached = [c for c in contacts if reach.get(c.id)]
        unreached = [c for c in influential if not reach.get(c.id)]
        per_user: dict[int, list[int]] = defaultdict(list)
        strength: dict[int, float] = defaultdict(float)
        for c in contacts:
            for user_id in sorted(reach.get(c.id, ())):
                per_user[user_id].append(c.id)
                strength[user_id] += ctx.strengths.of(user_id, c.id)
        reports.append(
            DepartmentReach(
                department=department,
                contact_ids=tuple(c.id for c in contacts),
                influential_ids=tuple(c.id for c in influential),
                reached_ids=tuple(c.id for c in reached),
                unreached_influential_ids=tuple(c.id for c in unreached),
                reach_by_user=MappingProxyType({u: tuple(ids) for u, ids in per_user.items()}),
                strength_by_user=MappingProxyType(dict(strength)),
            )
        )
        facts = {
            "department": department,
            "contact_count": len(contacts),
            "influential": _people(unreached),
        }
        if not reached:
            # A department nobody reaches matters most when it holds influence (the furniture
            # maker whose way forward was design and sales, not procurement).
            severity = Severity.RISK if influential else Severity.INFO
            findings.append(finding(Code.DEPARTMENT_NOT_REACHED, severity, **facts))
        elif unreached:
            findings.append(
                finding(Code.DEPARTMENT_INFLUENTIAL_NOT_REACHED, Severity.WARNING, **facts)
            )
    reports.sort(key=lambda r: (-len(r.influential_ids), -len(r.contact_ids), r.department))
    return DepartmentReport(tuple(reports), tuple(findings))
