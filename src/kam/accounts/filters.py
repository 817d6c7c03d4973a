"""Filters of the account list, shared by the web page and the API."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Coverage, Industry, Stage
from kam.accounts.querysets import AccountQuerySet


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All stages"))])
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All industries"))]
    )
    coverage = forms.ChoiceField(
        label=_("Coverage"), required=False, choices=[("", _("All coverage"))]
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices are filled per request so that their labels follow the active language.
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]
        self.fields["industry"].choices = [("", _("All industries")), *Industry.choices]
        self.fields["coverage"].choices = [("", _("All coverage")), *Coverage.choices]


def accounts_filter(
    queryset: AccountQuerySet,
    *,
    q: str = "",
    stage: str = "",
    industry: str = "",
    coverage: str = "",
    country: str = "",
) -> AccountQuerySet:
    """Narrow an (already access-scoped) account queryset by the list's filters."""
    if q := q.strip():
        queryset = queryset.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if stage:
        queryset = queryset.filter(stage=stage)
    if industry:
        queryset = queryset.filter(industry=industry)
    if coverage:
        queryset = queryset.filter(coverage=coverage)
    if country:
        queryset = queryset.filter(country=country.upper())
    return queryset
