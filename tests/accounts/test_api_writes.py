"""Accounts, their stage, team and mentors written through the API, by the roles the admin
and the pages allow: 403 for those who may only read, 404 for charlie, 422 naming the field
with nothing saved."""

from __future__ import annotations

import pytest

from kam.accounts.models import Account, AuditEntry, MentorAssignment, Stage, TeamMembership
from tests.factories import AccountFactory, UserFactory

A = "/api/v1/accounts"

NEW = {
    "code": "CUST-0042",
    "name": "台北木藝股份有限公司",
    "country": "TW",
    "currency": "TWD",
    "industry": "furniture",
    "coverage": "international",
    "owner": "alice",
}


def fields_of(response) -> set[str]:
    """The fields a 422 names."""
    assert response.status_code == 422, response.content
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


# --- create --------------------------------------------------------------------------------


def test_the_lead_creates_an_account_with_its_kam(api, lee, alice, account):
    response = api(lee).post(A, {**NEW, "parent": str(account.public_id)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "台北木藝股份有限公司"
    assert body["owner"]["username"] == "alice"
    assert body["parent_id"] == str(account.public_id)
    created = Account.objects.get(code="CUST-0042")
    assert str(created.public_id) == body["id"]
    assert AuditEntry.objects.filter(account=created, action="create").exists()
    # the new KAM sees it at once
    assert api(alice).get(f"{A}/{created.public_id}").status_code == 200


@pytest.mark.parametrize("who", ["alice", "bob", "mia", "charlie"])
def test_only_the_lead_creates_accounts(request, api, account, who):
    response = api(request.getfixturevalue(who)).post(A, NEW)
    assert response.status_code == 403
    assert not Account.objects.filter(code="CUST-0042").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": "nobody"}, "owner"),
        ({"owner": "bob"}, "owner"),  # a team member cannot be an account's KAM
        ({"code": "DUP-1"}, "code"),
        ({"country": "XX"}, "country"),
        ({"currency": "ABC"}, "currency"),
        ({"industry": "shipbuilding"}, "industry"),
        ({"parent": "00000000-0000-0000-0000-000000000000"}, "parent"),
    ],
)
def test_it_refuses_a_bad_account_naming_the_field(api, lee, bob, account, change, field):
    AccountFactory(code="DUP-1")
    before = Account.objects.count()
    response = api(lee).post(A, {**NEW, **change})
    assert fields_of(response) == {field}
    assert Account.objects.count() == before
    assert not AuditEntry.objects.filter(action="create").exists()


# --- edit ----------------------------------------------------------------------------------


def test_the_lead_edits_an_account_and_the_change_is_audited(api, lee, charlie, account):
    parent = AccountFactory(name="Sinar Abadi Group")
    response = api(lee).patch(
        f"{A}/{account.public_id}",
        {"name": "PT Sinar Abadi", "owner": "charlie", "parent": str(parent.public_id)},
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "charlie"
    account.refresh_from_db()
    assert (account.name, account.owner, account.parent) == ("PT Sinar Abadi", charlie, parent)
    entry = AuditEntry.objects.get(account=account, action="update")
    assert entry.changes["name"] == ["PT Sinar Abadi Mebel Jepara", "PT Sinar Abadi"]
    assert entry.by == lee


@pytest.mark.parametrize("who", ["alice", "bob", "mia"])
def test_the_kam_team_and_mentor_cannot_edit_an_account(request, api, account, who):
    response = api(request.getfixturevalue(who)).patch(f"{A}/{account.public_id}", {"name": "X"})
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.name == "PT Sinar Abadi Mebel Jepara"


def test_an_account_charlie_cannot_see_is_not_found(api, charlie, account):
    assert api(charlie).patch(f"{A}/{account.public_id}", {"name": "X"}).status_code == 404
    assert api(charlie).get(f"{A}/{account.public_id}/members").status_code == 404
    assert api(charlie).get(f"{A}/{account.public_id}/mentors").status_code == 404
    url = f"{A}/{account.public_id}"
    assert api(charlie).post(f"{url}/members", {"user": "charlie", "role": "x"}).status_code == 404
    assert api(charlie).post(f"{url}/mentors", {"mentor": "mia"}).status_code == 404
    assert api(charlie).delete(f"{url}/members/bob").status_code == 404
    assert api(charlie).post(f"{url}/stage", {"to_stage": "review"}).status_code == 404
    assert TeamMembership.objects.filter(account=account).count() == 1


def test_a_bad_edit_saves_nothing(api, lee, account):
    AccountFactory(code="DUP-1")
    child = AccountFactory(parent=account)
    url = f"{A}/{account.public_id}"
    assert fields_of(api(lee).patch(url, {"name": "New", "code": "DUP-1"})) == {"code"}
    assert fields_of(api(lee).patch(url, {"name": "New", "currency": "RMB"})) == {"currency"}
    assert fields_of(api(lee).patch(url, {"parent": str(child.public_id)})) == {"parent"}
    assert fields_of(api(lee).patch(url, {"name": None})) == {"name"}
    account.refresh_from_db()
    assert (account.name, account.parent) == ("PT Sinar Abadi Mebel Jepara", None)
    assert not AuditEntry.objects.filter(account=account).exists()


# --- stage ---------------------------------------------------------------------------------


def test_the_kam_moves_the_stage_and_a_stale_move_is_a_conflict(api, alice, bob, account):
    url = f"{A}/{account.public_id}/stage"
    assert api(bob).post(url, {"to_stage": "negotiation"}).status_code == 403
    response = api(alice).post(url, {"to_stage": "negotiation", "note": "tender won"})
    assert response.status_code == 201
    assert response.json()["to_stage"] == "negotiation"
    stale = api(alice).post(url, {"to_stage": "review", "expected_stage": "pre_sales"})
    assert stale.status_code == 409
    account.refresh_from_db()
    assert account.stage == Stage.NEGOTIATION


# --- team ----------------------------------------------------------------------------------


def test_the_kam_puts_someone_on_the_team_who_then_sees_the_account(api, alice, charlie, account):
    assert api(charlie).get(f"{A}/{account.public_id}").status_code == 404
    response = api(alice).post(
        f"{A}/{account.public_id}/members",
        {"user": "charlie", "role": "engineer", "since": "2026-11-02"},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "user": {"username": "charlie", "name": "Charlie " + charlie.last_name, "role": "kam"},
        "role": "engineer",
        "since": "2026-11-02",
        "version": 1,
    }
    assert api(charlie).get(f"{A}/{account.public_id}").status_code == 200
    listed = api(alice).get(f"{A}/{account.public_id}/members").json()
    assert [m["user"]["username"] for m in listed["items"]] == ["bob", "charlie"]


def test_the_kam_changes_a_role_and_removes_a_member(api, alice, bob, account):
    url = f"{A}/{account.public_id}/members/bob"
    response = api(alice).patch(url, {"role": "dispatcher"})
    assert response.status_code == 200
    assert response.json()["role"] == "dispatcher"
    assert api(alice).delete(url).status_code == 204
    assert not TeamMembership.objects.filter(account=account, user=bob).exists()
    assert api(bob).get(f"{A}/{account.public_id}").status_code == 404
    actions = AuditEntry.objects.filter(account=account).values_list("action", flat=True)
    assert set(actions) == {"update", "delete"}


@pytest.mark.parametrize("who", ["bob", "mia"])
def test_a_team_member_or_mentor_cannot_change_the_team(request, api, account, charlie, who):
    caller = api(request.getfixturevalue(who))
    url = f"{A}/{account.public_id}/members"
    assert caller.post(url, {"user": "charlie", "role": "engineer"}).status_code == 403
    assert caller.patch(f"{url}/bob", {"role": "other"}).status_code == 403
    assert caller.delete(f"{url}/bob").status_code == 403
    assert list(account.team.values_list("user__username", "role")) == [("bob", "customer_service")]


def test_the_lead_runs_any_team(api, lee, charlie, account):
    body = {"user": "charlie", "role": "executive_sponsor"}
    assert api(lee).post(f"{A}/{account.public_id}/members", body).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "nobody", "role": "engineer"}, "user"),
        ({"user": "bob", "role": "engineer"}, "user"),  # already on the team
        ({"user": "charlie", "role": "juggler"}, "role"),
    ],
)
def test_it_refuses_a_bad_member_naming_the_field(api, alice, charlie, account, body, field):
    assert fields_of(api(alice).post(f"{A}/{account.public_id}/members", body)) == {field}
    assert list(account.team.values_list("user__username", flat=True)) == ["bob"]


# --- mentors -------------------------------------------------------------------------------


def test_the_lead_assigns_and_removes_a_mentor(api, lee, account):
    UserFactory(username="rudi", first_name="Rudi", role="mentor")
    url = f"{A}/{account.public_id}/mentors"
    response = api(lee).post(url, {"mentor": "rudi", "since": "2026-10-01"})
    assert response.status_code == 201, response.content
    assert response.json()["mentor"]["username"] == "rudi"
    names = [m["mentor"]["username"] for m in api(lee).get(url).json()["items"]]
    assert names == ["mia", "rudi"]
    assert api(lee).delete(f"{url}/mia").status_code == 204
    assert not MentorAssignment.objects.filter(account=account, mentor__username="mia").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "mia"])
def test_only_the_lead_assigns_mentors(request, api, account, who):
    UserFactory(username="rudi", role="mentor")
    caller = api(request.getfixturevalue(who))
    assert caller.post(f"{A}/{account.public_id}/mentors", {"mentor": "rudi"}).status_code == 403
    assert caller.delete(f"{A}/{account.public_id}/mentors/mia").status_code == 403
    assert list(account.mentors.values_list("mentor__username", flat=True)) == ["mia"]


def test_only_a_mentor_can_be_assigned_as_one(api, lee, bob, account):
    response = api(lee).post(f"{A}/{account.public_id}/mentors", {"mentor": "bob"})
    assert fields_of(response) == {"mentor"}
    assert account.mentors.count() == 1


def test_a_refusal_is_worded_in_the_callers_language(client, lee, account):
    from kam.users.models import ApiToken

    response = client.post(
        A,
        {**NEW, "currency": "ABC"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=lee)[1]}",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("Mata uang ABC tidak dikenal")


@pytest.mark.parametrize("bad", ["PT\x00Sinar", "PT \ud800"])
def test_text_the_database_cannot_keep_is_a_422_not_a_server_error(api, lee, alice, account, bad):
    """PostgreSQL refuses NUL and UTF-8 a lone surrogate: each is refused on its field."""
    caller = api(lee)
    assert fields_of(caller.post(A, {**NEW, "name": bad})) == {"name"}
    assert fields_of(caller.post(A, {**NEW, "owner": bad})) == {"owner"}
    assert fields_of(caller.patch(f"{A}/{account.public_id}", {"code": bad})) == {"code"}
    body = {"user": bad, "role": "other"}
    assert fields_of(api(alice).post(f"{A}/{account.public_id}/members", body)) == {"user"}
    assert Account.objects.count() == 1


def test_the_team_and_mentor_lists_cost_the_same_queries_at_any_size(api, alice, account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MentorAssignmentFactory, TeamMembershipFactory

    caller = api(alice)

    def count():
        with CaptureQueriesContext(connection) as queries:
            for path in ("members", "mentors"):
                assert caller.get(f"{A}/{account.public_id}/{path}").status_code == 200
        return len(queries)

    small = count()
    for _ in range(4):
        TeamMembershipFactory(account=account)
        MentorAssignmentFactory(account=account)
    assert count() == small


def test_a_system_job_may_create_an_account_without_a_user(db):
    from kam.accounts.services import account_create

    created = account_create(
        by=None, code="SYS-1", name="Import", country="ID", currency="IDR", industry="other"
    )
    assert AuditEntry.objects.get(account=created).by is None
