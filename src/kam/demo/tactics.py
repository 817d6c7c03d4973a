"""Demo programme tactics (METHOD.md M8): the tiers' service levels as tactics, each key
account's own tactics, costs to serve and rebate agreements (contingencies come with the
plans demo, kam.demo.plans).

Planted cases (``planted_tactics``), chosen from the scoring run the demo just made:
- ``no_barriers``: a top-10 key account with none of tactics 5-7 in place (strength 0): the
  third largest of them by revenue (the two largest anchor the programme), so that losing it
  would be felt (kam.demo.risk);
- ``rebate_eats_margin``: a key account whose rebate agreement takes most of its margin;
- ``no_contingency``: the plans demo's key account whose plan has no contingency.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.periods import add_quarters, last_complete_quarters
from kam.demo.generator import DemoCompany
from kam.demo.ledger import planted_accounts
from kam.demo.plans import _key_accounts, planted_plans
from kam.ledger.models import AccountQuarter
from kam.selection.models import CostToServe, TierScheme
from kam.selection.queries import latest_run
from kam.tactics.models import AccountTactic, RebateAgreement, TierTactic
from kam.users.models import User

# Per tier by position (1 Gold, 2 Silver, 3 Bronze): kind -> (status, yearly cost, terms).
TIER_DEFAULTS = {
    1: {
        "contact": ("in_place", "60000", "The KAM and two dedicated staff"),
        "discounts": ("in_place", "0", "Volume discounts; their cost is in the ledger"),
        "priority": ("in_place", "8000", "Privileged online ordering, 48-hour lead time"),
        "customised": ("planned", None, ""),
    },
    2: {
        "contact": ("in_place", "30000", "The KAM and one shared coordinator"),
        "discounts": ("in_place", "0", "Volume discounts; their cost is in the ledger"),
        "priority": ("in_place", "5000", "Priority ordering"),
    },
    3: {
        "contact": ("in_place", "12000", "The KAM as single point of contact"),
        "discounts": ("in_place", "0", "Standard volume discounts"),
    },
}
BARRIERS = ("own_units", "joint_teams", "integrated")
BARRIER_TERMS = {
    "own_units": "Sold by carton and pallet, converted from pieces",
    "joint_teams": "Joint quality circle, quarterly",
    "integrated": "Vendor-managed inventory with reorder points and consolidated invoicing",
}


def _ranked_keys() -> list[Account]:
    run = latest_run()
    if run is None:
        return []
    ids = list(run.scores.filter(is_key=True).order_by("rank").values_list("account_id", flat=True))
    accounts = Account.objects.in_bulk(ids)
    return [accounts[i] for i in ids if i in accounts]


def _by_revenue(codes: list[str]) -> list[str]:
    """``codes`` by the latest scoring run's revenue (last 12 months), largest first."""
    run = latest_run()
    revenue = dict(
        run.scores.filter(account__code__in=codes).values_list("account__code", "revenue")
    )
    return sorted(codes, key=lambda c: (-(revenue.get(c) or 0), c))


def planted_tactics(company: DemoCompany) -> dict[str, str]:
    """The account codes of the tactics' planted cases (see the module's docstring)."""
    planted = planted_accounts(company)
    keys = [a.code for a in _ranked_keys()]
    skip = set(planted.values())
    top = [c for c in keys[:10] if c not in skip]
    by_revenue = _by_revenue(top)
    no_barriers = by_revenue[2] if len(by_revenue) > 2 else by_revenue[-1]
    rest = [c for c in keys[10:] if c not in skip]
    return {
        "no_barriers": no_barriers,
        "rebate_eats_margin": rest[2] if len(rest) > 2 else keys[-1],
        # The plans demo's planted plan without a contingency (kam.demo.plans).
        "no_contingency": planted_plans(_key_accounts())["no_contingency"].code,
    }


def demo_tactics_load(company: DemoCompany) -> None:
    rng = random.Random(company.seed + 13)
    today = company.today
    lead = User.objects.get(username="lead")
    at = timezone.make_aware(datetime.combine(today, time(10)))
    scheme = TierScheme.objects.filter(active=True).first()
    if scheme is None:
        return
    for position, tier in enumerate(scheme.tiers.order_by("order"), start=1):
        for kind, (status, cost, terms) in TIER_DEFAULTS.get(position, {}).items():
            TierTactic.objects.update_or_create(
                tier=tier,
                kind=kind,
                defaults={
                    "status": status,
                    "yearly_cost": None if cost is None else Decimal(cost),
                    "terms": terms,
                },
            )
    planted = planted_tactics(company)
    keys = _ranked_keys()
    quarters = last_complete_quarters(today, 4)
    window_end = add_quarters(quarters[-1], 1) - timedelta(days=1)
    revenue = dict(
        AccountQuarter.objects.filter(account__in=keys, quarter__gte=quarters[0])
        .values("account_id")
        .annotate(total=Sum("revenue"))
        .values_list("account_id", "total")
    )
    tactics, costs = [], []
    for rank, account in enumerate(keys, start=1):
        yearly = revenue.get(account.pk) or Decimal(0)
        # Serving a key account costs 2-5% of what it buys; one in eight is not costed yet.
        if rng.random() > 0.125 or account.code in planted.values():
            share = Decimal(str(round(rng.uniform(0.02, 0.05), 3)))
            costs.append(
                CostToServe(
                    account=account,
                    amount=(yearly * share).quantize(Decimal("1")),
                    note="Demo estimate",
                    set_by=lead,
                    set_at=at,
                )
            )
        owner = account.owner or lead
        for kind in BARRIERS:
            if account.code == planted["no_barriers"]:
                status, since = ("planned" if kind == "integrated" else "not_applicable"), None
            elif rng.random() < (0.75 if rank <= 10 else 0.4):
                status = "in_place"
                since = today - timedelta(days=rng.randint(90, 1500))
            else:
                status, since = "planned", None
            tactics.append(
                AccountTactic(
                    account=account,
                    kind=kind,
                    status=status,
                    since=since,
                    owner=owner,
                    terms=BARRIER_TERMS[kind] if status == "in_place" else "",
                    yearly_cost=Decimal(rng.randrange(2000, 15000, 500))
                    if status == "in_place"
                    else None,
                    goal="Quality and new ranges; their buyer and our product manager"
                    if kind == "joint_teams" and status == "in_place"
                    else "",
                    created_by=owner,
                )
            )
        if account.code == planted["rebate_eats_margin"]:
            RebateAgreement.objects.create(
                account=account,
                name="Annual volume rebate",
                starts_on=quarters[0],
                ends_on=window_end,
                steps=[
                    {"threshold": "0", "rate": "3"},
                    {
                        "threshold": str((yearly * Decimal("0.5")).quantize(Decimal("1"))),
                        "rate": str(_eating_rate(account, quarters)),
                    },
                ],
                terms="Retroactive on the year's revenue once the threshold is reached",
                created_by=owner,
            )
        elif rank <= 10 and account.code not in planted.values():
            RebateAgreement.objects.create(
                account=account,
                name="Annual volume rebate",
                starts_on=quarters[0],
                ends_on=window_end,
                steps=[
                    {
                        "threshold": str((yearly * Decimal("0.8")).quantize(Decimal("1"))),
                        "rate": "1",
                    },
                    {
                        "threshold": str((yearly * Decimal("1.2")).quantize(Decimal("1"))),
                        "rate": "2",
                    },
                ],
                created_by=owner,
            )
    AccountTactic.objects.bulk_create(tactics)
    CostToServe.objects.bulk_create(costs)


def _eating_rate(account: Account, quarters: list[date]) -> Decimal:
    """A rebate rate (%) that takes four fifths of the account's gross margin."""
    sums = AccountQuarter.objects.filter(account=account, quarter__gte=quarters[0]).aggregate(
        revenue=Sum("revenue"), cost=Sum("cost")
    )
    revenue, cost = sums["revenue"] or Decimal(0), sums["cost"] or Decimal(0)
    if revenue <= 0:
        return Decimal("16")
    margin_pct = (revenue - cost) / revenue * 100
    return max(Decimal("5"), (margin_pct * Decimal("0.8")).quantize(Decimal("0.1")))
