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
