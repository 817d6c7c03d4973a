"""Input and output shapes of the tactics API. A PATCH field may be left out; it is null
only where the record stores null (dates, the owner, costs: null is unknown)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema

from kam.api.fields import Day, Text, text_of, unset
from kam.api.support import BasedOnVersion
from kam.tactics.models import RebateAgreement, RebateBasis, TacticKind, TacticStatus

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=1)]
People = Annotated[int, Field(ge=0, le=100_000)]
LongText = Annotated[Text, Field(max_length=20_000)]


class RebateStepIn(Schema):
    threshold: Money
    rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)] = Field(
        description="Percent of the period's revenue, 0-100"
    )


class StepOut(Schema):
    threshold: Decimal
    rate: Decimal


class TacticOut(Schema):
    id: UUID
    account_id: UUID
    number: int
    kind: TacticKind
    status: TacticStatus
    since: date | None
    owner: str | None
    terms: str
    yearly_cost: Decimal | None = Field(description="Null: unknown")
    people: int | None
    hours_per_month: Decimal | None
    products: list[str]
    goal: str
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(t) -> UUID:
        return t.public_id

    @staticmethod
    def resolve_account_id(t) -> UUID:
        return t.account.public_id

    @staticmethod
    def resolve_owner(t) -> str | None:
        return t.owner.username if t.owner_id else None

    @staticmethod
    def resolve_products(t) -> list[str]:
        return [p.code for p in t.products.all()]


class TacticIn(Schema):
    account: UUID
    kind: TacticKind
    status: TacticStatus
    since: Day | None = None
    owner: Text | None = Field(None, max_length=150, description="A username")
    terms: LongText = ""
    yearly_cost: Money | None = Field(None, description="Null: unknown")
    people: People | None = None
    hours_per_month: Hours | None = None
    products: list[Annotated[Text, Field(max_length=64)]] = Field([], max_length=500)
    goal: LongText = ""


class TacticPatch(Schema):
    status: TacticStatus = unset()
    since: Day | None = None
    owner: Text | None = Field(None, max_length=150)
    terms: LongText = unset()
    yearly_cost: Money | None = None
    people: People | None = None
    hours_per_month: Hours | None = None
    products: list[Annotated[Text, Field(max_length=64)]] | None = Field(None, max_length=500)
    goal: LongText = unset()
    version: BasedOnVersion = None


class AgreementOut(Schema):
    id: UUID
    account_id: UUID
    name: str
    starts_on: date
    ends_on: date
    basis: RebateBasis
    steps: list[StepOut]
    terms: str
    volume: Decimal = Field(description="The ledger's volume in the period, in the basis")
    rate: Decimal = Field(description="The rate (%) the volume reached")
    due: Decimal = Field(description="The rebate due on the period's revenue")
    accrued: Decimal = Field(description="Rebates the ledger accrued in the same quarters")
    next_threshold: Decimal | None
    updated_at: datetime
    version: int


class AgreementIn(Schema):
    account: UUID
    name: text_of(RebateAgreement, "name")
    starts_on: Day
    ends_on: Day
    basis: RebateBasis = RebateBasis.REVENUE
    steps: list[RebateStepIn] = Field(..., min_length=1, max_length=50)
    terms: LongText = ""


class AgreementPatch(Schema):
    name: text_of(RebateAgreement, "name") = unset()
    starts_on: Day = unset()
    ends_on: Day = unset()
    basis: RebateBasis = unset()
    steps: list[RebateStepIn] = unset(min_length=1, max_length=50)
    terms: LongText = unset()
    version: BasedOnVersion = None


class ProfitOut(Schema):
    account_id: UUID
    window_starts: date
    window_ends: date
    tier: str | None
    is_key: bool
    revenue: Decimal = Field(description="Net of on-invoice discounts, before rebates")
    list_revenue: Decimal
    cost_of_goods: Decimal | None
    discounts: Decimal
    rebates: Decimal
    tactics_cost: Decimal | None
    cost_to_serve: Decimal | None
    programme_cost: Decimal | None
    profit_without_programme: Decimal | None
    profit_after_programme: Decimal | None
    flags: list[str]


class BarriersOut(Schema):
    account_id: UUID
    strength: int | None = Field(description="0-100; null: unknown")
    reasons: list[str]


class TierTacticOut(Schema):
    tier: str
    tier_name: str
    kind: TacticKind
    status: TacticStatus
    terms: str
    yearly_cost: Decimal | None
    version: int

    @staticmethod
    def resolve_tier(t) -> str:
        return t.tier.code

    @staticmethod
    def resolve_tier_name(t) -> str:
        return t.tier.name


class TierTacticIn(Schema):
    status: TacticStatus = TacticStatus.IN_PLACE
    terms: LongText = ""
    yearly_cost: Money | None = None
    version: BasedOnVersion = None


class TierProfitOut(Schema):
    tier: str | None
    accounts: int
    unknown: int = Field(description="Accounts left out of the totals: a part is unknown")
    list_revenue: Decimal
    programme_cost: Decimal
    profit_without_programme: Decimal
    profit_after_programme: Decimal


class ContingencyOut(Schema):
    account_id: UUID
    plan_id: UUID | None = Field(description="The account's current plan; null: no plan")
    triggers: str
    actions: str
    owner: str | None
    version: int | None


class ContingencyIn(Schema):
    triggers: LongText = unset()
    actions: LongText = unset()
    owner: Text | None = Field(None, max_length=150)
    version: BasedOnVersion = None
