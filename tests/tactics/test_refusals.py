"""The bad input of issue 13 item 11, each refused with the field named and nothing saved: an
overlapping rebate agreement, a negative rebate rate, a probability outside 0-1, an unknown
account code (API and `kam risk scenario`)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from kam.risk.models import LossOverride, SavedScenario
from kam.tactics.models import RebateAgreement


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _deal(account, starts_on, ends_on, rate="2"):
    return {
        "account": str(account.public_id),
        "name": "Second deal",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "steps": [{"threshold": "0", "rate": rate}],
    }


def test_an_overlapping_agreement_is_refused_naming_the_start(client_for, alice, tactics):
    client = client_for(alice)
    # The fixture's deal runs 2025-10-01 to 2026-09-30; this one starts inside it.
    refused = _post(
        client, "/api/v1/tactics/rebate-agreements", _deal(tactics, "2026-06-01", "2027-05-31")
    )
    assert refused.status_code == 422 and refused.json()["field"] == "starts_on"
    assert "Volume 2026" in refused.json()["message"]
    after = _post(
        client, "/api/v1/tactics/rebate-agreements", _deal(tactics, "2026-10-01", "2027-09-30")
    )
    assert after.status_code == 201  # the day after it ends: no overlap
    assert RebateAgreement.objects.filter(account=tactics).count() == 2


def test_a_negative_rebate_rate_is_refused_naming_the_rate(client_for, alice, tactics):
    refused = _post(
        client_for(alice),
        "/api/v1/tactics/rebate-agreements",
        _deal(tactics, "2027-01-01", "2027-12-31", rate="-0.5"),
    )
    assert refused.status_code == 422 and refused.json()["field"] == "steps"
    assert "rate" in refused.text  # the step and its rate are named
    assert RebateAgreement.objects.filter(account=tactics).count() == 1


@pytest.mark.parametrize("probability", [-0.1, 1.01])
def test_a_probability_outside_0_1_is_refused(client_for, alice, tactics, probability):
    refused = _post(
        client_for(alice),
        f"/api/v1/risk/accounts/{tactics.public_id}/loss/override",
        {"probability": probability, "reason": "gut feeling"},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "probability"
    assert not LossOverride.objects.exists()


def test_an_unknown_account_code_is_refused_in_the_api_and_the_terminal(client_for, lee, tactics):
    refused = _post(
        client_for(lee),
        "/api/v1/risk/scenarios/saved",
        {"name": "Ghost", "accounts": [tactics.code, "NOPE-1"]},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "accounts"
    assert "NOPE-1" in refused.json()["message"] and not SavedScenario.objects.exists()
    with pytest.raises(CommandError, match="NOPE-1"):
        call_command("risk", "scenario", "lose", "NOPE-1")
    with pytest.raises(CommandError, match="share"):
        call_command("risk", "scenario", "lose", tactics.code, "--share", "1.5")
