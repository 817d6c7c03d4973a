"""The account pages: list with search, filters and pages; account page; stage changes."""

from __future__ import annotations

from django.urls import reverse

from kam.accounts.models import Account, Stage, StageChange
from tests.factories import AccountFactory, TeamMembershipFactory


def test_it_finds_accounts_by_name_in_any_script(client_for, lee, account, other_account):
    client = client_for(lee)
    response = client.get(reverse("accounts:account_list"), {"q": "华美"})
    assert "广州华美家具有限公司" in response.text
    assert "PT Sinar Abadi" not in response.text


def test_it_finds_accounts_by_customer_number(client_for, lee, account, other_account):
    response = client_for(lee).get(reverse("accounts:account_list"), {"q": account.code})
    assert "PT Sinar Abadi" in response.text
    assert "广州华美" not in response.text


def test_it_filters_accounts_by_country_and_stage(client_for, lee, account, other_account):
    client = client_for(lee)
    assert "PT Sinar Abadi" not in client.get("/accounts/", {"country": "cn"}).text
    Account.objects.filter(pk=account.pk).update(stage=Stage.REVIEW)
    response = client.get("/accounts/", {"stage": Stage.REVIEW})
    assert "PT Sinar Abadi" in response.text
    assert "广州华美" not in response.text


def test_it_pages_the_list_keeping_the_filters(client_for, lee, django_assert_max_num_queries):
    AccountFactory.create_batch(60, country="SG", currency="SGD")
    AccountFactory(country="GB", currency="GBP", name="Thames Joinery Ltd")
    client = client_for(lee)
    with django_assert_max_num_queries(8):
        first = client.get("/accounts/", {"country": "SG"})
    assert "60 accounts" in first.text
    assert "Page 1 of 2" in first.text
    assert "country=SG&amp;page=2" in first.text
    second = client.get("/accounts/", {"country": "SG", "page": 2})
    assert second.text.count('href="/accounts/') >= 10
    assert "Thames Joinery" not in second.text


def test_the_list_query_count_does_not_grow_with_teams(client_for, lee, django_assert_num_queries):
    for account in AccountFactory.create_batch(20):
        TeamMembershipFactory.create_batch(3, account=account)
    client = client_for(lee)
    client.get("/accounts/")  # warms the session and content-type caches
    with django_assert_num_queries(4):
        client.get("/accounts/")


def test_an_htmx_request_gets_only_the_table(client_for, lee, account):
    response = client_for(lee).get("/accounts/", HTTP_HX_REQUEST="true")
    assert "PT Sinar Abadi" in response.text
    assert "<html" not in response.text


def test_the_kam_moves_the_stage_and_the_history_records_it(client_for, alice, account):
    response = client_for(alice).post(
        reverse("accounts:account_stage", kwargs={"public_id": account.public_id}),
        {"to_stage": Stage.NEGOTIATION, "expected_stage": Stage.PRE_SALES, "note": "RFQ 收到"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.stage == Stage.NEGOTIATION
    change = StageChange.objects.get(account=account)
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        Stage.PRE_SALES,
        Stage.NEGOTIATION,
        alice,
        "RFQ 收到",
    )
    page = client_for(alice).get(account.get_absolute_url())
    assert "RFQ 收到" in page.text


def test_an_htmx_stage_change_returns_the_stage_panel(client_for, alice, account):
    response = client_for(alice).post(
        reverse("accounts:account_stage", kwargs={"public_id": account.public_id}),
        {"to_stage": Stage.REVIEW, "expected_stage": Stage.PRE_SALES},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-testid="current-stage">Review<' in response.text
    assert "<html" not in response.text


def test_a_stale_stage_form_does_not_overwrite_a_newer_change(client_for, alice, account):
    Account.objects.filter(pk=account.pk).update(stage=Stage.IMPLEMENTATION)
    response = client_for(alice).post(
        reverse("accounts:account_stage", kwargs={"public_id": account.public_id}),
        {"to_stage": Stage.NEGOTIATION, "expected_stage": Stage.PRE_SALES},
    )
    assert response.status_code == 409  # issue 9: a stale form is a conflict
    assert "changed by someone else" in response.text
    account.refresh_from_db()
    assert account.stage == Stage.IMPLEMENTATION
    assert not StageChange.objects.exists()
