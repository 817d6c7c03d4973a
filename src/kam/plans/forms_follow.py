"""The mentor's review form: the verdict, the comment and up to three follow-up actions."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import Account
from kam.plans.models import Verdict
from kam.plans.reviews import FollowUp
from kam.users.models import User

FOLLOW_UP_ROWS = 3


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        team = User.objects.filter(pk__in=_team_ids(account)).order_by("first_name", "username")
        for n in range(1, FOLLOW_UP_ROWS + 1):
            self.fields[f"what_{n}"] = forms.CharField(
                label=_("Follow-up action %(n)s") % {"n": n}, required=False
            )
            self.fields[f"owner_{n}"] = forms.ModelChoiceField(
                label=_("Owner"), queryset=team, required=False
            )
            self.fields[f"due_{n}"] = forms.DateField(
                label=_("Due on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def rows(self) -> list[tuple]:
        return [
            (self[f"what_{n}"], self[f"owner_{n}"], self[f"due_{n}"])
            for n in range(1, FOLLOW_UP_ROWS + 1)
        ]

    def clean(self) -> dict:
        data = super().clean()
        for n in range(1, FOLLOW_UP_ROWS + 1):
            what = (data.get(f"what_{n}") or "").strip()
            if not what and (data.get(f"owner_{n}") or data.get(f"due_{n}")):
                self.add_error(f"what_{n}", _("Say what is to be done."))
        return data

    def follow_ups(self) -> list[FollowUp]:
        data = self.cleaned_data
        return [
            FollowUp(data[f"what_{n}"].strip(), data[f"owner_{n}"], data[f"due_{n}"])
            for n in range(1, FOLLOW_UP_ROWS + 1)
            if data[f"what_{n}"].strip()
        ]


def _team_ids(account: Account) -> set[int]:
    from kam.plans.reviews import team_of

    return team_of(account)
