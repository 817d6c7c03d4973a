"""The page forms take a NUL character or a broken character (the bytes of a lone
surrogate) in every field without a server error, on both databases, and store neither."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.relationships.models import Contact, ContactLink, EntrenchedInterest, Interaction
from kam.relationships.views.account import FORMS
from kam.selection.forms import CostToServeForm, OverrideForm, RatingForm

NUL = "a\x00b"
SURROGATE_BYTES = "%ED%A0%80"  # U+D800 as a lenient encoder writes it: not UTF-8


def _post_everywhere(client, url, fields, prefix=""):
    """One POST with NUL in every field, one with the surrogate's bytes in every field."""
    names = [f"{prefix}-{name}" if prefix else name for name in fields]
    answers = [client.post(url, dict.fromkeys(names, NUL))]
    body = "&".join(f"{name}={SURROGATE_BYTES}" for name in names)
    answers.append(client.post(url, body, content_type="application/x-www-form-urlencoded"))
    return answers


def _stored_text():
    rows = [
        *Contact.objects.values_list("notes", "departure_note"),
        *Interaction.objects.values_list("notes"),
        *EntrenchedInterest.objects.values_list("description"),
        *ContactLink.objects.values_list("note"),
    ]
    return [value for row in rows for value in row]


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_a_recording_form_refuses_bad_text_without_a_server_error(client_for, bob, account, kind):
    form_class, prefix = FORMS[kind]
    url = reverse("relationships:record", args=[account.public_id, kind])
    for response in _post_everywhere(client_for(bob), url, form_class.base_fields, prefix):
        assert response.status_code in {302, 400}
    for text in _stored_text():
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogate reached the database


@pytest.mark.parametrize(
    ("name", "form_class"),
    [("rating_add", RatingForm), ("override", OverrideForm), ("cost_to_serve", CostToServeForm)],
)
def test_a_scorecard_form_refuses_bad_text_without_a_server_error(
    client_for, lee, scored, account, name, form_class
):
    url = reverse(f"selection:{name}", kwargs={"public_id": account.public_id})
    for response in _post_everywhere(client_for(lee), url, form_class.base_fields):
        assert response.status_code < 500


@pytest.mark.parametrize(
    "url", ["/accounts/", "/selection/", "/relationships/accounts/{account}/interactions/"]
)
def test_a_nul_in_a_list_filter_is_no_server_error(client_for, lee, account, url):
    url = url.format(account=account.public_id)
    response = client_for(lee).get(url, {"q": NUL, "stage": NUL, "page": NUL, "tier": NUL})
    assert response.status_code < 500
