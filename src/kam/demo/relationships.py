"""Relationship maps, objectives and opportunities of the demo company (METHOD.md M3, M4).

``build_relationships(company)`` returns plain data, deterministic from ``company.seed`` and
``company.today``; ``demo_relationships_load(company, data)`` writes it with bulk inserts
(no audit entries: nobody typed this). The 40 largest accounts get an org chart of 10-60
people named in the account's language, assessments changing over the last 18 months,
links, two years of interactions with the account team, interests, practices, objectives
and opportunities. Four accounts carry PLANTED cases the analyses must find
(``DemoRelationships.planted``):

- ``single_threaded_left``: one contact carried the relationship and left 12 days ago;
- ``kickback_opponent``: an opponent protecting the incumbent's kick-backs, and a supporter
  who influences them and can speak for us;
- ``furniture_cost_fixation``: a furniture maker whose procurement (which we know well) wants
  cost cuts now, while design and sales (which we barely know) drive a move up-market;
- ``large_account``: a team of 10 on our side and about 1,000 relationships ((user, contact)
  pairs from the interaction log plus links between contacts). It has 150 people, more than
  the others' 60 at most, because 1,000 relationships with a team of 10 need that many.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from kam.demo import names
from kam.demo.generator import DemoAccount, DemoCompany, DemoMember

MAP_ACCOUNTS = 40
LARGE_SIZE = 150
LARGE_PAIRS = 850
LARGE_LINKS = 150
EXEC, PROCUREMENT, DESIGN, SALES, OPERATIONS, ENGINEERING, FINANCE = 6, 0, 1, 2, 3, 4, 5
# Where people work, for the departments under the board (procurement ... finance).
DEPT_WEIGHTS = [0.18, 0.12, 0.2, 0.25, 0.15, 0.1]

MANAGER_TITLE = {
    "en": "{dept} Manager",
    "zh-cn": "{dept}经理",
    "zh-hk": "{dept}經理",
    "id": "Manajer {dept}",
}
STAFF_TITLE = {
    "en": "{dept} Officer",
    "zh-cn": "{dept}专员",
    "zh-hk": "{dept}主任",
    "id": "Staf {dept}",
}
PRACTICES = [
    (
        "Only buys 2-3 day training courses",
        "Our 5-day installer programme is never booked",
        "Split the programme into three 2-day modules",
    ),
    (
        "Only hires consultants from their own industry",
        "Our engineers are not heard",
        "Bring a furniture-industry partner to every workshop",
    ),
    (
        "Tenders every contract above 500k yearly",
        "Relationships reset every year",
        "Propose a 3-year framework with price reviews",
    ),
    (
        "Samples must be approved by the factory in person",
        "Long lead times for trials",
        "Keep a sample kit at our local warehouse",
    ),
    (
        "Payment only after the quarter's audit",
        "Invoices paid 90+ days late",
        "Invoice monthly with early-payment discount",
    ),
]
SHORT_OBJECTIVES = [
    "Cut the unit cost of hardware by 8% this year",
    "Consolidate suppliers to the cheapest two",
    "Reduce stock of fittings before year end",
    "Get 60-day payment terms from every supplier",
]
LONG_OBJECTIVES = [
    "Move the range up-market with premium soft-close fittings",
    "Launch a designer collection for hotel projects",
    "Build a brand known for quality in export markets",
    "Cut returns by designing for durability",
]
NEUTRAL_OBJECTIVES = [
    "Open a second factory line next year",
    "Shorten delivery to projects to two weeks",
    "Certify the supply chain for green building projects",
]
OPPORTUNITY_NAMES = [
    "Soft-close hinge range",
    "Project hardware framework",
    "Concealed fittings pilot",
    "Hotel door hardware refresh",
    "Private-label handles",
    "Vendor-managed inventory",
]
INTERACTION_KINDS = ["email", "call", "meeting", "visit", "demo", "pilot"]
INTERACTION_WEIGHTS = [0.3, 0.25, 0.25, 0.1, 0.06, 0.04]
IN_PERSON = {"meeting", "visit", "demo", "pilot", "senior_visit"}


@dataclass(frozen=True)
class DemoPerson:
    account_code: str
    index: int  # position in the account's list; references use it
    name: str
    title: str
    department: str
    level: str
    reports_to: int | None = None
    status: str = "active"
    left_on: date | None = None
    successor: int | None = None


@dataclass(frozen=True)
class DemoAssessment:
    account_code: str
    person: int
    on: date
    by: str
    role: str
    influence: int
    trend: str
    attitude: str
    standing: str
    buy_in_needed: bool
    known_by: tuple[str, ...]
    planned_step: str = ""
    note: str = ""


@dataclass(frozen=True)
class DemoLink:
    account_code: str
    source: int
    target: int
    kind: str


@dataclass(frozen=True)
class DemoInteraction:
    account_code: str
    on: date
    kind: str
    users: tuple[str, ...]
    people: tuple[int, ...]
    objective: int | None = None  # index into the account's objectives
    notes: str = ""


@dataclass(frozen=True)
class DemoInterest:
    account_code: str
    holder: int
    kind: str
    threat_level: int
    strategy: str
    advocate: int | None
    status: str
    raised_on: date
    closed_on: date | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoPractice:
    account_code: str
    description: str
    effect_on_us: str
    workaround: str
    recorded_on: date


@dataclass(frozen=True)
class DemoObjective:
    account_code: str
    index: int
    description: str
    horizon: str
    source: int | None
    recorded_on: date
    status: str = "open"


@dataclass(frozen=True)
class DemoOpportunity:
    account_code: str
    name: str
    value: Decimal
    currency: str
    probability: int
    expected_on: date | None
    significant: bool
    status: str
    objectives: tuple[int, ...]
    buy_in: tuple[int, ...]


@dataclass
class DemoRelationships:
    people: list[DemoPerson] = field(default_factory=list)
    assessments: list[DemoAssessment] = field(default_factory=list)
    links: list[DemoLink] = field(default_factory=list)
    interactions: list[DemoInteraction] = field(default_factory=list)
    interests: list[DemoInterest] = field(default_factory=list)
    practices: list[DemoPractice] = field(default_factory=list)
    objectives: list[DemoObjective] = field(default_factory=list)
    opportunities: list[DemoOpportunity] = field(default_factory=list)
    team: list[DemoMember] = field(default_factory=list)  # added to the company's teams
    planted: dict[str, dict] = field(default_factory=dict)


class _Account:
    """The working state of one account while its map is generated."""

    def __init__(self, account: DemoAccount, team: list[str], out: DemoRelationships):
        self.account = account
        self.code = account.code
        self.team = team  # our usernames, the KAM first
        self.out = out
        self.people: list[DemoPerson] = []
        self.taken: set[str] = set()
        self.heads: dict[int, int] = {}
        self.objectives: list[DemoObjective] = []
        self.profile: dict[int, tuple[str, int, str]] = {}  # index -> role, influence, attitude

    def add(self, person: DemoPerson) -> int:
        self.people.append(person)
        self.taken.add(person.name)
        return person.index

    def dept_of(self, index: int) -> int:
        return names.DEPARTMENTS[self.account.language].index(self.people[index].department)

    def in_dept(self, dept: int) -> list[int]:
        return [p.index for p in self.people if self.dept_of(p.index) == dept]


def _aware(day: date):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _person_name(rng: random.Random, language: str, taken: set[str]) -> str:
    from kam.demo.generator import _person_name as pick

    for _ in range(200):
        name = pick(rng, language)
        if name not in taken:
            return name
    # Small name pools run out on the largest map: a middle initial keeps names apart.
    base = pick(rng, language)
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def _org_chart(rng: random.Random, acc: _Account, company: DemoCompany, size: int) -> None:
    """The board, one head per department, then managers and staff under them."""
    language = acc.account.language
    departments = names.DEPARTMENTS[language]
    for c in (c for c in company.contacts if c.account_code == acc.code):
        dept = departments.index(c.department)
        index = acc.add(
            DemoPerson(
                acc.code,
                len(acc.people),
                c.name,
                c.title,
                c.department,
                "board" if dept == EXEC else "executive",
            )
        )
        acc.heads[dept] = index
    for dept in [EXEC, *range(6)]:
        if dept not in acc.heads:
            index = acc.add(
                DemoPerson(
                    acc.code,
                    len(acc.people),
                    _person_name(rng, language, acc.taken),
                    names.TITLES[language][dept],
                    departments[dept],
                    "board" if dept == EXEC else "executive",
                )
            )
            acc.heads[dept] = index
    ceo = acc.heads[EXEC]
    acc.people = [p if p.index == ceo else _with(p, reports_to=ceo) for p in acc.people]
    managers: dict[int, list[int]] = defaultdict(list)
    while len(acc.people) < size:
        dept = rng.choices(range(6), DEPT_WEIGHTS)[0]
        manager = rng.random() < 0.3 or not managers[dept]
        title = (MANAGER_TITLE if manager else STAFF_TITLE)[language].format(dept=departments[dept])
        boss = acc.heads[dept] if manager else rng.choice(managers[dept])
        index = acc.add(
            DemoPerson(
                acc.code,
                len(acc.people),
                _person_name(rng, language, acc.taken),
                title,
                departments[dept],
                "manager" if manager else "staff",
                reports_to=boss,
            )
        )
        if manager:
            managers[dept].append(index)


def _with(person: DemoPerson, **changes) -> DemoPerson:
    from dataclasses import replace

    return replace(person, **changes)


def _profiles(rng: random.Random, acc: _Account) -> None:
    """Each person's role, influence and attitude as assessed today (before any planting)."""
    for p in acc.people:
        dept = acc.dept_of(p.index)
        if p.level == "board":
            role, influence = "decision_maker", 5
        elif p.level == "executive":
            role = {
                FINANCE: "decision_maker",
                PROCUREMENT: "gatekeeper",
                ENGINEERING: "technical_buyer",
            }.get(dept, "influencer")
            influence = rng.randint(3, 5)
        elif p.level == "manager":
            role = rng.choice(["influencer", "technical_buyer", "user", "coach"])
            influence = rng.randint(2, 4)
        else:
            role = rng.choice(["user", "user", "influencer", "gatekeeper"])
            influence = rng.randint(1, 2)
        attitude = rng.choices(["supporter", "neutral", "opponent"], [0.35, 0.55, 0.1])[0]
        acc.profile[p.index] = (role, influence, attitude)


def _interactions(
    rng: random.Random,
    acc: _Account,
    today: date,
    *,
    reach: dict[str, set[int]],
    count: int,
    lead: bool,
) -> None:
    """``count`` interactions over two years, each user with people from their ``reach``."""
    for _ in range(count):
        user = rng.choice(acc.team[: max(1, len(acc.team))])
        pool = sorted(reach.get(user, ()))
        if not pool:
            continue
        people = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 1, 2, 3])))
        users = [user]
        others = [u for u in acc.team if u != user and set(people) <= reach.get(u, set())]
        if others and rng.random() < 0.3:
            users.append(rng.choice(others))
        kind = rng.choices(INTERACTION_KINDS, INTERACTION_WEIGHTS)[0]
        if lead and "lead" in users and rng.random() < 0.5:
            kind = "senior_visit"
        on = today - timedelta(days=rng.randint(1, 730))
        latest = min((acc.people[i].left_on or today) for i in people)
        if on >= latest:
            on = latest - timedelta(days=rng.randint(1, 30))
        objective = (
            rng.choice(acc.objectives).index if acc.objectives and rng.random() < 0.3 else None
        )
        acc.out.interactions.append(
            DemoInteraction(
                acc.code, on, kind, tuple(sorted(users)), tuple(sorted(people)), objective
            )
        )


def _assessments(rng: random.Random, acc: _Account, today: date, share: float) -> None:
    """Assessments of most people, some changing over the last 18 months; who knows them in
    person follows the in-person interactions logged before each assessment."""
    met: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for item in acc.out.interactions:
        if item.account_code == acc.code and item.kind in IN_PERSON:
            for person in item.people:
                met[person].extend((item.on, u) for u in item.users)
    for p in acc.people:
        if p.index not in acc.profile or (rng.random() > share and p.level == "staff"):
            continue
        role, influence, attitude = acc.profile[p.index]
        changes = rng.choices([0, 1, 2, 3], [0.45, 0.3, 0.15, 0.1])[0]
        first = today - timedelta(days=rng.randint(300, 540))
        days = sorted(
            {first, *(today - timedelta(days=rng.randint(2, 299)) for _ in range(changes))}
        )
        if p.left_on:
            days = [d for d in days if d < p.left_on] or [p.left_on - timedelta(days=30)]
        # Walk backwards from today's view so the latest row is the profile.
        rows = []
        value = (influence, attitude, "steady")
        for on in reversed(days):
            rows.append((on, *value))
            was_influence = max(1, min(5, value[0] + rng.choice([-1, 0, 0, 1])))
            was_attitude = rng.choice(["supporter", "neutral", "neutral", value[1]])
            trend = (
                "rising"
                if was_influence < value[0]
                else "falling"
                if was_influence > value[0]
                else "steady"
            )
            value = (was_influence, was_attitude, trend)
        for on, inf, att, trend in reversed(rows):
            known = tuple(sorted({u for d, u in met.get(p.index, ()) if d <= on}))
            step = (
                ""
                if known or inf < 4
                else rng.choice(
                    [
                        "Ask the KAM's contact for an introduction",
                        "Invite to the factory open day",
                        "Meet at the trade fair",
                    ]
                )
            )
            acc.out.assessments.append(
                DemoAssessment(
                    acc.code,
                    p.index,
                    on,
                    acc.team[0],
                    role,
                    inf,
                    trend,
                    att,
                    "inner_circle"
                    if p.level == "board"
                    else "power_structure"
                    if p.level == "executive"
                    else "outside",
                    inf >= 4 and p.level in ("board", "executive"),
                    known,
                    step,
                )
            )


def _links(rng: random.Random, acc: _Account, count: int) -> None:
    seen: set[tuple[int, int, str]] = set()
    n = len(acc.people)
    tries = 0
    while len(seen) < count and tries < count * 20:
        tries += 1
        a, b = rng.sample(range(n), 2)
        kind = rng.choices(
            ["influences", "allied_with", "in_tension_with", "restricts_access"],
            [0.5, 0.3, 0.15, 0.05],
        )[0]
        if (a, b, kind) in seen or (
            kind in ("allied_with", "in_tension_with") and (b, a, kind) in seen
        ):
            continue
        seen.add((a, b, kind))
        acc.out.links.append(DemoLink(acc.code, a, b, kind))


def _objectives_and_deals(rng: random.Random, acc: _Account, today: date) -> None:
    for n in range(rng.randint(2, 4)):
        horizon = rng.choice(["short_term", "long_term"])
        text = rng.choice(
            SHORT_OBJECTIVES if horizon == "short_term" else LONG_OBJECTIVES + NEUTRAL_OBJECTIVES
        )
        acc.objectives.append(
            DemoObjective(
                acc.code,
                n,
                text,
                horizon,
                rng.choice(list(acc.heads.values())),
                today - timedelta(days=rng.randint(10, 400)),
            )
        )
    _deals(rng, acc, today, rng.randint(1, 3))


def _deals(rng: random.Random, acc: _Account, today: date, count: int) -> None:
    influential = [i for i, (_, inf, _) in acc.profile.items() if inf >= 4]
    scale = {"IDR": 1_000_000_000, "CNY": 500_000, "HKD": 500_000}.get(acc.account.currency, 80_000)
    for name in rng.sample(OPPORTUNITY_NAMES, k=count):
        value = Decimal(int(scale * rng.uniform(0.2, 3.0) * acc.account.size * 4 + scale / 10))
        acc.out.opportunities.append(
            DemoOpportunity(
                acc.code,
                name,
                value,
                acc.account.currency,
                rng.choice([10, 25, 40, 60, 80]),
                today + timedelta(days=rng.randint(-20, 540)),
                rng.random() < 0.5,
                rng.choices(["open", "won", "lost"], [0.75, 0.15, 0.1])[0],
                tuple(
                    sorted(
                        rng.sample(
                            [o.index for o in acc.objectives],
                            k=min(len(acc.objectives), rng.randint(1, 2)),
                        )
                    )
                ),
                tuple(sorted(rng.sample(influential, k=min(len(influential), rng.randint(1, 3))))),
            )
        )


def _interests_and_practices(rng: random.Random, acc: _Account, today: date) -> None:
    influential = sorted(i for i, (_, inf, _) in acc.profile.items() if inf >= 3)
    for _ in range(rng.randint(0, 2)):
        holder = rng.choice(influential)
        strategy = rng.choice(["", "bypass", "earn_trust", "wait_for_departure"])
        status = rng.choices(["open", "defused", "dropped"], [0.7, 0.2, 0.1])[0]
        raised = today - timedelta(days=rng.randint(20, 500))
        acc.out.interests.append(
            DemoInterest(
                acc.code,
                holder,
                rng.choice(["role_value_threatened", "influence_diminished", "other"]),
                rng.randint(1, 4),
                strategy,
                None,
                status,
                raised,
                None if status == "open" else raised + timedelta(days=rng.randint(10, 200)),
            )
        )
    for description, effect, workaround in rng.sample(PRACTICES, k=rng.randint(1, 2)):
        acc.out.practices.append(
            DemoPractice(
                acc.code,
                description,
                effect,
                workaround,
                today - timedelta(days=rng.randint(30, 600)),
            )
        )


def _finish(acc: _Account) -> None:
    acc.out.people.extend(acc.people)
    acc.out.objectives.extend(acc.objectives)


def _team_of(company: DemoCompany, account: DemoAccount) -> list[str]:
    members = [m.username for m in company.team if m.account_code == account.code]
    return [account.owner, *[m for m in members if m != account.owner]]


def _ordinary(rng, company, account, out, today) -> _Account:
    acc = _Account(account, _team_of(company, account), out)
    _org_chart(rng, acc, company, rng.randint(10, 60))
    _profiles(rng, acc)
    _objectives_and_deals(rng, acc, today)
    reach = {
        u: set(
            rng.sample(
                range(len(acc.people)), k=max(1, int(len(acc.people) * (0.4 if i == 0 else 0.15)))
            )
        )
        for i, u in enumerate(acc.team)
    }
    _interactions(rng, acc, today, reach=reach, count=len(acc.people) * 3, lead="lead" in acc.team)
    _assessments(rng, acc, today, share=0.7)
    _links(rng, acc, len(acc.people) // 2)
    _interests_and_practices(rng, acc, today)
    return acc


def _single_threaded(rng, company, account, out, today):
    """One purchasing head carried everything; they left 12 days ago, nobody else is close."""
    acc = _Account(account, _team_of(company, account), out)
    _org_chart(rng, acc, company, rng.randint(12, 25))
    _profiles(rng, acc)
    main = acc.heads[PROCUREMENT]
    left_on = today - timedelta(days=12)
    acc.people[main] = _with(acc.people[main], status="left", left_on=left_on)
    acc.profile[main] = ("coach", 4, "supporter")
    _objectives_and_deals(rng, acc, today)
    for n in range(40):  # weekly contact with the one person, up to their last day
        acc.out.interactions.append(
            DemoInteraction(
                acc.code,
                left_on - timedelta(days=1 + 7 * n),
                rng.choice(["meeting", "call", "visit"]),
                (acc.team[0],),
                (main,),
            )
        )
    others = [p.index for p in acc.people if p.index != main]
    for _ in range(6):  # a few emails long ago with anyone else
        acc.out.interactions.append(
            DemoInteraction(
                acc.code,
                today - timedelta(days=rng.randint(400, 700)),
                "email",
                (acc.team[0],),
                (rng.choice(others),),
            )
        )
    _assessments(rng, acc, today, share=0.5)
    _links(rng, acc, len(acc.people) // 3)
    _interests_and_practices(rng, acc, today)
    return acc, {"account": acc.code, "contact": acc.people[main].name, "left_on": left_on}


def _kickbacks(rng, company, account, out, today):
    """Procurement's head takes a cut from the incumbent and opposes us; the finance head
    supports us and has their ear."""
    acc = _Account(account, _team_of(company, account), out)
    _org_chart(rng, acc, company, rng.randint(20, 40))
    _profiles(rng, acc)
    opponent, advocate = acc.heads[PROCUREMENT], acc.heads[FINANCE]
    acc.profile[opponent] = ("gatekeeper", 4, "opponent")
    acc.profile[advocate] = ("decision_maker", 4, "supporter")
    _objectives_and_deals(rng, acc, today)
    reach = {
        u: set(rng.sample(range(len(acc.people)), k=len(acc.people) // 3)) | {advocate}
        for u in acc.team
    }
    _interactions(rng, acc, today, reach=reach, count=len(acc.people) * 3, lead="lead" in acc.team)
    _assessments(rng, acc, today, share=0.7)
    _links(rng, acc, len(acc.people) // 2)
    acc.out.links.append(DemoLink(acc.code, advocate, opponent, "influences"))
    acc.out.interests.append(
        DemoInterest(
            acc.code,
            opponent,
            "incumbent_kickbacks",
            5,
            "enlist_advocate",
            advocate,
            "open",
            today - timedelta(days=120),
            description="Said to take a cut on every order from the incumbent supplier",
        )
    )
    return acc, {
        "account": acc.code,
        "opponent": acc.people[opponent].name,
        "advocate": acc.people[advocate].name,
    }


def _furniture(rng, company, account, out, today):
    """Procurement wants cheaper now; design and sales want up-market later; we only know
    procurement."""
    acc = _Account(account, _team_of(company, account), out)
    _org_chart(rng, acc, company, rng.randint(25, 45))
    _profiles(rng, acc)
    procurement = acc.in_dept(PROCUREMENT)
    movers = acc.in_dept(DESIGN) + acc.in_dept(SALES)
    for index in (acc.heads[DESIGN], acc.heads[SALES]):
        acc.profile[index] = ("influencer", 5, "neutral")
    for index in procurement:
        role, influence, _attitude = acc.profile[index]
        acc.profile[index] = (role, influence, "supporter")
    heads = [acc.heads[PROCUREMENT], *[i for i in procurement if acc.people[i].level == "manager"]]
    for n, text in enumerate(SHORT_OBJECTIVES[:3]):
        acc.objectives.append(
            DemoObjective(
                acc.code,
                n,
                text,
                "short_term",
                heads[n % len(heads)],
                today - timedelta(days=30 + 40 * n),
            )
        )
    for n, text in enumerate(LONG_OBJECTIVES[:3]):
        source = [acc.heads[DESIGN], acc.heads[SALES]][n % 2]
        acc.objectives.append(
            DemoObjective(
                acc.code, 3 + n, text, "long_term", source, today - timedelta(days=60 + 50 * n)
            )
        )
    _deals(rng, acc, today, 2)
    known = set(procurement) | {acc.heads[EXEC], acc.heads[FINANCE]}
    reach = {u: set(known) for u in acc.team}
    _interactions(rng, acc, today, reach=reach, count=len(acc.people) * 3, lead="lead" in acc.team)
    _assessments(rng, acc, today, share=0.8)
    _links(rng, acc, len(acc.people) // 3)
    acc.out.links.append(
        DemoLink(acc.code, acc.heads[PROCUREMENT], acc.heads[DESIGN], "restricts_access")
    )
    _interests_and_practices(rng, acc, today)
    return acc, {
        "account": acc.code,
        "procurement": [acc.people[i].name for i in procurement],
        "design_and_sales": [acc.people[i].name for i in movers],
    }


def _large(rng, company, account, out, today):
    """A team of 10 and about 1,000 relationships."""
    acc = _Account(account, _team_of(company, account), out)
    _org_chart(rng, acc, company, LARGE_SIZE)
    _profiles(rng, acc)
    _objectives_and_deals(rng, acc, today)
    n = len(acc.people)
    # Spread LARGE_PAIRS (user, contact) pairs over the team, the KAM holding the most.
    shares = [1.75, *([1.0] * (len(acc.team) - 1))]
    total = sum(shares)
    reach = {
        u: set(rng.sample(range(n), k=min(n, round(LARGE_PAIRS * s / total))))
        for u, s in zip(acc.team, shares, strict=True)
    }
    for user, people in reach.items():
        pool = sorted(people)
        rng.shuffle(pool)
        while pool:  # every pair gets at least one interaction
            group = tuple(sorted(pool[: rng.choice([1, 2, 3])]))
            pool = pool[len(group) :]
            for _ in range(rng.choice([1, 1, 2, 3])):
                kind = rng.choices(INTERACTION_KINDS, INTERACTION_WEIGHTS)[0]
                if user == "lead":
                    kind = rng.choice(["senior_visit", "meeting"])
                acc.out.interactions.append(
                    DemoInteraction(
                        acc.code,
                        today - timedelta(days=rng.randint(1, 730)),
                        kind,
                        (user,),
                        group,
                    )
                )
    _assessments(rng, acc, today, share=0.6)
    _links(rng, acc, LARGE_LINKS)
    _interests_and_practices(rng, acc, today)
    pairs = sum(len(v) for v in reach.values())
    return acc, {
        "account": acc.code,
        "team": list(acc.team),
        "pairs": pairs,
        "links": LARGE_LINKS,
        "relationships": pairs + LARGE_LINKS,
    }


def _large_team(company: DemoCompany, account: DemoAccount) -> list[DemoMember]:
    """Bring the large account's team to 10: its KAM, every team member of its region, and
    the lead as executive sponsor."""
    have = {m.username for m in company.team if m.account_code == account.code}
    pool = [u.username for u in company.users if u.role == "team" and u.region == account.country]
    since = company.today - timedelta(days=400)
    added = [
        DemoMember(account.code, u, "engineer" if i % 2 else "customer_service", since)
        for i, u in enumerate(pool)
        if u not in have
    ]
    if "lead" not in have:
        added.append(DemoMember(account.code, "lead", "executive_sponsor", since))
    return added


def build_relationships(company: DemoCompany) -> DemoRelationships:
    """The relationship data of the demo company; the same company gives the same data."""
    rng = random.Random(f"{company.seed}:relationships")
    today = company.today
    out = DemoRelationships()
    accounts = company.largest(MAP_ACCOUNTS)
    large = next(a for a in accounts if a.language == "zh-cn")
    furniture = next(a for a in accounts if a.industry == "furniture" and a is not large)
    rest = [a for a in accounts if a is not large and a is not furniture]
    planted = {
        rest[0].code: ("single_threaded_left", _single_threaded),
        rest[1].code: ("kickback_opponent", _kickbacks),
        furniture.code: ("furniture_cost_fixation", _furniture),
    }
    out.team = _large_team(company, large)
    # The large account's generator sees its grown team.
    grown = DemoCompany(
        company.seed,
        today,
        company.users,
        company.accounts,
        [*company.team, *out.team],
        company.mentors,
        company.contacts,
    )
    for account in accounts:
        if account is large:
            acc, out.planted["large_account"] = _large(rng, grown, account, out, today)
        elif account.code in planted:
            case, builder = planted[account.code]
            acc, out.planted[case] = builder(rng, company, account, out, today)
        else:
            acc = _ordinary(rng, company, account, out, today)
        _finish(acc)
    return out


def demo_relationships_load(company: DemoCompany, data: DemoRelationships) -> None:
    """Write ``data`` after ``demo_load(company)``: bulk inserts, a few seconds on SQLite.

    The company's own contacts (created by ``demo_load``) are the first people of each map,
    in the same order: they are completed in place, the others created.
    """
    from django.db import transaction

    with transaction.atomic():
        _load(company, data)


def _load(company: DemoCompany, data: DemoRelationships) -> None:
    from kam.accounts.models import Account, TeamMembership
    from kam.planning.models import Objective, Opportunity
    from kam.relationships.models import (
        Assessment,
        Contact,
        ContactLink,
        EntrenchedInterest,
        EntrenchedPractice,
        Interaction,
        InterestChange,
    )
    from kam.users.models import User

    codes = {p.account_code for p in data.people}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    users = {u.username: u for u in User.objects.all()}
    TeamMembership.objects.bulk_create(
        TeamMembership(
            account=accounts[m.account_code], user=users[m.username], role=m.role, since=m.since
        )
        for m in data.team
    )

    # Contacts: complete the company's, create the rest; then wire the reporting lines.
    code_by_id = {a.pk: code for code, a in accounts.items()}
    stored: dict[str, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(account__code__in=codes).order_by("pk"):
        stored[code_by_id[contact.account_id]].append(contact)
    contact_of: dict[tuple[str, int], Contact] = {}
    fresh, completed = [], []
    for p in data.people:
        have = stored.get(p.account_code, [])
        row = have[p.index] if p.index < len(have) and have[p.index].name == p.name else None
        if row is None:
            row = Contact(account=accounts[p.account_code], name=p.name)
            fresh.append(row)
        else:
            completed.append(row)
        row.title, row.department, row.level = p.title, p.department, p.level
        row.status, row.left_on = p.status, p.left_on
        contact_of[(p.account_code, p.index)] = row
    Contact.objects.bulk_create(fresh, batch_size=500)
    for p in data.people:
        row = contact_of[(p.account_code, p.index)]
        row.reports_to = (
            contact_of.get((p.account_code, p.reports_to)) if p.reports_to is not None else None
        )
        row.successor = (
            contact_of.get((p.account_code, p.successor)) if p.successor is not None else None
        )
    Contact.objects.bulk_update(
        list(contact_of.values()),
        ["title", "department", "level", "status", "left_on", "reports_to", "successor"],
        batch_size=500,
    )

    assessments = [
        Assessment(
            contact=contact_of[(a.account_code, a.person)],
            assessed_at=_aware(a.on),
            assessed_by=users[a.by],
            buying_role=a.role,
            influence=a.influence,
            influence_trend=a.trend,
            attitude=a.attitude,
            standing=a.standing,
            buy_in_needed=a.buy_in_needed,
            planned_step=a.planned_step,
            note=a.note,
        )
        for a in data.assessments
    ]
    Assessment.objects.bulk_create(assessments, batch_size=500)
    Known = Assessment.known_in_person_by.through
    Known.objects.bulk_create(
        [
            Known(assessment_id=row.pk, user_id=users[u].pk)
            for row, a in zip(assessments, data.assessments, strict=True)
            for u in a.known_by
        ],
        batch_size=1000,
    )
    latest: dict[int, Assessment] = {}
    for row in assessments:  # generated oldest first per person
        current = latest.get(row.contact_id)
        if current is None or row.assessed_at >= current.assessed_at:
            latest[row.contact_id] = row
    touched = []
    for contact in contact_of.values():
        if contact.pk in latest:
            contact.current_assessment = latest[contact.pk]
            touched.append(contact)
    Contact.objects.bulk_update(touched, ["current_assessment"], batch_size=500)

    objective_of: dict[tuple[str, int], Objective] = {}
    for o in data.objectives:
        objective_of[(o.account_code, o.index)] = Objective(
            account=accounts[o.account_code],
            description=o.description,
            horizon=o.horizon,
            source_contact=contact_of.get((o.account_code, o.source))
            if o.source is not None
            else None,
            recorded_on=o.recorded_on,
            status=o.status,
            recorded_by_id=accounts[o.account_code].owner_id,
        )
    Objective.objects.bulk_create(objective_of.values(), batch_size=500)

    interactions = [
        Interaction(
            account=accounts[i.account_code],
            kind=i.kind,
            occurred_on=i.on,
            notes=i.notes,
            objective=objective_of.get((i.account_code, i.objective))
            if i.objective is not None
            else None,
            logged_by=users[i.users[0]],
        )
        for i in data.interactions
    ]
    Interaction.objects.bulk_create(interactions, batch_size=500)
    Ours = Interaction.our_participants.through
    Theirs = Interaction.their_participants.through
    Ours.objects.bulk_create(
        [
            Ours(interaction_id=row.pk, user_id=users[u].pk)
            for row, i in zip(interactions, data.interactions, strict=True)
            for u in i.users
        ],
        batch_size=1000,
    )
    Theirs.objects.bulk_create(
        [
            Theirs(interaction_id=row.pk, contact_id=contact_of[(i.account_code, p)].pk)
            for row, i in zip(interactions, data.interactions, strict=True)
            for p in i.people
        ],
        batch_size=1000,
    )

    ContactLink.objects.bulk_create(
        [
            ContactLink(
                account=accounts[k.account_code],
                kind=k.kind,
                source=contact_of[(k.account_code, k.source)],
                target=contact_of[(k.account_code, k.target)],
            )
            for k in data.links
        ],
        batch_size=500,
    )
    interests = [
        EntrenchedInterest(
            account=accounts[x.account_code],
            holder=contact_of[(x.account_code, x.holder)],
            kind=x.kind,
            threat_level=x.threat_level,
            strategy=x.strategy,
            advocate=contact_of.get((x.account_code, x.advocate))
            if x.advocate is not None
            else None,
            status=x.status,
            raised_on=x.raised_on,
            closed_on=x.closed_on,
            description=x.description,
        )
        for x in data.interests
    ]
    EntrenchedInterest.objects.bulk_create(interests)
    InterestChange.objects.bulk_create(
        InterestChange(
            interest=row,
            changed_at=_aware(row.closed_on or row.raised_on),
            kind=row.kind,
            threat_level=row.threat_level,
            strategy=row.strategy,
            advocate=row.advocate,
            status=row.status,
        )
        for row in interests
    )
    EntrenchedPractice.objects.bulk_create(
        EntrenchedPractice(
            account=accounts[p.account_code],
            description=p.description,
            effect_on_us=p.effect_on_us,
            workaround=p.workaround,
            recorded_on=p.recorded_on,
        )
        for p in data.practices
    )
    opportunities = [
        Opportunity(
            account=accounts[o.account_code],
            name=o.name,
            value=o.value,
            currency=o.currency,
            probability=o.probability,
            expected_on=o.expected_on,
            significant=o.significant,
            status=o.status,
        )
        for o in data.opportunities
    ]
    Opportunity.objects.bulk_create(opportunities)
    Serves = Opportunity.objectives.through
    Needs = Opportunity.buy_in_needed_from.through
    Serves.objects.bulk_create(
        Serves(opportunity_id=row.pk, objective_id=objective_of[(o.account_code, n)].pk)
        for row, o in zip(opportunities, data.opportunities, strict=True)
        for n in o.objectives
    )
    Needs.objects.bulk_create(
        Needs(opportunity_id=row.pk, contact_id=contact_of[(o.account_code, n)].pk)
        for row, o in zip(opportunities, data.opportunities, strict=True)
        for n in o.buy_in
    )
