"""What each demo account buys and how it pays, and the planted accounts (kam.demo.ledger).

Revenue follows an account's ``size`` (Zipf) and its number of lines ``size ** 0.75``: larger
customers buy larger quantities per line. Each account grows or shrinks a few percent a year;
some small ones start or stop buying during the three years. Each has an agreed discount
(larger for larger accounts), a volume rebate if it is among the 60 largest, and a payment
habit. The planted accounts override all of these with the shapes the selection must find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kam.demo.generator import DemoAccount, DemoCompany
from kam.demo.ledger.columns import BoolArray, FloatArray, IntArray
from kam.demo.ledger.timeline import CURRENCIES, Calendar

PLANTED_CASES = ("squeezer", "volume_only", "discount_creep", "fast_grower")
TARGET_LINES = 225_000
REVENUE_PER_SIZE = 90_000_000  # CNY a year for an account of size 1.0 (the largest)
# The squeezer buys most of its needs elsewhere: we sell it this share of what its size would
# buy (a top-10 buyer, no longer the largest: its loss does not swamp every other risk).
SQUEEZER_SHARE = 0.12
# The volume-only account's two largest subsidiaries each buy this share of what their parent
# buys: a group of three whose losses move together (kam.demo.risk).
GROUP_UNIT_SHARE = 0.45
PAYMENT_TERMS = {"CN": 60, "HK": 30, "ID": 90, "SG": 30, "GB": 60}  # days after issue
# payment habit: (share of accounts, mean days after the due date, spread)
PAYMENT_HABITS = {
    "punctual": (0.70, -6.0, 3.0),
    "slow": (0.20, 3.0, 4.0),
    "late": (0.10, 12.0, 9.0),
}


def planted_accounts(company: DemoCompany) -> dict[str, str]:
    """The codes of the planted accounts by case, chosen from ``company`` alone.

    Only the accounts' sizes, industries and groups matter, so the choice depends on the seed
    and not on ``today``. Group units (accounts with a parent) are never picked.
    """
    ranked = [a for a in company.largest(len(company.accounts)) if a.parent_code is None]
    taken: set[str] = set()

    def pick(candidates: list[DemoAccount], prefer: tuple[str, ...], fallback: int) -> str:
        free = [a for a in candidates if a.code not in taken]
        chosen = next((a for a in free if a.industry in prefer), free[min(fallback, len(free) - 1)])
        taken.add(chosen.code)
        return chosen.code

    planted = {"squeezer": pick(ranked[:3], ("distribution", "construction"), 1)}
    planted["volume_only"] = pick(ranked[3:9], (), 1)
    planted["discount_creep"] = pick(ranked[10:25], ("furniture",), 4)
    planted["fast_grower"] = pick(ranked[120:200], ("construction", "furniture"), 30)
    return planted


@dataclass(frozen=True)
class Plan:
    """What each account buys and how it pays, by account index."""

    size: FloatArray
    country: list[str]
    currency: IntArray  # index into CURRENCIES
    industry: list[str]
    trend: FloatArray  # (accounts, days): relative buying rate
    lines: FloatArray  # expected lines over the ledger
    per_invoice: FloatArray  # mean lines per invoice
    revenue: FloatArray  # expected net revenue over the ledger, CNY
    discount: FloatArray
    rebate: FloatArray
    pay_mean: FloatArray  # days after the due date
    pay_spread: FloatArray
    linked: BoolArray  # pays invoice by invoice, naming them
    role: dict[int, str]  # planted account index -> case

    @classmethod
    def build(
        cls,
        rng: np.random.Generator,
        company: DemoCompany,
        calendar: Calendar,
        planted: dict[str, str],
    ) -> Plan:
        """Draw every account's habits; the planted accounts get their shapes."""
        accounts = company.accounts
        n = len(accounts)
        index = {a.code: i for i, a in enumerate(accounts)}
        role = {index[code]: case for case, code in planted.items()}
        size = np.array([a.size for a in accounts])
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(-size, kind="stable")] = np.arange(n)
        years = (calendar.days - calendar.days.mean()) / 365.25

        growth = np.clip(rng.normal(0.04, 0.09, n), -0.2, 0.3)
        trend = np.exp(growth[:, None] * years[None, :])
        active = np.ones(n)
        # Some small customers are new, some stopped buying (never the planted ones).
        starts = rng.random(n) < 0.08
        stops = rng.random(n) < 0.04
        day_count = len(calendar.days)
        for a in range(n):
            if rank[a] < 60 or a in role:
                continue
            if starts[a]:
                trend[a, : int(rng.integers(day_count // 10, day_count * 4 // 5))] = 0.0
            elif stops[a]:
                trend[a, day_count - int(rng.integers(60, 450)) :] = 0.0
            active[a] = (trend[a] > 0).mean()

        discount = np.clip(0.02 + 0.10 * (1 - rank / n) + rng.normal(0, 0.01, n), 0.0, 0.15)
        rebate = np.where(rank < 60, np.round(rng.uniform(0.01, 0.03, n), 3), 0.0)
        habit_names = list(PAYMENT_HABITS)
        habits = rng.choice(len(habit_names), size=n, p=[PAYMENT_HABITS[h][0] for h in habit_names])
        pay_mean = np.array([PAYMENT_HABITS[habit_names[h]][1] for h in habits])
        pay_spread = np.array([PAYMENT_HABITS[habit_names[h]][2] for h in habits])
        pay_mean += rng.uniform(-1.0, 3.0, n)
        linked = rng.random(n) >= 0.25

        for a, case in role.items():
            linked[a] = True
            if case == "squeezer":
                trend[a] = np.exp(0.02 * years)
                rebate[a] = 0.01
                pay_mean[a], pay_spread[a] = 62.0, 9.0
            elif case == "volume_only":
                trend[a] = 1.0
                discount[a] = float(np.median(discount[rank < 30]))
                rebate[a] = 0.02
                pay_mean[a], pay_spread[a] = 5.0, 4.0
            elif case == "discount_creep":
                trend[a] = np.exp(0.03 * years)
                rebate[a] = 0.02
                pay_mean[a], pay_spread[a] = -1.0, 3.0
            elif case == "fast_grower":
                # Flat, then 15-25% more every quarter for the last ten complete quarters and
                # on into the current one.
                first = calendar.last_complete - 9
                multiplier = np.ones(calendar.quarter.max() + 1)
                for q in range(max(first, 0), len(multiplier)):
                    multiplier[q] = multiplier[q - 1] * float(rng.uniform(1.15, 1.25))
                trend[a] = multiplier[calendar.quarter]
                pay_mean[a], pay_spread[a] = -2.0, 3.0

        # Only the value of the lines changes here, never their number or timing: the random
        # draws that follow are the same, so is the rest of the ledger.
        revenue = REVENUE_PER_SIZE * size * (day_count / 365.25) * active
        for a, case in role.items():
            if case == "squeezer":
                revenue[a] *= SQUEEZER_SHARE
            elif case == "volume_only":
                code = accounts[a].code
                units = sorted(
                    (i for i, u in enumerate(accounts) if u.parent_code == code),
                    key=lambda i: (-size[i], accounts[i].code),
                )[:2]
                for u in units:
                    revenue[u] = revenue[a] * GROUP_UNIT_SHARE

        share = size**0.75 / (size**0.75).sum()
        return cls(
            size=size,
            country=[a.country for a in accounts],
            currency=np.array([CURRENCIES.index(a.currency) for a in accounts], dtype=np.int64),
            industry=[a.industry for a in accounts],
            trend=trend,
            lines=TARGET_LINES * share * active,
            per_invoice=2.0 + 6.0 * np.sqrt(size / size.max()),
            revenue=revenue,
            discount=discount,
            rebate=rebate,
            pay_mean=pay_mean,
            pay_spread=pay_spread,
            linked=linked,
            role=role,
        )
