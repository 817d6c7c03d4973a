"""The customer's objectives and our opportunities (METHOD.md M4); plans come later."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account, currency_code
from kam.accounts.records import AccountRecord, AccountScopedQuerySet
from kam.core.fields import ExactDecimalField


class Horizon(models.TextChoices):
    """Customers swing between quick results and sustainable ones; the KAM balances both."""

    SHORT_TERM = "short_term", _("Short term")
    LONG_TERM = "long_term", _("Long term")


class ObjectiveStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class Objective(AccountRecord):
    """A business objective of the customer, as one of its people told us on a given day."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="objectives")
    description = models.TextField(_("objective"))
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices)
    time_frame = models.CharField(
        _("time frame"), max_length=200, blank=True, help_text=_("e.g. 'before Chinese New Year'")
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    source_contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("told us"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives_told",
    )
    recorded_on = models.DateField(_("recorded on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["horizon", "-recorded_on", "pk"]
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.source_contact_id and self.source_contact.account_id != self.account_id:
            errors["source_contact"] = gettext("Choose a contact of the same account.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = gettext("The end comes before the start.")
        if errors:
            raise ValidationError(errors)


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class OpportunityQuerySet(AccountScopedQuerySet):
    def open(self) -> OpportunityQuerySet:
        return self.filter(status=OpportunityStatus.OPEN)


class Opportunity(AccountRecord):
    """Business we may win at the account: its value, how likely, when results come, the
    objectives it serves and the people whose buy-in it needs."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities")
    name = models.CharField(_("name"), max_length=300)
    objectives = models.ManyToManyField(
        Objective, verbose_name=_("objectives served"), blank=True, related_name="opportunities"
    )
    value = ExactDecimalField(
        _("value"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    expected_on = models.DateField(_("results expected on"), null=True, blank=True)
    significant = models.BooleanField(
        _("significant deal"),
        default=False,
        help_text=_("Significant deals get the three questions: whose buy-in, known, step."),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.OPEN,
    )
    buy_in_needed_from = models.ManyToManyField(
        "relationships.Contact",
        verbose_name=_("buy-in needed from"),
        blank=True,
        related_name="opportunities_needing_buy_in",
    )

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_on", "pk"]
        indexes = [models.Index(fields=["account", "status", "expected_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="opportunity_probability_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_value(self) -> Decimal:
        return (self.value * self.probability / 100).quantize(Decimal("0.01"))
