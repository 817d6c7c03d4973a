"""The key account register (M2): who the key accounts are, their tier, KAM and service
level, for every user, including those on none of the accounts.

It reads the latest finished scoring run's key accounts without the visibility scope on
purpose, and so carries only what is safe for the whole company: no contacts, opinions or
figures, except what the programme lead publishes (``RegisterSettings``). Whether the reader
may open an account is said per row, so the page links only those they are on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kam.accounts.models import Account
from kam.selection import criteria, explain
from kam.selection.models import RegisterSettings, ScoringRun, Tier, TierScheme


@dataclass(frozen=True)
class ServiceLevel:
    visits_per_month: Decimal
    plan_review_days: int
    dedicated_staff: bool
    priority_ordering: bool
    extras: str


@dataclass(frozen=True)
class RegisterRow:
    account: Account
    tier: str
    kam: str
    service: ServiceLevel | None
    may_open: bool
    rank: int | None
    reason: str
    revenue: Decimal | None


def register_rows(*, user, run: ScoringRun, published: RegisterSettings) -> list[RegisterRow]:
    """The run's key accounts in rank order, each with only what the register may show."""
    scores = (
        run.scores.filter(is_key=True)
        .select_related("account", "account__owner")
        .order_by("rank", "account__name", "account_id")
    )
    visible = set(
        Account.objects.visible_to(user)
        .filter(pk__in=[s.account_id for s in scores])
        .values_list("pk", flat=True)
    )
    levels = _service_levels()
    return [
        RegisterRow(
            account=score.account,
            tier=criteria.tier_label(score.tier_name),
            kam=str(score.account.owner) if score.account.owner_id else "",
            service=levels.get(score.tier_code),
            may_open=score.account_id in visible,
            rank=score.rank if published.publish_rank else None,
            reason=explain.tier_reason(score, run) if published.publish_reason else "",
            revenue=score.revenue if published.publish_revenue else None,
        )
        for score in scores
    ]


def _service_levels() -> dict[str, ServiceLevel]:
    scheme = TierScheme.objects.filter(active=True).first()
    tiers = Tier.objects.filter(scheme=scheme) if scheme else Tier.objects.none()
    return {
        tier.code: ServiceLevel(
            visits_per_month=tier.visits_per_month,
            plan_review_days=tier.plan_review_days,
            dedicated_staff=tier.dedicated_staff,
            priority_ordering=tier.priority_ordering,
            extras=tier.extras,
        )
        for tier in tiers
    }
