from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Coverage, Industry, Stage, TeamRole


class StageChangeForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    # The stage the user saw, so a concurrent change is detected instead of overwritten.
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    # The version the user saw; without it (an older page) the last write wins.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


CONTACT_SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "title": ("title", "name", "pk"),
    "-title": ("-title", "name", "pk"),
    "department": ("department", "name", "pk"),
    "-department": ("-department", "name", "pk"),
    "influence": ("current_assessment__influence", "name", "pk"),
    "-influence": ("-current_assessment__influence", "name", "pk"),
}


class ContactFilterForm(forms.Form):
    """The account page's contact table: search, department, sort (all in the query string)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.ChoiceField(label=_("Department"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in CONTACT_SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, departments: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d, d) for d in departments
        ]


# --- the account, its team and mentors (the API's writes, on pages) --------------------------
# Input validation only: who may, a known currency, a KAM who is one, no parent loop, a user
# not yet on the team are the services' (kam.accounts.services), as for the API.


def _day_input() -> forms.DateInput:
    """A browser date picker; its value is always ISO (a localised one would show empty)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserPicker(forms.Widget):
    """One of our users chosen by typing their name (any script): only the chosen one is in
    the page; typing asks the server for up to 15 more (accounts:user_search)."""

    template_name = "accounts/widgets/user_picker.html"

    def __init__(self, *, role: str = "", search_url: str = "") -> None:
        super().__init__()
        self.role = role
        self.search_url = search_url
        self.labels: dict[str, str] = {}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # "nobody" is a choice too

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = [(str(value), self.labels.get(str(value), str(value)))] if value else []
        context["widget"].update(
            chosen=chosen, role=self.role, search_url=self.search_url, optional=not self.is_required
        )
        return context


def user_label(user: Any) -> str:
    """How one of our users is offered in a picker: full name (login)."""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class _UserForm(forms.Form):
    """A form with user fields chosen by login name, offered through the picker."""

    user_fields: dict[str, str] = {}  # field -> the role the search offers ("" any)

    def __init__(self, *args: Any, search_url: str = "", users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {u.username: user_label(u) for u in users if u is not None}
        for name, role in self.user_fields.items():
            picker = UserPicker(role=role, search_url=search_url)
            picker.is_required = self.fields[name].required
            picker.labels = labels
            self.fields[name].widget = picker

    def clean(self) -> dict[str, Any]:
        from kam.users.models import User

        cleaned = super().clean()
        wanted = [cleaned[n] for n in self.user_fields if cleaned.get(n)]
        found = {u.username: u for u in User.objects.filter(username__in=wanted)}
        self.resolved: dict[str, Any] = {}
        for name in self.user_fields:
            username = cleaned.get(name)
            if username and username not in found:
                self.add_error(name, _("Unknown user."))
            self.resolved[name] = found.get(username) if username else None
        return cleaned


def _country_choices() -> list[tuple[str, str]]:
    from django_countries import countries

    return [("", "—"), *((code, name) for code, name in countries)]


class AccountForm(_UserForm):
    """A customer account's fields (the programme lead creates and edits accounts)."""

    user_fields = {"owner": "kam"}

    code = forms.CharField(label=_("Customer number"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("An ISO 4217 code, e.g. IDR.")
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    coverage = forms.ChoiceField(label=_("Coverage"), choices=Coverage.choices)
    parent = forms.CharField(
        label=_("Parent account"),
        required=False,
        max_length=64,
        help_text=_("Its customer number, for one unit of a group; empty for none."),
    )
    owner = forms.CharField(label=_("Key account manager"), required=False, max_length=150)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class TeamMemberForm(_UserForm):
    """Put one of our users on the account's team."""

    user_fields = {"user": ""}

    user = forms.CharField(label=_("Who"), max_length=150)
    role = forms.ChoiceField(label=_("Role on the team"), choices=TeamRole.choices)
    since = forms.DateField(label=_("Since"), required=False, widget=_day_input())


class TeamMemberChangeForm(forms.Form):
    """A member's role and the date they joined."""

    role = forms.ChoiceField(label=_("Role on the team"), choices=TeamRole.choices)
    since = forms.DateField(label=_("Since"), widget=_day_input())
    # The member's version this form was drawn from: a stale save is refused (409).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class MentorForm(_UserForm):
    """Assign a mentor to the account (the programme lead)."""

    user_fields = {"mentor": "mentor"}

    mentor = forms.CharField(label=_("Mentor"), max_length=150)
    since = forms.DateField(label=_("Since"), required=False, widget=_day_input())
