"""API of the priorities app's judgements at /api/v1/priorities: time with the right people
(per KAM: the lead anyone's, others their own, 403 otherwise; per account: 404 when out of
sight), stage-fit alarms and the expected activities (the lead changes them, 403 for anyone
else), and the KAM's decisions on senior-visit suggestions (accept, dismiss with a reason;
a mentor is refused 403, an account out of sight is 404). No ``from __future__ import
annotations``: ninja reads the annotations at import time."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from kam.accounts.access import account_or_404
from kam.accounts.models import Account
from kam.api.fields import Text
from kam.api.openapi import answers
from kam.api.support import expected_version, users_named
from kam.priorities import visit_decisions
from kam.priorities.api_time import PeriodId, period_named
from kam.priorities.models_fit import ActivityExpectation
from kam.priorities.right_people import Row, account_rows, kam_rows
from kam.priorities.stage_fit import expectation_set, expectations, fit_alarm_lines, scope_words

router = Router()

By = Literal["quarter", "month"]


class PointOut(Schema):
    label: str
    influential_share: float | None


class UnseenOut(Schema):
    contact_id: UUID | None
    name: str
    influence: int | None


class PeopleTimeOut(Schema):
    name: str
    username: str | None = None
    account_id: UUID | None = None
    contact_hours: float
    influential_hours: float
    easy_hours: float
    unassessed_hours: float
    influential_share: float | None
    easy_share: float | None
    trend: list[PointOut]
    direction: str | None
    flagged: bool
    unseen: list[UnseenOut]
    why: str
    what_to_do: str


class PeopleTimeReport(Schema):
    start: date
    end: date
    by: str
    people: list[PeopleTimeOut]
    accounts: list[PeopleTimeOut]


def _row(row: Row, contact_ids: dict[int, UUID]) -> dict:
    f = row.finding
    return {
        "name": row.name,
        "username": row.user.username if row.user else None,
        "account_id": row.account.public_id if row.account else None,
        "contact_hours": round(f.mix.total / 60, 2),
        "influential_hours": round(f.mix.influential / 60, 2),
        "easy_hours": round(f.mix.easy / 60, 2),
        "unassessed_hours": round(f.mix.unassessed / 60, 2),
        "influential_share": f.mix.influential_share,
        "easy_share": f.mix.easy_share,
        "trend": [{"label": p.label, "influential_share": p.share} for p in f.trend],
        "direction": f.direction,
        "flagged": f.flagged,
        "unseen": [
            {"contact_id": contact_ids.get(p.contact_id), "name": p.name, "influence": p.influence}
            for p in f.unseen
        ],
        "why": row.why,
        "what_to_do": row.what_to_do,
    }


def _contact_ids(rows: list[Row]) -> dict[int, UUID]:
    from kam.relationships.models import Contact

    ids = {p.contact_id for r in rows for p in r.finding.unseen}
    return dict(Contact.objects.filter(pk__in=ids).values_list("pk", "public_id"))


@router.get(
    "/people-time", response=PeopleTimeReport, summary="Time with the right people, per KAM"
)
@answers(403, 404)
def people_time(request: HttpRequest, period: PeriodId, by: By = "quarter", kam: Text = ""):
    """Share of contact time with influential people against easy contacts in the period,
    per KAM (the lead: every KAM, or ``kam``; others: their own, 403 for someone else's)
    and per account the caller sees, with the trend per quarter or month."""
    span = period_named(period)
    wanted = users_named([kam], "kam")[0] if kam else None
    people = kam_rows(
        reader=request.auth, start=span.starts_on, end=span.ends_on, by=by, wanted=wanted
    )
    accounts = account_rows(
        accounts=Account.objects.visible_to(request.auth),
        start=span.starts_on,
        end=span.ends_on,
        by=by,
    )
    ids = _contact_ids(people + accounts)
    return {
        "start": span.starts_on,
        "end": span.ends_on,
        "by": by,
        "people": [_row(r, ids) for r in people],
        "accounts": [_row(r, ids) for r in accounts],
    }


@router.get(
    "/accounts/{uuid:account_id}/people-time",
    response=PeopleTimeOut | None,
    summary="Time with the right people at one account",
)
def account_people_time(
    request: HttpRequest, account_id: UUID, period: PeriodId, by: By = "quarter"
):
    account = account_or_404(request.auth, account_id)
    span = period_named(period)
    rows = account_rows(
        accounts=Account.objects.filter(pk=account.pk),
        start=span.starts_on,
        end=span.ends_on,
        by=by,
    )
    return _row(rows[0], _contact_ids(rows)) if rows else None


class FitAlarmOut(Schema):
    account_id: UUID
    account: str
    scope: str
    key: str
    expected: list[str]
    allowed_days: int
    last: date | None
    since: date
    days: int
    done_instead: list[str]
    subjects: list[str]
    why: str
    what_to_do: str


@router.get(
    "/activity-alarms",
    response=list[FitAlarmOut],
    summary="Accounts whose recent activities do not fit their stage",
)
def activity_alarms(request: HttpRequest):
    """Per lifecycle stage and opportunity horizon, the accounts the caller sees that had
    none of the expected activities in time, the most overdue first."""
    lines = fit_alarm_lines(
        accounts=Account.objects.visible_to(request.auth), today=timezone.localdate()
    )
    return [
        {
            "account_id": line.account.public_id,
            "account": line.account.name,
            "scope": line.misfit.scope,
            "key": line.misfit.key,
            "expected": list(line.misfit.expected),
            "allowed_days": line.misfit.allowed_days,
            "last": line.misfit.last,
            "since": line.misfit.since,
            "days": line.misfit.days,
            "done_instead": list(line.misfit.done_instead),
            "subjects": list(line.misfit.subjects),
            "why": line.why,
            "what_to_do": line.what_to_do,
        }
        for line in lines
    ]


ActivityKindIn = Literal["information", "demonstration", "pilot", "proposal", "business_review"]


class ExpectationOut(Schema):
    scope: str
    key: str
    label: str
    kinds: list[str]
    within_days: int
    active: bool
    version: int | None


class ExpectationIn(Schema):
    kinds: list[ActivityKindIn]
    within_days: Annotated[int, Field(ge=1, le=730)]
    active: bool = True
    version: int | None = None


def _expectations() -> list[dict]:
    versions = {(r.scope, r.key): r.version for r in ActivityExpectation.objects.all()}
    return [
        {
            "scope": e.scope,
            "key": e.key,
            "label": scope_words(e.scope, e.key),
            "kinds": list(e.kinds),
            "within_days": e.within_days,
            "active": e.active,
            "version": versions.get((e.scope, e.key)),
        }
        for e in expectations()
    ]


@router.get(
    "/expected-activities",
    response=list[ExpectationOut],
    summary="Expected activities per stage and horizon",
)
def expected_activities(request: HttpRequest):
    """What each lifecycle stage and opportunity horizon expects (the defaults where the
    lead set nothing; ``version`` null for those)."""
    return _expectations()


@router.put(
    "/expected-activities/{scope}/{key}",
    response=ExpectationOut,
    summary="Set the activities a stage or horizon expects (the lead)",
)
def expected_activity_set(
    request: HttpRequest, scope: Literal["stage", "horizon"], key: str, payload: ExpectationIn
):
    changes = payload.dict()
    version = expected_version(request, changes)
    expectation_set(
        by=request.auth,
        scope=scope,
        key=key,
        kinds=changes["kinds"],
        within_days=changes["within_days"],
        active=changes["active"],
        expected_version=version,
    )
    return next(e for e in _expectations() if (e["scope"], e["key"]) == (scope, key))


class DecisionOut(Schema):
    id: UUID = Field(alias="public_id")
    account_id: UUID
    decision: str
    reason: str
    reasons: list[str]
    see: list[str]
    goes: str
    decided_on: date
    plan_action_id: UUID | None
    task_id: UUID | None
    task_due_on: date | None

    @staticmethod
    def resolve_account_id(d) -> UUID:
        return d.account.public_id

    @staticmethod
    def resolve_plan_action_id(d) -> UUID | None:
        return d.action.public_id if d.action_id else None

    @staticmethod
    def resolve_task_id(d) -> UUID | None:
        return d.task.public_id if d.task_id else None

    @staticmethod
    def resolve_task_due_on(d) -> date | None:
        return d.task.due_on if d.task_id else None


class DismissIn(Schema):
    reason: Annotated[str, Field(max_length=2000)]


@router.post(
    "/senior-visits/{uuid:account_id}/accept",
    response={201: DecisionOut},
    summary="Accept the senior visit proposed for an account",
)
def visit_accept(request: HttpRequest, account_id: UUID):
    """It becomes an action of the account's current plan (a draft or agreed plan of the
    period containing today), else a task due in 14 days."""
    account = account_or_404(request.auth, account_id)
    decision = visit_decisions.accept(account=account, by=request.auth, today=timezone.localdate())
    return Status(201, decision)


@router.post(
    "/senior-visits/{uuid:account_id}/dismiss",
    response={201: DecisionOut},
    summary="Dismiss the senior visit proposed for an account, with a reason",
)
def visit_dismiss(request: HttpRequest, account_id: UUID, payload: DismissIn):
    """Kept and audited; not proposed again unless the facts behind it change."""
    account = account_or_404(request.auth, account_id)
    return Status(
        201,
        visit_decisions.dismiss(
            account=account, by=request.auth, reason=payload.reason, today=timezone.localdate()
        ),
    )


class TaskOut(Schema):
    id: UUID = Field(alias="public_id")
    account_id: UUID
    what: str
    due_on: date
    status: str
    done_on: date | None
    version: int

    @staticmethod
    def resolve_account_id(t) -> UUID:
        return t.account.public_id


class TaskDoneIn(Schema):
    version: int | None = None


@router.post("/tasks/{uuid:task_id}/done", response=TaskOut, summary="Mark a priorities task done")
def task_done(request: HttpRequest, task_id: UUID, payload: TaskDoneIn):
    """A task an accepted senior visit became; 404 out of sight, 403 for the mentor, 409 on
    a stale version, 422 when it is already done."""
    from kam.api.support import visible_object
    from kam.priorities.models_fit import Task

    task = visible_object(request, Task.objects.select_related("account"), task_id)
    changes = payload.dict()
    return visit_decisions.task_done(
        task=task,
        by=request.auth,
        today=timezone.localdate(),
        expected_version=expected_version(request, changes),
    )
