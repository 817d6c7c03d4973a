"""Who sees which account, on every page of the accounts app."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kam.accounts.models import Account, Stage


def detail_url(account):
    return reverse("accounts:account_detail", kwargs={"public_id": account.public_id})


def stage_url(account):
    return reverse("accounts:account_stage", kwargs={"public_id": account.public_id})


def test_the_kam_sees_only_their_accounts(alice, account, other_account):
    assert list(Account.objects.visible_to(alice)) == [account]


def test_a_team_member_sees_the_accounts_they_are_on(bob, account, other_account):
    assert list(Account.objects.visible_to(bob)) == [account]


def test_a_mentor_sees_the_accounts_they_mentor(mia, account, other_account):
    assert list(Account.objects.visible_to(mia)) == [account]


def test_the_programme_lead_sees_every_account(lee, account, other_account):
    assert set(Account.objects.visible_to(lee)) == {account, other_account}


def test_an_inactive_user_sees_nothing(alice, account):
    alice.is_active = False
    alice.save()
    assert not Account.objects.visible_to(alice).exists()


@pytest.mark.parametrize("url_name", ["accounts:dashboard", "accounts:account_list"])
def test_it_sends_anonymous_visitors_to_the_login_page(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_sends_anonymous_visitors_away_from_an_account_page(client, account):
    response = client.get(detail_url(account))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["alice", "bob", "mia", "lee"])
def test_everyone_with_access_opens_the_account_page(request, client_for, account, who):
    response = client_for(request.getfixturevalue(who)).get(detail_url(account))
    assert response.status_code == 200
    assert "PT Sinar Abadi Mebel Jepara" in response.text
    assert "Budi Santoso" in response.text


def test_it_answers_404_to_someone_not_on_the_account(client_for, charlie, account):
    response = client_for(charlie).get(detail_url(account))
    assert response.status_code == 404
    assert "PT Sinar Abadi Mebel Jepara" not in response.text


def test_it_answers_404_for_a_stage_change_on_someone_elses_account(client_for, charlie, account):
    response = client_for(charlie).post(stage_url(account), {"to_stage": Stage.REVIEW})
    assert response.status_code == 404
    account.refresh_from_db()
    assert account.stage == Stage.PRE_SALES


def test_the_list_hides_accounts_the_user_is_not_on(client_for, charlie, account, other_account):
    response = client_for(charlie).get(reverse("accounts:account_list"))
    assert "广州华美家具有限公司" in response.text
    assert "PT Sinar Abadi Mebel Jepara" not in response.text


def test_the_dashboard_lists_the_mentors_accounts(client_for, mia, account, other_account):
    response = client_for(mia).get(reverse("accounts:dashboard"))
    assert "PT Sinar Abadi Mebel Jepara" in response.text
    assert "广州华美家具有限公司" not in response.text


@pytest.mark.parametrize("who", ["bob", "mia"])
def test_only_the_kam_may_change_the_stage(request, client_for, account, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get(detail_url(account))
    assert "Change stage" not in page.text
    response = client.post(
        stage_url(account), {"to_stage": Stage.REVIEW, "expected_stage": Stage.PRE_SALES}
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.stage == Stage.PRE_SALES
    assert not account.stage_changes.exists()


def test_only_the_programme_lead_enters_the_admin(client_for, alice, lee):
    assert client_for(alice).get("/admin/").status_code == 302
    assert client_for(lee).get("/admin/").status_code == 200
