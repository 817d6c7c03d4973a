"""The right activity for the stage (issue 12 item 7, METHOD.md M6). Pure: plain facts in,
alarms out.

Each lifecycle stage, and each opportunity horizon (when its results are expected: 0-3, 3-6,
6-12 or 12+ months), expects at least one activity of some kinds within a number of days. The
programme lead may change every expectation (``ActivityExpectation`` rows); where no row
exists, ``DEFAULTS`` apply:

==================  =====================================  ===========
stage / horizon     expected, at least one of              within days
==================  =====================================  ===========
pre-sales           information, demonstration             60
negotiation         proposal, pilot                        45
implementation      pilot, demonstration                   60
review              business review                        90
exploitation        business review, information           90
horizon 0-3         proposal, pilot                        30
horizon 3-6         demonstration, pilot                   60
horizon 6-12        information, demonstration             90
horizon 12+         information                            120
==================  =====================================  ===========

What counts as which activity (``INTERACTION_ACTIVITY``): a meeting, call, visit or e-mail
informs; a demo demonstrates; a pilot is a pilot; a senior management visit is a business
review; a proposal or presentation attached to the account's plan or opportunity is a
proposal.

An account is flagged when none of the expected kinds happened within the days allowed,
counted from the last one or, with none ever, from when kam first knew the account (or the
opportunity), so a new record is not an instant alarm. Alarms are ordered by how far past
the allowed days they are, the most overdue first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

INFORMATION = "information"
DEMONSTRATION = "demonstration"
PILOT = "pilot"
PROPOSAL = "proposal"
BUSINESS_REVIEW = "business_review"
KINDS = (INFORMATION, DEMONSTRATION, PILOT, PROPOSAL, BUSINESS_REVIEW)

STAGE = "stage"
HORIZON = "horizon"

INTERACTION_ACTIVITY = {
    "meeting": INFORMATION,
    "call": INFORMATION,
    "visit": INFORMATION,
    "email": INFORMATION,
    "demo": DEMONSTRATION,
    "pilot": PILOT,
    "senior_visit": BUSINESS_REVIEW,
}


@dataclass(frozen=True)
class Expectation:
    scope: str  # STAGE or HORIZON
    key: str  # a stage code or a horizon label
    kinds: tuple[str, ...]
    within_days: int
    active: bool = True


DEFAULTS = (
    Expectation(STAGE, "pre_sales", (INFORMATION, DEMONSTRATION), 60),
    Expectation(STAGE, "negotiation", (PROPOSAL, PILOT), 45),
    Expectation(STAGE, "implementation", (PILOT, DEMONSTRATION), 60),
    Expectation(STAGE, "review", (BUSINESS_REVIEW,), 90),
    Expectation(STAGE, "exploitation", (BUSINESS_REVIEW, INFORMATION), 90),
    Expectation(HORIZON, "0-3", (PROPOSAL, PILOT), 30),
    Expectation(HORIZON, "3-6", (DEMONSTRATION, PILOT), 60),
    Expectation(HORIZON, "6-12", (INFORMATION, DEMONSTRATION), 90),
    Expectation(HORIZON, "12+", (INFORMATION,), 120),
)


def merged(overrides: Iterable[Expectation]) -> list[Expectation]:
    """The defaults with the lead's rows in their place (a row for an unknown key is kept)."""
    by_key = {(e.scope, e.key): e for e in DEFAULTS}
    for e in overrides:
        by_key[(e.scope, e.key)] = e
    return list(by_key.values())


@dataclass(frozen=True)
class AccountActivity:
    account_id: int
    name: str
    stage: str
    known_since: date
    # When each activity kind last happened at the account (kinds never done are absent).
    last: dict[str, date] = field(default_factory=dict)
    # Open opportunities by horizon label: (names, the earliest day kam knew of one).
    horizons: dict[str, tuple[tuple[str, ...], date]] = field(default_factory=dict)


@dataclass(frozen=True)
class Misfit:
    account_id: int
    account: str
    scope: str
    key: str
    expected: tuple[str, ...]
    allowed_days: int
    last: date | None  # the last expected activity; None: never
    since: date  # the day the clock started
    days: int
    done_instead: tuple[str, ...] = ()  # other kinds done within the allowed days
    subjects: tuple[str, ...] = ()  # the opportunities, for a horizon

    @property
    def overdue_days(self) -> int:
        return self.days - self.allowed_days


def _check(a: AccountActivity, e: Expectation, today: date, known: date, subjects=()):
    if not e.active or not e.kinds:
        return None
    done = [a.last[k] for k in e.kinds if k in a.last]
    last = max(done) if done else None
    since = last or known
    days = (today - since).days
    if days <= e.within_days:
        return None
    instead = tuple(
        k
        for k in KINDS
        if k not in e.kinds and k in a.last and (today - a.last[k]).days <= e.within_days
    )
    return Misfit(
        a.account_id,
        a.name,
        e.scope,
        e.key,
        tuple(e.kinds),
        e.within_days,
        last,
        since,
        days,
        instead,
        tuple(subjects),
    )


def misfits(
    accounts: Iterable[AccountActivity], expectations: Iterable[Expectation], today: date
) -> list[Misfit]:
    """Every stage or horizon whose expected activities the account has not had in time,
    the most overdue first."""
    rules = {(e.scope, e.key): e for e in expectations}
    found: list[Misfit] = []
    for a in accounts:
        rule = rules.get((STAGE, a.stage))
        if rule and (m := _check(a, rule, today, a.known_since)):
            found.append(m)
        for label, (names, known) in sorted(a.horizons.items()):
            rule = rules.get((HORIZON, label))
            if rule and (m := _check(a, rule, today, max(known, a.known_since), names)):
                found.append(m)
    found.sort(key=lambda m: (-m.overdue_days, m.account, m.scope, m.key))
    return found
