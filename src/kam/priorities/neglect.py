"""Neglect alarms (issue 12 item 6, METHOD.md M6): which accounts and people are going
without the time they need, since when, and what to do. Pure: plain data in, alarms out.

Three rules, each measured from the last interaction that counts (or, with none, from the day
kam first knew the account, the work or the person, so a new record is not an instant alarm):

1. ``long_horizon``: an account with open long-horizon work (opportunities expected 6 months
   or more ahead, long-term customer objectives) and no interaction of any kind for longer
   than its tier allows: the tier's plan review cadence in days (90 without a tier).
2. ``no_visit``: a key account with no in-person interaction (meeting, visit, demo, pilot,
   senior visit) within its service level's frequency: 30.4 / visits per month days.
3. ``influencer_unseen``: an active contact of influence 4 or 5 not met for 120 days.

Alarms are ordered by how far past the allowed time they are, the most overdue first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

DAYS_PER_MONTH = 30.4
DEFAULT_REVIEW_DAYS = 90
INFLUENCER_DAYS = 120
INFLUENTIAL = 4

LONG_HORIZON = "long_horizon"
NO_VISIT = "no_visit"
INFLUENCER_UNSEEN = "influencer_unseen"


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    name: str
    known_since: date
    is_key: bool = False
    visits_per_month: float | None = None  # the tier's service level; None without one
    review_days: int | None = None  # the tier's plan review cadence; None without a tier
    last_interaction: date | None = None
    last_visit: date | None = None  # last in-person interaction
    long_horizon: tuple[str, ...] = ()  # names of open long-horizon work
    long_horizon_since: date | None = None  # the earliest of them was recorded on


@dataclass(frozen=True)
class ContactFacts:
    account_id: int
    contact_id: int
    name: str
    influence: int | None
    known_since: date
    last_seen: date | None = None


@dataclass(frozen=True)
class Alarm:
    kind: str
    account_id: int
    account: str
    last: date | None  # the last interaction that counts; None: never
    since: date  # the day the clock started: ``last`` or when kam first knew of it
    days: int  # days since ``since``
    allowed_days: int
    subjects: tuple[str, ...] = field(default=())  # the work or the person concerned
    contact_id: int | None = None

    @property
    def overdue_days(self) -> int:
        return self.days - self.allowed_days


def visit_interval(visits_per_month: float | None) -> int | None:
    """Days allowed between visits by a service level; None when it asks for none."""
    if not visits_per_month or visits_per_month <= 0:
        return None
    return math.ceil(DAYS_PER_MONTH / float(visits_per_month))


def neglect_alarms(
    accounts: list[AccountFacts], contacts: list[ContactFacts], today: date
) -> list[Alarm]:
    """Every alarm the three rules raise, the most overdue first."""
    alarms: list[Alarm] = []
    names = {a.account_id: a.name for a in accounts}
    for a in accounts:
        if a.long_horizon:
            allowed = a.review_days or DEFAULT_REVIEW_DAYS
            since = a.last_interaction or a.long_horizon_since or a.known_since
            days = (today - since).days
            if days > allowed:
                alarms.append(
                    Alarm(
                        LONG_HORIZON,
                        a.account_id,
                        a.name,
                        a.last_interaction,
                        since,
                        days,
                        allowed,
                        a.long_horizon,
                    )
                )
        interval = visit_interval(a.visits_per_month) if a.is_key else None
        if interval is not None:
            since = a.last_visit or a.known_since
            days = (today - since).days
            if days > interval:
                alarms.append(
                    Alarm(NO_VISIT, a.account_id, a.name, a.last_visit, since, days, interval)
                )
    for c in contacts:
        if (c.influence or 0) < INFLUENTIAL or c.account_id not in names:
            continue
        since = c.last_seen or c.known_since
        days = (today - since).days
        if days > INFLUENCER_DAYS:
            alarms.append(
                Alarm(
                    INFLUENCER_UNSEEN,
                    c.account_id,
                    names[c.account_id],
                    c.last_seen,
                    since,
                    days,
                    INFLUENCER_DAYS,
                    (c.name,),
                    c.contact_id,
                )
            )
    alarms.sort(key=lambda x: (-x.overdue_days, x.account, x.kind))
    return alarms
