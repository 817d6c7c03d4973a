"""Demo ratings for the selection, then a first scoring run, so the key-account pages show
the planted cases from the first login.

The planted "volume only" account gets the lowest ratings on every rated criterion: big, but
nothing else speaks for it, which is what the single-criterion flag is for.
"""

from __future__ import annotations

import random
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from kam.accounts.models import Account
from kam.demo.generator import DemoCompany
from kam.demo.ledger import planted_accounts
from kam.ledger.models import AccountQuarter
from kam.selection.defaults import ensure_defaults
from kam.selection.models import CutOffKind, Rating, TierScheme
from kam.selection.run import scoring_run_execute
from kam.users.models import User

PROGRAMME_CAPACITY = 48
RANK_CUT_OFFS = (10, 25, 48)
RATED_ACCOUNTS = 80  # the largest; the long tail has nobody's opinion yet, as in real life


def demo_selection_load(company: DemoCompany) -> None:
    planted = planted_accounts(company)
    yearly = dict(
        AccountQuarter.objects.values("account_id")
        .annotate(total=Sum("revenue"))
        .values_list("account_id", "total")
    )
    accounts = sorted(
        Account.objects.select_related("owner"), key=lambda a: -(yearly.get(a.pk) or 0)
    )[:RATED_ACCOUNTS]
    lead = User.objects.get(username="lead")
    at = timezone.make_aware(datetime.combine(company.today, time(9)))
    ratings = []
    for account in accounts:
        # Each account's own random stream: its ratings do not depend on where its sales
        # rank it, so a change to one account's sales leaves everyone else's ratings alone.
        rng = random.Random(f"{company.seed + 3}-{account.code}")
        by = account.owner or lead
        weak = account.code == planted["volume_only"]
        # Three years of sales; a third is one year. The wallet is what they spend on our
        # category everywhere: a multiple of what they buy from us.
        yearly_sales = (yearly.get(account.pk) or Decimal(0)) / 3
        share = Decimal("0.9") if weak else Decimal(str(rng.uniform(0.15, 0.8)))
        values = {
            # Nobody has sized the weak account's wallet: one more criterion that says nothing.
            "wallet": None if weak else (yearly_sales / share).quantize(Decimal("1")),
            "credit_rating": 1 if weak else rng.choice([2, 3, 3, 4, 4]),
            "access_to_objectives": 1 if weak else rng.randint(2, 5),
            "openness": 1 if weak else rng.randint(2, 5),
            "proximity": rng.randint(1, 5),
            "service_complexity": rng.randint(1, 5),
            "wants_key": 0 if weak else rng.choice([0, 1, 1, 1]),
        }
        ratings += [
            Rating(account=account, key=key, value=Decimal(value), rated_by=by, rated_at=at)
            for key, value in values.items()
            if value is not None
        ]
    Rating.objects.bulk_create(ratings)
    # Six KAMs can give real attention to about eight accounts each: the demo programme ranks
    # its accounts and takes the top 10 as Gold, the next 15 Silver, the next 23 Bronze.
    ensure_defaults()  # a flushed database (kam demo --reset) has lost the seeded settings
    scheme = TierScheme.objects.get(active=True)
    scheme.cut_off = CutOffKind.RANK
    scheme.capacity = PROGRAMME_CAPACITY
    scheme.save(update_fields=["cut_off", "capacity"])
    for tier, top in zip(scheme.tiers.order_by("order"), RANK_CUT_OFFS, strict=True):
        tier.cut_off = top
        tier.save(update_fields=["cut_off"])
    scoring_run_execute(as_of=company.today, by=lead)
