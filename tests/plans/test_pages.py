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


def test_a_plan_for_another_period_is_started_from_the_plan_page(client_for, plan, alice, lee):
    from kam.core.models import Period

    page = _page(client_for(alice), plan)
    assert "?start=1" in page.text and "Download PDF" in page.text
    start = client_for(lee).get(
        reverse("plans:account_plan", args=[plan.account.public_id]) + "?start=1"
    )
    assert 'name="period"' in start.text and 'name="starts_on"' in start.text  # the lead adds one
    added = client_for(lee).post(
        reverse("plans:period_add", args=[plan.account.public_id]),
        {"name": "FY2028", "starts_on": "2028-01-01", "ends_on": "2028-12-31"},
    )
    assert added.status_code == 302 and added["Location"].endswith("?start=1")
    nxt = Period.objects.get(name="FY2028")
    begun = client_for(alice).post(
        reverse("plans:plan_start", args=[plan.account.public_id]), {"period": nxt.pk}
    )
    assert begun.status_code == 302 and plan.account.plans.filter(period=nxt).exists()


def test_an_in_place_save_refreshes_the_submit_button_so_submitting_after_it_works(
    client_for, plan, alice
):
    client = client_for(alice)
    url = reverse("plans:section_edit", args=[plan.public_id, "strategy"])
    saved = client.post(url, {"strategy": "Grow hinges", "version": plan.version}, **HTMX)
    plan.refresh_from_db()
    assert 'hx-swap-oob="true"' in saved.text  # the sign-off card, with the new version
    assert f'name="version" value="{plan.version}"' in saved.text
    submit = reverse("plans:workflow_step", args=[plan.public_id, "submit"])
    assert client.post(submit, {"version": plan.version}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_a_stale_submit_says_who_changed_the_plan(client_for, plan, alice, bob):
    services.plan_update(plan=plan, by=bob, strategy="Bob's words", expected_version=1)
    submit = reverse("plans:workflow_step", args=[plan.public_id, "submit"])
    answer = client_for(alice).post(submit, {"version": 1}, **HTMX)
    assert answer.status_code == 200 and "Bob" in answer.text
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
