"""The three questions of a significant deal, and the opponents and interests against us."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .findings import Code, Finding, Severity, finding
from .model import (
    AccountSnapshot,
    Attitude,
    DefusingStrategy,
    InterestStatus,
    Opportunity,
    OpportunityStatus,
)
from .strength import AccountContext


class BuyInState(StrEnum):
    """The answer to 'do we know them, and if not what is planned' for one person."""

    KNOWN = "known"
    STEP_PLANNED = "step_planned"
    NO_STEP = "no_step"
    LEFT = "left"
    UNRECORDED = "unrecorded"  # the opportunity names a contact id we do not hold


@dataclass(frozen=True)
class BuyInRow:
    """One person whose buy-in a deal needs."""

    contact_id: int
    name: str
    state: BuyInState
    known_by: tuple[int, ...]  # our user ids, strongest relationship first
    planned_step: str
    attitude: str


@dataclass(frozen=True)
class DealQuestions:
    """The three questions answered for one open significant opportunity."""

    opportunity_id: int
    name: str
    value: Decimal
    rows: tuple[BuyInRow, ...]
    findings: tuple[Finding, ...]

    @property
    def needs_attention(self) -> bool:
        """True when someone's buy-in is needed, unknown in person and nothing is planned."""
        return any(r.state in (BuyInState.NO_STEP, BuyInState.LEFT) for r in self.rows) or (
            not self.rows
        )


def significant_deals(account: AccountSnapshot) -> list[Opportunity]:
    """The open significant opportunities, largest first: the one list the deals panel and
    every finding that speaks of 'a significant deal' read."""
    return sorted(
        (o for o in account.opportunities if o.significant and o.status == OpportunityStatus.OPEN),
        key=lambda o: (-o.value, o.id),
    )


def analyse_deals(ctx: AccountContext) -> tuple[DealQuestions, ...]:
    """For each open significant opportunity: whose buy-in, known in person, step planned."""
    account = ctx.account
    deals: list[DealQuestions] = []
    for opp in significant_deals(account):
        rows: list[BuyInRow] = []
        findings: list[Finding] = []
        base = {"opportunity_id": opp.id, "opportunity_name": opp.name, "value": opp.value}
        if not opp.buy_in_contact_ids:
            findings.append(finding(Code.DEAL_BUY_IN_NOT_IDENTIFIED, Severity.RISK, **base))
        for contact_id in dict.fromkeys(opp.buy_in_contact_ids):  # dedupe, keep order
            contact = account.contact_by_id.get(contact_id)
            if contact is None:
                rows.append(BuyInRow(contact_id, "", BuyInState.UNRECORDED, (), "", ""))
                continue
            known = sorted(
                ctx.known_in_person_by(contact_id),
                key=lambda u: (-ctx.strengths.of(u, contact_id), u),
            )
            step = contact.assessment.planned_step.strip() if contact.assessment else ""
            facts = {**base, "contact_name": contact.name, "influence": contact.influence}
            if contact.has_left(account.as_of):
                state = BuyInState.LEFT
                successor = account.contact_by_id.get(contact.successor_id or -1)
                findings.append(
                    finding(
                        Code.DEAL_CONTACT_LEFT,
                        Severity.RISK,
                        contact_id=contact_id,
                        left_on=contact.left_on,
                        successor_id=successor.id if successor else None,
                        successor_name=successor.name if successor else "",
                        **facts,
                    )
                )
            elif known:
                state = BuyInState.KNOWN
            elif step:
                state = BuyInState.STEP_PLANNED
                findings.append(
                    finding(
                        Code.DEAL_CONTACT_UNKNOWN_STEP_PLANNED,
                        Severity.INFO,
                        contact_id=contact_id,
                        planned_step=step,
                        **facts,
                    )
                )
            else:
                state = BuyInState.NO_STEP
                findings.append(
                    finding(
                        Code.DEAL_CONTACT_UNKNOWN_NO_STEP,
                        Severity.RISK,
                        contact_id=contact_id,
                        **facts,
                    )
                )
            if contact.attitude == Attitude.OPPONENT and state != BuyInState.LEFT:
                findings.append(
                    finding(
                        Code.DEAL_CONTACT_OPPONENT, Severity.RISK, contact_id=contact_id, **facts
                    )
                )
            rows.append(
                BuyInRow(
                    contact_id,
                    contact.name,
                    state,
                    tuple(known),
                    step,
                    contact.attitude.value,
                )
            )
        deals.append(DealQuestions(opp.id, opp.name, opp.value, tuple(rows), tuple(findings)))
    return tuple(deals)


@dataclass(frozen=True)
class ThreatReport:
    """Opponents and entrenched interests that nothing is being done about."""

    opponent_ids: tuple[int, ...]
    findings: tuple[Finding, ...]


def analyse_threats(ctx: AccountContext) -> ThreatReport:
    """Flag active opponents and open interests without a working defusing strategy."""
    account, config = ctx.account, ctx.config
    as_of = account.as_of
    findings: list[Finding] = []
    open_interests = [i for i in account.interests if i.status == InterestStatus.OPEN]
    interest_count: dict[int, int] = {}
    for interest in open_interests:
        interest_count[interest.contact_id] = interest_count.get(interest.contact_id, 0) + 1
    # 'Needed for a significant deal' only when the deals panel lists that deal with them.
    needed = {cid for o in significant_deals(account) for cid in o.buy_in_contact_ids}

    opponents = sorted(
        (c for c in account.contacts if c.attitude == Attitude.OPPONENT and not c.has_left(as_of)),
        key=lambda c: (-c.influence, c.id),
    )
    for c in opponents:
        buy_in = c.id in needed
        flagged = bool(c.assessment and c.assessment.buy_in_needed)
        # An opponent matters most when they weigh in or the deal needs their yes.
        severe = c.influence >= config.influential_min or buy_in or flagged
        findings.append(
            finding(
                Code.OPPONENT,
                Severity.RISK if severe else Severity.WARNING,
                contact_id=c.id,
                contact_name=c.name,
                influence=c.influence,
                buy_in_needed=buy_in,
                buy_in_flagged=flagged and not buy_in,
                open_interests=interest_count.get(c.id, 0),
                known_by=tuple(sorted(ctx.known_in_person_by(c.id))),
            )
        )

    for interest in sorted(open_interests, key=lambda i: (-i.threat_level, i.id)):
        holder = account.contact_by_id.get(interest.contact_id)
        facts = {
            "interest_id": interest.id,
            "interest_kind": interest.kind,
            "threat_level": interest.threat_level,
            "contact_name": holder.name if holder else "",
        }
        severity = Severity.RISK if interest.threat_level >= 4 else Severity.WARNING
        if holder is not None and holder.has_left(as_of):
            # The worst-case strategy (wait for them to leave) has happened: suggest closing.
            findings.append(
                finding(
                    Code.INTEREST_HOLDER_LEFT,
                    Severity.INFO,
                    contact_id=interest.contact_id,
                    left_on=holder.left_on,
                    **facts,
                )
            )
            continue
        if interest.strategy is None:
            findings.append(
                finding(
                    Code.INTEREST_NO_STRATEGY, severity, contact_id=interest.contact_id, **facts
                )
            )
            continue
        if interest.strategy != DefusingStrategy.ENLIST_ADVOCATE:
            continue
        advocate = account.contact_by_id.get(interest.advocate_id or -1)
        if advocate is None:
            findings.append(
                finding(
                    Code.INTEREST_ADVOCATE_MISSING,
                    severity,
                    contact_id=interest.contact_id,
                    **facts,
                )
            )
        elif advocate.has_left(as_of):
            findings.append(
                finding(
                    Code.INTEREST_ADVOCATE_LEFT,
                    severity,
                    contact_id=interest.contact_id,
                    advocate_id=advocate.id,
                    advocate_name=advocate.name,
                    left_on=advocate.left_on,
                    **facts,
                )
            )
        elif advocate.attitude == Attitude.OPPONENT:
            findings.append(
                finding(
                    Code.INTEREST_ADVOCATE_OPPONENT,
                    severity,
                    contact_id=interest.contact_id,
                    advocate_id=advocate.id,
                    advocate_name=advocate.name,
                    **facts,
                )
            )
    return ThreatReport(tuple(c.id for c in opponents), tuple(findings))
