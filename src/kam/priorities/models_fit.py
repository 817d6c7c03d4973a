"""Records of the priorities app's judgements (METHOD.md M6): which activities each stage and
horizon expects (``ActivityExpectation``, set by the programme lead; the documented defaults in
``kam.priorities.activity_fit`` apply where no row exists), what the KAM decided about a
senior-visit suggestion (``SeniorVisitDecision``, kept and audited: a decided suggestion is not
proposed again until its facts change), and the dated ``Task`` an accepted suggestion becomes
when the account has no plan to take it as an action."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord, AccountScopedQuerySet
from kam.core.versions import Versioned


class ActivityKind(models.TextChoices):
    """What an activity does for the sale (M6: the right activities for the stage)."""

    INFORMATION = "information", _("Information")
    DEMONSTRATION = "demonstration", _("Demonstration")
    PILOT = "pilot", _("Pilot")
    PROPOSAL = "proposal", _("Proposal")
    BUSINESS_REVIEW = "business_review", _("Business review")


class ExpectationScope(models.TextChoices):
    STAGE = "stage", _("Lifecycle stage")
    HORIZON = "horizon", _("Opportunity horizon")


class ActivityExpectation(Versioned):
    """For one lifecycle stage or one opportunity horizon: at least one activity of these
    kinds is expected within so many days."""

    scope = models.CharField(_("for"), max_length=8, choices=ExpectationScope.choices)
    key = models.CharField(_("stage or horizon"), max_length=32)
    kinds = models.JSONField(_("expected activities"), default=list)
    within_days = models.PositiveSmallIntegerField(
        _("within (days)"), validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    active = models.BooleanField(_("checked"), default=True)

    class Meta:
        verbose_name = _("expected activity")
        verbose_name_plural = _("expected activities")
        ordering = ["scope", "key"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="activity_expectation_once"),
            models.CheckConstraint(
                condition=models.Q(within_days__gte=1, within_days__lte=730),
                name="activity_expectation_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Task(AccountRecord):
    """A dated thing to do for an account outside any plan (an accepted senior visit when
    the account has no current plan)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="priority_tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="priority_tasks",
    )
    what = models.TextField(_("what"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.what[:80]


class SeniorVisitDecision(AccountRecord):
    """The KAM's answer to a senior-visit suggestion, with the facts it answered
    (``facts``: a fingerprint of the reasons; a suggestion with the same fingerprint is not
    proposed again)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="senior_visit_decisions"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    facts = models.CharField(max_length=64)
    reasons = models.JSONField(_("why the visit was proposed"), default=list)
    see = models.JSONField(_("whom to see"), default=list)
    goes = models.CharField(_("who goes"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"))
    action = models.ForeignKey(
        "plans.Action",
        verbose_name=_("plan action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("senior-visit decision")
        verbose_name_plural = _("senior-visit decisions")
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["account", "facts"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.decision} {self.decided_on}"
