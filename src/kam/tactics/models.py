"""The programme's tactics (METHOD.md M8): what each tier's accounts get by default, what
each account really gets (in place, planned, not applicable), with terms and yearly cost,
and the rebate agreements of tactic 2.

A yearly cost left empty is unknown (never 0): profit after the programme is then unknown
too (kam.tactics.profit). Tactics 5-7 are the exit barriers (kam.tactics.barriers).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord
from kam.core.fields import ExactDecimalField
from kam.core.versions import Versioned

MONEY = {"max_digits": 18, "decimal_places": 2}


class TacticKind(models.TextChoices):
    """The seven tactics of M8, in the method's order."""

    CONTACT = "contact", _("Single point of contact and dedicated staff")
    DISCOUNTS = "discounts", _("Volume discounts and rebates")
    PRIORITY = "priority", _("Priority ordering")
    CUSTOMISED = "customised", _("Customised products or services")
    OWN_UNITS = "own_units", _("Selling in the customer's own units")
    JOINT_TEAMS = "joint_teams", _("Cross-business teams and initiatives")
    INTEGRATED = "integrated", _("Integrated delivery, inventory and invoicing")


# Tactics 5-7: integration that makes leaving costly for the customer.
BARRIER_KINDS = (TacticKind.OWN_UNITS, TacticKind.JOINT_TEAMS, TacticKind.INTEGRATED)
KIND_NUMBER = {kind: n for n, kind in enumerate(TacticKind, start=1)}


class TacticStatus(models.TextChoices):
    IN_PLACE = "in_place", _("In place")
    PLANNED = "planned", _("Planned")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


def _not_negative(value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise ValidationError(gettext("A cost cannot be below 0."))


class TierTactic(Versioned):
    """A tactic a tier's service level gives its accounts by default, with its usual terms
    and yearly cost per account. An account's own tactic of the same kind wins."""

    tier = models.ForeignKey(
        "selection.Tier", verbose_name=_("tier"), on_delete=models.CASCADE, related_name="tactics"
    )
    kind = models.CharField(_("tactic"), max_length=16, choices=TacticKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=TacticStatus.choices, default=TacticStatus.IN_PLACE
    )
    terms = models.TextField(_("terms"), blank=True)
    yearly_cost = ExactDecimalField(
        _("yearly cost per account"),
        **MONEY,
        null=True,
        blank=True,
        validators=[_not_negative],
        help_text=_("In the reporting currency; empty when unknown."),
    )

    class Meta:
        verbose_name = _("tier tactic")
        verbose_name_plural = _("tier tactics")
        ordering = ["tier__order", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "kind"], name="tier_tactic_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.tier} · {self.get_kind_display()}"


class AccountTactic(AccountRecord):
    """One tactic as one account gets it: status, since when, who owns it, its terms and
    yearly cost, and the facts of its kind (people and hours for tactic 1, products for 4,
    the goal and members of a joint team for 6)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tactics")
    kind = models.CharField(_("tactic"), max_length=16, choices=TacticKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=TacticStatus.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    terms = models.TextField(_("terms"), blank=True)
    yearly_cost = ExactDecimalField(
        _("yearly cost"),
        **MONEY,
        null=True,
        blank=True,
        validators=[_not_negative],
        help_text=_("In the reporting currency; empty when unknown."),
    )
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    hours_per_month = models.DecimalField(
        _("hours per month"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    products = models.ManyToManyField(
        "ledger.Product", verbose_name=_("products"), blank=True, related_name="+"
    )
    goal = models.TextField(_("goal and members"), blank=True)

    class Meta:
        verbose_name = _("account tactic")
        verbose_name_plural = _("account tactics")
        ordering = ["account", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind"], name="account_tactic_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_kind_display()}"

    @property
    def number(self) -> int:
        return KIND_NUMBER[TacticKind(self.kind)]


class RebateBasis(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    UNITS = "units", _("Units")


def validate_steps(steps: object) -> None:
    """Steps are ``[{"threshold": "100000", "rate": "2.5"}, ...]``: thresholds from 0 up,
    each once, rates (%) from 0 to 100, as decimal text."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError(gettext("Give at least one step: a threshold and a rate."))
    seen = set()
    for step in steps:
        try:
            threshold = Decimal(str(step["threshold"]))
            rate = Decimal(str(step["rate"]))
        except Exception as bad:
            raise ValidationError(
                gettext("Each step needs a threshold and a rate, as numbers.")
            ) from bad
        if not threshold.is_finite() or not rate.is_finite() or threshold < 0:
            raise ValidationError(gettext("A threshold cannot be below 0."))
        if rate < 0 or rate > 100:
            raise ValidationError(gettext("A rebate rate must be between 0 and 100%."))
        if threshold in seen:
            raise ValidationError(gettext("Each threshold may appear once."))
        seen.add(threshold)


class RebateAgreement(AccountRecord):
    """A rebate agreement (tactic 2): over its period, once the account's volume (revenue or
    units) reaches a step's threshold, that step's rate applies to all of the period's
    revenue. What is due is computed from the ledger (kam.tactics.rebates) and shown against
    what the ledger accrued as rebates in the same quarters."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="rebate_agreements")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    basis = models.CharField(
        _("volume measured in"),
        max_length=8,
        choices=RebateBasis.choices,
        default=RebateBasis.REVENUE,
    )
    steps = models.JSONField(_("steps"), default=list, validators=[validate_steps])
    terms = models.TextField(_("terms"), blank=True)

    class Meta:
        verbose_name = _("rebate agreement")
        verbose_name_plural = _("rebate agreements")
        ordering = ["account", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="rebate_agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": gettext("The end is before the start.")})
            overlapping = RebateAgreement.objects.filter(
                account_id=self.account_id,
                starts_on__lte=self.ends_on,
                ends_on__gte=self.starts_on,
            ).exclude(pk=self.pk)
            if self.account_id and overlapping.exists():
                raise ValidationError(
                    {
                        "starts_on": gettext("This period overlaps the rebate agreement %(name)s.")
                        % {"name": overlapping.first().name}
                    }
                )
