"""The account's tactics page and API: what a KAM sees and changes, and the refusals."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kam.tactics.models import AccountTactic, RebateAgreement


def _api(client, method, path, body=None):
    if method == "get":
        return client.get(f"/api/v1/tactics{path}")
    return getattr(client, method)(
        f"/api/v1/tactics{path}", data=json.dumps(body or {}), content_type="application/json"
    )


def test_the_account_page_shows_tactics_rebates_profit_and_barriers(client_for, alice, tactics):
    page = client_for(alice).get(reverse("tactics:account", args=[tactics.public_id]))
    assert page.status_code == 200
    text = page.text
    assert "Integrated delivery, inventory and invoicing" in text
    assert "Volume 2026" in text and "100,000" in text  # the rebate due
    assert 'data-testid="barrier-strength">40<' in text
    assert "unknown" in text  # no cost to serve set: profit unknown, never 0
    assert "No contingency plan" in text


def test_a_kam_records_a_tactic_and_an_overlapping_agreement_is_refused(client_for, alice, tactics):
    client = client_for(alice)
    url = reverse("tactics:tactic_save", args=[tactics.public_id])
    saved = client.post(
        url,
        {
            "kind_prefix": "joint_teams",
            "joint_teams-kind": "joint_teams",
            "joint_teams-status": "in_place",
            "joint_teams-since": "2025-01-01",
            "joint_teams-yearly_cost": "5000",
            "joint_teams-goal": "Quality circle",
        },
    )
    assert saved.status_code == 302
    assert AccountTactic.objects.get(account=tactics, kind="joint_teams").goal == "Quality circle"
    refused = client.post(
        reverse("tactics:agreement_save", args=[tactics.public_id]),
        {
            "form_prefix": "new",
            "new-name": "Overlap",
            "new-starts_on": "2026-01-01",
            "new-ends_on": "2026-12-31",
            "new-basis": "revenue",
            "new-steps": "100 -2",
        },
    )
    assert refused.status_code == 422 and RebateAgreement.objects.count() == 1


def test_others_are_refused(client_for, charlie, mia, tactics):
    page = reverse("tactics:account", args=[tactics.public_id])
    assert client_for(charlie).get(page).status_code == 404
    assert (
        _api(client_for(charlie), "get", f"/accounts/{tactics.public_id}/profit").status_code == 404
    )
    mentor = client_for(mia)
    assert mentor.get(page).status_code == 200
    body = {"account": str(tactics.public_id), "kind": "priority", "status": "planned"}
    assert _api(mentor, "post", "/tactics", body).status_code == 403


def test_the_api_gives_profit_barriers_and_dues_and_refuses_a_negative_rate(
    client_for, alice, tactics
):
    client = client_for(alice)
    barriers = _api(client, "get", f"/accounts/{tactics.public_id}/exit-barriers").json()
    assert barriers["strength"] == 40 and len(barriers["reasons"]) == 2
    profit = _api(client, "get", f"/accounts/{tactics.public_id}/profit").json()
    assert profit["tactics_cost"] == "42000.00" and profit["profit_after_programme"] is None
    (deal,) = _api(client, "get", f"/rebate-agreements?account={tactics.public_id}").json()["items"]
    assert deal["due"] == "100000.00"
    bad = _api(
        client,
        "post",
        "/rebate-agreements",
        {
            "account": str(tactics.public_id),
            "name": "x",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "steps": [{"threshold": "0", "rate": "-1"}],
        },
    )
    assert bad.status_code == 422 and "rate" in bad.text


@pytest.mark.parametrize("who", ["alice", "lee"])
def test_only_the_lead_sets_a_tiers_tactics(client_for, request, tactics, who):
    from kam.selection.models import Tier

    tier = Tier.objects.filter(scheme__active=True).first()
    response = _api(
        client_for(request.getfixturevalue(who)),
        "put",
        f"/tiers/{tier.code}/integrated",
        {"status": "in_place", "yearly_cost": "900"},
    )
    assert response.status_code == (200 if who == "lee" else 403)


def test_a_kam_deletes_a_tactic_on_the_page_and_a_stale_delete_is_refused(
    client_for, alice, mia, tactics
):
    from kam.tactics import services

    tactic = services.account_tactic_create(
        account=tactics, by=alice, kind="joint_teams", status="in_place"
    )
    url = reverse("tactics:tactic_save", args=[tactics.public_id])
    body = {
        "kind_prefix": "joint_teams",
        "joint_teams-kind": "joint_teams",
        "joint_teams-status": "in_place",
        "joint_teams-version": str(tactic.version),
        "delete": "1",
    }
    page = client_for(alice).get(reverse("tactics:account", args=[tactics.public_id])).text
    assert 'name="delete"' in page
    assert client_for(mia).post(url, body).status_code == 403
    services.account_tactic_update(tactic=tactic, by=alice, goal="Quality circle")
    stale = client_for(alice).post(url, body)
    assert stale.status_code == 409
    assert AccountTactic.objects.filter(pk=tactic.pk).exists()
    body["joint_teams-version"] = str(tactic.version + 1)
    assert client_for(alice).post(url, body).status_code == 302
    assert not AccountTactic.objects.filter(pk=tactic.pk).exists()
