"""The account, its team and mentors edited on pages, through the API's services: the lead
creates and edits accounts, the KAM and the lead run the team, the lead assigns mentors;
a team member or mentor gets 403, an outsider 404, bad input a 422 on its field, a stale edit
409 with the input kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.accounts.models import Account, AuditEntry, MentorAssignment, TeamMembership
from tests.factories import UserFactory

NEW = {
    "code": "CUST-0042",
    "name": "台北木藝股份有限公司",
    "country": "TW",
    "currency": "twd",
    "industry": "furniture",
    "coverage": "international",
    "owner": "alice",
    "parent": "",
}


def _edit_data(account, **changes):
    data = {
        "code": account.code,
        "name": account.name,
        "country": account.country.code or "",
        "currency": account.currency,
        "industry": account.industry,
        "coverage": account.coverage,
        "parent": "",
        "owner": account.owner.username if account.owner_id else "",
        "version": account.version,
    }
    return {**data, **changes}


def test_the_lead_creates_an_account_on_a_page(client_for, lee, alice, account):
    page = client_for(lee).get(reverse("accounts:account_new"))
    assert page.status_code == 200
    assert b'name="owner-search"' in page.content  # a search, not a list of every user
    response = client_for(lee).post(
        reverse("accounts:account_new"), {**NEW, "parent": account.code}
    )
    created = Account.objects.get(code="CUST-0042")
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert (created.owner, created.parent, created.currency) == (alice, account, "TWD")
    assert AuditEntry.objects.filter(account=created, action="create").exists()
    listing = client_for(lee).get(reverse("accounts:account_list"))
    assert reverse("accounts:account_new").encode() in listing.content


@pytest.mark.parametrize("who", ["alice", "bob", "mia"])
def test_only_the_lead_creates_accounts_on_a_page(request, client_for, account, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("accounts:account_new")).status_code == 403
    assert client.post(reverse("accounts:account_new"), NEW).status_code == 403
    assert not Account.objects.filter(code="CUST-0042").exists()
    assert (
        reverse("accounts:account_new").encode()
        not in client.get(reverse("accounts:account_list")).content
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": "nobody"}, "owner"),
        ({"owner": "bob"}, "owner"),  # a team member is no KAM: the service says so
        ({"currency": "XXY"}, "currency"),
        ({"parent": "NO-SUCH"}, "parent"),
        ({"code": ""}, "code"),
    ],
)
def test_bad_input_names_the_field(client_for, lee, account, change, field):
    response = client_for(lee).post(reverse("accounts:account_new"), {**NEW, **change})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Account.objects.filter(code="CUST-0042").exists()


def test_a_taken_customer_number_is_refused_on_its_field(client_for, lee, account):
    response = client_for(lee).post(reverse("accounts:account_new"), {**NEW, "code": account.code})
    assert response.status_code == 422
    assert "code" in response.context["form"].errors


def test_the_lead_edits_an_account_and_a_stale_edit_keeps_the_input(client_for, lee, account):
    url = reverse("accounts:account_edit", args=[account.public_id])
    page = client_for(lee).get(url)
    assert page.status_code == 200 and account.code.encode() in page.content
    old = account.version
    response = client_for(lee).post(url, _edit_data(account, name="PT Sinar Abadi Baru"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "PT Sinar Abadi Baru" and account.version > old
    assert AuditEntry.objects.filter(account=account, action="update").exists()
    # someone else's page, drawn on the old version
    stale = client_for(lee).post(url, _edit_data(account, name="Mine", version=old))
    assert stale.status_code == 409
    form = stale.context["form"]
    assert form["name"].value() == "Mine"  # the input kept
    assert int(form["version"].value()) == account.version  # saving again is deliberate
    assert "PT Sinar Abadi Baru" in str(form.non_field_errors())
    account.refresh_from_db()
    assert account.name == "PT Sinar Abadi Baru"


def test_a_parent_loop_is_refused_on_its_field(client_for, lee, account, other_account):
    other_account.parent = account
    other_account.save()
    url = reverse("accounts:account_edit", args=[account.public_id])
    response = client_for(lee).post(url, _edit_data(account, parent=other_account.code))
    assert response.status_code == 422
    assert "parent" in response.context["form"].errors


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 403), ("bob", 403), ("mia", 403), ("charlie", 404)]
)
def test_only_the_lead_edits_an_account(request, client_for, account, who, status):
    url = reverse("accounts:account_edit", args=[account.public_id])
    client = client_for(request.getfixturevalue(who))
    assert client.get(url).status_code == status
    assert client.post(url, _edit_data(account, name="Changed")).status_code == status
    account.refresh_from_db()
    assert account.name != "Changed"


# --- the team and the mentors --------------------------------------------------------------


def test_the_kam_runs_the_team_on_a_page(client_for, alice, bob, account):
    dina = UserFactory(username="dina", first_name="Dina", role="team")
    client = client_for(alice)
    detail = client.get(account.get_absolute_url())
    team_url = reverse("accounts:account_team", args=[account.public_id])
    assert team_url.encode() in detail.content
    assert client.get(team_url).status_code == 200
    added = client.post(
        reverse("accounts:team_add", args=[account.public_id]),
        {"user": "dina", "role": "engineer", "since": "2026-01-05"},
    )
    assert added.status_code == 302
    membership = TeamMembership.objects.get(account=account, user=dina)
    assert membership.role == "engineer"
    prefix = "m-dina"
    changed = client.post(
        reverse("accounts:team_change", args=[account.public_id, "dina"]),
        {f"{prefix}-role": "scheduler", f"{prefix}-since": "2026-01-05"},
    )
    assert changed.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "scheduler"
    removed = client.post(reverse("accounts:team_remove", args=[account.public_id, "dina"]))
    assert removed.status_code == 302
    assert not TeamMembership.objects.filter(account=account, user=dina).exists()
    actions = set(
        AuditEntry.objects.filter(account=account, object_label__contains="").values_list(
            "action", flat=True
        )
    )
    assert {"create", "update", "delete"} <= actions


def test_team_input_errors_name_the_field(client_for, alice, bob, account):
    url = reverse("accounts:team_add", args=[account.public_id])
    again = client_for(alice).post(url, {"user": "bob", "role": "engineer"})
    assert again.status_code == 422
    assert "user" in again.context["add_form"].errors  # already on the team (the service)
    unknown = client_for(alice).post(url, {"user": "nobody", "role": "engineer"})
    assert unknown.status_code == 422 and "user" in unknown.context["add_form"].errors
    bad_role = client_for(alice).post(url, {"user": "charlie", "role": "boss"})
    assert bad_role.status_code == 422 and "role" in bad_role.context["add_form"].errors


def test_a_stale_team_change_is_refused_and_keeps_the_input(client_for, alice, lee, account):
    """Alice and the lead open the team page at once; the lead changes bob's role first."""
    bob = TeamMembership.objects.get(account=account, user__username="bob")
    seen = bob.version
    url = reverse("accounts:team_change", args=[account.public_id, "bob"])
    first = {"m-bob-role": "scheduler", "m-bob-since": "2026-01-05", "m-bob-version": seen}
    assert client_for(lee).post(url, first).status_code == 302
    mine = {"m-bob-role": "engineer", "m-bob-since": "2025-03-01", "m-bob-version": seen}
    stale = client_for(alice).post(url, mine)
    assert stale.status_code == 409
    bob.refresh_from_db()
    assert bob.role == "scheduler"  # the lead's change stands
    form = dict(stale.context["rows"])[bob]
    message = " ".join(form.non_field_errors())
    assert "after you opened it" in message and "Stored now" in message
    assert form["role"].value() == "engineer" and form["since"].value() == "2025-03-01"
    assert str(bob.version).encode() in stale.content  # drawn on the stored version
    again = {**mine, "m-bob-version": bob.version}  # saving again is alice's choice
    assert client_for(alice).post(url, again).status_code == 302
    bob.refresh_from_db()
    assert bob.role == "engineer"


def test_a_stale_removal_is_refused(client_for, alice, lee, account):
    bob = TeamMembership.objects.get(account=account, user__username="bob")
    seen = bob.version
    change = reverse("accounts:team_change", args=[account.public_id, "bob"])
    data = {"m-bob-role": "scheduler", "m-bob-since": "2026-01-05", "m-bob-version": seen}
    assert client_for(lee).post(change, data).status_code == 302
    remove = reverse("accounts:team_remove", args=[account.public_id, "bob"])
    stale = client_for(alice).post(remove, {"version": seen})
    assert stale.status_code == 409 and b"after you opened it" in stale.content
    assert TeamMembership.objects.filter(pk=bob.pk).exists()
    bob.refresh_from_db()
    assert client_for(alice).post(remove, {"version": bob.version}).status_code == 302
    assert not TeamMembership.objects.filter(pk=bob.pk).exists()


def test_the_api_refuses_a_stale_team_change(api, alice, account):
    bob = TeamMembership.objects.get(account=account, user__username="bob")
    url = f"/api/v1/accounts/{account.public_id}/members/bob"
    assert api(alice).patch(url, {"role": "scheduler", "version": bob.version}).status_code == 200
    stale = api(alice).patch(url, {"role": "engineer", "version": bob.version})
    assert stale.status_code == 409
    assert api(alice).delete(f"{url}?version={bob.version}").status_code == 409


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("mia", 403), ("charlie", 404)])
def test_team_pages_refuse_readers_and_outsiders(request, client_for, account, who, status):
    client = client_for(request.getfixturevalue(who))
    args = [account.public_id]
    assert client.get(reverse("accounts:account_team", args=args)).status_code == status
    assert (
        client.post(
            reverse("accounts:team_add", args=args), {"user": "charlie", "role": "engineer"}
        ).status_code
        == status
    )
    assert client.post(reverse("accounts:team_remove", args=[*args, "bob"])).status_code == status
    assert client.post(reverse("accounts:mentor_remove", args=[*args, "mia"])).status_code == status
    assert TeamMembership.objects.filter(account=account, user__username="bob").exists()
    assert MentorAssignment.objects.filter(account=account, mentor__username="mia").exists()
    assert not AuditEntry.objects.filter(account=account).exists()


def test_only_the_lead_assigns_mentors(client_for, lee, alice, account):
    UserFactory(username="mona", first_name="Mona", role="mentor")
    url = reverse("accounts:mentor_add", args=[account.public_id])
    assert client_for(alice).post(url, {"mentor": "mona"}).status_code == 403
    assert (
        client_for(alice)
        .post(reverse("accounts:mentor_remove", args=[account.public_id, "mia"]))
        .status_code
        == 403
    )
    not_a_mentor = client_for(lee).post(url, {"mentor": "bob"})
    assert (
        not_a_mentor.status_code == 422 and "mentor" in not_a_mentor.context["mentor_form"].errors
    )
    assert client_for(lee).post(url, {"mentor": "mona"}).status_code == 302
    assert (
        client_for(lee)
        .post(reverse("accounts:mentor_remove", args=[account.public_id, "mia"]))
        .status_code
        == 302
    )
    mentors = set(account.mentors.values_list("mentor__username", flat=True))
    assert mentors == {"mona"}


def test_the_user_picker_searches_our_users_by_name(client_for, alice, lee, bob, account):
    UserFactory(username="wang", first_name="王", last_name="伟", role="kam")
    url = reverse("accounts:user_search")
    found = client_for(lee).get(
        url, {"field": "owner", "role": "kam", "owner-search": "王"}, HTTP_HX_REQUEST="true"
    )
    assert found.status_code == 200
    assert "王 伟 (wang)" in found.content.decode()
    assert b"Alice" not in found.content
    mentors = client_for(alice).get(
        url, {"field": "mentor", "role": "mentor", "mentor-search": "a"}, HTTP_HX_REQUEST="true"
    )
    assert b"mia" in mentors.content and b"alice" not in mentors.content
    assert client_for(bob).get(url, {"field": "user"}, HTTP_HX_REQUEST="true").status_code == 403
