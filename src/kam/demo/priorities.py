"""Demo effort and priorities (issue 12 item 11, METHOD.md M6): the time the programme spent
over the demo's history and the hours it has, so the allocation, the workload and the alarms
have something true to say.

- **Durations** on every interaction of the relationships demo: the kind's usual length, give
  or take (a visit runs 1.5 to 3 hours, a call 15 to 45 minutes).
- **Time entries** over the last twelve months for every owned account: travel and
  preparation around in-person meetings, internal work (proposals, quotes) every month.
- **Capacities** for the current and the previous quarter (KAMs 22-28 selling hours a week,
  team members 8-12, mentors and the lead 4-8), **holidays** (Christmas and New Year for
  everyone, three weeks of leave for one KAM) as dated absences.
- Two **pins** by the lead (a team member's hours on the pilot of the best-ranked key account
  with a team member, the overloaded KAM's hours on their best account's tender) and one
  **allocation** of the current quarter, proposed by the lead.

Planted cases (``planted_priorities``), each for a page to surface:
- ``overloaded``: a KAM (username) whose accounts' service levels ask far more hours than the
  4 selling hours a week and the three weeks of leave they have this quarter: the workload
  page flags them; with the 20 hours the lead pinned for their best account's tender, the
  floors of the accounts only they serve cannot hold, and the allocation says by how many
  hours they are over-committed;
- ``untouched``: an account with long-horizon work (an objective and an opportunity a year
  out) whose last interaction was 130 days ago: a neglect alarm on "my week";
- ``friendly_buyer``: an account where the KAM's contact time goes to a friendly buyer of
  influence 2 while its decision maker (influence 5) is never seen;
- ``senior_visit``: an account that needs a senior visit now: a decision maker of influence 5
  nobody knows in person, a significant opportunity due in four months, and no executive
  there for 200 days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from kam.accounts.models import Account, TeamMembership
from kam.core.models import Period
from kam.demo.generator import ACCOUNTS_WITH_TEAMS, DemoCompany
from kam.demo.ledger import planted_accounts
from kam.planning.models import Horizon, Objective, ObjectiveStatus, Opportunity
from kam.priorities.models import Absence, Capacity, Pin, TimeCategory, TimeEntry
from kam.relationships.models import (
    DEFAULT_MINUTES,
    Assessment,
    Contact,
    Interaction,
    InteractionKind,
)
from kam.selection.queries import latest_run
from kam.users.models import Role, User

# Each kind's duration: its usual length times a factor drawn from this range, in quarters
# of an hour.
DURATION_SPREAD = (0.6, 1.6)
IN_PERSON = (
    InteractionKind.VISIT,
    InteractionKind.MEETING,
    InteractionKind.DEMO,
    InteractionKind.PILOT,
    InteractionKind.SENIOR_VISIT,
)
OVERLOADED_HOURS_PER_WEEK = Decimal(4)
TENDER_PIN_HOURS = Decimal(20)
UNTOUCHED_DAYS = 130
FRIENDLY_BUYER = "Budi Hartono"
UNSEEN_DECISION_MAKER = "Surya Wijaya"
SENIOR_DECISION_MAKER = "Helena Tan"
LONG_HORIZON_ENGINEER = "Marco Rinaldi"
SENIOR_VISIT_BUYER = "Kevin Ong"
# The people these planted cases add to the relationship demo's (tests count on them).
PLANTED_PEOPLE = (
    LONG_HORIZON_ENGINEER,
    FRIENDLY_BUYER,
    UNSEEN_DECISION_MAKER,
    SENIOR_DECISION_MAKER,
    SENIOR_VISIT_BUYER,
)


@dataclass(frozen=True)
class DemoQuarters:
    current: Period
    previous: Period


def quarter_of(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def quarters(today: date) -> DemoQuarters:
    """The calendar quarter holding ``today`` and the one before, as periods."""
    start, end = quarter_of(today)
    before_start, before_end = quarter_of(start - timedelta(days=1))

    def period(s: date, e: date) -> Period:
        found, _ = Period.objects.get_or_create(
            name=f"{s.year} Q{(s.month - 1) // 3 + 1}", defaults={"starts_on": s, "ends_on": e}
        )
        return found

    return DemoQuarters(period(start, end), period(before_start, before_end))


def _owned_accounts() -> list[Account]:
    return list(Account.objects.exclude(owner=None).order_by("code"))


def planted_priorities(company: DemoCompany) -> dict[str, str]:
    """The planted cases: account codes, and the overloaded KAM's username (see the module's
    docstring). Chosen among owned accounts the other demos plant nothing on, without
    contacts or a team of their own (the generator gives those to the largest accounts), so
    each case is exactly what it says."""
    skip = set(planted_accounts(company).values())
    skip |= {a.code for a in company.largest(ACCOUNTS_WITH_TEAMS)}
    skip |= {c.account_code for c in company.contacts}
    run = latest_run()
    keys = (
        set(run.scores.filter(is_key=True).values_list("account__code", flat=True))
        if run
        else set()
    )
    free = [a for a in _owned_accounts() if a.code not in skip]
    key_free = [a for a in free if a.code in keys] or free
    senior = key_free[0]
    rest = [a for a in free if a.pk != senior.pk]
    return {
        "overloaded": _most_asked_kam(),
        "senior_visit": senior.code,
        "friendly_buyer": rest[0].code,
        "untouched": rest[1].code,
    }


def _most_asked_kam() -> str:
    """The KAM with the most key accounts (their service levels ask the most hours)."""
    run = latest_run()
    counts = (
        Account.objects.filter(owner__role=Role.KEY_ACCOUNT_MANAGER)
        .filter(pk__in=run.scores.filter(is_key=True).values("account_id") if run else [])
        .values("owner__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner__username")
    )
    first = counts.first()
    if first is None:
        return User.objects.filter(role=Role.KEY_ACCOUNT_MANAGER).order_by("username")[0].username
    return first["owner__username"]


def demo_priorities_load(company: DemoCompany) -> dict[str, str]:
    """Load the demo's effort, capacities and planted cases, and propose the current
    quarter's allocation; returns the planted cases."""
    rng = random.Random(company.seed * 7 + 12)
    today = company.today
    q = quarters(today)
    planted = planted_priorities(company)
    _durations(rng)
    _time_entries(rng, today)
    _capacities(rng, q, planted["overloaded"])
    _plant_untouched(Account.objects.get(code=planted["untouched"]), today)
    _plant_friendly_buyer(Account.objects.get(code=planted["friendly_buyer"]), today)
    _plant_senior_visit(Account.objects.get(code=planted["senior_visit"]), today)
    _pin(q.current, planted["overloaded"])
    from kam.priorities.allocating import allocation_run

    allocation_run(period=q.current, by=User.objects.get(username="lead"))
    return planted


def _durations(rng: random.Random) -> None:
    rows = list(Interaction.objects.order_by("pk").only("pk", "kind"))
    low, high = DURATION_SPREAD
    for row in rows:
        usual = DEFAULT_MINUTES.get(row.kind, 60)
        row.duration_minutes = max(15, round(usual * rng.uniform(low, high) / 15) * 15)
    Interaction.objects.bulk_update(rows, ["duration_minutes"], batch_size=500)


def _time_entries(rng: random.Random, today: date) -> None:
    """Travel and preparation around each in-person meeting of the last year, by the first of
    our people there; internal work on every owned account, one to three times a month."""
    since = today - timedelta(days=365)
    entries = []
    meetings = (
        Interaction.objects.filter(occurred_on__range=(since, today), kind__in=IN_PERSON)
        .order_by("pk")
        .values_list("account_id", "logged_by_id", "occurred_on")
    )
    for account_id, user_id, on in meetings:
        if user_id is None:
            continue
        entries.append(
            TimeEntry(
                account_id=account_id,
                user_id=user_id,
                spent_on=on,
                minutes=rng.choice((45, 60, 90, 120, 180)),
                category=TimeCategory.TRAVEL,
                note="Return trip to the customer's site",
            )
        )
        entries.append(
            TimeEntry(
                account_id=account_id,
                user_id=user_id,
                spent_on=on - timedelta(days=1),
                minutes=rng.choice((30, 45, 60, 90)),
                category=TimeCategory.PREPARATION,
                note="Preparing the meeting",
            )
        )
    members: dict[int, list[int]] = {}
    for account_id, user_id in TeamMembership.objects.values_list("account_id", "user_id"):
        members.setdefault(account_id, []).append(user_id)
    for account in _owned_accounts():
        people = [account.owner_id, *members.get(account.pk, [])]
        day = since
        while day < today:
            for _ in range(rng.randint(1, 3)):
                on = day + timedelta(days=rng.randint(0, 27))
                if on >= today or on.weekday() >= 5:
                    continue
                entries.append(
                    TimeEntry(
                        account=account,
                        user_id=rng.choice(people),
                        spent_on=on,
                        minutes=rng.choice((30, 60, 90, 120, 180, 240)),
                        category=TimeCategory.INTERNAL,
                        note=rng.choice(
                            (
                                "Quotation and price check",
                                "Order follow-up with the factory",
                                "Sample preparation",
                                "Internal account review",
                            )
                        ),
                    )
                )
            day += timedelta(days=28)
    for e in entries:
        e.created_by_id = e.updated_by_id = e.user_id
    TimeEntry.objects.bulk_create(entries, batch_size=1000)


def _capacities(rng: random.Random, q: DemoQuarters, overloaded: str) -> None:
    people = User.objects.filter(
        role__in=[Role.KEY_ACCOUNT_MANAGER, Role.TEAM_MEMBER, Role.MENTOR, Role.PROGRAMME_LEAD]
    ).order_by("username")
    capacities, absences = [], []
    for period in (q.current, q.previous):
        for user in people:
            if user.role == Role.KEY_ACCOUNT_MANAGER:
                hours, note = Decimal(rng.choice((22, 24, 25, 26, 28))), ""
                if user.username == overloaded and period == q.current:
                    hours = OVERLOADED_HOURS_PER_WEEK
                    note = "Also runs the distributor channel this quarter"
            elif user.role == Role.TEAM_MEMBER:
                hours, note = Decimal(rng.choice((8, 10, 12))), ""
            elif user.role == Role.PROGRAMME_LEAD:
                hours, note = Decimal(8), ""
            else:
                hours, note = Decimal(4), ""
            capacities.append(Capacity(user=user, period=period, hours_per_week=hours, note=note))
    Capacity.objects.bulk_create(capacities)
    for user in people:
        for start, end, reason in _holidays(q):
            absences.append(Absence(user=user, starts_on=start, ends_on=end, reason=reason))
    start = q.current.starts_on + timedelta(days=35)
    absences.append(
        Absence(
            user=User.objects.get(username=overloaded),
            starts_on=start,
            ends_on=start + timedelta(days=20),
            reason="Annual leave",
        )
    )
    Absence.objects.bulk_create(absences)


def _holidays(q: DemoQuarters) -> list[tuple[date, date, str]]:
    out = []
    for period in (q.previous, q.current):
        for year in {period.starts_on.year, period.ends_on.year}:
            for day, reason in (
                (date(year, 12, 25), "Christmas Day"),
                (date(year, 12, 26), "Boxing Day"),
                (date(year, 1, 1), "New Year's Day"),
            ):
                if period.starts_on <= day <= period.ends_on:
                    out.append((day, day, reason))
    return sorted(set(out))


def _contact(
    account: Account,
    name: str,
    title: str,
    *,
    influence: int,
    role: str,
    attitude: str,
    when,
    known_by: list[User] = (),
) -> Contact:
    contact = Contact.objects.create(account=account, name=name, title=title)
    # Added to kam when first assessed, not on the day the demo loads: the neglect alarm of
    # an influential contact never met counts from the day the contact was added.
    Contact.objects.filter(pk=contact.pk).update(created_at=when)
    assessment = Assessment.objects.create(
        contact=contact,
        assessed_at=when,
        assessed_by=account.owner,
        buying_role=role,
        influence=influence,
        attitude=attitude,
    )
    if known_by:
        assessment.known_in_person_by.set(known_by)
    contact.current_assessment = assessment
    contact.save(update_fields=["current_assessment"])
    return contact


def _meet(account, on: date, kind: str, users, people, minutes: int, notes: str = "") -> None:
    interaction = Interaction.objects.create(
        account=account,
        kind=kind,
        occurred_on=on,
        duration_minutes=minutes,
        notes=notes,
        logged_by=users[0],
    )
    interaction.our_participants.set(users)
    interaction.their_participants.set(people)


def _aware(day: date):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))


def _plant_untouched(account: Account, today: date) -> None:
    """Long-horizon work, and nothing done there for 130 days."""
    when = _aware(today - timedelta(days=300))
    engineer = _contact(
        account,
        LONG_HORIZON_ENGINEER,
        "Head of new projects",
        influence=4,
        role="technical_buyer",
        attitude="neutral",
        when=when,
        known_by=[account.owner],
    )
    Objective.objects.create(
        account=account,
        description="Second factory: fittings for the new plant opening next year",
        horizon=Horizon.LONG_TERM,
        recorded_on=today - timedelta(days=240),
        status=ObjectiveStatus.OPEN,
        source_contact=engineer,
        recorded_by=account.owner,
    )
    Opportunity.objects.create(
        account=account,
        name="New plant fit-out",
        value=Decimal("420000"),
        currency=account.currency,
        probability=40,
        expected_on=today + timedelta(days=330),
        significant=True,
    )
    for days in (300, 240, 190, UNTOUCHED_DAYS):
        _meet(
            account,
            today - timedelta(days=days),
            InteractionKind.MEETING,
            [account.owner],
            [engineer],
            90,
        )


def _plant_friendly_buyer(account: Account, today: date) -> None:
    """Every meeting with the friendly buyer; the decision maker never seen."""
    when = _aware(today - timedelta(days=400))
    buyer = _contact(
        account,
        FRIENDLY_BUYER,
        "Purchasing officer",
        influence=2,
        role="user",
        attitude="supporter",
        when=when,
        known_by=[account.owner],
    )
    _contact(
        account,
        UNSEEN_DECISION_MAKER,
        "Managing director",
        influence=5,
        role="decision_maker",
        attitude="neutral",
        when=when,
    )
    for days in range(170, 0, -9):
        kind = InteractionKind.VISIT if days % 2 else InteractionKind.CALL
        _meet(
            account,
            today - timedelta(days=days),
            kind,
            [account.owner],
            [buyer],
            120 if kind == InteractionKind.VISIT else 30,
        )


def _plant_senior_visit(account: Account, today: date) -> None:
    """A decision maker nobody knows in person, a big deal due in four months, and no
    executive at the account for 200 days."""
    when = _aware(today - timedelta(days=365))
    maker = _contact(
        account,
        SENIOR_DECISION_MAKER,
        "Chief executive",
        influence=5,
        role="decision_maker",
        attitude="neutral",
        when=when,
    )
    manager = _contact(
        account,
        SENIOR_VISIT_BUYER,
        "Procurement manager",
        influence=3,
        role="technical_buyer",
        attitude="supporter",
        when=when,
        known_by=[account.owner],
    )
    opportunity = Opportunity.objects.create(
        account=account,
        name="Three-year framework agreement",
        value=Decimal("900000"),
        currency=account.currency,
        probability=50,
        expected_on=today + timedelta(days=120),
        significant=True,
    )
    opportunity.buy_in_needed_from.set([maker])
    mentor = User.objects.filter(role=Role.MENTOR).order_by("username").first()
    _meet(
        account,
        today - timedelta(days=200),
        InteractionKind.SENIOR_VISIT,
        [mentor or account.owner, account.owner],
        [manager],
        120,
        "Annual visit with our director",
    )
    for days in (150, 100, 60, 25):
        _meet(
            account,
            today - timedelta(days=days),
            InteractionKind.MEETING,
            [account.owner],
            [manager],
            60,
        )


def _pin(period: Period, overloaded: str) -> None:
    """The lead pins a team member's hours on the pilot of the best-ranked key account with a
    team member, and the overloaded KAM's hours on their best account's tender."""
    run = latest_run()
    lead = User.objects.get(username="lead")
    kam = User.objects.get(username=overloaded)
    best = run.scores.filter(account__owner=kam).order_by("rank").first() if run else None
    if best is not None:
        Pin.objects.create(
            account_id=best.account_id,
            period=period,
            user=kam,
            hours=TENDER_PIN_HOURS,
            note="The yearly tender: the KAM writes the bid",
            created_by=lead,
            updated_by=lead,
        )
    # The best-ranked key account with a team member on it.
    keys = (
        list(run.scores.filter(is_key=True).order_by("rank").values_list("account_id", flat=True))
        if run
        else []
    )
    members = {
        m.account_id: m
        for m in TeamMembership.objects.filter(
            account_id__in=keys, user__role=Role.TEAM_MEMBER
        ).order_by("-user__username")
    }
    member = next((members[k] for k in keys if k in members), None)
    if member is None:
        return
    top = member
    Pin.objects.create(
        account_id=top.account_id,
        period=period,
        user_id=member.user_id,
        hours=Decimal(40),
        note="The pilot line's set-up needs our engineer on site for a week",
        created_by=lead,
        updated_by=lead,
    )
