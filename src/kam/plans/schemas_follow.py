"""Input and output shapes of the plan follow-up API: monitoring, quality, mentor reviews."""

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from kam.api.fields import Day, Text, text_of
from kam.plans.models import Action, MentorReview


class CountsOut(Schema):
    total: int
    done: int
    open: int
    late: int
    blocked: int
    percent_complete: int | None = Field(description="Done over all actions; null with none.")


class ReasonOut(Schema):
    code: str
    text: str


class ObjectiveCountsOut(Schema):
    title: str | None = Field(description="Null: the actions tied to no team objective.")
    counts: CountsOut


class LateActionOut(Schema):
    what: str
    due_on: date
    days_late: int
    blocked: bool


class PersonLateOut(Schema):
    owner: str = Field(description="Empty: actions nobody owns.")
    actions: list[LateActionOut]


class TrendPointOut(Schema):
    on: date
    done_pct: float
    due_pct: float


class MonitoringOut(Schema):
    plan_id: UUID
    today: date
    status: str = Field(description="on_track, at_risk or off_track (kam.plans.monitoring).")
    status_text: str
    reasons: list[ReasonOut]
    counts: CountsOut
    objectives: list[ObjectiveCountsOut]
    late_by_person: list[PersonLateOut]
    trend: list[TrendPointOut]


class MissingOut(Schema):
    label: str
    lacks: list[str]
    text: str


class CheckOut(Schema):
    key: str
    title: str
    passed: bool
    applicable: bool
    problem: str
    missing: list[MissingOut]
    fix_url: str


class QualityOut(Schema):
    plan_id: UUID
    score: int = Field(ge=0, le=100)
    checks: list[CheckOut]


class FollowUpIn(Schema):
    what: text_of(Action, "what") = Field(min_length=1, max_length=5000)
    owner: str | None = Field(None, max_length=150, description="The owner's username.")
    due_on: Day | None = None


class ReviewIn(Schema):
    account: UUID
    plan: UUID | None = Field(None, description="Default: the plan in force on the date.")
    reviewed_on: Day | None = Field(None, description="Default: today.")
    verdict: text_of(MentorReview, "verdict")
    comment: Text = Field(min_length=1, max_length=20000)
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=50)


class FollowUpOut(Schema):
    id: UUID
    what: str
    owner: str | None
    due_on: date | None
    status: str

    @staticmethod
    def resolve_id(a) -> UUID:
        return a.public_id

    @staticmethod
    def resolve_owner(a) -> str | None:
        return a.owner.username if a.owner_id else None


class ReviewOut(Schema):
    id: UUID
    account_id: UUID
    plan_id: UUID | None
    mentor: str
    reviewed_on: date
    verdict: str
    comment: str
    follow_ups: list[FollowUpOut]
    created_at: datetime
    version: int

    @staticmethod
    def resolve_id(r) -> UUID:
        return r.public_id

    @staticmethod
    def resolve_account_id(r) -> UUID:
        return r.account.public_id

    @staticmethod
    def resolve_plan_id(r) -> UUID | None:
        return r.plan.public_id if r.plan_id else None

    @staticmethod
    def resolve_mentor(r) -> str:
        return r.mentor.username

    @staticmethod
    def resolve_follow_ups(r) -> list:
        return list(r.follow_ups.all())
