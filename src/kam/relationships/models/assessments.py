"""Dated assessments of contacts (one row per change), and the buying-role vocabulary."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.records import ContactScopedQuerySet
from kam.core.versions import Versioned


class BuyingRole(models.TextChoices):
    """The part a contact plays in buying (Miller Heiman vocabulary)."""

    DECISION_MAKER = "decision_maker", _("Decision maker / economic buyer")
    USER = "user", _("User")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer / specifier")
    COACH = "coach", _("Coach / ally")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    INFLUENCER = "influencer", _("Influencer")


class Trend(models.TextChoices):
    RISING = "rising", _("Rising")
    STEADY = "steady", _("Steady")
    FALLING = "falling", _("Falling")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", _("Pleased / supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "opponent", _("Unhappy / opponent")


class Standing(models.TextChoices):
    """Where the contact stands politically inside the customer."""

    INNER_CIRCLE = "inner_circle", _("Inner circle")
    POWER_STRUCTURE = "power_structure", _("Power structure")
    OUTSIDE = "outside", _("Outside the power structure")


# Fields that make up an assessment; a new assessment copies the ones it does not change.
ASSESSED_FIELDS = (
    "buying_role",
    "influence",
    "influence_trend",
    "attitude",
    "standing",
    "buy_in_needed",
    "planned_step",
    "planned_step_due",
    "note",
)


class Assessment(Versioned):
    """What the team thinks of a contact as of ``assessed_at``, and who said so.

    Rows are never overwritten by a new opinion: each change is a new row (a full snapshot,
    the unchanged fields copied from the previous one), so the history shows drift. The
    contact's ``current_assessment`` points at the latest.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(
        "relationships.Contact", on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    buying_role = models.CharField(
        _("buying role"), max_length=20, choices=BuyingRole.choices, blank=True
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How much their word weighs, 1 (little) to 5 (decisive)."),
    )
    influence_trend = models.CharField(
        _("influence trend"), max_length=8, choices=Trend.choices, default=Trend.STEADY
    )
    attitude = models.CharField(
        _("attitude to us"), max_length=10, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    standing = models.CharField(
        _("political standing"), max_length=16, choices=Standing.choices, blank=True
    )
    buy_in_needed = models.BooleanField(
        _("buy-in needed"), default=False, help_text=_("Needed for a significant deal.")
    )
    known_in_person_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("known in person by"),
        blank=True,
        related_name="+",
    )
    planned_step = models.CharField(_("planned step to meet them"), max_length=500, blank=True)
    planned_step_due = models.DateField(_("planned step due"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-assessed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(influence__isnull=True)
                | models.Q(influence__gte=1, influence__lte=5),
                name="assessment_influence_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.contact_id} @ {self.assessed_at:%Y-%m-%d}"

    def clean(self) -> None:
        if self.planned_step_due and not self.planned_step.strip():
            raise ValidationError(
                {"planned_step": gettext("Say what the step is, not only when it is due.")}
            )


class RoleStyle(models.TextChoices):
    PLAIN = "plain", _("Plain names")
    CHESS = "chess", _("Chess pieces")


# The chess vocabulary some sales teams use for the same roles: the king is whose 'yes' ends
# the game, the queen moves everyone, the knight jumps the obstacles for us.
CHESS_PIECES = {
    BuyingRole.DECISION_MAKER: ("♔", _("King")),
    BuyingRole.INFLUENCER: ("♕", _("Queen")),
    BuyingRole.TECHNICAL_BUYER: ("♖", _("Rook")),
    BuyingRole.GATEKEEPER: ("♗", _("Bishop")),
    BuyingRole.COACH: ("♘", _("Knight")),
    BuyingRole.USER: ("♙", _("Pawn")),
}


class RoleVocabulary(models.Model):
    """The one set of words the team uses for buying roles (a settings-like singleton, pk 1).

    ``style`` chess shows the chess pieces; ``custom_labels`` ({role: label}) overrides any
    label, so a team can keep its own words (e.g. 'Sponsor' for coach).
    """

    style = models.CharField(
        _("style"), max_length=8, choices=RoleStyle.choices, default=RoleStyle.PLAIN
    )
    custom_labels = models.JSONField(_("custom labels"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("buying role vocabulary")
        verbose_name_plural = _("buying role vocabulary")

    def __str__(self) -> str:
        return str(self.get_style_display())

    @classmethod
    def load(cls) -> RoleVocabulary:
        """The vocabulary in use (plain names until someone chooses otherwise)."""
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)

    def clean(self) -> None:
        if not isinstance(self.custom_labels, dict):
            raise ValidationError({"custom_labels": gettext("Give a label per role.")})
        unknown = sorted(set(self.custom_labels) - set(BuyingRole.values))
        if unknown:
            raise ValidationError(
                {"custom_labels": gettext("Unknown roles: %(roles)s.") % {"roles": unknown}}
            )
        for role, label in self.custom_labels.items():
            if not isinstance(label, str) or not 0 < len(label) <= 60:
                raise ValidationError(
                    {
                        "custom_labels": gettext(
                            "The label of %(role)s must be 1 to 60 characters."
                        )
                        % {"role": role}
                    }
                )

    def label(self, role: str) -> str:
        return role_label(role, vocabulary=self)


def role_label(role: str | None, *, vocabulary: RoleVocabulary | None = None) -> str:
    """How to show a buying role in the team's vocabulary ('' for no role)."""
    if not role:
        return ""
    if vocabulary is not None and vocabulary.custom_labels.get(role):
        return str(vocabulary.custom_labels[role])
    plain = str(BuyingRole(role).label)
    if vocabulary is not None and vocabulary.style == RoleStyle.CHESS:
        symbol, piece = CHESS_PIECES[BuyingRole(role)]
        return f"{symbol} {piece} ({plain})"
    return plain
