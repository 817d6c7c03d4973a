"""Forms of the relationship pages: input validation only; the services do the writing.

Contacts and users are offered from lists the view read once (one query each for every form
on the page) and chosen by public id / user id, so a form never reaches outside the account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.relationships.models import (
    MAX_INTERACTION_MINUTES,
    Attitude,
    BuyingRole,
    Contact,
    ContactLevel,
    DefusingStrategy,
    InteractionKind,
    InterestKind,
    InterestStatus,
    LinkKind,
    RelationshipStage,
    RoleStyle,
    Standing,
    Trend,
)

BLANK = [("", "—")]
PERIODS = (30, 90, 180, 365)


def _day_input() -> forms.DateInput:
    """A browser date picker; its value is always ISO (a localised one would show empty)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonPicker(forms.Widget):
    """A contact chosen by searching their name (any script), never by scrolling through
    every person of the account: only the chosen ones are in the page; typing asks the
    server for up to 15 more (relationships:people_search)."""

    template_name = "relationships/widgets/person_picker.html"

    def __init__(self, *, multiple: bool = False) -> None:
        super().__init__()
        self.multiple = multiple
        self.labels: dict[str, str] = {}
        self.search_url = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty selection is a choice too

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, (list, tuple)) else [value]
        chosen = [(str(v), self.labels[str(v)]) for v in values if v and str(v) in self.labels]
        context["widget"].update(
            chosen=chosen,
            multiple=self.multiple,
            optional=not self.is_required,
            search_url=self.search_url,
        )
        return context


class _AccountForm(forms.Form):
    """A form whose contact and user fields offer the account's people only."""

    contact_fields: tuple[str, ...] = ()
    contact_multi_fields: tuple[str, ...] = ()
    user_fields: tuple[str, ...] = ()

    def __init__(
        self,
        data: Any = None,
        *,
        contacts: Sequence[Contact] = (),
        users: Sequence[Any] = (),
        objectives: Sequence[Any] = (),
        prefix: str | None = None,
        initial: dict[str, Any] | None = None,
        search_url: str = "",
    ) -> None:
        super().__init__(data, prefix=prefix, initial=initial)
        self._contacts = {str(c.public_id): c for c in contacts}
        self._users = {str(u.pk): u for u in users}
        people = [(str(c.public_id), _contact_label(c)) for c in contacts]
        labels = dict(people)
        for name in self.contact_fields:
            self.fields[name].choices = BLANK + people
        for name in self.contact_multi_fields:
            self.fields[name].choices = people
        for name in (*self.contact_fields, *self.contact_multi_fields):
            if search_url:  # the page can search: offer the picker, not every name
                picker = PersonPicker(multiple=name in self.contact_multi_fields)
                picker.is_required = self.fields[name].required
                picker.labels, picker.search_url = labels, search_url
                self.fields[name].widget = picker
        for name in self.user_fields:
            self.fields[name].choices = [(str(u.pk), str(u)) for u in users]
        if "objective" in self.fields:
            self.fields["objective"].choices = BLANK + [
                (str(o.public_id), str(o)) for o in objectives
            ]
            self._objectives = {str(o.public_id): o for o in objectives}

    def contact(self, name: str) -> Contact | None:
        value = self.cleaned_data.get(name)
        return self._contacts.get(value) if value else None

    def contact_list(self, name: str) -> list[Contact]:
        return [self._contacts[v] for v in self.cleaned_data.get(name, ())]

    def user_list(self, name: str) -> list[Any]:
        return [self._users[v] for v in self.cleaned_data.get(name, ())]


def contact_label(contact: Contact) -> str:
    """How a person is offered in a picker: name (title · department)."""
    return _contact_label(contact)


def _contact_label(contact: Contact) -> str:
    extra = " · ".join(x for x in (contact.title, contact.department) if x)
    return f"{contact.name} ({extra})" if extra else contact.name


def _at_noon(day: date | None) -> datetime | None:
    """An assessment dated today is 'now'; an earlier day is taken at noon local time."""
    if day is None or day >= timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, time(12)))


class AssessmentForm(_AccountForm):
    """A new assessment of one contact; fields left as they were are carried over."""

    contact_fields = ("contact",)
    user_fields = ("known_in_person_by",)

    contact = forms.ChoiceField(label=_("Contact"))
    buying_role = forms.ChoiceField(
        label=_("Buying role"), choices=BLANK + list(BuyingRole.choices), required=False
    )
    influence = forms.TypedChoiceField(
        label=_("Influence (1-5)"),
        choices=BLANK + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    influence_trend = forms.ChoiceField(
        label=_("Influence trend"), choices=Trend.choices, initial=Trend.STEADY
    )
    attitude = forms.ChoiceField(
        label=_("Attitude to us"), choices=Attitude.choices, initial=Attitude.NEUTRAL
    )
    standing = forms.ChoiceField(
        label=_("Political standing"), choices=BLANK + list(Standing.choices), required=False
    )
    buy_in_needed = forms.BooleanField(
        label=_("Buy-in needed for a significant deal"), required=False
    )
    known_in_person_by = forms.MultipleChoiceField(
        label=_("Known in person by"), required=False, widget=forms.CheckboxSelectMultiple
    )
    planned_step = forms.CharField(
        label=_("Planned step to meet them"), max_length=500, required=False
    )
    planned_step_due = forms.DateField(label=_("Step due"), required=False, widget=_day_input())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=_day_input(),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
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
        }
        return {
            "assessed_at": _at_noon(data.get("assessed_on")),
            "known_in_person_by": self.user_list("known_in_person_by"),
            **fields,
        }


class InteractionForm(_AccountForm):
    """One meeting, call, visit... with who took part on each side."""

    contact_multi_fields = ("their_participants",)
    user_fields = ("our_participants",)

    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=_day_input())
    their_participants = forms.MultipleChoiceField(
        label=_("Their people"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    our_participants = forms.MultipleChoiceField(
        label=_("Our people"),
        required=False,
        help_text=_("Leave empty for yourself."),
        widget=forms.CheckboxSelectMultiple,
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=1,
        max_value=MAX_INTERACTION_MINUTES,
        help_text=_("Blank: the kind's usual length."),
    )
    objective = forms.ChoiceField(label=_("Objective served"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def objective_chosen(self) -> Any:
        value = self.cleaned_data.get("objective")
        return self._objectives.get(value) if value else None


class DepartureForm(_AccountForm):
    """A contact left (or will leave), with their successor: one action."""

    contact_fields = ("contact", "successor")

    contact = forms.ChoiceField(label=_("Who is leaving"))
    left_on = forms.DateField(
        label=_("Left on"),
        help_text=_("A future date announces the departure."),
        widget=_day_input(),
    )
    successor = forms.ChoiceField(label=_("Successor"), required=False)
    hand_over = forms.BooleanField(
        label=_("Hand over to the successor: their reports and the deals needing their buy-in"),
        required=False,
        initial=True,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("contact") and data.get("contact") == data.get("successor"):
            self.add_error("successor", _("A contact cannot succeed themselves."))
        return data


class InterestForm(_AccountForm):
    """What a contact stands to lose if the customer buys from us, and how we defuse it."""

    contact_fields = ("holder", "advocate")

    holder = forms.ChoiceField(label=_("Who stands to lose"))
    kind = forms.ChoiceField(label=_("What they stand to lose"), choices=InterestKind.choices)
    threat_level = forms.TypedChoiceField(
        label=_("Threat (1-5)"),
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        initial="3",
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    strategy = forms.ChoiceField(
        label=_("Defusing strategy"),
        choices=BLANK + list(DefusingStrategy.choices),
        required=False,
    )
    advocate = forms.ChoiceField(
        label=_("Advocate"),
        required=False,
        help_text=_("The contact who can 'whisper kind words' for us."),
    )


class LinkForm(_AccountForm):
    """A link between two contacts: influence, alliance, tension, restricted access."""

    contact_fields = ("source", "target")

    source = forms.ChoiceField(label=_("From"))
    kind = forms.ChoiceField(label=_("Link"), choices=LinkKind.choices)
    target = forms.ChoiceField(label=_("To"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class EraseForm(forms.Form):
    """The confirmation step of an erasure: a reason and an explicit yes."""

    reason = forms.CharField(
        label=_("Why is this person erased?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: their request by email of 3 March. Kept in the audit trail."),
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)


class PeriodForm(forms.Form):
    """The drift period of the account page."""

    period = forms.TypedChoiceField(
        label=_("Drift over"),
        choices=[(str(d), _("%(days)s days") % {"days": d}) for d in PERIODS],
        coerce=int,
        initial="90",
        required=False,
        empty_value=90,
    )


class MapFilterForm(forms.Form):
    """What the map draws; every field is optional and a bad value falls back to the default."""

    department = forms.MultipleChoiceField(
        label=_("Departments"), required=False, widget=forms.CheckboxSelectMultiple
    )
    role = forms.MultipleChoiceField(
        label=_("Buying roles"),
        choices=BuyingRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departed = forms.BooleanField(label=_("Include people who left"), required=False)
    depth = forms.ChoiceField(label=_("Collapse below level"), required=False)
    q = forms.CharField(
        label=_("Find a person"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    focus = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    hops = forms.TypedChoiceField(
        label=_("Show around them"),
        choices=[
            ("", _("The whole map")),
            ("1", _("1 step")),
            ("2", _("2 steps")),
            ("3", _("3 steps")),
        ],
        coerce=int,
        required=False,
        empty_value=None,
    )
    links = forms.BooleanField(label=_("Links between people"), required=False)
    team = forms.BooleanField(label=_("Our team's relationships"), required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of link"),
        # In the order a large map shows them first (risks, then influence); LinkKind values.
        choices=[
            ("in_tension_with", _("In tension")),
            ("restricts_access", _("Restricts our access")),
            ("influences", _("Influences")),
            ("allied_with", _("Allied")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fit = forms.ChoiceField(
        label=_("Lay out for"),
        choices=[("screen", _("Screen")), ("a3", _("A3 paper, landscape"))],
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        departments: Sequence[str] = (),
        contacts: Sequence[Contact] = (),
    ) -> None:
        super().__init__(data)
        self.fields["department"].choices = [(d, d or _("(no department)")) for d in departments]
        self.fields["depth"].choices = [
            ("", _("No: show everyone")),
            *[(str(d), str(d)) for d in range(0, 6)],
        ]
        self.fields["focus"].choices = BLANK + [(str(c.public_id), "") for c in contacts]


# --- editing and deleting what was recorded (each calls the same service as the API) -------


class _Versioned(forms.Form):
    """The version of the record the form was drawn from: a stale save is refused."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AssessmentEditForm(_Versioned, AssessmentForm):
    """Correct a recorded assessment (a typo, a wrong date); the contact stays."""

    contact_fields = ()
    contact = None
    assessed_on = forms.DateField(label=_("Assessed on"), widget=_day_input())

    def changes(self) -> dict[str, Any]:
        """What the user changed, as the service names it."""
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name == "version":
                continue
            if name == "known_in_person_by":
                out[name] = self.user_list(name)
            elif name == "assessed_on":
                out["assessed_at"] = _at_noon(self.cleaned_data[name]) or timezone.now()
            else:
                out[name] = self.cleaned_data[name]
        return out


class InteractionEditForm(_Versioned, InteractionForm):
    """Correct a logged interaction: kind, date, who took part, notes."""

    def changes(self, by: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name == "version":
                continue
            if name == "their_participants":
                out[name] = self.contact_list(name)
            elif name == "our_participants":
                out[name] = self.user_list(name) or [by]
            elif name == "objective":
                out[name] = self.objective_chosen()
            else:
                out[name] = self.cleaned_data[name]
        return out


class LinkEditForm(_Versioned, _AccountForm):
    """A link's kind and note (its two ends stay: a different pair is a new link)."""

    kind = forms.ChoiceField(label=_("Link"), choices=LinkKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}


class InterestEditForm(_Versioned, InterestForm):
    """Change an entrenched interest: threat, strategy, advocate, status, with why."""

    contact_fields = ("advocate",)
    holder = None
    status = forms.ChoiceField(label=_("Status"), choices=InterestStatus.choices)
    why = forms.CharField(
        label=_("Why it changed"),
        required=False,
        max_length=500,
        help_text=_("Kept with the change in the interest's history."),
    )

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name in ("version", "why"):
                continue
            out[name] = self.contact(name) if name == "advocate" else self.cleaned_data[name]
        return out


class PracticeForm(_AccountForm):
    """How the customer habitually buys or works, and how we work around it."""

    description = forms.CharField(
        label=_("Practice"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: only buys 2-3 day training courses."),
    )
    effect_on_us = forms.CharField(
        label=_("Effect on us"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    workaround = forms.CharField(
        label=_("How we work around it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recorded_on = forms.DateField(
        label=_("Recorded on"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=_day_input(),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data.get("recorded_on") is None:
            data.pop("recorded_on", None)
        return data


class PracticeEditForm(_Versioned, PracticeForm):
    recorded_on = forms.DateField(label=_("Recorded on"), widget=_day_input())

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}


class DeleteForm(_Versioned):
    """The confirmation of a deletion: an explicit yes, and the version it was drawn from."""

    confirm = forms.BooleanField(label=_("Yes, delete it: it was recorded by mistake."))


class _SeenForm(forms.Form):
    """When the record the form was drawn from was written (records without a version), to
    the microsecond: a save after someone else's is refused."""

    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_seen(self) -> datetime | None:
        value = self.cleaned_data["seen"]
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError as bad:
            raise forms.ValidationError(_("Reload the page and try again.")) from bad

    @staticmethod
    def stamp(moment: datetime | None) -> str:
        return moment.isoformat() if moment is not None else ""


class LevelForm(_SeenForm):
    """Where one of our people's relationship with the contact stands, and where we aim it."""

    current = forms.ChoiceField(label=_("Current level"), choices=RelationshipStage.choices)
    target = forms.ChoiceField(
        label=_("Target level"), choices=BLANK + list(RelationshipStage.choices), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(_SeenForm):
    """A strength set by hand for the pair, replacing the one derived from the log."""

    value = forms.IntegerField(
        label=_("Strength (0-100)"),
        min_value=0,
        max_value=100,
        help_text=_("Replaces the strength derived from the interaction log until cleared."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClearForm(_SeenForm):
    """Remove a pair's level or strength override."""


class VocabularyForm(_SeenForm):
    """The words the team uses for buying roles: plain or chess pieces, and its own labels."""

    style = forms.ChoiceField(label=_("Words for buying roles"), choices=RoleStyle.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, name in BuyingRole.choices:
            self.fields[f"label_{role}"] = forms.CharField(
                label=name,
                required=False,
                max_length=60,
            )

    def custom_labels(self) -> dict[str, str]:
        return {
            role: self.cleaned_data[f"label_{role}"].strip()
            for role in BuyingRole.values
            if self.cleaned_data.get(f"label_{role}", "").strip()
        }


class DealForm(_Versioned, _AccountForm):
    """Whether an opportunity is a significant deal, and whose buy-in it needs (M3's three
    questions are asked of these people)."""

    contact_multi_fields = ("buy_in_needed_from",)

    significant = forms.BooleanField(
        label=_("Significant deal: ask the three questions"), required=False
    )
    buy_in_needed_from = forms.MultipleChoiceField(label=_("Whose buy-in it needs"), required=False)

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name == "buy_in_needed_from":
                out[name] = self.contact_list(name)
            elif name == "significant":
                out[name] = self.cleaned_data[name]
        return out


class ContactForm(_AccountForm):
    """A person at the customer: name in any script, where they sit, whom they report to."""

    contact_fields = ("reports_to",)

    name = forms.CharField(label=_("Name"), max_length=300)
    other_name = forms.CharField(
        label=_("Other name"),
        max_length=300,
        required=False,
        help_text=_("The name in another script, e.g. 王伟 / Wang Wei."),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    level = forms.ChoiceField(
        label=_("Level"), choices=BLANK + list(ContactLevel.choices), required=False
    )
    reports_to = forms.ChoiceField(label=_("Reports to"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    notes = forms.CharField(
        label=_("Private notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by people who can see the account."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["reports_to"] = self.contact("reports_to")
        return data


class ContactEditForm(_Versioned, ContactForm):
    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name == "version":
                continue
            out[name] = self.contact(name) if name == "reports_to" else self.cleaned_data[name]
        return out


class RejoinForm(forms.Form):
    """The person moved to another of our accounts: a new record there, linked to this one."""

    account = forms.ChoiceField(label=_("The account they joined"))
    left_on = forms.DateField(
        label=_("Left on"),
        required=False,
        help_text=_("If their departure is not recorded yet. Leave empty for today."),
        widget=_day_input(),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    department = forms.CharField(label=_("Department"), max_length=200, required=False)
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    level = forms.ChoiceField(
        label=_("Level"), choices=BLANK + list(ContactLevel.choices), required=False
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)

    def __init__(self, data: Any = None, *, accounts: Sequence[Any] = ()) -> None:
        super().__init__(data)
        self._accounts = {str(a.public_id): a for a in accounts}
        self.fields["account"].choices = BLANK + [(k, a.name) for k, a in self._accounts.items()]

    def chosen_account(self) -> Any:
        return self._accounts[self.cleaned_data["account"]]


class ObjectiveStatusForm(_Versioned):
    """Whether the customer's objective is still open (it is written on the plan page)."""

    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from kam.planning.models import ObjectiveStatus

        for name in ("contacts", "users", "objectives", "search_url"):
            kwargs.pop(name, None)
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ObjectiveStatus.choices

    def changes(self) -> dict[str, Any]:
        return {"status": self.cleaned_data["status"]} if "status" in self.changed_data else {}


class SuccessorForm(_AccountForm):
    """Who took over from a person whose departure is already recorded."""

    contact_fields = ("successor",)

    successor = forms.ChoiceField(label=_("Successor"))
    hand_over = forms.BooleanField(
        label=_("Hand over to them"),
        required=False,
        initial=True,
        help_text=_(
            "Move the leaver's reports to the successor and add the successor to the open "
            "opportunities that needed the leaver's buy-in."
        ),
    )
