"""The selection API: scores, flags, criteria, ratings and tiers, in the caller's scope."""

from __future__ import annotations

import pytest

from kam.selection.models import Rating, SelectionCriterion


@pytest.fixture
def api(client):
    def call(user, method, path, **kwargs):
        client.force_login(user)
        return getattr(client, method)(
            f"/api/v1/selection{path}", content_type="application/json", **kwargs
        )

    return call


def test_scores_list_only_visible_accounts_with_reasons(api, alice, scored, account):
    body = api(alice, "get", "/scores").json()
    assert [item["account_name"] for item in body["items"]] == [account.name]
    assert body["items"][0]["why"]


def test_flags_come_worded_with_their_facts(api, lee, scored):
    body = api(lee, "get", "/flags", data={"flag": "big_but_bad"}).json()
    squeezer = body["items"][0]
    assert squeezer["account_name"] == "Squeezer Ltd"
    flag = squeezer["flags"][0]
    assert flag["title"] == "Big but bad buyer"
    assert "below cost" in flag["reason"]
    assert flag["facts"]["margin_pct"] == pytest.approx(-5.0)


def test_an_account_score_has_its_breakdown(api, bob, scored, account):
    body = api(bob, "get", f"/accounts/{account.public_id}/score").json()
    assert sum(c["points"] for c in body["contributions"]) == pytest.approx(body["score"], abs=0.1)
    assert body["contributions"][0]["label"]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "/score", None),
        ("get", "/ratings", None),
        ("post", "/ratings", {"key": "openness", "value": "4"}),
        ("post", "/override", {"tier": "gold", "reason": "mine now"}),
    ],
)
def test_a_stranger_gets_404_on_every_account_endpoint(
    api, charlie, scored, account, method, suffix, body
):
    kwargs = {"data": body} if body else {}
    response = api(charlie, method, f"/accounts/{account.public_id}{suffix}", **kwargs)
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_the_mentor_reads_ratings_but_may_not_write_them(api, mia, scored, account):
    path = f"/accounts/{account.public_id}/ratings"
    assert api(mia, "get", path).status_code == 200
    response = api(mia, "post", path, data={"key": "openness", "value": "4"})
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_a_bad_rating_is_refused_naming_the_problem(api, alice, scored, account):
    path = f"/accounts/{account.public_id}/ratings"
    assert api(alice, "post", path, data={"key": "colour", "value": "4"}).status_code == 422
    too_big = api(alice, "post", path, data={"key": "openness", "value": "6"})
    assert too_big.status_code == 422
    assert "from 1 to 5" in too_big.json()["detail"]
    ok = api(alice, "post", path, data={"key": "wallet", "value": "12500000000.00", "note": "Rp"})
    assert ok.status_code == 201
    assert str(Rating.objects.get().value) == "12500000000.00"


def test_only_the_lead_changes_a_weight(api, alice, lee, scored):
    assert api(alice, "patch", "/criteria/revenue", data={"weight": "50"}).status_code == 403
    response = api(lee, "patch", "/criteria/revenue", data={"weight": "50"})
    assert response.status_code == 200
    assert SelectionCriterion.objects.get(key="revenue").weight == 50


def test_bad_thresholds_are_refused(api, lee, scored):
    before = SelectionCriterion.objects.get(key="margin_pct").normalisation
    response = api(
        lee,
        "patch",
        "/criteria/margin_pct",
        data={"normalisation": "thresholds", "thresholds": [[0, 80], [20, 10]]},
    )
    assert response.status_code == 422
    assert "points must not fall" in response.text  # worded for people, on its field
    assert SelectionCriterion.objects.get(key="margin_pct").normalisation == before


def test_the_tiers_carry_their_service_levels(api, alice, scored):
    body = api(alice, "get", "/tiers").json()
    assert [t["code"] for t in body["tiers"]] == ["gold", "silver", "bronze"]
    assert body["tiers"][0]["service"]["dedicated_staff"] is True


def test_only_the_lead_starts_a_rescore(api, alice, lee, scored):
    assert api(alice, "post", "/runs").status_code == 403
    response = api(lee, "post", "/runs")
    assert response.status_code == 202
    assert response.json()["status"] in {"queued", "running", "done"}
