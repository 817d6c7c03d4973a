"""Customer accounts, the team that serves each, its mentor, and its lifecycle stage."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kam.accounts.querysets import AccountQuerySet
from kam.accounts.records import AccountScopedQuerySet
from kam.core.versions import Versioned

currency_code = RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 code, e.g. IDR."))


class Stage(models.TextChoices):
    """The long-term stage of an account (METHOD.md M5), in the order an account moves."""

    PRE_SALES = "pre_sales", _("Pre-sales")
    NEGOTIATION = "negotiation", _("Contract negotiation")
    IMPLEMENTATION = "implementation", _("Implementation / delivery")
    REVIEW = "review", _("Review")
    EXPLOITATION = "exploitation", _("Exploitation")


class Industry(models.TextChoices):
    FURNITURE = "furniture", _("Furniture maker")
    CONSTRUCTION = "construction", _("Builder / contractor")
    DISTRIBUTION = "distribution", _("Distributor")
    HOSPITALITY = "hospitality", _("Hotel group")
    RETAIL = "retail", _("Retailer")
    MANUFACTURING = "manufacturing", _("Manufacturer")
    OTHER = "other", _("Other")


class Coverage(models.TextChoices):
    LOCAL = "local", _("Local")
    NATIONAL = "national", _("National account")
    INTERNATIONAL = "international", _("International account")


class Account(Versioned):
    """A customer of the seller: a company, or one unit of a group through ``parent``.

    Its ``version`` covers what people edit on it (the stage), so a stale stage form is
    refused even when the stage went away and back in between."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("customer number"), max_length=64, unique=True, help_text=_("The ERP's customer key.")
    )
    name = models.CharField(_("name"), max_length=300)
    # Empty is "unknown / other" (an import's ZZ, "Unspecified", "Channel Islands"...).
    country = CountryField(_("country"), blank=True)
    # The country as the import's file wrote it ("EIRE", "Channel Islands"): the code above is
    # read from it, and an alias or an unknown must not lose what the ERP said.
    country_as_written = models.CharField(
        _("country as written"), max_length=100, blank=True, default="", db_default=""
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices)
    coverage = models.CharField(
        _("coverage"), max_length=16, choices=Coverage.choices, default=Coverage.LOCAL
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    stage = models.CharField(
        _("stage"), max_length=32, choices=Stage.choices, default=Stage.PRE_SALES
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "stage"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="account_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:account_detail", kwargs={"public_id": self.public_id})

    @property
    def country_shown(self) -> str:
        """The country's name, or "Unknown / other" with the text the ERP gave."""
        if self.country:
            return str(self.country.name)
        if self.country_as_written:
            return gettext("Unknown / other (%(text)s)") % {"text": self.country_as_written}
        return gettext("Unknown / other")


class StageChange(models.Model):
    """One move of an account from one stage to another: when, by whom, and why."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=32, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=32, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["account", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_stage or '-'} → {self.to_stage}"


class TeamRole(models.TextChoices):
    KEY_ACCOUNT_MANAGER = "kam", _("Key account manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SCHEDULER = "scheduler", _("Scheduler")
    INVENTORY = "inventory", _("Inventory manager")
    ENGINEER = "engineer", _("Engineer")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    OTHER = "other", _("Other")


class TeamMembership(Versioned):
    """A user's place on one account's team, with the role they play there; versioned so
    that two people changing the same member's role at once cannot overwrite each other."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=TeamRole.choices)
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="team_member_once_per_account")
        ]
        indexes = [models.Index(fields=["user", "account"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) on {self.account}"


class MentorAssignment(models.Model):
    """A mentor who reviews an account's long-term strategy; read-only on the account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mentors")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentored"
    )
    since = models.DateField(_("since"))

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [
            models.UniqueConstraint(fields=["account", "mentor"], name="mentor_once_per_account")
        ]
        indexes = [models.Index(fields=["mentor", "account"])]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.account}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


class AuditEntry(models.Model):
    """One change to an account's records: who, when, which object, what action, and each
    changed field's old and new value (``{"field": [old, new]}``, JSON-ready).

    Written by the services (never by signals, kam.accounts.audit), so bulk paths and the CLI
    say who they act for. An entry names its object by content type and id plus a short label
    that never holds a person's name; ``contact`` marks the entries about one person so that
    erasing that person can also redact the old and new values kept here.
    """

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
