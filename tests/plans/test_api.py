"""The plan API: the whole sign-off through it, and its refusals (404, 403, 422, 409)."""

from __future__ import annotations

P = "/api/v1/plans"


def test_a_plan_drafted_submitted_and_agreed_through_the_api(api, account, period, alice, bob):
    created = api(alice).post(f"{P}/", {"account": str(account.public_id), "period": period.pk})
    assert created.status_code == 201, created.text
    plan = created.json()
    url = f"{P}/{plan['id']}"
    assert created.json()["required_signers"] == ["alice", "bob"]
    patched = api(alice).patch(url, {"strategy": "Grow hinges", "version": plan["version"]})
    assert patched.status_code == 200 and patched["ETag"] == f'W/"{plan["version"] + 1}"'
    objectives = api(alice).get(f"{url}/team-objectives").json()
    assert len(objectives) == 7 and objectives[1]["value_from"].startswith("Ledger")
    action = api(alice).post(
        f"{url}/actions",
        {
            "what": "Visit Budi",
            "owner": "bob",
            "due_on": "2027-03-01",
            "objective": objectives[0]["id"],
        },
    )
    assert action.status_code == 201, action.text
    assert api(alice).put(f"{url}/signers", {"required_signers": ["bob"]}).status_code == 200
    submitted = api(alice).post(f"{url}/submit", {})
    assert submitted.status_code == 201 and submitted.json()["still_to_sign"] == ["bob"]
    signed = api(bob).post(f"{url}/sign-offs", {"decision": "agreed"})
    assert signed.status_code == 200
    assert api(bob).get(url).json()["state"] == "agreed"
    api(alice).patch(url, {"strategy": "Grow hinges and slides"})
    diff = api(alice).get(f"{url}/diff", older=1).json()
    assert [(c["section"], c["field"]) for c in diff["changes"]] == [("plan", "strategy")]


def test_refusals_name_the_field_and_roles_are_kept(
    api, plan, account, other_account, period, alice, bob, mia, charlie
):
    url = f"{P}/{plan.public_id}"
    assert api(charlie).get(url).status_code == 404
    assert api(mia).get(url).status_code == 200
    assert api(mia).patch(url, {"strategy": "x"}).status_code == 403
    second = api(alice).post(f"{P}/", {"account": str(account.public_id), "period": period.pk})
    assert (second.status_code, second.json()["field"]) == (422, "period")
    late = api(alice).post(f"{url}/actions", {"what": "x", "due_on": "2030-01-01"})
    assert (late.status_code, late.json()["field"]) == (422, "due_on")
    stranger = api(alice).post(f"{url}/actions", {"what": "x", "owner": "charlie"})
    assert (stranger.status_code, stranger.json()["field"]) == (422, "owner")
    api(alice).post(f"{url}/submit", {})
    assert api(mia).post(f"{url}/sign-offs", {"decision": "agreed"}).status_code == 403
    stale = api(alice).post(f"{url}/withdraw", {"version": 1})
    assert stale.status_code == 409
