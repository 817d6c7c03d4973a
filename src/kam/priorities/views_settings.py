"""The person's own settings: the weekly "my week" digest e-mail, on or off, and its
language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.priorities.models_digest import DigestPreference


class DigestForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=gettext_lazy("language of the e-mail"),
        choices=[("", gettext_lazy("The site's language")), *settings.LANGUAGES],
        required=False,
    )

    class Meta:
        model = DigestPreference
        fields = ["weekly_digest", "language"]


def digest_preference(user) -> DigestPreference:
    return DigestPreference.objects.filter(user=user).first() or DigestPreference(user=user)


def my_settings(request: HttpRequest) -> HttpResponse:
    preference = digest_preference(request.user)
    form = DigestForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("priorities:settings")
    return render(
        request,
        "priorities/settings.html",
        {"form": form, "preference": preference},
        status=400 if request.method == "POST" else 200,
    )
