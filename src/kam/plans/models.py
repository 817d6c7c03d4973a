"""Account plans (METHOD.md M5): one plan per account and period, what the team will do about
the account, agreed by the team, monitored, and reviewed by the account's mentor.

A plan is edited in place (its working copy); submitting it for agreement freezes that copy
as a numbered ``PlanVersion`` whose sign-offs the team records. The last agreed version is in
force until a newer one is agreed, so editing an agreed plan never unsettles what the team
agreed. Actions' progress (done, blocked) is implementation, not substance: it lives on the
actions and never starts a version.

``planning`` keeps the customer's objectives and our opportunities (M4); plans link to them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord, AccountScopedQuerySet
from kam.core.fields import ExactDecimalField
from kam.core.models import Period
from kam.core.versions import Versioned


class PlanState(models.TextChoices):
    """The working copy's place in the sign-off workflow (M5)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for agreement")
    AGREED = "agreed", _("Agreed")
    CLOSED = "closed", _("Closed")


class Plan(AccountRecord):
    """The account plan of one account for one period: its working copy."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="plans"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT
    )
    # The number the working copy will carry when submitted (1 for a new plan).
    number = models.PositiveIntegerField(_("version number"), default=1)
    # The last agreed version; stays in force while a newer draft is being agreed.
    in_force = models.ForeignKey(
        "PlanVersion",
        verbose_name=_("version in force"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Situation, in the KAM's words.
    customer_strategy = models.TextField(_("customer's strategy and organisation"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    opportunities_swot = models.TextField(_("opportunities"), blank=True)
    threats = models.TextField(_("threats"), blank=True)
    strategy = models.TextField(_("our strategy"), blank=True)

    # What the plan addresses and pursues: linked, never copied.
    customer_objectives = models.ManyToManyField(
        "planning.Objective",
        verbose_name=_("customer objectives addressed"),
        blank=True,
        related_name="plans",
    )
    opportunities = models.ManyToManyField(
        "planning.Opportunity",
        verbose_name=_("opportunities pursued"),
        blank=True,
        related_name="plans",
    )

    # Contingency (M7): what we do if we lose this account. The risk app reads it.
    contingency_triggers = models.TextField(_("trigger signals"), blank=True)
    contingency_actions = models.TextField(_("contingency actions"), blank=True)
    contingency_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contingency owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The members whose agreement the KAM requires (the mentor is never a signer).
    required_signers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("required signers"),
        blank=True,
        related_name="plans_to_sign",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["account__name", "-period__starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="one_plan_per_period")
        ]
        indexes = [models.Index(fields=["period", "state"])]

    def __str__(self) -> str:
        return f"{self.account} · {self.period}"


class Competitor(Versioned):
    """A competitor at the account and its position there, as the plan's situation says."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("competitor"), max_length=200)
    position = models.TextField(_("position at the account"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ObjectiveSource(models.TextChoices):
    """Where a team objective's current value comes from: typed in, or computed by kam."""

    MANUAL = "manual", _("Entered by the team")
    REVENUE = "revenue", _("Revenue from the ledger")
    MARGIN = "margin", _("Gross margin from the ledger")
    DMU_PENETRATION = "dmu_penetration", _("Coverage of the decision-making unit")
    REVIEW_CURRENCY = "review_currency", _("Mentor review currency")


class TeamObjective(Versioned):
    """An objective of the account team (M5's template of seven, or the team's own), with the
    measure that says whether it is met, the target and the current value."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="team_objectives")
    template_key = models.CharField(_("template objective"), max_length=40, blank=True)
    title = models.CharField(_("objective"), max_length=300)
    measure = models.CharField(_("measure"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target = ExactDecimalField(_("target"), max_digits=18, decimal_places=2, null=True, blank=True)
    current_value = ExactDecimalField(
        _("current value"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("value from"),
        max_length=20,
        choices=ObjectiveSource.choices,
        default=ObjectiveSource.MANUAL,
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("team objective")
        verbose_name_plural = _("team objectives")
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    """Late is never stored: it is derived from the due date and today."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")


class Action(AccountRecord):
    """Something a member of the account team will do, by a date, for the plan. It carries its
    plan's account too, so that access scoping and per-account counts need no join."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plan_actions")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    objective = models.ForeignKey(
        TeamObjective,
        verbose_name=_("team objective"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    opportunity = models.ForeignKey(
        "planning.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    contact = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    blocked_reason = models.TextField(_("why blocked"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # Set when the action is a follow-up of a mentor review.
    review = models.ForeignKey(
        "MentorReview",
        verbose_name=_("from the mentor review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["plan", "status", "due_on"]),
            models.Index(fields=["owner", "status", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False),
                name="done_action_has_done_date",
            )
        ]

    def __str__(self) -> str:
        return self.what[:80]


class VersionState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for agreement")
    AGREED = "agreed", _("Agreed")
    RETURNED = "returned", _("Returned to draft")
    SUPERSEDED = "superseded", _("Superseded")
    CLOSED = "closed", _("Closed")


class PlanVersion(models.Model):
    """A plan as it was submitted for agreement: a frozen copy of its substance (``content``,
    every field, team objective and action as text), with the team's sign-offs. Versions are
    never edited, so any two can be compared field by field."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=10, choices=VersionState.choices, default=VersionState.SUBMITTED
    )
    content = models.JSONField(_("content"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("agreed or returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    AGREED = "agreed", _("Agreed")
    OBJECTED = "objected", _("Objected")


class SignOff(models.Model):
    """One team member's answer to a submitted version: agree, or object with a comment."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="sign_offs")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_sign_offs"
    )
    required = models.BooleanField(_("required"), default=True)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="sign_off_once_per_member")
        ]
        indexes = [models.Index(fields=["member", "decision"])]

    def __str__(self) -> str:
        return f"{self.member}: {self.decision}"


class Verdict(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    ENDORSED_WITH_CHANGES = "endorsed_with_changes", _("Endorsed with changes")
    NOT_ENDORSED = "not_endorsed", _("Not endorsed")


class MentorReview(AccountRecord):
    """The account mentor's dated, signed review of the long-term strategy (M5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mentor_reviews")
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentor_reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    verdict = models.CharField(_("verdict"), max_length=24, choices=Verdict.choices)
    comment = models.TextField(_("comment"))

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor review")
        verbose_name_plural = _("mentor reviews")
        ordering = ["account", "-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["account", "reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.account} {self.reviewed_on}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.account_id}/{instance.public_id}/{filename}"


class Attachment(AccountRecord):
    """A proposal or presentation attached to a plan or an opportunity (M1: the mentor
    remarks on the important ones)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="attachments")
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    opportunity = models.ForeignKey(
        "planning.Opportunity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False) | models.Q(opportunity__isnull=False),
                name="attachment_belongs_somewhere",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AttachmentComment(models.Model):
    """A dated, attributed remark on a proposal or presentation (usually the mentor's)."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["attachment", "created_at", "pk"]

    def __str__(self) -> str:
        return self.comment[:80]


class CapabilityChecklist(models.Model):
    """A dated assessment of the KAM capabilities (M5) for one account or one KAM; each new
    assessment is a new row, so the history stays."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="capabilities"
    )
    kam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capability_checklists",
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("capability checklist")
        verbose_name_plural = _("capability checklists")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=False) | models.Q(kam__isnull=False),
                name="checklist_of_account_or_kam",
            )
        ]
        indexes = [
            models.Index(fields=["account", "assessed_on"]),
            models.Index(fields=["kam", "assessed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.account or self.kam} {self.assessed_on}"


class CapabilityAnswer(models.Model):
    """One item of a checklist: met or not (or not assessed), with a note. Items are keys of
    ``plans.capabilities.ITEMS``."""

    checklist = models.ForeignKey(
        CapabilityChecklist, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.CharField(_("item"), max_length=40)
    met = models.BooleanField(_("met"), null=True)
    rating = models.PositiveSmallIntegerField(
        _("rating (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("capability answer")
        verbose_name_plural = _("capability answers")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="capability_item_once")
        ]

    def __str__(self) -> str:
        return self.item
