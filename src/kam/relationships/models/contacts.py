"""Contacts (people at the customer), their reporting lines, and links between them."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.accounts.records import AccountRecord, AccountScopedQuerySet


class ContactLevel(models.TextChoices):
    """Seniority at the customer, top first: the map's rows and the analyses' filters."""

    BOARD = "board", _("Board")
    EXECUTIVE = "executive", _("Executive")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


# Rank of each level for the pure analyses (which take an int): 1 is the top.
LEVEL_RANK = {
    ContactLevel.BOARD: 1,
    ContactLevel.EXECUTIVE: 2,
    ContactLevel.MANAGER: 3,
    ContactLevel.STAFF: 4,
}


class ContactStatus(models.TextChoices):
    """Whether the person still works at the customer."""

    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class ContactQuerySet(AccountScopedQuerySet):
    def with_current_assessment(self) -> ContactQuerySet:
        """Contacts with their current assessment and who knows them, in two queries.

        The current assessment is a pointer kept by the assessment services (see
        ``Contact.current_assessment``), so this is one join plus one prefetch of the
        'known in person by' users, however many contacts there are.
        """
        return self.select_related("current_assessment").prefetch_related(
            "current_assessment__known_in_person_by"
        )

    def active(self) -> ContactQuerySet:
        return self.filter(status=ContactStatus.ACTIVE)


class Contact(AccountRecord):
    """A person at a customer account. Names may be in any script.

    ``current_assessment`` points at the latest of the person's assessments (the one with the
    greatest ``assessed_at``, then id). It is kept by the assessment services rather than
    computed with a Subquery because pages and the map need a dozen of its fields plus its
    'known in person by' users: one join and one prefetch instead of a dozen correlated
    subqueries per row. The services lock the contact row while they move it, so two
    assessments recorded at once cannot leave it pointing at the older one.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=300)
    other_name = models.CharField(
        _("other name"),
        max_length=300,
        blank=True,
        help_text=_("The name in another script, e.g. 王伟 / Wang Wei."),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    site = models.CharField(_("site"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=ContactLevel.choices, blank=True)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    notes = models.TextField(
        _("private notes"), blank=True, help_text=_("Seen only by people who can see the account.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ContactStatus.choices, default=ContactStatus.ACTIVE
    )
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("A future date announces a departure.")
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    departure_note = models.TextField(_("departure note"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="later_records",
        help_text=_("The same person's record at the account they worked at before."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        blank=True,
        help_text=_("The contact's key in the CRM it was imported from."),
    )
    current_assessment = models.ForeignKey(
        "relationships.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["account", "name"]),
            models.Index(fields=["account", "email"]),
            models.Index(fields=["account", "external_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reports_to=models.F("pk")), name="contact_not_own_manager"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="left") | models.Q(left_on__isnull=False),
                name="contact_left_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def has_left(self, as_of: date) -> bool:
        """Gone by ``as_of``: marked as left, or an announced departure date reached."""
        if self.status == ContactStatus.LEFT:
            return True
        return self.left_on is not None and self.left_on <= as_of

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("reports_to", "successor"):
            other = getattr(self, field)
            if other is None:
                continue
            if self.pk is not None and other.pk == self.pk:
                errors[field] = gettext("A contact cannot be their own %(field)s.") % {
                    "field": self._meta.get_field(field).verbose_name
                }
            elif other.account_id != self.account_id:
                errors[field] = gettext("Choose a contact of the same account.")
        cycle_check = "reports_to" not in errors and self.reports_to_id and self.pk
        if cycle_check and self._closes_a_cycle():
            errors["reports_to"] = gettext(
                "This reporting line would make a loop: %(manager)s already reports, "
                "directly or not, to %(contact)s."
            ) % {"manager": self.reports_to, "contact": self}
        if self.status == ContactStatus.LEFT and self.left_on is None:
            errors["left_on"] = gettext("Give the date the contact left.")
        if errors:
            raise ValidationError(errors)

    def _closes_a_cycle(self) -> bool:
        # One query for the whole account's reporting lines, then a walk in memory: a chain
        # can be long, and a query per step would be a query per manager.
        managers = dict(
            Contact.objects.filter(account_id=self.account_id).values_list("pk", "reports_to")
        )
        managers[self.pk] = self.reports_to_id
        seen = {self.pk}
        current = self.reports_to_id
        while current is not None:
            if current in seen:
                return True
            seen.add(current)
            current = managers.get(current)
        return False


class LinkKind(models.TextChoices):
    """Links between two contacts, kept apart from reporting lines."""

    INFLUENCES = "influences", _("influences")
    ALLIED_WITH = "allied_with", _("is allied with")
    IN_TENSION_WITH = "in_tension_with", _("is in tension with")
    RESTRICTS_ACCESS = "restricts_access", _("restricts our access to")


SYMMETRIC_LINKS = {LinkKind.ALLIED_WITH, LinkKind.IN_TENSION_WITH}


class ContactLink(AccountRecord):
    """A link from one contact to another at the same account (an influence, an alliance,
    a tension, or a restriction such as 'procurement does not want us talking to design')."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_links")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    source = models.ForeignKey(
        Contact, verbose_name=_("from"), on_delete=models.CASCADE, related_name="links_out"
    )
    target = models.ForeignKey(
        Contact, verbose_name=_("to"), on_delete=models.CASCADE, related_name="links_in"
    )
    note = models.TextField(_("note"), blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact link")
        verbose_name_plural = _("contact links")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="contact_link_once_per_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="contact_link_not_to_self"
            ),
        ]
        indexes = [models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.kind} #{self.target_id}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.source_id and self.target_id and self.source_id == self.target_id:
            errors["target"] = gettext("A contact cannot be linked to themselves.")
        for field in ("source", "target"):
            contact = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if contact is not None and contact.account_id != self.account_id:
                errors[field] = gettext("Choose a contact of the same account.")
        if not errors and self.kind in SYMMETRIC_LINKS and self.source_id and self.target_id:
            mirror = ContactLink.objects.filter(
                source_id=self.target_id, target_id=self.source_id, kind=self.kind
            ).exclude(pk=self.pk)
            if mirror.exists():
                errors["kind"] = gettext("These two contacts already have this link.")
        if errors:
            raise ValidationError(errors)
