"""Loss scenarios saved under a name and compared side by side (issue 13 item 6): the lead
only, a name used twice or a bad choice refused naming the field, nothing half-saved."""

from __future__ import annotations

import pytest

from kam.risk.models import SavedScenario


@pytest.fixture
def api(client):
    def call(user, method, path, **kwargs):
        client.force_login(user)
        return getattr(client, method)(
            f"/api/v1/risk{path}", content_type="application/json", **kwargs
        )

    return call


def test_the_lead_saves_two_scenarios_and_compares_them_by_quarter(api, lee, scored, ledger):
    top = api(lee, "post", "/scenarios/saved", data={"name": "Lose the biggest", "top": 1})
    assert top.status_code == 201
    assert top.json()["result"]["lost"][0]["name"] == "Squeezer Ltd"
    half = api(
        lee,
        "post",
        "/scenarios/saved",
        data={
            "name": "Half of Squeezer",
            "accounts": [ledger["squeezer"].code],
            "share": 0.5,
            "recovery": 0.2,
        },
    )
    assert half.status_code == 201, half.content
    ids = [top.json()["id"], half.json()["id"]]
    body = api(lee, "get", f"/scenarios/compare?ids={ids[0]}&ids={ids[1]}").json()
    assert [s["name"] for s in body["scenarios"]] == ["Lose the biggest", "Half of Squeezer"]
    first = [r for r in body["rows"] if r["quarter"] == 1 and r["measure"] == "revenue_after"]
    whole, partly = first[0]["values"]
    assert whole < partly  # losing all of it leaves less than losing half
    assert len({r["quarter"] for r in body["rows"]}) == 4


def test_saving_refuses_a_used_name_and_an_unknown_code_and_keeps_nothing(api, lee, scored):
    assert api(lee, "post", "/scenarios/saved", data={"name": "Top", "top": 1}).status_code == 201
    again = api(lee, "post", "/scenarios/saved", data={"name": "Top", "top": 2})
    assert again.status_code == 422 and again.json()["field"] == "name"
    unknown = api(lee, "post", "/scenarios/saved", data={"name": "X", "accounts": ["NOPE-1"]})
    assert unknown.status_code == 422 and "NOPE-1" in unknown.json()["message"]
    assert list(SavedScenario.objects.values_list("name", flat=True)) == ["Top"]
    one = SavedScenario.objects.get().public_id
    only_one = api(lee, "get", f"/scenarios/compare?ids={one}")
    assert only_one.status_code == 422 and only_one.json()["field"] == "ids"


def test_only_the_lead_works_on_programme_scenarios(api, client_for, lee, alice, scored):
    mine = api(alice, "post", "/scenarios/saved", data={"name": "Mine", "top": 1})
    assert mine.status_code == 403
    assert api(alice, "get", "/scenarios/saved").status_code == 403
    assert client_for(alice).get("/risk/scenarios/").status_code == 403
    assert client_for(alice).post("/risk/scenarios/", {"name": "x", "top": 1}).status_code == 403
    assert not SavedScenario.objects.exists()


def test_the_pages_save_and_compare_side_by_side(client_for, lee, scored):
    client = client_for(lee)
    run = client.get("/risk/?top=1").content.decode()
    assert "Save this scenario as" in run
    assert client.post("/risk/scenarios/", {"name": "Top one", "top": 1}).status_code == 302
    assert client.post("/risk/scenarios/", {"name": "Top two", "top": 2}).status_code == 302
    refused = client.post("/risk/scenarios/", {"name": "Top one", "top": 3})
    assert refused.status_code == 400 and "already saved" in refused.content.decode()
    ids = [str(s.public_id) for s in SavedScenario.objects.order_by("pk")]
    listing = client.get("/risk/scenarios/").content.decode()
    assert "Top one" in listing and "Top two" in listing
    page = client.get(f"/risk/scenarios/compare/?s={ids[0]}&s={ids[1]}").content.decode()
    assert "Scenarios side by side" in page and "Result after fixed costs" in page
    assert page.index("Top one") < page.index("Top two")
