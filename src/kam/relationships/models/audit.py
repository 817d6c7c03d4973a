"""The audit trail of relationship and planning data: who changed what, when (METHOD.md M3).

Written by the services (never by signals), so bulk paths and the CLI say who they act for.
An entry names its object by content type and id plus a short label that never holds a
person's name; ``contact`` marks the entries about one person so that erasing that person can
also redact the old and new values kept here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.relationships.querysets import AccountScopedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


class AuditEntry(models.Model):
    """One change: who, when, which object, what action, and each changed field's old and new
    value (``{"field": [old, new]}``, JSON-ready)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "relationships.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The person this entry is about, if any."),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    object_label = models.CharField(max_length=100)
    action = models.CharField(max_length=8, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(db_index=True)
    redacted = models.BooleanField(default=False)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["account", "-at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.object_label} {self.action}"
