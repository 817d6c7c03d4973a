"""Forms of the programme's pages, attachments and capability checklists: input only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.plans import capabilities
from kam.plans.models import PlanState
from kam.plans.programme import STATUS_LABELS


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    period = forms.ChoiceField(label=_("Period"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *PlanState.choices]
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [(k, v) for k, v in STATUS_LABELS.items()],
    )
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    waiting_for_me = forms.BooleanField(label=_("Waiting for my sign-off"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("account", _("Account")),
            ("period", _("Period")),
            ("state", _("State")),
            ("status", _("Status, worst first")),
            ("quality", _("Quality, lowest first")),
            ("review", _("Next review due")),
            ("late", _("Late actions")),
        ],
    )

    def __init__(self, *args: Any, periods: list[str] = (), tiers: list[str] = (), **kw: Any):
        super().__init__(*args, **kw)
        self.fields["period"].choices = [("", _("All"))] + [(p, p) for p in periods]
        self.fields["tier"].choices = [("", _("All"))] + [(t, t) for t in tiers]


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Left empty, the file's name."),
    )
    file = forms.FileField(label=_("File"))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


MET_CHOICES = [("", _("Not assessed")), ("yes", _("Yes")), ("no", _("No"))]
RATING_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class CapabilityForm(forms.Form):
    """One assessment: for each item met or not, a rating 1-5 and a note."""

    assessed_on = forms.DateField(
        label=_("Assessed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, scope: str, **kw: Any):
        kw.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kw)
        self.items = capabilities.items_of(scope)
        for item in self.items:
            self.fields[f"{item.key}-met"] = forms.ChoiceField(
                label=item.label, choices=MET_CHOICES, required=False
            )
            self.fields[f"{item.key}-rating"] = forms.TypedChoiceField(
                label=_("Rating"),
                choices=RATING_CHOICES,
                required=False,
                coerce=int,
                empty_value=None,
            )
            self.fields[f"{item.key}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=1000
            )

    def rows(self):
        """(item, met field, rating field, note field) to lay the form out as a table."""
        return [
            (item, self[f"{item.key}-met"], self[f"{item.key}-rating"], self[f"{item.key}-note"])
            for item in self.items
        ]

    def answers(self) -> dict[str, capabilities.Answer]:
        out = {}
        for item in self.items:
            met = self.cleaned_data.get(f"{item.key}-met") or ""
            rating = self.cleaned_data.get(f"{item.key}-rating")
            note = (self.cleaned_data.get(f"{item.key}-note") or "").strip()
            if met or rating is not None or note:
                value = {"yes": True, "no": False}.get(met)
                out[item.key] = capabilities.Answer(met=value, rating=rating, note=note)
        return out
