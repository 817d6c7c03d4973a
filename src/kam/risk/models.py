"""Risk (METHOD.md M7): health settings and snapshots, loss probability overrides and
simulation runs. The maths is in the pure modules (health, loss, scenarios, simulation)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord
from kam.core.versions import Versioned


class CorrelateBy(models.TextChoices):
    GROUP = "group", _("Group (a parent and its subsidiaries)")
    INDUSTRY = "industry", _("Industry")
    COUNTRY = "country", _("Country")


class RiskSettings(Versioned):
    """The programme's risk settings (one row): health bands and signal weights, the loss
    model's base rate, the simulation's correlation and the fixed cost base of scenarios."""

    watch_below = models.FloatField(
        _("watch below"), default=65.0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    at_risk_below = models.FloatField(
        _("at risk below"), default=40.0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    weights = models.JSONField(_("signal weights"), default=dict, blank=True)
    base_rate = models.FloatField(
        _("base loss rate a year"),
        default=0.08,
        validators=[MinValueValidator(0.001), MaxValueValidator(0.999)],
    )
    loss_coefficients = models.JSONField(
        _("loss model coefficients"),
        default=dict,
        blank=True,
        help_text=_("Per input of the loss model; an input not given keeps its default."),
    )
    correlation = models.FloatField(
        _("correlation of losses"),
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(0.95)],
    )
    correlate_by = models.CharField(
        _("accounts that move together"),
        max_length=16,
        choices=CorrelateBy.choices,
        default=CorrelateBy.GROUP,
    )
    contingency_above = models.FloatField(
        _("risk threshold for a contingency plan (probability of loss)"),
        default=0.2,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "A key account whose probability of loss in 12 months reaches this, or whose "
            "health is at risk, must have a contingency plan."
        ),
    )
    fixed_costs = models.DecimalField(
        _("fixed cost base a year"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")

    def __str__(self) -> str:
        return "risk settings"

    @classmethod
    def current(cls) -> RiskSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class Band(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    WATCH = "watch", _("Watch")
    AT_RISK = "at_risk", _("At risk")
    UNKNOWN = "unknown", _("Unknown")


class HealthSnapshot(models.Model):
    """One account's health at one computation, kept so the trend and the history show."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health")
    computed_at = models.DateTimeField()
    score = models.FloatField(null=True)
    band = models.CharField(max_length=16, choices=Band.choices)
    change = models.FloatField(null=True)
    trend = models.CharField(max_length=16)
    # [{key, value, points, weight_pct, contribution}] per signal; value None: unknown
    signals = models.JSONField(default=list)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["account", "-computed_at"], name="health_by_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.computed_at:%Y-%m-%d}: {self.score}"


class LossOverride(AccountRecord):
    """A probability of loss set by hand by the KAM or the lead, with the reason. Kept as
    history: the newest one counts, unless it clears the override."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="loss_overrides")
    probability = models.DecimalField(
        _("probability of loss in 12 months"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    reason = models.TextField(_("reason"))
    cleared = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.probability}"


class SimulationRun(models.Model):
    """A simulation's settings and results: percentiles, the distribution, the tail's
    contributors (account ids with their average loss in the tail)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scenarios = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    correlation = models.FloatField()
    correlate_by = models.CharField(max_length=16, choices=CorrelateBy.choices)
    accounts = models.PositiveIntegerField(default=0)
    total_revenue = models.FloatField(default=0)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"simulation {self.public_id} ({self.scenarios} scenarios)"


class SavedScenario(models.Model):
    """A deterministic loss scenario over the programme, saved under a name with what it asked
    (``params``: accounts, groups, top, share, recovery, fixed costs) and what it gave at the
    time (``result``: the losses a year, the next quarters, the accounts lost, replacements),
    so that scenarios can be compared side by side later."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved scenario")
        verbose_name_plural = _("saved scenarios")

    def __str__(self) -> str:
        return self.name
