"""Meetings imported from a calendar export (.ics): one row per event UID, the interaction it
became, and the attendees kam could not match. Imported by ``kam.priorities.calendar``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account


class EventState(models.TextChoices):
    LOGGED = "logged", _("Logged as an interaction")
    WITHDRAWN = "withdrawn", _("Withdrawn (cancelled or moved ahead)")
    NO_ACCOUNT = "no_account", _("No attendee is a contact you can see")
    SEVERAL_ACCOUNTS = "several", _("Attendees of several accounts")
    NOT_ALLOWED = "not_allowed", _("You may not log interactions on this account")
    DISMISSED = "dismissed", _("Dismissed")


class CalendarEvent(models.Model):
    """One calendar event (by its UID, plus RECURRENCE-ID for one occurrence of a series) as
    last imported: what it said, and what kam made of it. Re-importing the same file changes
    nothing; a moved meeting updates its interaction; a cancelled one withdraws it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uid = models.CharField(max_length=600, unique=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "relationships.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(max_length=16, choices=EventState.choices)
    summary = models.CharField(max_length=500, blank=True)
    occurred_on = models.DateField()
    minutes = models.PositiveIntegerField(null=True, blank=True)
    sequence = models.IntegerField(default=0)
    # [{"email": ..., "name": ...}] of every attendee and the organiser, as the file said.
    attendees = models.JSONField(default=list, blank=True)
    # The attendees kam matched to nobody: the importer resolves them.
    unmatched = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["imported_by", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.uid} {self.occurred_on}"


class CalendarAddress(models.Model):
    """An attendee's e-mail address a person resolved by hand: this contact, or (no contact)
    nobody to match, e.g. a partner or a supplier. Only that person's imports use it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=320)
    contact = models.ForeignKey(
        "relationships.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")
        constraints = [
            models.UniqueConstraint(fields=["user", "email"], name="calendar_address_once")
        ]

    def __str__(self) -> str:
        return self.email
