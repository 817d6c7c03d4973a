"""The calendar import page: upload an .ics export, read what was logged and what was not,
and resolve the attendees kam could not match (the rules: kam.priorities.calendar)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.accounts.access import writable_accounts
from kam.priorities import calendar
from kam.priorities.models_calendar import CalendarEvent
from kam.relationships.models import Contact

CONTACT_CHOICES = 300


class CalendarFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Calendar export (.ics)"),
        help_text=gettext_lazy("From Outlook or Google Calendar; importing it again is safe."),
    )


def _refuse_mentor(request: HttpRequest) -> None:
    if request.user.is_mentor:
        raise PermissionDenied(_("Mentors read the log; they do not import into it."))


def _rows(user) -> list[dict]:
    events = list(calendar.events_to_resolve(user)[:100])
    accounts = writable_accounts(user)
    every = list(
        Contact.objects.filter(account__in=accounts, erased_at__isnull=True)
        .select_related("account")
        .order_by("account__name", "name")[:CONTACT_CHOICES]
    )
    rows = []
    for event in events:
        offered = (
            [c for c in every if c.account_id == event.account_id] if event.account_id else every
        )
        rows.append({"event": event, "contacts": offered})
    return rows


def _page(request: HttpRequest, form, result=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "priorities/calendar.html",
        {"form": form, "result": result, "rows": _rows(request.user)},
        status=status,
    )


def calendar_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _refuse_mentor(request)
        form = CalendarFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > calendar.MAX_FILE_BYTES:
                    raise ValidationError({"file": _("The file is larger than 5 MB.")})
                result = calendar.import_calendar(upload.read(), user=request.user)
            except ValidationError as error:
                for problems in error.message_dict.values():
                    form.add_error("file", problems)
            else:
                return _page(request, CalendarFileForm(), result)
        return _page(request, form, status=400)
    return _page(request, CalendarFileForm())


@require_POST
def calendar_resolve(request: HttpRequest) -> HttpResponse:
    _refuse_mentor(request)
    email = request.POST.get("email", "")
    wanted = request.POST.get("contact", "")
    contact = None
    if wanted:
        contact = get_object_or_404(Contact.objects.visible_to(request.user), public_id=wanted)
    try:
        calendar.address_resolve(user=request.user, email=email, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved: the events with this address were imported again."))
    return redirect("priorities:calendar")


@require_POST
def calendar_dismiss(request: HttpRequest, public_id) -> HttpResponse:
    _refuse_mentor(request)
    event = get_object_or_404(CalendarEvent, public_id=public_id, imported_by=request.user)
    calendar.event_dismiss(user=request.user, event=event)
    messages.success(request, _("Dismissed."))
    return redirect("priorities:calendar")
