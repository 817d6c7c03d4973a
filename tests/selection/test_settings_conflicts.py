"""Two leads editing the programme settings at once: the later stale save is refused with 409,
the other lead's values shown beside the user's own, which are kept."""

from __future__ import annotations

from django.urls import reverse

from kam.selection.models import SelectionCriterion
from kam.users.models import Role
from tests.factories import UserFactory


def _as_posted(page) -> dict[str, str]:
    """The settings form as the browser would submit it, untouched."""
    data: dict[str, str] = {}
    for name in ("criteria_forms", "knock_outs", "tiers"):
        formset = page.context[name]
        management = formset.management_form
        for field in management:
            data[field.html_name] = str(field.value())
        for form in formset.forms:
            data.update(_fields(form))
    data.update(_fields(page.context["scheme_form"]))
    return data


def _fields(form) -> dict[str, str]:
    out = {}
    for field in form:
        value = field.value()
        if value is True:
            out[field.html_name] = "on"
        elif value is not None and value is not False:
            out[field.html_name] = str(value)
    return out


def _revenue_index(page) -> int:
    forms = page.context["criteria_forms"].forms
    return next(i for i, f in enumerate(forms) if f.instance.key == "revenue")


def test_a_stale_settings_save_is_a_conflict_that_keeps_the_users_input(client, lee, db):
    lena = UserFactory(username="lena", first_name="Lena", role=Role.PROGRAMME_LEAD)
    client.force_login(lee)
    page = client.get(reverse("selection:settings"))
    mine = _as_posted(page)
    i = _revenue_index(page)
    mine[f"criteria-{i}-weight"] = "40"

    client.force_login(lena)
    theirs = _as_posted(client.get(reverse("selection:settings")))
    theirs[f"criteria-{i}-weight"] = "7"
    assert client.post(reverse("selection:settings"), theirs).status_code == 302

    client.force_login(lee)
    response = client.post(reverse("selection:settings"), mine)
    assert response.status_code == 409
    row = response.context["criteria_forms"].forms[i]
    assert row["weight"].value() == "40"
    assert "Lena" in response.text and "7.00" in response.text
    assert SelectionCriterion.objects.get(key="revenue").weight == 7

    # The rebased page, submitted again, is the lead's deliberate choice over Lena's.
    again = _as_posted(response)
    assert client.post(reverse("selection:settings"), again).status_code == 302
    assert SelectionCriterion.objects.get(key="revenue").weight == 40
