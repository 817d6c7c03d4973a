"""Meetings from a calendar export at /api/v1/priorities/calendar: import an .ics file
(multipart), list the events whose attendees wait to be resolved, resolve an address. Bad
files are 422 on ``file`` naming the event and field; a mentor is 403. No ``from __future__
import annotations`` (ninja)."""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from kam.api.openapi import answers
from kam.api.support import field_error
from kam.priorities import calendar
from kam.relationships.models import Contact

router = Router()


class AttendeeOut(Schema):
    email: str
    name: str


class EventOut(Schema):
    id: UUID
    uid: str
    summary: str
    occurred_on: date
    minutes: int | None
    state: str
    account_id: UUID | None
    interaction_id: UUID | None
    unmatched: list[AttendeeOut]


class SkippedOut(Schema):
    event: str
    reason: str


class ImportOut(Schema):
    read: int
    logged: int
    updated: int
    withdrawn: int
    unchanged: int
    skipped: list[SkippedOut]
    to_resolve: list[EventOut]


def _event(row) -> dict:
    return {
        "id": row.public_id,
        "uid": row.uid,
        "summary": row.summary,
        "occurred_on": row.occurred_on,
        "minutes": row.minutes,
        "state": row.state,
        "account_id": row.account.public_id if row.account_id else None,
        "interaction_id": row.interaction.public_id if row.interaction_id else None,
        "unmatched": [{"email": a["email"], "name": a.get("name", "")} for a in row.unmatched],
    }


def _result(result: calendar.ImportResult) -> dict:
    return {
        "read": result.read,
        "logged": result.logged,
        "updated": result.updated,
        "withdrawn": result.withdrawn,
        "unchanged": result.unchanged,
        "skipped": [{"event": e, "reason": r} for e, r in result.skipped],
        "to_resolve": [_event(r) for r in result.to_resolve],
    }


def _writer(request: HttpRequest) -> None:
    if request.auth.is_mentor:
        raise PermissionDenied(_("Mentors read the log; they do not import into it."))


@router.post("/calendar/import", response=ImportOut, summary="Import meetings from a calendar")
@answers(403)
def calendar_import(request: HttpRequest, file: File[UploadedFile]):
    """Import an .ics export (Outlook, Google Calendar) as the caller: all or nothing,
    idempotent by each event's UID (kam.priorities.calendar documents the rules)."""
    _writer(request)
    if file.size > calendar.MAX_FILE_BYTES:
        raise field_error("file", _("The file is larger than 5 MB."))
    return _result(calendar.import_calendar(file.read(), user=request.auth))


@router.get("/calendar/to-resolve", response=list[EventOut], summary="Attendees to resolve")
def calendar_to_resolve(request: HttpRequest):
    """The caller's imported events with unmatched attendees or no single account."""
    return [_event(r) for r in calendar.events_to_resolve(request.auth)]


class AddressIn(Schema):
    email: str = Field(max_length=320)
    contact: UUID | None = Field(None, description="The contact; none: nobody to match.")


@router.put("/calendar/addresses", response=ImportOut, summary="Resolve an attendee")
@answers(403)
def calendar_address(request: HttpRequest, payload: AddressIn):
    """Say who an unmatched address is (or that it is nobody to match); the caller's events
    with it are applied again."""
    _writer(request)
    contact = None
    if payload.contact is not None:
        contact = Contact.objects.visible_to(request.auth).filter(public_id=payload.contact).first()
        if contact is None:
            raise field_error("contact", _("There is no contact with this id."))
    return _result(
        calendar.address_resolve(user=request.auth, email=payload.email, contact=contact)
    )
