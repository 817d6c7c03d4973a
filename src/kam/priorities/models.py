"""Priorities (METHOD.md M6): where each person's limited time and money go.

Effort is measured from two sources: the interaction log (each interaction has a duration,
``relationships.Interaction.duration_minutes``, the kind's usual length when left blank) and
manual ``TimeEntry`` rows (travel, preparation, internal work for an account). Each person has
a ``Capacity`` (selling hours per week) per period, less their ``Absence`` days. Money has a
``Budget`` per account or per person for a period, and ``Expense`` rows spent against it.

An ``AllocationRun`` proposes hours per account per person for a period (``AllocationLine``),
from the value model (``kam.priorities.value``) and the linear programme
(``kam.priorities.allocation``), honouring the lead's ``Pin`` rows; ``ValueSettings`` holds
the model's parameters the programme lead may change.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account, currency_code
from kam.accounts.records import AccountRecord, AccountScopedQuerySet
from kam.core.fields import ExactDecimalField
from kam.core.models import Job, Period
from kam.core.versions import Versioned

MONEY = {"max_digits": 18, "decimal_places": 2}
HOURS = {"max_digits": 8, "decimal_places": 2}
# A day's entry of more than 24 hours is a typing error, never a long day.
MAX_ENTRY_MINUTES = 24 * 60


class TimeCategory(models.TextChoices):
    """Time spent for an account outside the customer's presence."""

    TRAVEL = "travel", _("Travel")
    PREPARATION = "preparation", _("Preparation")
    INTERNAL = "internal", _("Internal work")
    OTHER = "other", _("Other")


class TimeEntry(AccountRecord):
    """Time one person spent for one account on one day that the interaction log does not
    hold: travel, preparing a meeting, internal work (a proposal, a pilot's set-up)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="time_entries",
    )
    spent_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MAX_ENTRY_MINUTES)]
    )
    category = models.CharField(_("category"), max_length=16, choices=TimeCategory.choices)
    note = models.TextField(_("note"), blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-spent_on", "-pk"]
        indexes = [
            models.Index(fields=["account", "spent_on"]),
            models.Index(fields=["user", "spent_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=MAX_ENTRY_MINUTES),
                name="time_entry_minutes_in_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.spent_on} {self.minutes} min"


class Capacity(Versioned):
    """The selling hours per week one person has in one period (before absences)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="capacities",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="capacities"
    )
    hours_per_week = models.DecimalField(
        _("selling hours per week"),
        **HOURS,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["period", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="capacity_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__gte=0, hours_per_week__lte=100),
                name="capacity_hours_in_a_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period_id}: {self.hours_per_week} h/week"


class Absence(Versioned):
    """Days a person does not sell (holidays, leave, training): dated exceptions to their
    capacity. Only working days (Monday to Friday) inside it count."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["user", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_on}-{self.ends_on}"


class BudgetQuerySet(AccountScopedQuerySet):
    def visible_to(self, user):
        """Account budgets of visible accounts; a person's budget to them and the lead."""
        if getattr(user, "is_lead", False):
            return self
        return self.filter(
            models.Q(account__in=Account.objects.visible_to(user))
            | models.Q(account__isnull=True, user=user)
        )


class Budget(Versioned):
    """Money set aside for one period (travel, samples, events, pilots): either for one
    account (``account``) or for one person across their accounts (``user``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="budgets"
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budgets",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budgets",
    )
    amount = ExactDecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["period", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False, user__isnull=True)
                | models.Q(account__isnull=True, user__isnull=False),
                name="budget_for_an_account_or_a_person",
            ),
            models.UniqueConstraint(
                fields=["period", "account"],
                condition=models.Q(account__isnull=False),
                name="budget_once_per_account_period",
            ),
            models.UniqueConstraint(
                fields=["period", "user"],
                condition=models.Q(user__isnull=False),
                name="budget_once_per_person_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.amount} {self.currency}"


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", _("Travel")
    SAMPLES = "samples", _("Samples")
    EVENTS = "events", _("Events")
    PILOTS = "pilots", _("Pilots")
    OTHER = "other", _("Other")


class Expense(AccountRecord):
    """Money one person spent for one account, counted against the account's budget and the
    person's budget of the period the day falls in."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="expenses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("spent by"),
        on_delete=models.CASCADE,
        related_name="expenses",
    )
    spent_on = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    amount = ExactDecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    note = models.TextField(_("note"), blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["account", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.spent_on} {self.amount} {self.currency}"


class Pin(AccountRecord):
    """Hours the lead (or the KAM, within their accounts) fixes for one person on one account
    in one period: a commitment the allocation keeps as it is."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="allocation_pins")
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="pins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="allocation_pins",
    )
    hours = models.DecimalField(_("hours"), **HOURS, validators=[MinValueValidator(Decimal(0))])
    note = models.TextField(_("reason"), blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pinned hours")
        verbose_name_plural = _("pinned hours")
        ordering = ["period", "account", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "account", "user"], name="pin_once_per_person_account"
            ),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="pin_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.user_id}: {self.hours} h"


class ValueSettings(Versioned):
    """The value model's parameters (kam.priorities.value.ValueConfig), set by the lead; the
    latest row counts, and with none the documented defaults apply."""

    segment_hours = models.JSONField(
        _("hours of each segment"),
        default=list,
        blank=True,
        help_text=_("The lengths in hours of the value curve's segments, e.g. 8, 16, 24, 32."),
    )
    decay = models.FloatField(
        _("each segment's value per hour against the previous one"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
    )
    long_horizon_floor_hours = models.DecimalField(
        _("floor for an account with long-horizon work (hours per period)"),
        **HOURS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    hours_per_visit = models.DecimalField(
        _("hours per service-level visit"),
        **HOURS,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    headroom_capture = models.FloatField(
        _("share of headroom a period's work can win"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    uplift_share = models.FloatField(
        _("share of the stake a full period's attention can win"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    long_horizon_weight = models.FloatField(
        _("weight of long-horizon opportunities against near ones"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    risk_share = models.FloatField(
        _("share of the revenue at risk a period's attention can keep"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )

    class Meta:
        verbose_name = _("value model settings")
        verbose_name_plural = _("value model settings")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"value settings v{self.version}"


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AllocationRun(models.Model):
    """One solve of the allocation for a period, over the programme or one KAM's accounts,
    with its outcome: optimal, or over-committed (who, by how many hours) when the floors and
    pins cannot all hold within the capacity."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="allocations"
    )
    # The KAM whose accounts it covers; null: the whole programme.
    kam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    objective = models.FloatField(null=True, blank=True)
    overcommitted = models.BooleanField(default=False)
    # Per person: capacity, allocated, marginal value of an hour, over-commitment; the
    # solver's status and timings; parameters used. Read by the page, never queried inside.
    people = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["period", "kam", "-created_at"])]

    def __str__(self) -> str:
        return f"allocation {self.period_id} {self.created_at:%Y-%m-%d %H:%M}"


class Binding(models.TextChoices):
    """What decides an account's hours in the solution (the constraint that binds)."""

    PINNED = "pinned", _("Pinned")
    FLOOR = "floor", _("At its floor")
    CAP = "cap", _("At its cap")
    MARGIN = "margin", _("Balanced with other accounts")
    BUDGET = "budget", _("Held by the budget")
    NONE = "none", _("No time proposed")


class AllocationLine(models.Model):
    """Hours proposed for one person on one account in a run, with why."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    hours = models.FloatField()
    # Account-level facts, repeated on each of its lines so a page reads one table.
    account_hours = models.FloatField()
    floor_hours = models.FloatField(default=0)
    cap_hours = models.FloatField(null=True)
    last_hours = models.FloatField(default=0)
    marginal_value = models.FloatField(null=True)
    binding = models.CharField(max_length=10, choices=Binding.choices)
    pinned = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        ordering = ["run", "-hours"]
        indexes = [models.Index(fields=["run", "user"]), models.Index(fields=["run", "account"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.user_id}: {self.hours:.1f} h"


# Stage-fit expectations, senior-visit decisions and tasks (their own module).
from kam.priorities.models_calendar import CalendarAddress, CalendarEvent  # noqa: E402, F401
from kam.priorities.models_digest import DigestPreference  # noqa: E402, F401
from kam.priorities.models_fit import (  # noqa: E402, F401
    ActivityExpectation,
    SeniorVisitDecision,
    Task,
)
