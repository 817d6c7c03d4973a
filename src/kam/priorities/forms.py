"""Forms of the time and allocation pages: input validation only; the services write.

Accounts and people are offered from lists the view read once and chosen by public id /
user id, so a form never reaches outside what the user may write."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.priorities.models import MAX_ENTRY_MINUTES, ExpenseCategory, TimeCategory
from kam.priorities.value import ValueConfig

DATE = forms.DateInput(attrs={"type": "date"})


class _Choosing(forms.Form):
    """A form whose ``account`` and ``user`` fields offer the given lists only."""

    def __init__(
        self,
        data: Any = None,
        *,
        accounts: Sequence[Any] = (),
        users: Sequence[Any] = (),
        prefix: str | None = None,
        initial: dict | None = None,
    ) -> None:
        super().__init__(data, prefix=prefix, initial=initial)
        self._accounts = {str(a.public_id): a for a in accounts}
        self._users = {str(u.pk): u for u in users}
        if "account" in self.fields:
            self.fields["account"].choices = [("", "—")] + [
                (str(a.public_id), a.name) for a in accounts
            ]
        if "user" in self.fields:
            self.fields["user"].choices = [(str(u.pk), str(u)) for u in users]

    def account(self):
        return self._accounts.get(self.cleaned_data.get("account") or "")

    def user(self):
        return self._users.get(self.cleaned_data.get("user") or "")


class TimeEntryForm(_Choosing):
    account = forms.ChoiceField(label=_("Account"))
    user = forms.ChoiceField(label=_("Person"))
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_ENTRY_MINUTES)
    category = forms.ChoiceField(label=_("Category"), choices=TimeCategory.choices)
    note = forms.CharField(label=_("Note"), required=False)


class ExpenseForm(_Choosing):
    account = forms.ChoiceField(label=_("Account"))
    user = forms.ChoiceField(label=_("Spent by"))
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal(0), max_digits=18, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)
    note = forms.CharField(label=_("Note"), required=False)


class CapacityForm(_Choosing):
    user = forms.ChoiceField(label=_("Person"))
    hours_per_week = forms.DecimalField(
        label=_("Selling hours per week"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=8,
        decimal_places=2,
    )
    note = forms.CharField(label=_("Note"), required=False)


class AbsenceForm(_Choosing):
    user = forms.ChoiceField(label=_("Person"))
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end comes before the start."))
        return data


class BudgetForm(_Choosing):
    account = forms.ChoiceField(label=_("Account"), required=False)
    user = forms.ChoiceField(label=_("Or a person"), required=False)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal(0), max_digits=18, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—"), *self.fields["user"].choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("account")) == bool(data.get("user")):
            self.add_error("account", _("Choose either an account or a person."))
        return data


class PinForm(_Choosing):
    account = forms.ChoiceField(label=_("Account"))
    user = forms.ChoiceField(label=_("Person"))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal(0), max_value=Decimal(10000), decimal_places=2
    )
    note = forms.CharField(label=_("Reason"), required=False)


class ValueSettingsForm(forms.Form):
    segment_hours = forms.CharField(
        label=_("Hours of each segment"),
        required=False,
        help_text=_("Comma-separated, e.g. 8, 16, 24, 32; blank: the default."),
    )
    decay = forms.FloatField(
        label=_("Each segment's value per hour against the previous one"),
        required=False,
        min_value=0.05,
        max_value=1.0,
    )
    long_horizon_floor_hours = forms.DecimalField(
        label=_("Floor for an account with long-horizon work (hours)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=2,
    )
    hours_per_visit = forms.DecimalField(
        label=_("Hours per service-level visit"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
    )
    headroom_capture = forms.FloatField(
        label=_("Share of headroom a period's work can win"),
        required=False,
        min_value=0.0,
        max_value=1.0,
    )
    uplift_share = forms.FloatField(
        label=_("Share of the stake a full period's attention can win"),
        required=False,
        min_value=0.0,
        max_value=1.0,
    )
    long_horizon_weight = forms.FloatField(
        label=_("Weight of long-horizon opportunities against near ones"),
        required=False,
        min_value=0.0,
        max_value=1.0,
    )
    risk_share = forms.FloatField(
        label=_("Share of the revenue at risk a period's attention can keep"),
        required=False,
        min_value=0.0,
        max_value=1.0,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A blank field means the documented default: show it, so the lead sees what applies.
        defaults = ValueConfig()
        for name, field in self.fields.items():
            default = getattr(defaults, name)
            shown = ", ".join(f"{h:g}" for h in default) if name == "segment_hours" else default
            field.widget.attrs["placeholder"] = f"{shown:g}" if isinstance(shown, float) else shown

    def clean_segment_hours(self) -> list[float]:
        text = (self.cleaned_data.get("segment_hours") or "").strip()
        if not text:
            return []
        try:
            hours = [float(part) for part in text.replace("\uff0c", ",").split(",") if part.strip()]
        except ValueError as error:
            raise forms.ValidationError(_("Give numbers separated by commas.")) from error
        if not 1 <= len(hours) <= 8 or any(not 0 < h <= 1000 for h in hours):
            raise forms.ValidationError(_("Give 1 to 8 lengths, each above 0 and up to 1000."))
        return hours


class TimeEntryEditForm(_Choosing):
    """A time entry corrected (its account stays), with the version it was drawn from."""

    user = forms.ChoiceField(label=_("Person"))
    spent_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=MAX_ENTRY_MINUTES)
    category = forms.ChoiceField(label=_("Category"), choices=TimeCategory.choices)
    note = forms.CharField(label=_("Note"), required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
