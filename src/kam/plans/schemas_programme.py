"""Shapes of the programme's API: plan rows, attachments and capability checklists."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from kam.api.fields import Day, Text


class ProgrammeRowOut(Schema):
    plan_id: UUID
    account_id: UUID
    account: str
    account_code: str
    key_account_manager: str | None
    tier: str
    is_key: bool
    period: str
    state: str
    waiting_for: list[str]
    status: str
    status_reason: str
    actions: int
    done: int
    late: int
    blocked: int
    quality: int
    missing: list[str]
    stale: bool
    last_review: date | None
    next_review: date | None
    review_overdue: bool


class AttachmentIn(Schema):
    """The form fields beside the file: the plan or the opportunity, and a title."""

    title: Text = ""
    plan: UUID | None = None
    opportunity: UUID | None = None


class AttachmentOut(Schema):
    id: UUID
    account_id: UUID
    plan_id: UUID | None
    opportunity_id: UUID | None
    title: str
    content_type: str
    size: int
    created_at: datetime
    created_by: str | None
    comment_count: int
    version: int


class CommentIn(Schema):
    comment: Text


class CommentOut(Schema):
    id: int
    author: str
    comment: str
    created_at: datetime


class CapabilityItemOut(Schema):
    key: str
    label: str
    scope: str


class AnswerIn(Schema):
    item: Text
    met: bool | None = None
    rating: int | None = None
    note: Text = ""


class AnswerOut(Schema):
    item: str
    label: str
    met: bool | None
    rating: int | None
    note: str


class ChecklistIn(Schema):
    """Either ``account`` (its public id) or ``kam`` (a username)."""

    account: UUID | None = None
    kam: Text | None = None
    assessed_on: Day | None = None
    note: Text = ""
    answers: list[AnswerIn]


class ChecklistOut(Schema):
    id: int
    account_id: UUID | None
    kam: str | None
    assessed_on: date
    assessed_by: str | None
    note: str
    answers: list[AnswerOut]
