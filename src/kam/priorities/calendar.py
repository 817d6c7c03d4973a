"""Meetings from a calendar export (.ics: Outlook, Google Calendar) into the interaction log.

The rules, in the order they apply to each event (VEVENT) of the file:

- **The file is read whole first.** A file the ``icalendar`` library cannot read, or an event
  without a UID or with a start, end or duration that is not a date, refuses the whole
  import, naming the event and the field; nothing is written. Then every event is applied in
  one transaction: all or nothing.
- **Idempotent by UID.** Each event is kept by its UID (plus its RECURRENCE-ID for one moved
  occurrence of a series). Importing the same file again changes nothing; an event whose
  date, length or attendees changed (a moved meeting) updates its interaction; a cancelled
  one (STATUS:CANCELLED, or a METHOD:CANCEL file) withdraws it. An older copy (a lower
  SEQUENCE than the one imported) changes nothing.
- **Attendees are matched by e-mail only, never by name**: to contacts of the accounts the
  importer may see (their e-mail, or an address the importer resolved to them) and to our
  users. A contact of an account the importer cannot see is not matched: the address stays
  unmatched and nothing of that account is shown. A contact who left before the meeting is not
  matched either.
- **The account is the matched contacts' account.** None: the event waits for the importer
  to resolve its attendees; several: it is listed and not logged (never guessed).
- **The duration is the event's** (DTEND - DTSTART, or DURATION), in minutes; a zero length
  counts as the meeting's usual length. The date is the start's, in kam's time zone.
- **Not logged:** all-day events (holidays, out of office), events longer than a day,
  recurring series (RRULE: export the occurrences, or log them by hand), meetings with only
  our own people, and meetings ahead of today (the log records what happened: import again
  after the meeting). A logged meeting moved to a later day than today is withdrawn until it
  happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, VIEW, can
from kam.accounts.models import Account
from kam.priorities.models_calendar import CalendarAddress, CalendarEvent, EventState
from kam.relationships.models import Contact, InteractionKind
from kam.relationships.models.interactions import MAX_INTERACTION_MINUTES
from kam.relationships.services import interaction_delete, interaction_log, interaction_update
from kam.users.models import User

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""


@dataclass
class Event:
    uid: str
    summary: str
    occurred_on: date
    minutes: int | None
    sequence: int
    cancelled: bool
    attendees: list[Attendee]


@dataclass
class ImportResult:
    read: int = 0
    logged: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    # (event, reason) of the events not logged, for the importer to read.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Events the importer has to resolve: attendees unmatched or no single account.
    to_resolve: list[CalendarEvent] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.logged + self.updated + self.withdrawn


def _label(component, index: int) -> str:
    summary = str(component.get("SUMMARY") or "").strip()
    uid = str(component.get("UID") or "").strip()
    name = f'"{summary}"' if summary else _("number %(n)d") % {"n": index}
    return _("Event %(name)s (UID %(uid)s)") % {"name": name, "uid": uid or "—"} if uid else name


def _address(prop) -> Attendee | None:
    value = str(prop).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.strip().lower()
    if "@" not in value:
        return None
    name = str(prop.params.get("CN", "")).strip().strip('"') if hasattr(prop, "params") else ""
    return Attendee(value, name)


def _local_day(value: datetime) -> date:
    if timezone.is_aware(value):
        return timezone.localtime(value).date()
    return value.date()


def parse(data: bytes) -> tuple[list[Event], list[tuple[str, str]]]:
    """The events of an .ics file, and those left out with why. Raises ValidationError on
    ``file`` naming each bad event and field."""
    import icalendar

    if isinstance(data, str):
        data = data.encode()
    if not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise ValidationError(
            {"file": _("This is not a calendar file (.ics): %(error)s") % {"error": error}}
        ) from error
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise ValidationError({"file": _("This is not a calendar file (.ics).")})
    cancel_all = str(calendar.get("METHOD") or "").upper() == "CANCEL"
    events: list[Event] = []
    left_out: list[tuple[str, str]] = []
    errors: list[str] = []
    for index, component in enumerate(calendar.walk("VEVENT"), start=1):
        label = _label(component, index)

        def bad(prop: str, why: str, label=label) -> None:
            errors.append(
                _("%(event)s: %(field)s %(why)s") % {"event": label, "field": prop, "why": why}
            )

        broken = {name.upper() for name, _message in getattr(component, "errors", [])}
        uid = str(component.get("UID") or "").strip()
        if not uid:
            bad("UID", _("is missing."))
            continue
        start = component.get("DTSTART")
        if start is None:
            bad("DTSTART", _("is missing."))
            continue
        if "DTSTART" in broken or not isinstance(getattr(start, "dt", None), date):
            bad("DTSTART", _("is not a date or a time."))
            continue
        begins = start.dt
        end = component.get("DTEND")
        duration = component.get("DURATION")
        if end is not None and (
            "DTEND" in broken or not isinstance(getattr(end, "dt", None), date)
        ):
            bad("DTEND", _("is not a date or a time."))
            continue
        if duration is not None and (
            "DURATION" in broken or not isinstance(getattr(duration, "dt", None), timedelta)
        ):
            bad("DURATION", _("is not a duration."))
            continue
        recurrence = component.get("RECURRENCE-ID")
        key = uid if recurrence is None else f"{uid}#{recurrence.to_ical().decode()}"
        summary = str(component.get("SUMMARY") or "").strip()[:500]
        shown = summary or uid
        if not isinstance(begins, datetime):
            left_out.append((shown, _("An all-day event: no meeting to log.")))
            continue
        if end is not None:
            ends = end.dt
            if not isinstance(ends, datetime):
                bad("DTEND", _("is a day while DTSTART is a time."))
                continue
            try:
                length = ends - begins
            except TypeError:
                bad("DTEND", _("mixes a time zone with none."))
                continue
        elif duration is not None:
            length = duration.dt
        else:
            length = timedelta(0)
        if length < timedelta(0):
            bad("DTEND" if end is not None else "DURATION", _("comes before DTSTART."))
            continue
        minutes = round(length.total_seconds() / 60)
        if minutes > MAX_INTERACTION_MINUTES:
            left_out.append((shown, _("Longer than a day: log it by hand.")))
            continue
        if component.get("RRULE") is not None:
            left_out.append(
                (shown, _("A recurring series: export its occurrences or log them by hand."))
            )
            continue
        try:
            sequence = int(str(component.get("SEQUENCE") or 0))
        except ValueError:
            bad("SEQUENCE", _("is not a whole number."))
            continue
        attendees: dict[str, Attendee] = {}
        props = component.get("ATTENDEE") or []
        if not isinstance(props, list):
            props = [props]
        organizer = component.get("ORGANIZER")
        for prop in [*props, *([organizer] if organizer is not None else [])]:
            found = _address(prop)
            if found is not None and found.email not in attendees:
                attendees[found.email] = found
        events.append(
            Event(
                uid=key[:600],
                summary=summary,
                occurred_on=_local_day(begins),
                minutes=minutes or None,
                sequence=sequence,
                cancelled=cancel_all or str(component.get("STATUS") or "").upper() == "CANCELLED",
                attendees=list(attendees.values()),
            )
        )
    if errors:
        raise ValidationError({"file": errors})
    return events, left_out


@dataclass
class Match:
    contacts: list[Contact]
    users: list[User]
    unmatched: list[Attendee]


def match(attendees: list[Attendee], *, user: User, day: date) -> Match:
    """Contacts and our users behind the addresses, within what ``user`` may see."""
    emails = [a.email for a in attendees]
    visible = Contact.objects.visible_to(user).filter(erased_at__isnull=True)
    resolved = {
        a.email: a.contact
        for a in CalendarAddress.objects.filter(user=user, email__in=emails).select_related(
            "contact"
        )
    }
    by_email: dict[str, list[Contact]] = {}
    for contact in visible.annotate(address=Lower("email")).filter(address__in=emails):
        by_email.setdefault(contact.address, []).append(contact)
    for email, contact in resolved.items():
        if contact is not None and visible.filter(pk=contact.pk).exists():
            by_email[email] = [contact]
    users = {
        u.email.lower(): u
        for u in User.objects.filter(is_active=True)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
    }
    contacts: list[Contact] = []
    ours: list[User] = []
    unmatched: list[Attendee] = []
    for attendee in attendees:
        if attendee.email in users:
            ours.append(users[attendee.email])
            continue
        if attendee.email in resolved and resolved[attendee.email] is None:
            continue  # the importer said: nobody to match
        present = [
            c for c in by_email.get(attendee.email, []) if c.left_on is None or c.left_on >= day
        ]
        if len(present) == 1:
            contacts.append(present[0])
        else:  # none, or the same address on several contacts: the importer decides
            unmatched.append(attendee)
    return Match(contacts, ours, unmatched)


def _withdraw(row: CalendarEvent, user: User, result: ImportResult) -> None:
    if row.interaction is not None:
        interaction_delete(interaction=row.interaction, by=user)
        result.withdrawn += 1
    row.interaction = None


def _store(row: CalendarEvent, values: dict) -> bool:
    changed = row.pk is None or any(getattr(row, k) != v for k, v in values.items())
    for k, v in values.items():
        setattr(row, k, v)
    if changed:
        row.save()
    return changed


def apply(event: Event, *, user: User, today: date, result: ImportResult) -> None:
    """Bring the event's row and interaction in line with what the calendar says."""
    row = CalendarEvent.objects.select_for_update().filter(uid=event.uid).first()
    shown = event.summary or event.uid
    if row is not None:
        if row.account is not None and not can(user, CHANGE, row.account):
            result.skipped.append(
                (shown, _("Imported by a colleague on an account you cannot change."))
            )
            return
        if event.sequence < row.sequence:
            result.unchanged += 1
            return
        if row.state == EventState.DISMISSED and event.sequence == row.sequence:
            result.unchanged += 1
            return
    values = {
        "imported_by": user,
        "summary": event.summary,
        "occurred_on": event.occurred_on,
        "minutes": event.minutes,
        "sequence": event.sequence,
        "attendees": [{"email": a.email, "name": a.name} for a in event.attendees],
    }
    if event.cancelled or event.occurred_on > today:
        if row is None:
            why = (
                _("Cancelled before it was imported.")
                if event.cancelled
                else _("Ahead of today: import it again once it has happened.")
            )
            result.skipped.append((shown, why))
            return
        had = row.interaction_id is not None
        _withdraw(row, user, result)
        if not _store(row, {**values, "state": EventState.WITHDRAWN, "unmatched": []}) and not had:
            result.unchanged += 1
        return
    found = match(event.attendees, user=user, day=event.occurred_on)
    unmatched = [{"email": a.email, "name": a.name} for a in found.unmatched]
    if row is None and not found.contacts and not found.unmatched:
        result.skipped.append((shown, _("Only our own people attend: nothing to log.")))
        return
    accounts = {c.account_id for c in found.contacts}
    account = Account.objects.get(pk=next(iter(accounts))) if len(accounts) == 1 else None
    if not accounts:
        state = EventState.NO_ACCOUNT
    elif len(accounts) > 1:
        state = EventState.SEVERAL_ACCOUNTS
    elif not can(user, CHANGE, account):
        state = EventState.NOT_ALLOWED
    else:
        state = EventState.LOGGED
    row = row or CalendarEvent(uid=event.uid)
    if state != EventState.LOGGED:
        _withdraw(row, user, result)
        values.update(state=state, account=account, unmatched=unmatched)
        if _store(row, values):
            result.to_resolve.append(row)
        else:
            result.unchanged += 1
        return
    ours = [user] + [u for u in found.users if u != user and can(u, VIEW, account)]
    interaction = row.interaction
    if interaction is not None and interaction.account_id != account.pk:
        _withdraw(row, user, result)
        interaction = None
    if interaction is None:
        row.interaction = interaction_log(
            account=account,
            by=user,
            kind=InteractionKind.MEETING,
            occurred_on=event.occurred_on,
            their_participants=found.contacts,
            our_participants=ours,
            notes=event.summary,
            duration_minutes=event.minutes,
            today=today,
        )
        result.logged += 1
    else:
        wanted = {
            "occurred_on": event.occurred_on,
            "duration_minutes": event.minutes,
            "notes": event.summary,
        }
        changes = {k: v for k, v in wanted.items() if getattr(interaction, k) != v}
        if {u.pk for u in interaction.our_participants.all()} != {u.pk for u in ours}:
            changes["our_participants"] = ours
        if {c.pk for c in interaction.their_participants.all()} != {c.pk for c in found.contacts}:
            changes["their_participants"] = found.contacts
        if changes:
            row.interaction = interaction_update(
                interaction=interaction, by=user, today=today, **changes
            )
            result.updated += 1
        else:
            result.unchanged += 1
    values.update(state=EventState.LOGGED, account=account, unmatched=unmatched)
    _store(row, values)
    if unmatched:
        result.to_resolve.append(row)


def import_calendar(data: bytes, *, user: User, today: date | None = None) -> ImportResult:
    """Import an .ics export for ``user``: all or nothing (see the module's rules)."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is larger than 5 MB.")})
    today = today or timezone.localdate()
    events, left_out = parse(data)
    result = ImportResult(read=len(events) + len(left_out), skipped=list(left_out))
    with transaction.atomic():
        for event in events:
            apply(event, user=user, today=today, result=result)
    return result


def _stored_event(row: CalendarEvent) -> Event:
    return Event(
        uid=row.uid,
        summary=row.summary,
        occurred_on=row.occurred_on,
        minutes=row.minutes,
        sequence=row.sequence,
        cancelled=False,
        attendees=[Attendee(a["email"], a.get("name", "")) for a in row.attendees],
    )


def events_to_resolve(user: User):
    """The person's imported events with attendees unmatched or no single account."""
    return (
        CalendarEvent.objects.filter(imported_by=user)
        .exclude(state__in=[EventState.WITHDRAWN, EventState.DISMISSED])
        .exclude(state=EventState.LOGGED, unmatched=[])
        .select_related("account")
        .order_by("-occurred_on", "pk")
    )


@transaction.atomic
def address_resolve(
    *, user: User, email: str, contact: Contact | None, today: date | None = None
) -> ImportResult:
    """``email`` is ``contact`` (None: nobody to match) for ``user``'s imports; their events
    with that attendee are applied again at once."""
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    if contact is not None and not Contact.objects.visible_to(user).filter(pk=contact.pk).exists():
        raise ValidationError({"contact": _("Choose a contact of an account you can see.")})
    CalendarAddress.objects.update_or_create(user=user, email=email, defaults={"contact": contact})
    result = ImportResult()
    today = today or timezone.localdate()
    for row in events_to_resolve(user):
        if any(a.get("email") == email for a in row.attendees):
            apply(_stored_event(row), user=user, today=today, result=result)
    return result


@transaction.atomic
def event_dismiss(*, user: User, event: CalendarEvent) -> None:
    """The importer sets an event aside: it stays out of the log and of their list."""
    if event.imported_by_id != user.pk:
        raise ValidationError({"event": _("Only the person who imported it can dismiss it.")})
    result = ImportResult()
    _withdraw(event, user, result)
    event.state = EventState.DISMISSED
    event.save()
