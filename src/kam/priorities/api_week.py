"""Neglect alarms, "my week" and senior-visit suggestions at /api/v1/priorities: read only,
each row said in words, and only for accounts the caller may see. No ``from __future__ import
annotations`` (ninja)."""

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from kam.accounts.models import Account
from kam.priorities.alarms import neglect_alarm_lines

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
