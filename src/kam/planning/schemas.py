"""Input and output shapes of the planning API. As in the relationships API, a PATCH field
may be left out; it is null only where the record stores null (dates, the source contact)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from kam.api.fields import Day, Text, text_of, unset
from kam.api.support import BasedOnVersion
from kam.planning.models import Objective, Opportunity


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
    description: Text
    horizon: text_of(Objective, "horizon")
    time_frame: text_of(Objective, "time_frame") = ""
    starts_on: Day | None = None
    ends_on: Day | None = None
    source_contact: UUID | None = None
    recorded_on: Day | None = None


class ObjectivePatch(Schema):
    description: Text = unset()
    horizon: text_of(Objective, "horizon") = unset()
    time_frame: text_of(Objective, "time_frame") = unset()
    starts_on: Day | None = None
    ends_on: Day | None = None
    source_contact: UUID | None = None
    status: text_of(Objective, "status") = unset()
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
    name: text_of(Opportunity, "name")
    value: Decimal
    currency: text_of(Opportunity, "currency") = ""
    probability: int
    expected_on: Day | None = None
    significant: bool = False
    objectives: list[UUID] = []
    buy_in_needed_from: list[UUID] = []


class OpportunityPatch(Schema):
    """``objectives`` and ``buy_in_needed_from`` null mean none."""

    name: text_of(Opportunity, "name") = unset()
    value: Decimal = unset()
    currency: text_of(Opportunity, "currency") = unset()
    probability: int = unset()
    expected_on: Day | None = None
    significant: bool = unset()
    status: text_of(Opportunity, "status") = unset()
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
