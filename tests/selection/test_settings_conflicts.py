"""Two leads editing the programme settings at once: the later stale save is refused with 409,
the other lead's values shown beside the user's own, which are kept."""

from __future__ import annotations

from decimal import Decimal

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


# --- a criterion edited on the page goes through the API's service ---------------------------


def _criterion_audit():
    from django.contrib.contenttypes.models import ContentType

    from kam.accounts.models import AuditEntry

    kind = ContentType.objects.get_for_model(SelectionCriterion)
    return AuditEntry.objects.filter(content_type=kind)


def test_a_criterion_edited_on_the_page_is_audited_like_the_api(client, lee, db):
    client.force_login(lee)
    page = client.get(reverse("selection:settings"))
    data, i = _as_posted(page), _revenue_index(page)
    data[f"criteria-{i}-weight"] = "33"
    data[f"criteria-{i}-thresholds_text"] = "0 = 0; 1000000 = 50"
    data[f"criteria-{i}-normalisation"] = "thresholds"
    assert client.post(reverse("selection:settings"), data).status_code == 302
    revenue = SelectionCriterion.objects.get(key="revenue")
    assert revenue.weight == 33 and revenue.thresholds == [[0.0, 0.0], [1000000.0, 50.0]]
    (entry,) = _criterion_audit()
    assert (entry.action, entry.by, entry.account) == ("update", lee, None)
    assert Decimal(entry.changes["weight"][1]) == 33
    assert set(entry.changes) == {"weight", "normalisation", "thresholds"}


def test_a_page_edit_stale_against_an_api_change_is_refused(client, lee, db, api):
    client.force_login(lee)
    page = client.get(reverse("selection:settings"))
    mine, i = _as_posted(page), _revenue_index(page)
    mine[f"criteria-{i}-weight"] = "41"
    seen = SelectionCriterion.objects.get(key="revenue").version
    patched = api(lee).patch("/api/v1/selection/criteria/revenue", {"weight": 9, "version": seen})
    assert patched.status_code == 200
    response = client.post(reverse("selection:settings"), mine)
    assert response.status_code == 409
    assert "after you opened it" in response.text and "9.00" in response.text
    assert "Not saved: someone changed these settings" in response.text  # atop the page
    assert response.context["criteria_forms"].forms[i]["weight"].value() == "41"
    assert SelectionCriterion.objects.get(key="revenue").weight == 9
    assert _criterion_audit().count() == 1  # the API's change only


def test_the_scoring_checks_refuse_a_page_edit_on_its_row(client, lee, db):
    client.force_login(lee)
    page = client.get(reverse("selection:settings"))
    data, i = _as_posted(page), _revenue_index(page)
    data[f"criteria-{i}-normalisation"] = "thresholds"
    data[f"criteria-{i}-thresholds_text"] = "0 = 0; 1000 = 150"
    response = client.post(reverse("selection:settings"), data)
    assert response.status_code == 400
    row = response.context["criteria_forms"].forms[i]
    assert row.errors["thresholds_text"] == ["Points must be between 0 and 100."]
    assert row["thresholds_text"].value() == "0 = 0; 1000 = 150"
    assert SelectionCriterion.objects.get(key="revenue").normalisation != "thresholds"
    assert not _criterion_audit().exists()


def test_only_the_lead_edits_a_criterion_on_the_page(client, lee, alice, db):
    client.force_login(lee)
    page = client.get(reverse("selection:settings"))
    data, i = _as_posted(page), _revenue_index(page)
    data[f"criteria-{i}-weight"] = "50"
    client.force_login(alice)
    assert client.post(reverse("selection:settings"), data).status_code == 403
    assert SelectionCriterion.objects.get(key="revenue").weight != 50
    assert not _criterion_audit().exists()
