from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema
from pydantic import FiniteFloat

from kam.api.fields import Text, text_of, unset
from kam.api.support import BasedOnVersion
from kam.selection.models import SelectionCriterion


class CriterionOut(Schema):
    key: str
    label: str
    weight: Decimal
    direction: str
    normalisation: str
    thresholds: list[list[float]]
    bound_low: Decimal | None
    bound_high: Decimal | None
    version: int


class CriterionPatch(Schema):
    """``bound_low`` and ``bound_high`` null mean no bound; the rest is never null."""

    weight: Decimal = unset(ge=0, max_digits=6, decimal_places=2)
    direction: text_of(SelectionCriterion, "direction") = unset()
    normalisation: text_of(SelectionCriterion, "normalisation") = unset()
    thresholds: list[list[FiniteFloat]] = unset()
    bound_low: Decimal | None = None
    bound_high: Decimal | None = None
    version: BasedOnVersion = None


class ServiceLevelOut(Schema):
    visits_per_month: Decimal
    plan_review_days: int
    dedicated_staff: bool
    priority_ordering: bool
    extras: str
    cost_to_serve: Decimal


class TierOut(Schema):
    code: str
    name: str
    cut_off: Decimal
    is_key: bool
    service: ServiceLevelOut

    @staticmethod
    def resolve_service(tier) -> dict:
        return {
            "visits_per_month": tier.visits_per_month,
            "plan_review_days": tier.plan_review_days,
            "dedicated_staff": tier.dedicated_staff,
            "priority_ordering": tier.priority_ordering,
            "extras": tier.extras,
            "cost_to_serve": tier.cost_to_serve,
        }


class SchemeOut(Schema):
    name: str
    cut_off: str
    capacity: int | None
    abc_crossing: str  # under ABC: "next" (textbook) or "upper"
    tiers: list[TierOut]


class FlagOut(Schema):
    code: str
    title: str
    reason: str
    reasons: list[str]
    facts: dict


class ContributionOut(Schema):
    key: str
    label: str
    value: float | None
    normalised: float | None
    points: float


class ScoreOut(Schema):
    account_id: UUID
    account_code: str
    account_name: str
    as_of: date
    score: float | None
    rank: int | None
    tier: str
    tier_name: str
    is_key: bool
    tier_reason: str
    why: str
    flags: list[FlagOut]
    revenue: Decimal | None
    revenue_previous: Decimal | None
    margin_pct: float | None
    revenue_trend_pct: float | None
    growing_quarters_pct: float | None
    yoy_growth_pct: float | None
    sales_share_pct: float | None
    avg_days_late: float | None
    worst_days_late: float | None
    on_time_pct: float | None
    discount_pct: float | None
    discounts: Decimal | None
    cost_to_serve: Decimal | None
    profit: Decimal | None
    share_of_wallet_pct: float | None


class ScoreDetailOut(ScoreOut):
    contributions: list[ContributionOut]


class RatingIn(Schema):
    key: Text
    value: Decimal = Field(..., max_digits=18, decimal_places=2)
    note: Text = Field("", max_length=5000)


class RatingOut(Schema):
    key: str
    value: Decimal
    note: str
    rated_by: str
    rated_at: datetime
    version: int

    @staticmethod
    def resolve_rated_by(rating) -> str:
        return rating.rated_by.username


class TierOverrideIn(Schema):
    tier: Text = Field("", max_length=40)
    reason: Text = Field(..., min_length=1, max_length=5000)
    clear: bool = False


class JobOut(Schema):
    id: UUID
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    message: str = Field(description="Progress, or why it failed, in the caller's language")
    failure: str = Field(
        "", description="worker_lost or database_lost when the job died: nothing was kept"
    )
    rerun_of: UUID | None = Field(None, description="The failed job this one runs again")
    result: dict

    @staticmethod
    def resolve_id(job) -> UUID:
        return job.public_id

    @staticmethod
    def resolve_message(job) -> str:
        return str(job.reason)

    @staticmethod
    def resolve_rerun_of(job) -> UUID | None:
        return job.rerun_of.public_id if job.rerun_of_id else None


class RegisterRowOut(Schema):
    """One key account in the register. ``account_id`` only for an account the caller is
    on; ``rank``, ``reason`` and ``revenue`` only where the programme lead publishes them."""

    account_id: UUID | None
    account_name: str
    country: str
    industry: str
    tier: str
    kam: str
    visits_per_month: Decimal | None
    plan_review_days: int | None
    dedicated_staff: bool | None
    priority_ordering: bool | None
    other_service: str
    rank: int | None
    reason: str
    revenue: Decimal | None
