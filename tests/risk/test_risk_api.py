"""Risk through the API and the pages: health after a scoring run, loss overrides, scenarios,
the simulation job; and the refusals (404 out of sight, 403 for a role that may not)."""

from __future__ import annotations

import pytest

from kam.accounts.models import AuditEntry
from kam.core import jobs
from kam.core.models import Job, JobStatus
from kam.risk.models import HealthSnapshot, LossOverride, SimulationRun


@pytest.fixture
def api(client):
    def call(user, method, path, **kwargs):
        client.force_login(user)
        return getattr(client, method)(
            f"/api/v1/risk{path}", content_type="application/json", **kwargs
        )

    return call


def test_a_scoring_run_stores_every_accounts_health_with_its_reasons(api, alice, scored, account):
    assert HealthSnapshot.objects.count() == 15  # the cast's account and the ledger's 14
    body = api(alice, "get", f"/accounts/{account.public_id}/health").json()
    assert 0 <= body["score"] <= 100
    assert body["band"] in ("healthy", "watch", "at_risk")
    assert "Revenue trend" in {s["name"] for s in body["signals"] if s["value"] is not None}
    # No interaction, plan or influential contact recorded: left out, and said so.
    assert "Plan status and action delivery" in body["unknown"]
    assert sum(s["contribution"] for s in body["signals"]) == pytest.approx(body["score"])


def test_recomputing_health_gives_a_trend(api, bob, scored, account):
    body = api(bob, "post", f"/accounts/{account.public_id}/health").json()
    assert body["trend"] == "steady" and len(body["history"]) == 2


def test_the_kam_sets_a_loss_probability_by_hand_with_a_reason(api, alice, scored, account):
    response = api(
        alice,
        "post",
        f"/accounts/{account.public_id}/loss/override",
        data={"probability": 0.4, "reason": "Their buyer is tendering"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["probability"] == pytest.approx(0.4)
    assert body["model_probability"] != pytest.approx(0.4)
    assert body["history"][0]["reason"] == "Their buyer is tendering"
    assert AuditEntry.objects.filter(account=account, object_label__icontains="loss").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"probability": 1.5, "reason": "x"}, "probability"), ({"probability": 0.2}, "reason")],
)
def test_a_bad_override_is_refused_naming_the_field(api, alice, scored, account, data, field):
    response = api(alice, "post", f"/accounts/{account.public_id}/loss/override", data=data)
    assert response.status_code == 422
    assert field in response.content.decode()
    assert not LossOverride.objects.exists()


def test_the_team_member_may_not_override_and_a_stranger_sees_nothing(
    api, bob, charlie, scored, account
):
    path = f"/accounts/{account.public_id}/loss/override"
    data = {"probability": 0.1, "reason": "sure"}
    assert api(bob, "post", path, data=data).status_code == 403
    for suffix in ("/health", "/loss"):
        assert api(charlie, "get", f"/accounts/{account.public_id}{suffix}").status_code == 404
    assert api(charlie, "post", path, data=data).status_code == 404
    assert not LossOverride.objects.exists()


def test_the_lead_loses_the_biggest_account_in_a_scenario(api, lee, alice, scored, ledger):
    body = api(lee, "post", "/scenarios", data={"top": 1, "recovery": 0}).json()
    assert [a["name"] for a in body["lost"]] == ["Squeezer Ltd"]
    assert body["revenue_lost"] == pytest.approx(12_000_000)
    assert len(body["quarters"]) == 4
    assert api(alice, "post", "/scenarios", data={"top": 1}).status_code == 403
    refused = api(lee, "post", "/scenarios", data={"accounts": ["NOPE-1"]})
    assert refused.status_code == 422 and "NOPE-1" in refused.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_lead_simulates_in_the_background_and_sees_the_tail(api, lee, alice, scored):
    response = api(lee, "post", "/simulations", data={"scenarios": 2000, "seed": 5})
    assert response.status_code == 202
    job = Job.objects.get(public_id=response.json()["id"])
    jobs.wait(job.pk)
    polled = api(lee, "get", f"/jobs/{job.public_id}").json()
    assert polled["status"] == JobStatus.DONE and polled["progress_done"] == 2000
    run = SimulationRun.objects.get()
    assert run.result["percentiles"]["P99"] >= run.result["percentiles"]["P95"]
    assert run.result["contributors"][0]["name"] == "Squeezer Ltd"
    assert api(alice, "post", "/simulations", data={"scenarios": 2000}).status_code == 403
    assert api(alice, "get", f"/simulations/{run.public_id}").status_code == 403


def test_the_pages_show_risk_to_whoever_may_see_it(
    client_for, lee, alice, charlie, scored, account
):
    page = client_for(lee).get("/risk/?top=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Top risks" in text and "Squeezer Ltd" in text and "Who could replace" in text
    panel_url = f"/risk/accounts/{account.public_id}/panel/"
    panel = client_for(alice).get(panel_url, HTTP_HX_REQUEST="true")
    assert "Probability of loss in the next 12 months" in panel.content.decode()
    # The fragment opened directly sends the reader to the full risk page (issue 14 item 7).
    direct = client_for(alice).get(panel_url)
    assert direct.status_code == 302
    assert direct["Location"] == f"/risk/accounts/{account.public_id}/"
    assert "Loss scenario" not in client_for(alice).get("/risk/").content.decode()
    assert client_for(charlie).get(f"/risk/accounts/{account.public_id}/").status_code == 404


def test_the_override_form_keeps_the_input_and_names_the_problem(
    client_for, alice, scored, account
):
    response = client_for(alice).post(
        f"/risk/accounts/{account.public_id}/override/", {"probability": "2", "reason": "tender"}
    )
    assert response.status_code == 400
    assert "tender" in response.content.decode()
    assert not LossOverride.objects.exists()
