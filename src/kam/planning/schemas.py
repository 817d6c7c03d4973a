"""Input and output shapes of the planning API."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from kam.api.support import BasedOnVersion


class ObjectiveOut(Schema):
    id: UUID
    account_id: UUID
    description: str
    horizon: str
    time_frame: str
    starts_on: date | None
    ends_on: date | None
    source_contact_id: UUID | None
    recorded_on: date
    status: str
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(o) -> UUID:
        return o.public_id

    @staticmethod
    def resolve_account_id(o) -> UUID:
        return o.account.public_id

    @staticmethod
    def resolve_source_contact_id(o) -> UUID | None:
        return o.source_contact.public_id if o.source_contact_id else None


class ObjectiveIn(Schema):
    account: UUID
    description: str
    horizon: str
    time_frame: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    source_contact: UUID | None = None
    recorded_on: date | None = None


class ObjectivePatch(Schema):
    description: str | None = None
    horizon: str | None = None
    time_frame: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    source_contact: UUID | None = None
    status: str | None = None
    expected_updated_at: datetime | None = None
    version: BasedOnVersion = None


class OpportunityOut(Schema):
    id: UUID
    account_id: UUID
    name: str
    objective_ids: list[UUID]
    value: Decimal
    currency: str
    probability: int
    weighted_value: Decimal
    expected_on: date | None
    significant: bool
    status: str
    buy_in_needed_from: list[UUID]
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(o) -> UUID:
        return o.public_id

    @staticmethod
    def resolve_account_id(o) -> UUID:
        return o.account.public_id

    @staticmethod
    def resolve_objective_ids(o) -> list[UUID]:
        return [x.public_id for x in o.objectives.all()]

    @staticmethod
    def resolve_buy_in_needed_from(o) -> list[UUID]:
        return [c.public_id for c in o.buy_in_needed_from.all()]


class OpportunityIn(Schema):
    account: UUID
    name: str
    value: Decimal
    currency: str = ""
    probability: int
    expected_on: date | None = None
    significant: bool = False
    objectives: list[UUID] = []
    buy_in_needed_from: list[UUID] = []


class OpportunityPatch(Schema):
    name: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    probability: int | None = None
    expected_on: date | None = None
    significant: bool | None = None
    status: str | None = None
    objectives: list[UUID] | None = None
    buy_in_needed_from: list[UUID] | None = None
    expected_updated_at: datetime | None = None
    version: BasedOnVersion = None


class HorizonOut(Schema):
    label: str
    count: int
    value_by_currency: dict[str, Decimal]
    weighted_by_currency: dict[str, Decimal]
    opportunities: list[OpportunityOut]
