"""Input and output shapes of the plan API (``plans.api_plan``). People are named by their
login (username), records by their public id, periods by their id. As elsewhere, a PATCH
field may be left out; it is null only where the record stores null."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema

from kam.api.fields import Day, Text, text_of, unset
from kam.api.support import BasedOnVersion
from kam.core.models import Period
from kam.plans.models import Action, Competitor, TeamObjective

Amount = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
Order = Annotated[int, Field(ge=0, le=1_000_000)]
PeriodId = Annotated[int, Field(ge=1, le=2_147_483_647)]


def _login(user) -> str | None:
    return user.username if user is not None else None


class PeriodOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    version: int


class PeriodIn(Schema):
    name: text_of(Period, "name")
    starts_on: Day
    ends_on: Day


class PeriodPatch(Schema):
    name: text_of(Period, "name") = unset()
    starts_on: Day = unset()
    ends_on: Day = unset()
    version: BasedOnVersion = None


class PlanOut(Schema):
    id: UUID
    account_id: UUID
    period: PeriodOut
    state: str
    number: int = Field(description="The number the working copy gets when submitted.")
    in_force: int | None = Field(description="The number of the agreed version in force.")
    customer_strategy: str
    strengths: str
    weaknesses: str
    opportunities_swot: str
    threats: str
    strategy: str
    contingency_triggers: str
    contingency_actions: str
    contingency_owner: str | None
    customer_objectives: list[UUID]
    opportunities: list[UUID]
    required_signers: list[str]
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(p) -> UUID:
        return p.public_id

    @staticmethod
    def resolve_account_id(p) -> UUID:
        return p.account.public_id

    @staticmethod
    def resolve_in_force(p) -> int | None:
        return p.in_force.number if p.in_force_id else None

    @staticmethod
    def resolve_contingency_owner(p) -> str | None:
        return _login(p.contingency_owner)

    @staticmethod
    def resolve_customer_objectives(p) -> list[UUID]:
        return [o.public_id for o in p.customer_objectives.all()]

    @staticmethod
    def resolve_opportunities(p) -> list[UUID]:
        return [o.public_id for o in p.opportunities.all()]

    @staticmethod
    def resolve_required_signers(p) -> list[str]:
        return sorted(u.username for u in p.required_signers.all())


class PlanIn(Schema):
    account: UUID
    period: PeriodId
    with_template: bool = Field(True, description="Start from the seven objectives of M5.")


class PlanPatch(Schema):
    """``customer_objectives`` and ``opportunities`` null mean none; ``contingency_owner``
    null means nobody."""

    customer_strategy: Text = unset()
    strengths: Text = unset()
    weaknesses: Text = unset()
    opportunities_swot: Text = unset()
    threats: Text = unset()
    strategy: Text = unset()
    contingency_triggers: Text = unset()
    contingency_actions: Text = unset()
    contingency_owner: str | None = None
    customer_objectives: list[UUID] | None = None
    opportunities: list[UUID] | None = None
    version: BasedOnVersion = None


class SignersIn(Schema):
    required_signers: list[str]
    version: BasedOnVersion = None


class StepIn(Schema):
    version: BasedOnVersion = None


class SignIn(Schema):
    decision: Annotated[str, Field(pattern="^(agreed|objected)$")]
    comment: Text = ""


class SignOffOut(Schema):
    member: str
    required: bool
    decision: str
    comment: str
    decided_at: datetime | None

    @staticmethod
    def resolve_member(s) -> str:
        return s.member.username


class VersionOut(Schema):
    number: int
    state: str
    submitted_at: datetime
    submitted_by: str | None
    decided_at: datetime | None
    sign_offs: list[SignOffOut]
    still_to_sign: list[str]

    @staticmethod
    def resolve_submitted_by(v) -> str | None:
        return _login(v.submitted_by)

    @staticmethod
    def resolve_sign_offs(v) -> list:
        return list(v.sign_offs.all())

    @staticmethod
    def resolve_still_to_sign(v) -> list[str]:
        return [
            s.member.username
            for s in v.sign_offs.all()
            if s.required and s.decision == "pending" and v.state == "submitted"
        ]


class VersionDetailOut(VersionOut):
    content: dict[str, Any]


class ChangeOut(Schema):
    section: str
    kind: str
    field: str | None
    item: str | None
    old: Any = None
    new: Any = None


class DiffOut(Schema):
    older: int
    newer: int | None = Field(description="null: the working copy.")
    changes: list[ChangeOut]


class CompetitorOut(Schema):
    id: UUID
    plan_id: UUID
    name: str
    position: str
    order: int
    version: int

    @staticmethod
    def resolve_id(c) -> UUID:
        return c.public_id

    @staticmethod
    def resolve_plan_id(c) -> UUID:
        return c.plan.public_id


class CompetitorIn(Schema):
    name: text_of(Competitor, "name")
    position: Text = ""
    order: Order = 0


class CompetitorPatch(Schema):
    name: text_of(Competitor, "name") = unset()
    position: Text = unset()
    order: Order = unset()
    version: BasedOnVersion = None


class TeamObjectiveOut(Schema):
    id: UUID
    plan_id: UUID
    template_key: str
    title: str
    measure: str
    unit: str
    target: Decimal | None
    current_value: Decimal | None = Field(
        description="Entered, or computed by kam (see value_from); null: unknown."
    )
    source: str
    value_from: str = Field(description="Where the current value comes from.")
    order: int
    version: int

    @staticmethod
    def resolve_id(o) -> UUID:
        return o.public_id

    @staticmethod
    def resolve_plan_id(o) -> UUID:
        return o.plan.public_id

    @staticmethod
    def resolve_current_value(o) -> Decimal | None:
        computed = getattr(o, "computed", None)
        return computed.value if computed is not None else o.current_value

    @staticmethod
    def resolve_value_from(o) -> str:
        computed = getattr(o, "computed", None)
        return computed.source if computed is not None else str(o.get_source_display())


class TeamObjectiveIn(Schema):
    title: text_of(TeamObjective, "title")
    measure: text_of(TeamObjective, "measure") = ""
    unit: text_of(TeamObjective, "unit") = ""
    target: Amount | None = None
    current_value: Amount | None = None
    source: text_of(TeamObjective, "source") = "manual"
    order: Order | None = None


class TeamObjectivePatch(Schema):
    title: text_of(TeamObjective, "title") = unset()
    measure: text_of(TeamObjective, "measure") = unset()
    unit: text_of(TeamObjective, "unit") = unset()
    target: Amount | None = None
    current_value: Amount | None = None
    source: text_of(TeamObjective, "source") = unset()
    order: Order = unset()
    version: BasedOnVersion = None


class ActionOut(Schema):
    id: UUID
    plan_id: UUID
    what: str
    owner: str | None
    due_on: date | None
    late: bool
    objective_id: UUID | None = Field(description="The team objective it serves.")
    opportunity_id: UUID | None
    contact_id: UUID | None
    status: str
    blocked_reason: str
    done_on: date | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(a) -> UUID:
        return a.public_id

    @staticmethod
    def resolve_plan_id(a) -> UUID:
        return a.plan.public_id

    @staticmethod
    def resolve_owner(a) -> str | None:
        return _login(a.owner)

    @staticmethod
    def resolve_late(a) -> bool:
        from django.utils import timezone

        return a.status != "done" and a.due_on is not None and a.due_on < timezone.localdate()

    @staticmethod
    def resolve_objective_id(a) -> UUID | None:
        return a.objective.public_id if a.objective_id else None

    @staticmethod
    def resolve_opportunity_id(a) -> UUID | None:
        return a.opportunity.public_id if a.opportunity_id else None

    @staticmethod
    def resolve_contact_id(a) -> UUID | None:
        return a.contact.public_id if a.contact_id else None


class ActionIn(Schema):
    what: Text
    owner: str | None = None
    due_on: Day | None = None
    objective: UUID | None = Field(None, description="The team objective it serves.")
    opportunity: UUID | None = None
    contact: UUID | None = None
    status: text_of(Action, "status") = "open"
    blocked_reason: Text = ""
    done_on: Day | None = None


class ActionPatch(Schema):
    what: Text = unset()
    owner: str | None = None
    due_on: Day | None = None
    objective: UUID | None = Field(None, description="The team objective it serves.")
    opportunity: UUID | None = None
    contact: UUID | None = None
    status: text_of(Action, "status") = unset()
    blocked_reason: Text = unset()
    done_on: Day | None = None
    version: BasedOnVersion = None
