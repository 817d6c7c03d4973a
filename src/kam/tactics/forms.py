"""Page forms of the tactics: input validation only; the services write."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.tactics.models import RebateBasis, TacticKind, TacticStatus

MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0"), "required": False}


class TacticForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Tactic"), choices=TacticKind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TacticStatus.choices)
    since = forms.DateField(
        label=gettext_lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None, required=False)
    yearly_cost = forms.DecimalField(
        label=gettext_lazy("Yearly cost"),
        help_text=gettext_lazy("Empty when unknown."),
        **MONEY,
    )
    terms = forms.CharField(
        label=gettext_lazy("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    people = forms.IntegerField(
        label=gettext_lazy("People"), required=False, min_value=0, max_value=100_000
    )
    hours_per_month = forms.DecimalField(
        label=gettext_lazy("Hours per month"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
    )
    products = forms.CharField(
        label=gettext_lazy("Products"),
        help_text=gettext_lazy("Product codes, separated by commas."),
        required=False,
    )
    goal = forms.CharField(
        label=gettext_lazy("Goal and members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        from kam.users.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in users])

    def clean_products(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["products"].split(",") if c.strip()]


def parse_steps(text: str) -> list[dict[str, str]]:
    """Lines of ``threshold rate`` (``1000000 2.5``; a % sign and thousands separators are
    allowed)."""
    steps = []
    for line in text.splitlines():
        parts = line.replace("%", " ").replace(",", "").replace(":", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise forms.ValidationError(
                _("Write one step per line: the threshold, then the rate in %.")
            )
        try:
            threshold, rate = Decimal(parts[0]), Decimal(parts[1])
        except InvalidOperation:
            raise forms.ValidationError(
                _("Each step needs a threshold and a rate, as numbers.")
            ) from None
        steps.append({"threshold": str(threshold), "rate": str(rate)})
    if not steps:
        raise forms.ValidationError(_("Give at least one step: a threshold and a rate."))
    return steps


def steps_text(steps: list[dict]) -> str:
    return "\n".join(f"{s['threshold']} {s['rate']}" for s in steps)


class AgreementForm(forms.Form):
    agreement = forms.UUIDField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.ChoiceField(label=gettext_lazy("Volume measured in"), choices=RebateBasis.choices)
    steps = forms.CharField(
        label=gettext_lazy("Steps"),
        help_text=gettext_lazy("One per line: the volume threshold, then the rate in %."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    terms = forms.CharField(
        label=gettext_lazy("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_steps(self) -> list[dict[str, str]]:
        return parse_steps(self.cleaned_data["steps"])


class ContingencyForm(forms.Form):
    triggers = forms.CharField(
        label=gettext_lazy("Trigger signals"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label=gettext_lazy("What we do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None, required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        from kam.users.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in users])


class TierTacticForm(forms.Form):
    tier = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=gettext_lazy("Tactic"), choices=TacticKind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TacticStatus.choices)
    yearly_cost = forms.DecimalField(
        label=gettext_lazy("Yearly cost per account"),
        help_text=gettext_lazy("Empty when unknown."),
        **MONEY,
    )
    terms = forms.CharField(
        label=gettext_lazy("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
