from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Stage


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
