"""What passed from a contact who left to their successor (METHOD.md M3: departures)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountScopedQuerySet


class Handover(models.Model):
    """One hand-over to a successor: the people who reported to the leaver and the open
    opportunities that needed the leaver's buy-in, as they were moved at that moment.

    Both lists hold public ids rather than foreign keys: opportunities live in ``planning``,
    which depends on this app, and a record of the past must not change when they do.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    departed = models.ForeignKey(
        "relationships.Contact", on_delete=models.CASCADE, related_name="handovers"
    )
    successor = models.ForeignKey(
        "relationships.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_received",
    )
    reports = models.JSONField(_("reports moved"), default=list, blank=True)
    opportunities = models.JSONField(_("opportunities handed over"), default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["departed", "at"])]

    def __str__(self) -> str:
        return f"#{self.departed_id} → #{self.successor_id} ({self.at:%Y-%m-%d})"
