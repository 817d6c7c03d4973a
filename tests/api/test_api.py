"""The REST API: authentication, and the same account scope as the pages."""

from __future__ import annotations

import pytest

from kam.users.models import ApiToken


@pytest.fixture
def token_for():
    def issue(user):
        return ApiToken.issue(user=user, name="test")[1]

    return issue


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize(
    "path", ["/api/v1/accounts", "/api/v1/contacts", "/api/v1/openapi.json", "/api/v1/docs"]
)
def test_it_refuses_anonymous_callers(client, db, path):
    response = client.get(path)
    assert response.status_code == 401


def test_it_refuses_a_made_up_token(client, db):
    response = client.get("/api/v1/accounts", **bearer("kam_deadbeefnotarealtoken"))
    assert response.status_code == 401


def test_it_refuses_a_revoked_token(client, alice, account, token_for):
    raw = token_for(alice)
    ApiToken.objects.update(revoked_at="2026-11-01T00:00Z")
    assert client.get("/api/v1/accounts", **bearer(raw)).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(client, alice, account, token_for):
    raw = token_for(alice)
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/accounts", **bearer(raw)).status_code == 401


def test_a_token_lists_only_the_accounts_its_user_may_see(
    client, alice, account, other_account, token_for
):
    response = client.get("/api/v1/accounts", **bearer(token_for(alice)))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "PT Sinar Abadi Mebel Jepara"
    assert body["items"][0]["owner"]["username"] == "alice"
    assert ApiToken.objects.get().last_used_at is not None


def test_the_browser_session_works_too(client_for, lee, account, other_account):
    response = client_for(lee).get("/api/v1/accounts", {"country": "CN"})
    assert [item["name"] for item in response.json()["items"]] == ["广州华美家具有限公司"]


@pytest.mark.parametrize("suffix", ["", "/team", "/stage-history"])
def test_it_answers_404_for_an_account_the_caller_is_not_on(
    client, charlie, account, token_for, suffix
):
    response = client.get(
        f"/api/v1/accounts/{account.public_id}{suffix}", **bearer(token_for(charlie))
    )
    assert response.status_code == 404
    assert "Sinar" not in response.text


def test_it_gives_the_team_with_roles_and_the_mentor(client, bob, account, token_for):
    response = client.get(f"/api/v1/accounts/{account.public_id}/team", **bearer(token_for(bob)))
    team = response.json()
    assert team["owner"]["username"] == "alice"
    assert [(m["user"]["username"], m["role"]) for m in team["members"]] == [
        ("bob", "customer_service")
    ]
    assert [m["mentor"]["username"] for m in team["mentors"]] == ["mia"]


def test_contacts_are_limited_to_visible_accounts(client, mia, account, other_account, token_for):
    response = client.get("/api/v1/contacts", **bearer(token_for(mia)))
    assert [c["name"] for c in response.json()["items"]] == ["Budi Santoso"]
    filtered = client.get(
        "/api/v1/contacts", {"account": str(other_account.public_id)}, **bearer(token_for(mia))
    )
    assert filtered.json()["items"] == []


def test_the_openapi_document_describes_the_endpoints(client, alice, token_for):
    response = client.get("/api/v1/openapi.json", **bearer(token_for(alice)))
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/accounts" in paths
    assert "/api/v1/accounts/{account_id}/team" in paths
    assert "/api/v1/contacts" in paths


def test_writes_through_the_session_need_the_csrf_token(client, alice, db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post("/api/v1/accounts", {}, content_type="application/json")
    assert response.status_code in {401, 403, 405}
