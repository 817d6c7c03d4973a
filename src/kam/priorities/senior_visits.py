"""Senior-management visits with "why now" (issue 12 item 8). Pure: plain facts in, one
suggestion per account out, with every reason that applies, whom to see and who should go.

The rules (each a reason code with its facts, said in words by the caller):
- ``low_level_decision_maker``: a decision maker of influence 4-5 whom none of our people
  know in person, or known only below the top of our relationship ladder;
- ``opponent_interest``: an opponent who holds an entrenched interest;
- ``opportunity_due``: a significant open opportunity expected within 3 to 6 months;
- ``falling_trend``: the account's revenue trend falls by 10 % or more;
- ``no_executive_contact``: no senior visit for longer than the tier's plan review cadence
  (90 days without a tier), counted from the last one or from when kam first knew the account.
Whom to see: the contacts the reasons name (decision makers first). Who goes: the account's
mentor when it has one, else the programme lead. Accounts are ordered by the number of
reasons, then by the most overdue executive contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FALLING_PCT = -10.0
DEFAULT_EXEC_DAYS = 90
OPPORTUNITY_DAYS = (90, 183)

LOW_LEVEL_DM = "low_level_decision_maker"
OPPONENT = "opponent_interest"
OPPORTUNITY = "opportunity_due"
FALLING = "falling_trend"
NO_EXEC = "no_executive_contact"


@dataclass(frozen=True)
class Person:
    contact_id: int
    name: str
    influence: int | None = None
    decision_maker: bool = False
    opponent: bool = False
    interests: tuple[str, ...] = ()  # entrenched interests they hold
    known_in_person: bool = False  # by any of our people
    level_rank: int | None = None  # our best relationship level with them: 1 is the top


@dataclass(frozen=True)
class Opportunity:
    name: str
    expected_on: date | None
    significant: bool
    buy_in_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    name: str
    known_since: date
    people: tuple[Person, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    revenue_trend_pct: float | None = None  # unknown: no rule fires
    last_senior_visit: date | None = None
    exec_days: int | None = None  # the tier's cadence
    goes: str = ""  # who on our side should go


@dataclass(frozen=True)
class Reason:
    code: str
    subject: str = ""  # a contact's or an opportunity's name
    detail: str = ""  # an interest, a percentage, a date
    days: int = 0


@dataclass(frozen=True)
class Suggestion:
    account_id: int
    account: str
    reasons: tuple[Reason, ...]
    see: tuple[str, ...]
    goes: str
    exec_overdue_days: int = 0


def suggest(facts: AccountFacts, today: date) -> Suggestion | None:
    reasons: list[Reason] = []
    see: list[str] = []
    for p in facts.people:
        low_level = not p.known_in_person or (p.level_rank or 1) > 1
        if p.decision_maker and (p.influence or 0) >= 4 and low_level:
            reasons.append(Reason(LOW_LEVEL_DM, p.name))
            see.append(p.name)
    for p in facts.people:
        if p.opponent and p.interests:
            reasons.append(Reason(OPPONENT, p.name, "; ".join(p.interests)))
            see.append(p.name)
    low, high = OPPORTUNITY_DAYS
    for o in facts.opportunities:
        if o.significant and o.expected_on and low <= (o.expected_on - today).days <= high:
            reasons.append(Reason(OPPORTUNITY, o.name, o.expected_on.isoformat()))
            see.extend(o.buy_in_from)
    if facts.revenue_trend_pct is not None and facts.revenue_trend_pct <= FALLING_PCT:
        reasons.append(Reason(FALLING, detail=f"{facts.revenue_trend_pct:g}"))
    allowed = facts.exec_days or DEFAULT_EXEC_DAYS
    since = facts.last_senior_visit or facts.known_since
    days = (today - since).days
    if days > allowed:
        reasons.append(Reason(NO_EXEC, detail=since.isoformat(), days=days))
    if not reasons:
        return None
    if not see:
        see = [p.name for p in sorted(facts.people, key=lambda p: -(p.influence or 0))[:1]]
    return Suggestion(
        facts.account_id,
        facts.name,
        tuple(reasons),
        tuple(dict.fromkeys(see)),
        facts.goes,
        max(days - allowed, 0),
    )


def senior_visits(accounts: list[AccountFacts], today: date) -> list[Suggestion]:
    """One suggestion per account that needs a senior visit now, the most reasons first."""
    found = [s for a in accounts if (s := suggest(a, today)) is not None]
    found.sort(key=lambda s: (-len(s.reasons), -s.exec_overdue_days, s.account))
    return found
