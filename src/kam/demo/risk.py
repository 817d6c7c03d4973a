"""Demo risk (issue 13 item 12): a health history, loss probabilities set by hand with their
reasons, and one simulation run, so that the risk pages show the planted cases.

Planted cases (``planted_risk``), chosen from the scoring run the demo just made:
- ``falling``: the tactics demo's top-10 key account with no exit barriers (``no_barriers``,
  the third largest top-10 key account by revenue): its health fell three quarters running
  and its KAM put its probability of loss at 25% (the model alone says about 12%: no exit
  barriers and revenue falling 7% a quarter); it leads the contributors to the simulated P95.
- ``group``: a parent account and two subsidiaries (the largest group of three or more in the
  ledger, outside the other planted cases; the ledger sizes the subsidiaries at 45% of the
  parent each) whose head office reviews every supplier, put at 25% each: their losses move
  together (correlation by group), and together they take the largest share of the tail,
  more than the falling account, though each of them alone takes less.
- The ledger's squeezer (a big-but-bad buyer outside the key accounts) is kept, at a top-10
  size, so that its modelled 60% probability of loss does not swamp the tail.
- ``no_contingency``: the plans demo's key account with no contingency plan, now above the
  risk threshold.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kam.accounts.models import Account
from kam.demo.generator import DemoCompany
from kam.demo.tactics import planted_tactics
from kam.ledger.models import AccountQuarter
from kam.users.models import User

SIMULATED = 20_000


def _group(exclude: set[str]) -> list[str]:
    """The codes of the largest parent (by revenue) with two subsidiaries or more: the
    parent and its two largest subsidiaries."""
    from django.db.models import Sum

    revenue = dict(
        AccountQuarter.objects.values("account_id")
        .annotate(total=Sum("revenue"))
        .values_list("account_id", "total")
    )
    children: dict[int, list[Account]] = {}
    for child in Account.objects.exclude(parent=None):
        children.setdefault(child.parent_id, []).append(child)
    best: list[Account] = []
    best_total = Decimal(-1)
    for parent in Account.objects.filter(pk__in=list(children)):
        kids = sorted(children[parent.pk], key=lambda a: -(revenue.get(a.pk) or 0))[:2]
        members = [parent, *kids]
        if len(kids) < 2 or {a.code for a in members} & exclude:
            continue
        total = sum((revenue.get(a.pk) or Decimal(0)) for a in members)
        if total > best_total:
            best, best_total = members, total
    return [a.code for a in best]


def planted_risk(company: DemoCompany) -> dict:
    tactics = planted_tactics(company)
    return {
        "falling": tactics["no_barriers"],
        "group": _group(set(tactics.values())),
        "no_contingency": tactics["no_contingency"],
    }


def demo_risk_load(company: DemoCompany) -> None:
    from kam.risk import services
    from kam.risk.models import HealthSnapshot, LossOverride

    planted = planted_risk(company)
    lead = User.objects.get(username="lead")
    now = timezone.make_aware(datetime.combine(company.today, time(11)))
    # Everyone's health with the plans and tactics now loaded.
    services.health_compute(today=company.today)
    falling = Account.objects.get(code=planted["falling"])
    today = HealthSnapshot.objects.filter(account=falling).first()
    if today is not None and today.score is not None:
        HealthSnapshot.objects.filter(account=falling).delete()
        for quarters_ago, above in ((3, 36.0), (2, 24.0), (1, 12.0)):
            HealthSnapshot.objects.create(
                account=falling,
                computed_at=now - timedelta(days=91 * quarters_ago),
                score=min(100.0, today.score + above),
                band="healthy" if today.score + above >= 65 else "watch",
                change=-12.0 if quarters_ago < 3 else None,
                trend="falling" if quarters_ago < 3 else "unknown",
                signals=today.signals,
            )
        services.health_compute(today=company.today, account_ids=[falling.pk])
    reasons = [
        (falling, "0.25", "Health falling three quarters running; nothing ties them to us."),
        *[
            (a, "0.25", "Their head office is reviewing every supplier of the group.")
            for a in Account.objects.filter(code__in=planted["group"])
        ],
        (
            Account.objects.get(code=planted["no_contingency"]),
            "0.30",
            "Their buyer asked two competitors for quotes.",
        ),
    ]
    LossOverride.objects.bulk_create(
        LossOverride(
            account=account,
            probability=Decimal(p),
            reason=reason,
            created_by=account.owner or lead,
        )
        for account, p, reason in reasons
    )
    services.simulation_execute(scenarios=SIMULATED, seed=company.seed, by=lead)
