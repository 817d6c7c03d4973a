"""The demo company, generated deterministically as plain data (no database here).

A maker of architectural hardware in Guangzhou selling to furniture makers, builders,
distributors and hotel groups in mainland China, Hong Kong, Indonesia, Singapore and the UK.
Later parts of the product extend it (ledger, relationships, plans) by adding generators that
take a ``DemoCompany`` and its accounts' ``size``, never by rewriting this one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from kam.demo import names

GENERATOR_VERSION = 1
DEFAULT_SEED = 20261122
ACCOUNT_COUNT = 320
ACCOUNTS_WITH_TEAMS = 40
ACCOUNTS_WITH_OWNER = 90

STAGES = ["pre_sales", "negotiation", "implementation", "review", "exploitation"]
INDUSTRIES = ["furniture", "construction", "distribution", "hospitality"]
TEAM_ROLES = ["customer_service", "dispatcher", "scheduler", "inventory", "engineer", "other"]

# country: (share of accounts, currency, language of names, KAMs who cover it)
MARKETS = {
    "CN": (0.44, "CNY", "zh-cn", ["kam1", "kam6"]),
    "HK": (0.12, "HKD", "zh-hk", ["kam2"]),
    "ID": (0.24, "IDR", "id", ["kam3", "kam4"]),
    "SG": (0.08, "SGD", "en", ["kam4"]),
    "GB": (0.12, "GBP", "en", ["kam5"]),
}
MENTOR_OF = {"CN": "mentor2", "HK": "mentor2", "ID": "mentor1", "SG": "mentor1", "GB": "mentor1"}
# Team members sit in the regional office that serves these markets.
TEAM_REGION = ["CN"] * 8 + ["HK"] * 3 + ["ID"] * 5 + ["SG"] * 2 + ["GB"] * 2


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    region: str = ""


@dataclass
class DemoAccount:
    code: str
    name: str
    country: str
    currency: str
    industry: str
    language: str
    size: float  # relative yearly purchases; the ledger generator scales its volume by it
    coverage: str = "local"
    parent_code: str | None = None
    owner: str | None = None
    stage: str = "pre_sales"
    stage_history: list[tuple[date, str, str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoMember:
    account_code: str
    username: str
    role: str
    since: date


@dataclass(frozen=True)
class DemoMentor:
    account_code: str
    username: str
    since: date


@dataclass(frozen=True)
class DemoContact:
    account_code: str
    name: str
    title: str
    department: str


@dataclass
class DemoCompany:
    seed: int
    today: date
    users: list[DemoUser]
    accounts: list[DemoAccount]
    team: list[DemoMember]
    mentors: list[DemoMentor]
    contacts: list[DemoContact]

    def largest(self, n: int) -> list[DemoAccount]:
        return sorted(self.accounts, key=lambda a: (-a.size, a.code))[:n]


def build_company(*, seed: int = DEFAULT_SEED, today: date) -> DemoCompany:
    """The whole demo company for ``seed``; the same seed and day give the same company."""
    rng = random.Random(seed)
    users = _users()
    accounts = _accounts(rng)
    _groups(rng, accounts)
    ranked = sorted(accounts, key=lambda a: (-a.size, a.code))
    _owners_and_stages(rng, ranked, today)
    team, mentors, contacts = [], [], []
    for account in ranked[:ACCOUNTS_WITH_TEAMS]:
        team += _team(rng, account, users, today)
        mentors.append(
            DemoMentor(
                account.code,
                MENTOR_OF[account.country],
                today - timedelta(days=rng.randint(60, 700)),
            )
        )
        contacts += _contacts(rng, account)
    return DemoCompany(seed, today, users, accounts, team, mentors, contacts)


def _users() -> list[DemoUser]:
    users = []
    for username, (first, last) in names.STAFF.items():
        role = (
            "lead" if username == "lead" else "mentor" if username.startswith("mentor") else "kam"
        )
        users.append(DemoUser(username, first, last, role))
    for index, region in enumerate(TEAM_REGION):
        users.append(
            DemoUser(
                f"team{index + 1}", names.TEAM_FIRST[index], names.TEAM_LAST[index], "team", region
            )
        )
    return users


def _account_name(rng: random.Random, country: str, industry: str) -> str:
    if country == "CN":
        return (
            rng.choice(names.CN_CITIES)
            + rng.choice(names.CN_CORES)
            + rng.choice(names.CN_KINDS[industry])
        )
    if country == "HK":
        return "香港" + rng.choice(names.HK_CORES) + rng.choice(names.HK_KINDS[industry])
    if country == "ID":
        core, kind = rng.choice(names.ID_CORES), rng.choice(names.ID_KINDS[industry])
        return f"PT {core} {kind} {rng.choice(names.ID_CITIES)}"
    return f"{rng.choice(names.EN_PLACES)} {rng.choice(names.EN_KINDS[industry])}"


def _accounts(rng: random.Random) -> list[DemoAccount]:
    countries = list(MARKETS)
    weights = [MARKETS[c][0] for c in countries]
    accounts: list[DemoAccount] = []
    taken: set[str] = set()
    # Zipf-like sizes: a few customers buy most, as in any B2B ledger.
    sizes = [1.0 / (rank**0.95) for rank in range(1, ACCOUNT_COUNT + 1)]
    rng.shuffle(sizes)
    for index in range(ACCOUNT_COUNT):
        country = rng.choices(countries, weights)[0]
        industry = rng.choices(INDUSTRIES, [0.4, 0.25, 0.25, 0.1])[0]
        name = _account_name(rng, country, industry)
        while name in taken:  # names must tell accounts apart on every page
            name = _account_name(rng, country, industry)
        taken.add(name)
        _, currency, language, _ = MARKETS[country]
        accounts.append(
            DemoAccount(
                f"C{index + 1:05d}", name, country, currency, industry, language, sizes[index]
            )
        )
    return accounts


def _groups(rng: random.Random, accounts: list[DemoAccount]) -> None:
    """Hotel groups and distributors with units in several countries: international accounts."""
    hotels = [a for a in accounts if a.industry == "hospitality"]
    rng.shuffle(hotels)
    for parent in hotels[:4]:
        parent.coverage = "international"
        for child in hotels[4:][rng.randint(0, 20) :][: rng.randint(2, 4)]:
            if (
                child.parent_code is None
                and child.code != parent.code
                and child.coverage == "local"
            ):
                child.parent_code = parent.code
    for account in accounts:
        if account.parent_code is None and account.coverage == "local" and account.size > 0.08:
            account.coverage = "national"


def _owners_and_stages(rng: random.Random, ranked: list[DemoAccount], today: date) -> None:
    for rank, account in enumerate(ranked):
        if rank < ACCOUNTS_WITH_OWNER:
            account.owner = rng.choice(MARKETS[account.country][3])
        # Large, long-standing customers are further along; small ones mostly prospects.
        if rank < ACCOUNTS_WITH_TEAMS:
            target = rng.choices(range(5), [0.05, 0.1, 0.2, 0.15, 0.5])[0]
        else:
            target = rng.choices(range(5), [0.5, 0.2, 0.1, 0.05, 0.15])[0]
        day = today - timedelta(days=rng.randint(400, 1100))
        account.stage_history.append((day, "", STAGES[0], account.owner))
        for step in range(1, target + 1):
            day += timedelta(days=rng.randint(30, 200))
            if day >= today:
                break
            account.stage_history.append((day, STAGES[step - 1], STAGES[step], account.owner))
        account.stage = account.stage_history[-1][2]


def _team(
    rng: random.Random, account: DemoAccount, users: list[DemoUser], today: date
) -> list[DemoMember]:
    pool = [u for u in users if u.role == "team" and u.region == account.country]
    picked = rng.sample(pool, k=min(len(pool), rng.randint(2, 4)))
    members = [
        DemoMember(
            account.code,
            user.username,
            rng.choice(TEAM_ROLES),
            today - timedelta(days=rng.randint(30, 900)),
        )
        for user in picked
    ]
    # The biggest accounts get a senior sponsor: another KAM's manager in real life, here the lead.
    if account.size > 0.2:
        members.append(
            DemoMember(account.code, "lead", "executive_sponsor", today - timedelta(days=365))
        )
    return members


def _person_name(rng: random.Random, language: str) -> str:
    if language == "zh-cn":
        return rng.choice(names.CN_SURNAMES) + rng.choice(names.CN_GIVEN)
    if language == "zh-hk":
        return rng.choice(names.HK_SURNAMES) + rng.choice(names.HK_GIVEN)
    if language == "id":
        return f"{rng.choice(names.ID_FIRST)} {rng.choice(names.ID_LAST)}"
    return f"{rng.choice(names.EN_FIRST)} {rng.choice(names.EN_LAST)}"


def _contacts(rng: random.Random, account: DemoAccount) -> list[DemoContact]:
    departments = names.DEPARTMENTS[account.language]
    titles = names.TITLES[account.language]
    picks = rng.sample(range(len(departments)), k=rng.randint(3, 6))
    return [
        DemoContact(account.code, _person_name(rng, account.language), titles[i], departments[i])
        for i in picks
    ]
