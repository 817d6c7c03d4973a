"""The interaction log, manual relationship strengths, and the relationship level ladder."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord, AccountScopedQuerySet


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    DEMO = "demo", _("Demo")
    PILOT = "pilot", _("Pilot")
    SENIOR_VISIT = "senior_visit", _("Senior management visit")
    EMAIL = "email", _("Email")


# An interaction's usual length in minutes, counted when its own duration is left blank
# (kam.priorities measures effort from it).
DEFAULT_MINUTES = {
    InteractionKind.MEETING: 60,
    InteractionKind.CALL: 30,
    InteractionKind.VISIT: 120,
    InteractionKind.DEMO: 90,
    InteractionKind.PILOT: 240,
    InteractionKind.SENIOR_VISIT: 120,
    InteractionKind.EMAIL: 15,
}
MAX_INTERACTION_MINUTES = 24 * 60


class Interaction(AccountRecord):
    """One contact between our team and the customer's people: who took part on each side,
    when, of which kind, and the objective it served. Relationship strength derives from it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices)
    occurred_on = models.DateField(_("date"))
    our_participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), related_name="interactions"
    )
    their_participants = models.ManyToManyField(
        "relationships.Contact", verbose_name=_("their participants"), related_name="interactions"
    )
    notes = models.TextField(_("notes"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INTERACTION_MINUTES)],
        help_text=_("Blank: the kind's usual length."),
    )
    objective = models.ForeignKey(
        "planning.Objective",
        verbose_name=_("objective served"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["account", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def minutes(self) -> int:
        """How long it took: its own duration, or the kind's usual length."""
        return self.duration_minutes or DEFAULT_MINUTES.get(self.kind, 60)

    def clean(self) -> None:
        if self.objective_id and self.objective.account_id != self.account_id:
            raise ValidationError(
                {"objective": gettext("Choose an objective of the same account.")}
            )


class RelationshipOverride(models.Model):
    """A strength (0-100) someone on the team set by hand for one (user, contact) pair, with
    the reason; it wins over the strength derived from the interaction log."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    contact = models.ForeignKey(
        "relationships.Contact", on_delete=models.CASCADE, related_name="strength_overrides"
    )
    value = models.PositiveSmallIntegerField(
        _("strength"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField()

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship strength override")
        verbose_name_plural = _("relationship strength overrides")
        constraints = [
            models.UniqueConstraint(fields=["user", "contact"], name="override_once_per_pair"),
            models.CheckConstraint(
                condition=models.Q(value__lte=100), name="override_value_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"user #{self.user_id} / contact #{self.contact_id}: {self.value}"

    def clean(self) -> None:
        if self.contact_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": gettext("Choose a contact of the same account.")})


class RelationshipStage(models.TextChoices):
    """The ladder of a relationship, from seller to trusted advisor."""

    VENDOR = "vendor", _("Vendor")
    CREDIBLE_SOURCE = "credible_source", _("Credible source")
    PROBLEM_SOLVER = "problem_solver", _("Problem solver")
    TRUSTED_ADVISOR = "trusted_advisor", _("Trusted advisor")


STAGE_RANK = {value: rank for rank, value in enumerate(RelationshipStage.values)}


class RelationshipLevel(models.Model):
    """Where one (user, contact) relationship stands on the ladder, and where we aim it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    contact = models.ForeignKey(
        "relationships.Contact", on_delete=models.CASCADE, related_name="relationship_levels"
    )
    current = models.CharField(
        _("current level"),
        max_length=16,
        choices=RelationshipStage.choices,
        default=RelationshipStage.VENDOR,
    )
    target = models.CharField(
        _("target level"), max_length=16, choices=RelationshipStage.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship level")
        verbose_name_plural = _("relationship levels")
        constraints = [
            models.UniqueConstraint(fields=["user", "contact"], name="level_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"user #{self.user_id} / contact #{self.contact_id}: {self.current}"

    @property
    def gap(self) -> int:
        """Rungs still to climb to the target (0 when there or no target)."""
        if not self.target:
            return 0
        return max(0, STAGE_RANK[self.target] - STAGE_RANK[self.current])

    def clean(self) -> None:
        if self.contact_id and self.contact.account_id != self.account_id:
            raise ValidationError({"contact": gettext("Choose a contact of the same account.")})
