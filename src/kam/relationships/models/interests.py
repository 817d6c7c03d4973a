"""Entrenched interests (what a contact stands to lose if they buy from us) and practices."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord, AccountScopedQuerySet


class InterestKind(models.TextChoices):
    INCUMBENT_KICKBACKS = "incumbent_kickbacks", _("Kick-backs from the incumbent vendor")
    ROLE_VALUE_THREATENED = "role_value_threatened", _("Value of their role threatened")
    INFLUENCE_DIMINISHED = "influence_diminished", _("Influence diminished by our advice")
    OTHER = "other", _("Other")


class DefusingStrategy(models.TextChoices):
    """How we mean to defuse the interest; blank while nobody has chosen one."""

    BYPASS = "bypass", _("Bypass them")
    EARN_TRUST = "earn_trust", _("Earn their trust over time")
    ENLIST_ADVOCATE = "enlist_advocate", _("Enlist an advocate")
    WAIT_FOR_DEPARTURE = "wait_for_departure", _("Wait for them to leave")


class InterestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DEFUSED = "defused", _("Defused")
    DROPPED = "dropped", _("Dropped")


# The fields whose every change is kept in InterestChange.
INTEREST_TRACKED = ("kind", "threat_level", "strategy", "advocate", "status", "description")


class EntrenchedInterest(AccountRecord):
    """What a contact (the holder) stands to lose if the customer buys from us, how badly it
    threatens us, and how we mean to defuse it. ``InterestChange`` keeps its dated history."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interests")
    holder = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="interests",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=InterestKind.choices)
    description = models.TextField(_("description"), blank=True)
    threat_level = models.PositiveSmallIntegerField(
        _("threat level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    strategy = models.CharField(
        _("defusing strategy"), max_length=20, choices=DefusingStrategy.choices, blank=True
    )
    advocate = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("advocate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advocacies",
        help_text=_("The contact who can 'whisper kind words' for us."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=InterestStatus.choices, default=InterestStatus.OPEN
    )
    raised_on = models.DateField(_("raised on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrenched interest")
        verbose_name_plural = _("entrenched interests")
        ordering = ["-threat_level", "pk"]
        indexes = [models.Index(fields=["account", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threat_level__gte=1, threat_level__lte=5),
                name="interest_threat_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (#{self.holder_id})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.holder_id and self.holder.account_id != self.account_id:
            errors["holder"] = gettext("Choose a contact of the same account.")
        if self.strategy == DefusingStrategy.ENLIST_ADVOCATE and self.advocate_id is None:
            errors["advocate"] = gettext("Name the advocate who will speak for us.")
        if self.advocate_id is not None:
            if self.advocate.account_id != self.account_id:
                errors["advocate"] = gettext("Choose a contact of the same account.")
            elif self.advocate_id == self.holder_id:
                errors["advocate"] = gettext("The holder cannot be their own advocate.")
        if self.status == InterestStatus.OPEN and self.closed_on is not None:
            errors["closed_on"] = gettext("An open interest has no closing date.")
        if errors:
            raise ValidationError(errors)


class InterestChange(models.Model):
    """One dated change of an entrenched interest: the state after it, who, when and why."""

    interest = models.ForeignKey(
        EntrenchedInterest, on_delete=models.CASCADE, related_name="changes"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=24, choices=InterestKind.choices)
    threat_level = models.PositiveSmallIntegerField()
    strategy = models.CharField(max_length=20, choices=DefusingStrategy.choices, blank=True)
    advocate = models.ForeignKey(
        "relationships.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=8, choices=InterestStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("interest change")
        verbose_name_plural = _("interest changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"interest #{self.interest_id} @ {self.changed_at:%Y-%m-%d}"


class EntrenchedPractice(AccountRecord):
    """How the customer habitually buys or works (e.g. 'only 2-3 day training courses') and
    how we work around it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="practices")
    description = models.TextField(_("practice"))
    effect_on_us = models.TextField(_("effect on us"), blank=True)
    workaround = models.TextField(_("how we work around it"), blank=True)
    recorded_on = models.DateField(_("recorded on"))

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrenched practice")
        verbose_name_plural = _("entrenched practices")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:60]
