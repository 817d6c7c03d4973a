"""Time with the right people (issue 12 item 2, METHOD.md M6), measured from the interaction
log. Pure: plain facts in, shares and flags out.

Whom a contact counts as (``Person.group``):
- **influential**: influence 4 or 5, or a decision maker, or the holder of an open entrenched
  interest, or an opponent (someone to win over);
- **easy**: assessed, none of the above (lower influence, neutral or friendly);
- **unassessed**: no influence recorded yet.

Contact time: each interaction's minutes (its duration, or its kind's usual length) are split
equally between the customer's people who took part, and count in full for each of our
people who took part (each of them spent the time). An interaction with none of the
customer's people named counts for nobody.

A KAM's contact time is the time they took part in; an account's, everyone's there. The
share of influential time is influential / all contact time. A KAM or an account is flagged
when the easy contacts take more than half (``MOSTLY``) of at least ``MIN_MINUTES`` of
contact time; the flag names the influential people not met in the period (a KAM's: those
at the accounts they manage or worked on; an account's: by anyone of ours).

The trend is the share per month or per quarter over the buckets asked for, said as rising,
falling or steady (a change of ``TREND_POINTS`` percentage points or more between the first
and the last bucket that had contact time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

INFLUENTIAL = "influential"
EASY = "easy"
UNASSESSED = "unassessed"
MOSTLY = 0.5
MIN_MINUTES = 120
TREND_POINTS = 5.0
RISING, FALLING, STEADY = "rising", "falling", "steady"


@dataclass(frozen=True)
class Person:
    contact_id: int
    account_id: int
    name: str
    influence: int | None = None
    decision_maker: bool = False
    opponent: bool = False
    holds_interest: bool = False
    active: bool = True  # still at the company

    @property
    def group(self) -> str:
        if (
            (self.influence or 0) >= 4
            or self.decision_maker
            or self.opponent
            or self.holds_interest
        ):
            return INFLUENTIAL
        return UNASSESSED if self.influence is None else EASY


@dataclass(frozen=True)
class Meeting:
    account_id: int
    on: date
    minutes: int
    ours: tuple[int, ...]  # our users' ids
    theirs: tuple[int, ...]  # contacts' ids


@dataclass(frozen=True)
class Mix:
    influential: float = 0.0  # minutes
    easy: float = 0.0
    unassessed: float = 0.0

    @property
    def total(self) -> float:
        return self.influential + self.easy + self.unassessed

    @property
    def influential_share(self) -> float | None:
        return self.influential / self.total if self.total else None

    @property
    def easy_share(self) -> float | None:
        return self.easy / self.total if self.total else None

    @property
    def unassessed_share(self) -> float | None:
        return self.unassessed / self.total if self.total else None

    @property
    def mostly_easy(self) -> bool:
        return self.total >= MIN_MINUTES and (self.easy_share or 0) > MOSTLY


@dataclass(frozen=True)
class Bucket:
    label: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Point:
    label: str
    share: float | None  # influential share; None: no contact time


@dataclass(frozen=True)
class Finding:
    key: int  # the user's or the account's id
    mix: Mix
    trend: tuple[Point, ...]
    direction: str | None  # RISING, FALLING, STEADY; None with fewer than two points
    flagged: bool
    unseen: tuple[Person, ...]  # influential people not met in the period (only when flagged)


def mix_of(
    meetings: Iterable[Meeting],
    people: dict[int, Person],
    *,
    user: int | None = None,
    account: int | None = None,
) -> Mix:
    """Contact minutes by group, for one of our people (``user``), one account, or both."""
    minutes = defaultdict(float)
    for m in meetings:
        if (user is not None and user not in m.ours) or (
            account is not None and m.account_id != account
        ):
            continue
        theirs = [people[c] for c in m.theirs if c in people]
        if not theirs or not m.ours:
            continue
        each = m.minutes / len(theirs)
        for p in theirs:
            minutes[p.group] += each
    return Mix(minutes[INFLUENTIAL], minutes[EASY], minutes[UNASSESSED])


def direction(points: Iterable[Point]) -> str | None:
    shares = [p.share for p in points if p.share is not None]
    if len(shares) < 2:
        return None
    change = (shares[-1] - shares[0]) * 100
    if change >= TREND_POINTS:
        return RISING
    if change <= -TREND_POINTS:
        return FALLING
    return STEADY


def _within(meetings, start: date, end: date) -> list[Meeting]:
    return [m for m in meetings if start <= m.on <= end]


def find(
    meetings: list[Meeting],
    people: dict[int, Person],
    *,
    start: date,
    end: date,
    buckets: list[Bucket],
    user: int | None = None,
    account: int | None = None,
    their_accounts: Iterable[int] = (),
) -> Finding:
    """The finding for one KAM (``user``, whose accounts are ``their_accounts``) or one
    account, over ``start``-``end``, with its trend over ``buckets``."""
    inside = _within(meetings, start, end)
    mix = mix_of(inside, people, user=user, account=account)
    trend = tuple(
        Point(
            b.label,
            mix_of(
                _within(meetings, b.starts_on, b.ends_on), people, user=user, account=account
            ).influential_share,
        )
        for b in buckets
    )
    unseen: tuple[Person, ...] = ()
    if mix.mostly_easy:
        seen = {
            c
            for m in inside
            if (user is None or user in m.ours) and (account is None or m.account_id == account)
            for c in m.theirs
        }
        scope = {account} if account is not None else set(their_accounts)
        scope |= {m.account_id for m in inside if user is not None and user in m.ours}
        unseen = tuple(
            sorted(
                (
                    p
                    for p in people.values()
                    if p.group == INFLUENTIAL
                    and p.active
                    and p.account_id in scope
                    and p.contact_id not in seen
                ),
                key=lambda p: (-(p.influence or 0), p.name),
            )
        )
    return Finding(
        user if user is not None else (account or 0),
        mix,
        trend,
        direction(trend),
        mix.mostly_easy,
        unseen,
    )


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def buckets(end: date, by: str = "quarter", count: int = 4) -> list[Bucket]:
    """The last ``count`` calendar quarters (or months) up to the one containing ``end``,
    oldest first."""
    step = 3 if by == "quarter" else 1
    first = _quarter_start(end) if by == "quarter" else date(end.year, end.month, 1)
    out = []
    for i in range(count - 1, -1, -1):
        starts = _add_months(first, -step * i)
        ends = _add_months(starts, step)
        ends = date.fromordinal(ends.toordinal() - 1)
        if by == "quarter":
            label = f"{starts.year} Q{(starts.month - 1) // 3 + 1}"
        else:
            label = f"{starts.year}-{starts.month:02d}"
        out.append(Bucket(label, starts, ends))
    return out
