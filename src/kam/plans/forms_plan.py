"""The plan page's forms: one per section of the plan, one per kind of item, and the sign-off.
They only parse and offer choices; the services (``plans.services``) decide and refuse, and
their refusals are set beside the field they name (``kam.core.formviews.put_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.core.versionforms import VersionedModelForm
from kam.core.versions import display_name
from kam.planning.models import Objective, Opportunity
from kam.plans.models import (
    ActionStatus,
    Decision,
    ObjectiveSource,
    Plan,
    TeamObjective,
)
from kam.users.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


def _offer(field: forms.ModelChoiceField, users: list[User]) -> None:
    """Offer the team, but accept any active login, so that a stale page naming someone
    who left the team gets the service's refusal beside the field, not "invalid choice"."""
    field.queryset = User.objects.filter(is_active=True)
    field.choices = [("", "—")] + [(u.pk, display_name(u)) for u in users]


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _text(label, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.Textarea(attrs={"rows": rows})
    )


class SituationForm(VersionForm):
    customer_strategy = _text(_("The customer's strategy and organisation"), 5)
    strengths = _text(_("Strengths"), 3)
    weaknesses = _text(_("Weaknesses"), 3)
    opportunities_swot = _text(_("Opportunities"), 3)
    threats = _text(_("Threats"), 3)


class StrategyForm(VersionForm):
    strategy = _text(_("Our strategy"), 6)


class ContingencyForm(VersionForm):
    contingency_triggers = _text(_("Trigger signals"), 3)
    contingency_actions = _text(_("What we do"), 3)
    contingency_owner = UserChoice(queryset=User.objects.none(), required=False, label=_("Owner"))

    def __init__(self, *args: Any, team: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["contingency_owner"], team)


class LinksForm(VersionForm):
    customer_objectives = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Customer objectives the plan addresses"),
        widget=forms.CheckboxSelectMultiple,
    )
    opportunities = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Opportunities the plan pursues"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.planning.models import Objective, Opportunity

        self.fields["customer_objectives"].queryset = Objective.objects.filter(
            account=plan.account_id
        ).order_by("horizon", "-recorded_on")
        self.fields["opportunities"].queryset = Opportunity.objects.filter(
            account=plan.account_id
        ).order_by("expected_on", "pk")


class CompetitorForm(VersionForm):
    name = forms.CharField(label=_("Competitor"), max_length=200)
    position = _text(_("Position at the account"), 2)


class TeamObjectiveForm(VersionForm):
    title = forms.CharField(label=_("Objective"), max_length=300)
    measure = forms.CharField(label=_("Measure"), max_length=300, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    target = forms.DecimalField(label=_("Target"), max_digits=18, decimal_places=2, required=False)
    source = forms.ChoiceField(label=_("Value from"), choices=ObjectiveSource.choices)
    current_value = forms.DecimalField(
        label=_("Current value (entered by the team)"),
        max_digits=18,
        decimal_places=2,
        required=False,
    )


class ActionForm(VersionForm):
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = UserChoice(queryset=User.objects.none(), required=False, label=_("Owner"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)
    objective = forms.ModelChoiceField(
        queryset=TeamObjective.objects.none(), required=False, label=_("Team objective")
    )
    opportunity = forms.ModelChoiceField(queryset=None, required=False, label=_("Opportunity"))
    contact = forms.ModelChoiceField(queryset=None, required=False, label=_("Contact"))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    blocked_reason = forms.CharField(
        label=_("Why blocked"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)

    def __init__(self, *args: Any, plan: Plan, team: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.planning.models import Opportunity
        from kam.relationships.models import Contact

        _offer(self.fields["owner"], team)
        self.fields["objective"].queryset = plan.team_objectives.all()
        self.fields["opportunity"].queryset = Opportunity.objects.filter(account=plan.account_id)
        self.fields["contact"].queryset = Contact.objects.filter(account=plan.account_id).order_by(
            "name"
        )


class SignersForm(VersionForm):
    required_signers = UserChoice(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, team: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = forms.ModelMultipleChoiceField(
            queryset=User.objects.filter(is_active=True),
            required=False,
            label=_("Whose agreement is required"),
            widget=forms.CheckboxSelectMultiple,
        )
        field.choices = [(u.pk, display_name(u)) for u in team]
        self.fields["required_signers"] = field


class SignForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(Decision.AGREED, _("I agree")), (Decision.OBJECTED, _("I object"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (required to object)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanStartForm(forms.Form):
    period = forms.ModelChoiceField(queryset=None, label=_("Period"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.core.models import Period

        self.fields["period"].queryset = Period.objects.order_by("-starts_on")


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)


class CustomerObjectiveForm(VersionedModelForm):
    """A customer's objective (planning app), created or changed from the plan page: the
    model's own checks here, the planning service's refusals beside their field."""

    class Meta:
        model = Objective
        fields = (
            "description",
            "horizon",
            "time_frame",
            "starts_on",
            "ends_on",
            "source_contact",
            "recorded_on",
            "status",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DATE,
            "ends_on": DATE,
            "recorded_on": DATE,
        }

    def __init__(self, *args: Any, account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.relationships.models import Contact

        self.fields["source_contact"].queryset = Contact.objects.filter(account=account).order_by(
            "name"
        )
        self.fields["recorded_on"].required = False  # today, when left empty


class OpportunityForm(VersionedModelForm):
    """An opportunity (planning app) created or changed from the plan page."""

    class Meta:
        model = Opportunity
        fields = (
            "name",
            "value",
            "currency",
            "probability",
            "expected_on",
            "significant",
            "status",
            "objectives",
            "buy_in_needed_from",
        )
        widgets = {
            "expected_on": DATE,
            "objectives": forms.CheckboxSelectMultiple,
            "buy_in_needed_from": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, account: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from kam.relationships.models import Contact

        self.fields["objectives"].queryset = Objective.objects.filter(account=account)
        self.fields["buy_in_needed_from"].queryset = Contact.objects.filter(
            account=account
        ).order_by("name")
        self.fields["currency"].required = False  # the account's, when left empty
        if self.instance.pk is None:
            self.fields["currency"].initial = account.currency


class PeriodEditForm(PeriodForm):
    """A period renamed or moved, with the version it was drawn from."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PeriodDeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, remove this period"))
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
