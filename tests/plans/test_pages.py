"""The account's plan page: read, edit in place, sign off; refusals beside their field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.plans import services
from kam.plans.models import PlanState

HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(client, plan):
    return client.get(reverse("plans:account_plan", args=[plan.account.public_id]))


def test_the_kam_edits_a_section_in_place_and_the_account_page_links_the_plan(
    client_for, plan, alice
):
    client = client_for(alice)
    assert (
        reverse("plans:account_plan", args=[plan.account.public_id])
        in client.get(plan.account.get_absolute_url()).text
    )
    page = _page(client, plan)
    assert "A secure long-term relationship" in page.text and "Submit version 1" in page.text
    url = reverse("plans:section_edit", args=[plan.public_id, "strategy"])
    form = client.get(url, **HTMX)
    assert 'name="strategy"' in form.text and "<html" not in form.text
    saved = client.post(url, {"strategy": "Grow hinges", "version": plan.version}, **HTMX)
    assert saved.status_code == 200 and "Grow hinges" in saved.text
    assert 'id="strategy"' in saved.text and 'name="strategy"' not in saved.text


def test_a_refused_action_shows_the_reason_beside_the_field(client_for, plan, alice):
    url = reverse("plans:item_add", args=[plan.public_id, "action"])
    answer = client_for(alice).post(
        url, {"what": "Visit Budi", "status": "open", "due_on": "2029-01-01"}, **HTMX
    )
    text = answer.text
    assert "outside the period FY2027" in text
    assert text.index("outside the period") > text.index('name="due_on"')
    assert not plan.actions.exists()


def test_a_stale_edit_keeps_the_input_and_names_who_changed_it(client_for, plan, alice, bob):
    services.plan_update(plan=plan, by=bob, strategy="Bob's words", expected_version=1)
    url = reverse("plans:section_edit", args=[plan.public_id, "strategy"])
    answer = client_for(alice).post(url, {"strategy": "Alice's words", "version": 1}, **HTMX)
    assert "Bob" in answer.text and "Alice&#x27;s words" in answer.text


def test_the_team_signs_on_the_page_and_the_mentor_only_reads(client_for, plan, alice, bob, mia):
    plan.required_signers.set([bob])
    services.plan_submit(plan=plan, by=alice)
    mentor_page = _page(client_for(mia), plan)
    assert mentor_page.status_code == 200
    assert "Still to sign" in mentor_page.text and "Send my answer" not in mentor_page.text
    assert "edit-link" not in mentor_page.text
    sign = reverse("plans:workflow_step", args=[plan.public_id, "sign"])
    assert client_for(mia).post(sign, {"decision": "agreed"}).status_code == 403
    refused = client_for(bob).post(sign, {"decision": "objected"}, **HTMX)
    assert "Say what you object to." in refused.text
    client_for(bob).post(sign, {"decision": "objected", "comment": "Too few visits"})
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert "Too few visits" in _page(client_for(alice), plan).text


@pytest.mark.parametrize(("language", "word"), [("zh-hant", "客戶計畫"), ("id", "Rencana akun")])
def test_the_plan_page_in_each_language(client_for, plan, alice, language, word):
    client = client_for(alice)
    client.cookies["django_language"] = language
    assert word in _page(client, plan).text
