"""Selection (METHOD.md M2): criteria and weights, ratings, tier schemes with service levels,
overrides, and the dated scoring runs whose per-account snapshots the pages show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.core.fields import ExactDecimalField, JsonTextField
from kam.core.periods import add_quarters, quarter_label
from kam.core.versions import Versioned
from kam.selection import breakdown, criteria, tiering

MONEY = {"max_digits": 20, "decimal_places": 2}
KEY_CHOICES = [(info.key, info.label) for info in criteria.CATALOGUE]
RATED_CHOICES = [(info.key, info.label) for info in criteria.CATALOGUE if info.source == "rating"]


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


class Normalisation(models.TextChoices):
    PERCENTILE = "percentile", _("Percentile rank")
    MIN_MAX = "min_max", _("Min-max")
    THRESHOLDS = "thresholds", _("Thresholds")


class SelectionCriterion(Versioned):
    """A criterion in the programme's scoring: how it is normalised and what it weighs."""

    key = models.CharField(_("criterion"), max_length=40, choices=KEY_CHOICES, unique=True)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    normalisation = models.CharField(
        _("normalisation"), max_length=20, choices=Normalisation.choices
    )
    # [[value, points], ...] for threshold normalisation.
    thresholds = models.JSONField(_("thresholds"), default=list, blank=True)
    bound_low = ExactDecimalField(**MONEY, null=True, blank=True)
    bound_high = ExactDecimalField(**MONEY, null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.weight})"


class KnockOutRule(Versioned):
    """An optional rule that keeps an account out of every key tier (off by default)."""

    key = models.CharField(_("criterion"), max_length=40, choices=KEY_CHOICES)
    minimum = ExactDecimalField(_("minimum"), **MONEY, null=True, blank=True)
    maximum = ExactDecimalField(_("maximum"), **MONEY, null=True, blank=True)
    missing_knocks_out = models.BooleanField(_("no value knocks out"), default=False)
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("knock-out rule")
        verbose_name_plural = _("knock-out rules")

    def __str__(self) -> str:
        return f"{self.key} [{self.minimum}, {self.maximum}]"

    def clean(self) -> None:
        if self.minimum is None and self.maximum is None:
            raise ValidationError(_("A knock-out rule needs a minimum or a maximum."))


class Rating(Versioned):
    """One person's rating of one account on one rated criterion; the latest one counts."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ratings")
    key = models.CharField(_("criterion"), max_length=40, choices=RATED_CHOICES)
    value = ExactDecimalField(_("value"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-pk"]
        indexes = [models.Index(fields=["account", "key", "-rated_at"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.key}={self.value}"


class CutOffKind(models.TextChoices):
    SCORE = "score", _("Minimum score")
    RANK = "rank", _("Top N by score")
    TOP_PERCENT = "top_percent", _("Top x% by score")
    REVENUE_SHARE = "revenue_share", _("Cumulative share of revenue (ABC)")


class Crossing(models.TextChoices):
    NEXT = "next", _("goes to the next tier (textbook rule)")
    UPPER = "upper", _("stays in the upper tier")


CUT_OFF_ORDER = {
    "score": _("Minimum scores must fall from the best tier down, each under the one before."),
    "rank": _("Top-N cut-offs must rise from the best tier down, from 1 up."),
    "top_percent": _(
        "Top-x% cut-offs must rise from the best tier down, each above 0 and at most 100."
    ),
    "revenue_share": _(
        "Cumulative revenue shares must rise from the best tier down (e.g. 80, 95, 100), each "
        "above 0 and at most 100."
    ),
}


def cut_off_problem(kind: str, tiers: list[tuple[str, Decimal | float]]) -> tuple[int, str] | None:
    """The first tier whose cut-off the tiering cannot read, with why in words naming it.

    ``tiers`` are (name, cut-off) best first; ``None`` when every cut-off is in order."""
    bad = tiering.misplaced_cut_off(tiering.CutOff(kind), [float(c) for _n, c in tiers])
    if bad is None:
        return None
    name, value = tiers[bad]
    message = _("Cut-off of tier %(tier)s (%(value)s): %(rule)s") % {
        "tier": name,
        "value": value,
        "rule": CUT_OFF_ORDER[kind],
    }
    return bad, str(message)


def check_cut_offs(kind: str, tiers: list[tuple[str, Decimal | float]]) -> None:
    """``ValidationError({"cut_off": ...})`` naming the tier when its cut-off is out of order."""
    problem = cut_off_problem(kind, tiers)
    if problem is not None:
        raise ValidationError({"cut_off": problem[1]})


class TierScheme(Versioned):
    """The programme's tiers; exactly one scheme is active."""

    name = models.CharField(_("name"), max_length=100)
    preset = models.CharField(_("preset"), max_length=40, blank=True)
    cut_off = models.CharField(_("cut-offs"), max_length=20, choices=CutOffKind.choices)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("At most this many key accounts.")
    )
    active = models.BooleanField(_("active"), default=False)
    # Only read by revenue-share (ABC) cut-offs: see kam.selection.tiering.
    abc_crossing = models.CharField(
        _("under ABC, the account whose revenue crosses a cut-off"),
        max_length=10,
        choices=Crossing.choices,
        default=Crossing.NEXT,
    )

    class Meta:
        verbose_name = _("tier scheme")
        verbose_name_plural = _("tier schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_scheme"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tier(Versioned):
    """A tier of a scheme with its cut-off and the service level its accounts get (M2, M8)."""

    scheme = models.ForeignKey(TierScheme, on_delete=models.CASCADE, related_name="tiers")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"))
    cut_off = models.DecimalField(_("cut-off"), max_digits=8, decimal_places=2)
    is_key = models.BooleanField(_("key account tier"), default=True)
    visits_per_month = models.DecimalField(
        _("visits per month"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    plan_review_days = models.PositiveIntegerField(_("plan review every (days)"), default=90)
    dedicated_staff = models.BooleanField(_("dedicated staff"), default=False)
    priority_ordering = models.BooleanField(_("priority ordering"), default=False)
    extras = models.TextField(_("other service"), blank=True)
    cost_to_serve = ExactDecimalField(
        _("cost to serve per year"),
        **MONEY,
        default=Decimal("0"),
        help_text=_("In the reporting currency; an account's own figure wins."),
    )

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="tier_code_once_per_scheme")
        ]

    def __str__(self) -> str:
        return self.name


class CostToServe(models.Model):
    """What serving one account costs per year (reporting currency); the latest row counts."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="costs_to_serve")
    amount = ExactDecimalField(_("cost to serve per year"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cost to serve")
        verbose_name_plural = _("costs to serve")
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class TierOverride(models.Model):
    """A person's decision to put an account in a tier (or none), with the reason; the latest
    row for an account counts, and a row with ``cleared`` ends the override."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tier_overrides")
    tier_code = models.CharField(_("tier"), max_length=40, blank=True)
    cleared = models.BooleanField(default=False)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("tier override")
        verbose_name_plural = _("tier overrides")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.tier_code or '-'}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


MONTHS_ALLOWED = range(3, 37, 3)  # whole quarters, up to three years: the metrics are quarterly


def validate_months(value: int) -> None:
    """A period of whole quarters from 3 to 36 months."""
    if value not in MONTHS_ALLOWED:
        raise ValidationError(
            _("Give whole quarters: 3, 6, 9 ... up to 36 months (got %(value)s)."),
            params={"value": value},
        )


class ScoringPeriod(Versioned):
    """The programme's scoring window (M2): the months every metric covers, against the months
    before (default the last 12 against the 12 before). One row; ``kam score --window`` and
    ``--compare`` override it for one run."""

    window_months = models.PositiveSmallIntegerField(
        _("scoring window (months)"),
        default=12,
        validators=[validate_months],
        help_text=_("Every metric covers these last complete months, in whole quarters."),
    )
    comparison_months = models.PositiveSmallIntegerField(
        _("comparison period (months)"),
        default=12,
        validators=[validate_months],
        help_text=_("Growth compares the window with these months just before it."),
    )

    class Meta:
        verbose_name = _("scoring period")
        verbose_name_plural = _("scoring periods")

    def __str__(self) -> str:
        return f"{self.window_months} months against the {self.comparison_months} before"

    @classmethod
    def current(cls) -> ScoringPeriod:
        period, _created = cls.objects.get_or_create(pk=1)
        return period


class ScoringRun(models.Model):
    """One scoring of every account as of a date: the snapshot the pages show, kept dated so
    that scores, tiers and metrics can be compared over time."""

    as_of = models.DateField(_("as of"))
    first_quarter = models.DateField()
    window_quarters = models.PositiveSmallIntegerField(default=4)
    comparison_quarters = models.PositiveSmallIntegerField(default=4)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    accounts = models.PositiveIntegerField(default=0)
    scheme_name = models.CharField(max_length=100, blank=True)
    reporting_currency = models.CharField(max_length=3)
    settings_used = models.JSONField(default=dict)  # criteria, weights and scheme, for the record
    # The scored criteria in the order the snapshot's breakdowns number them.
    criterion_keys = models.JSONField(default=list)
    # Counted as the snapshot is written (None until it is).
    key_accounts = models.PositiveIntegerField(null=True)
    flagged_accounts = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"scoring as of {self.as_of}"

    @property
    def window_label(self) -> str:
        """The quarters every current figure covers, e.g. "2025 Q4 to 2026 Q3"."""
        first = add_quarters(self.first_quarter, self.comparison_quarters)
        return _span(first, self.window_quarters)

    @property
    def comparison_label(self) -> str:
        """The quarters the current window is compared with."""
        return _span(self.first_quarter, self.comparison_quarters)


def _span(first: date, quarters: int) -> str:
    last = add_quarters(first, quarters - 1)
    if last == first:
        return quarter_label(first)
    return f"{quarter_label(first)} to {quarter_label(last)}"


class AccountScore(models.Model):
    """One account's metrics, score, tier and flags in one scoring run."""

    # A run writes 100,000 rows at once, so the table carries nothing the write does not need:
    # no database foreign keys (their per-row checks at commit cost more than the rest of the
    # write; the ORM still cascades deletes) and one index, the primary key (run, account),
    # into which a run's rows append in order. It serves the lookups by run, by run and
    # account, and an account's history over the last runs (queries.score_history). An index
    # on rank would add half again to every run's write: the list sorts in memory instead
    # (queries.KeysFirstPaginator); deleting an account scans the snapshots for its rows.
    pk = models.CompositePrimaryKey("run", "account")
    run = models.ForeignKey(
        ScoringRun,
        on_delete=models.CASCADE,
        related_name="scores",
        db_constraint=False,
        db_index=False,
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="scores",
        db_constraint=False,
        db_index=False,
    )
    revenue = ExactDecimalField(**MONEY, null=True)
    revenue_previous = ExactDecimalField(**MONEY, null=True)
    units = ExactDecimalField(max_digits=20, decimal_places=2, null=True)
    margin_pct = models.FloatField(null=True)
    revenue_trend_pct = models.FloatField(null=True)
    growing_quarters_pct = models.FloatField(null=True)
    yoy_growth_pct = models.FloatField(null=True)
    sales_share_pct = models.FloatField(null=True)
    avg_days_late = models.FloatField(null=True)
    worst_days_late = models.FloatField(null=True)
    on_time_pct = models.FloatField(null=True)
    discount_pct = models.FloatField(null=True)
    discount_trend = models.FloatField(null=True)
    margin_trend = models.FloatField(null=True)
    discounts = ExactDecimalField(**MONEY, null=True)
    cost_to_serve = ExactDecimalField(**MONEY, null=True)
    profit = ExactDecimalField(**MONEY, null=True)
    share_of_wallet_pct = models.FloatField(null=True)
    score = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    tier_code = models.CharField(max_length=40, blank=True)
    tier_name = models.CharField(max_length=100, blank=True)
    is_key = models.BooleanField(default=False)
    tier_reason = models.CharField(max_length=32, blank=True)
    # ABC only: the cumulative share of revenue including the account, for its tier's reason.
    cumulative_share_pct = models.FloatField(null=True)
    knocked_out = models.BooleanField(default=False)
    # Every criterion's value, normalised value and points, packed (kam.selection.breakdown):
    # read it as ``contributions``. The flags as [{"code", "reasons", "facts"}], JSON text
    # (nothing queries inside them but a text match on a flag code); the page words them in
    # the reader's language.
    breakdown = models.BinaryField(default=bytes)
    flags = JsonTextField(default=list)

    class Meta:
        verbose_name = _("account score")
        verbose_name_plural = _("account scores")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score}"

    @cached_property
    def contributions(self) -> list[dict]:
        """``[{"key", "value", "normalised", "points"}]``, best first. Needs the run: read
        scores through ``run.scores`` (or with ``select_related("run")``) to load it once."""
        return breakdown.unpack(self.breakdown, self.run.criterion_keys)


class RegisterSettings(Versioned):
    """What the key account register shows beyond who the key accounts are (M2: the whole
    company should know its key accounts and why). One row; the programme lead chooses.

    The register is read by every user, most of whom are not on the accounts: by default it
    shows no figure at all, only name, country, industry, tier, KAM and service level."""

    publish_rank = models.BooleanField(_("publish each account's rank"), default=False)
    publish_reason = models.BooleanField(
        _("publish why each account has its tier"),
        default=False,
        help_text=_("The reason may quote the score, rank or share of revenue."),
    )
    publish_revenue = models.BooleanField(
        _("publish each account's revenue in the scoring window"), default=False
    )

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")

    def __str__(self) -> str:
        return str(_("register settings"))

    @classmethod
    def current(cls) -> RegisterSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()
