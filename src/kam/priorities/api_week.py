"""Neglect alarms, "my week" and senior-visit suggestions at /api/v1/priorities: read only,
each row said in words, and only for accounts the caller may see. No ``from __future__ import
annotations`` (ninja)."""

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from kam.accounts.models import Account
from kam.api.fields import Text
from kam.api.openapi import answers
from kam.priorities import my_week
from kam.priorities.alarms import neglect_alarm_lines
from kam.priorities.senior import senior_visit_lines
from kam.priorities.week import week_for
from kam.priorities.week_people import week_subject

router = Router(tags=["priorities"])


class AlarmOut(Schema):
    kind: str
    account_id: UUID
    account: str
    last: date | None
    since: date
    days: int
    allowed_days: int
    subjects: list[str]
    why: str
    what_to_do: str


@router.get("/alarms", response=list[AlarmOut], summary="Neglect alarms of my accounts")
def alarms(request: HttpRequest):
    """Accounts, long-horizon work and influential contacts going without time, most
    overdue first; the lead sees the programme's."""
    lines = neglect_alarm_lines(
        accounts=Account.objects.visible_to(request.auth), today=timezone.localdate()
    )
    return [
        {
            "kind": line.kind,
            "account_id": line.account.public_id,
            "account": line.account.name,
            "last": line.alarm.last,
            "since": line.alarm.since,
            "days": line.alarm.days,
            "allowed_days": line.alarm.allowed_days,
            "subjects": list(line.alarm.subjects),
            "why": line.why,
            "what_to_do": line.what_to_do,
        }
        for line in lines
    ]


class WeekLineOut(Schema):
    band: str
    kind: str
    account: str
    title: str
    reason: str
    url: str
    due_on: date | None


BANDS = {my_week.LATE: "late", my_week.THIS_WEEK: "this_week", my_week.SUGGESTED: "suggested"}


@router.get("/my-week", response=list[WeekLineOut], summary="My next actions, in order")
@answers(403, 404)
def week(request: HttpRequest, kam: Text | None = None):
    """The caller's ordered next actions (kam.priorities.my_week documents the order); the
    programme lead may name any KAM or team member (``kam``, a username) to read theirs."""
    subject = week_subject(request.auth, kam)
    return [
        {
            "band": BANDS[band],
            "kind": line.kind,
            "account": line.account,
            "title": line.title,
            "reason": line.reason,
            "url": line.url,
            "due_on": line.due_on,
        }
        for band, line in week_for(user=subject, today=timezone.localdate())
    ]


class VisitOut(Schema):
    account_id: UUID
    account: str
    reasons: list[str]
    reason_codes: list[str]
    see: list[str]
    who_goes: str


@router.get("/senior-visits", response=list[VisitOut], summary="Senior visits to make now")
def visits(request: HttpRequest):
    """Accounts that need a visit by one of our executives now, with why, whom to see and
    who should go."""
    return [
        {
            "account_id": v.account.public_id,
            "account": v.account.name,
            "reasons": v.reasons,
            "reason_codes": [r.code for r in v.suggestion.reasons],
            "see": list(v.suggestion.see),
            "who_goes": v.suggestion.goes,
        }
        for v in senior_visit_lines(
            accounts=Account.objects.visible_to(request.auth), today=timezone.localdate()
        )
    ]
