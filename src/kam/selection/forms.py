from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.formats import sanitize_separators
from django.utils.translation import gettext_lazy as _

from kam.core import formatting
from kam.core.versionforms import VersionedModelForm
from kam.selection import criteria
from kam.selection.models import (
    Crossing,
    KnockOutRule,
    RegisterSettings,
    ScoringPeriod,
    SelectionCriterion,
    Tier,
    TierScheme,
    cut_off_problem,
)

SORT_CHOICES = [
    ("rank", _("Rank")),
    ("score", _("Score")),
    ("revenue", _("Sales volume")),
    ("margin", _("Lowest margin")),
    ("growth", _("Growth")),
    ("late", _("Days late")),
    ("name", _("Name")),
]
FLAG_CHOICES = [
    ("", _("Any flag")),
    ("big_but_bad", _("Big but bad buyer")),
    ("efficiencies_given_back", _("Efficiencies given back")),
    ("single_criterion", _("Key on one criterion only")),
    ("fast_grower", _("Fast grower")),
]


class KeyAccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=FLAG_CHOICES)
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    key_only = forms.BooleanField(label=_("Key accounts only"), required=False)
    missing = forms.ChoiceField(
        label=_("Missing a value"),
        required=False,
        choices=[
            ("", _("Any")),
            ("wallet", _("No wallet estimate")),
            ("score", _("No score")),
        ],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, tiers: list[Tier] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("All tiers"))] + [
            (t.code, criteria.tier_label(t.name)) for t in tiers
        ]


class RatingForm(forms.Form):
    key = forms.ChoiceField(label=_("Criterion"))
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (info.key, info.label) for info in criteria.CATALOGUE if info.source == "rating"
        ]


class OverrideForm(forms.Form):
    tier_code = forms.ChoiceField(label=_("Tier"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    clear = forms.BooleanField(label=_("Clear the override"), required=False)

    def __init__(self, *args, tiers: list[Tier] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier_code"].choices = [("", _("No tier"))] + [
            (t.code, criteria.tier_label(t.name)) for t in tiers
        ]


class CostToServeForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Cost to serve per year"), max_digits=18, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Note"), required=False)


class RowLabels:
    """A form shown as one row of a table: each field is named for screen readers by its
    column and its row ("Weight · Volume"), since a cell has no label of its own."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        row = self.row_name()
        for field in self.fields.values():
            if not field.widget.is_hidden:
                label = str(field.label or "")
                field.widget.attrs["aria-label"] = f"{label} · {row}" if row else label

    def row_name(self) -> str:
        if not self.instance.pk:
            return str(_("new row"))
        shown = getattr(self.instance, "get_key_display", None)
        return str(shown() if shown else self.instance)


class CriterionForm(RowLabels, VersionedModelForm):
    thresholds_text = forms.CharField(
        label=_("Thresholds"),
        required=False,
        help_text=_("Steps as value = points, separated by semicolons: 0 = 0; 1000000 = 50"),
    )

    class Meta:
        model = SelectionCriterion
        fields = ["weight", "direction", "normalisation", "bound_low", "bound_high"]
        labels = {"bound_low": _("Lower bound"), "bound_high": _("Upper bound")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["thresholds_text"].initial = thresholds_shown(self.instance.thresholds)
        self.fields["thresholds_text"].widget.attrs["placeholder"] = "0 = 0; 1000000 = 50"

    def clean_thresholds_text(self) -> list:
        raw = self.cleaned_data["thresholds_text"].strip()
        try:
            return thresholds_parsed(raw)
        except (ValueError, TypeError, ArithmeticError) as error:
            raise forms.ValidationError(
                _("Enter steps as value = points, separated by semicolons.")
            ) from error

    def clean(self):
        data = super().clean()
        if data.get("normalisation") == "thresholds" and not data.get("thresholds_text"):
            self.add_error("thresholds_text", _("Threshold normalisation needs at least one step."))
        return data

    def changes(self) -> dict:
        """What the user changed, as the criterion service (and the API's PATCH) names it."""
        names = {"thresholds_text": "thresholds"}
        return {
            names.get(name, name): self.cleaned_data[name]
            for name in self.changed_data
            if name != "version"
        }


def thresholds_shown(steps) -> str:
    """Threshold steps as a person writes them, in the reader's number format:
    '0 = 0; 1.000.000 = 50' in Indonesian. No steps: empty (never a raw '[]')."""
    return "; ".join(
        f"{formatting.number(v, 4, trim=True)} = {formatting.number(p, 4, trim=True)}"
        for v, p in steps or []
    )


def thresholds_parsed(raw: str) -> list[list[float]]:
    """'0 = 0; 1000000 = 50' (either language's separators, or the older JSON) as pairs."""
    if not raw:
        return []
    if raw.startswith("["):
        return [[float(v), float(p)] for v, p in json.loads(raw)]
    steps = []
    for part in raw.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        value, points = part.split("=")
        steps.append([_number(value), _number(points)])
    return steps


def _number(text: str) -> float:
    cleaned = sanitize_separators(text.strip().replace(" ", ""))
    return float(Decimal(str(cleaned)))


class RowForm(RowLabels, VersionedModelForm):
    pass


class RowFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # added after the form's own fields: named here
            form.fields["DELETE"].widget.attrs["aria-label"] = f"{_('Delete')} · {form.row_name()}"


CriterionFormSet = forms.modelformset_factory(SelectionCriterion, form=CriterionForm, extra=0)
KnockOutFormSet = forms.modelformset_factory(
    KnockOutRule,
    form=RowForm,
    formset=RowFormSet,
    fields=["key", "minimum", "maximum", "missing_knocks_out", "active"],
    extra=1,
    can_delete=True,
)


class BaseTierFormSet(forms.BaseInlineFormSet):
    def cut_offs_ok(self, kind: str) -> bool:
        """Check the cut-offs as ``kind`` reads them; the offending tier's field says why.

        Needs the scheme form's cut-off kind, so the view calls it once both are valid."""
        rows = [(f.cleaned_data["name"], f.cleaned_data["cut_off"]) for f in self.forms]
        problem = cut_off_problem(kind, rows)
        if problem is not None:
            self.forms[problem[0]].add_error("cut_off", problem[1])
        return problem is None


TierFormSet = forms.inlineformset_factory(
    TierScheme,
    Tier,
    form=RowForm,
    formset=BaseTierFormSet,
    extra=0,
    can_delete=False,
    fields=[
        "name",
        "cut_off",
        "is_key",
        "visits_per_month",
        "plan_review_days",
        "dedicated_staff",
        "priority_ordering",
        "cost_to_serve",
    ],
)


class SchemeForm(VersionedModelForm):
    class Meta:
        model = TierScheme
        fields = ["cut_off", "capacity", "abc_crossing"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the scheme keeps its rule.
        self.fields["abc_crossing"].required = False

    def clean_abc_crossing(self) -> str:
        return self.cleaned_data["abc_crossing"] or self.instance.abc_crossing or Crossing.NEXT


class ScoringPeriodForm(VersionedModelForm):
    """The programme's scoring window and comparison period, in whole quarters (the model's
    validators refuse anything else, naming the field)."""

    class Meta:
        model = ScoringPeriod
        fields = ["window_months", "comparison_months"]


class RegisterSettingsForm(VersionedModelForm):
    """What the key account register publishes beyond who the key accounts are."""

    class Meta:
        model = RegisterSettings
        fields = ["publish_rank", "publish_reason", "publish_revenue"]
