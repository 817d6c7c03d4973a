"""The account page's contacts: a short, paged, sortable, searchable table with links
(issue 14 item 5), not 150 rows in one go."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import ContactFactory


def _grow(account, count):
    for i in range(count):
        ContactFactory(
            account=account, name=f"Person {i:03}", title="Engineer", department=f"Dept {i % 3}"
        )


def test_the_contacts_come_a_page_at_a_time_with_links(client_for, alice, account):
    _grow(account, 60)  # plus Budi: 61
    url = account.get_absolute_url()
    text = client_for(alice).get(url).text
    assert "61 contacts" in text and "Page 1 of 3" in text
    assert text.count("/relationships/contacts/") == 25
    assert "Person 059" not in text
    fragment = client_for(alice).get(
        url, {"contacts": 3}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contact-table"
    )
    assert "<html" not in fragment.text and "Person 059" in fragment.text


def test_the_page_costs_the_same_queries_for_2_contacts_as_for_26(client_for, alice, account):
    # Each row's link read a deferred field: one query per contact on the page (issue 14
    # item 12: the account page made 35 queries on the demo's largest account).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    url = account.get_absolute_url()
    _grow(account, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow(account, 24)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).text.count("/relationships/contacts/") == 25
    assert len(many) == len(few)


def test_the_table_sorts_and_filters_on_the_server(client_for, alice, account):
    _grow(account, 30)
    client = client_for(alice)
    url = account.get_absolute_url()
    newest_first = client.get(url, {"sort": "-name"}).text
    assert newest_first.index("Person 029") < newest_first.index("Person 028")
    dept = client.get(url, {"department": "Dept 1", "q": "Person 00"}).text
    assert "Person 001" in dept and "Person 004" in dept and "Person 002" not in dept
    assert "No contact matches." in client.get(url, {"q": "nobody like this"}).text


def test_a_stranger_gets_no_contact_table(client_for, charlie, account):
    response = client_for(charlie).get(
        account.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contact-table"
    )
    assert response.status_code == 404


def test_the_lead_sees_a_bad_sort_as_the_default_order(client_for, lee, account):
    response = client_for(lee).get(account.get_absolute_url(), {"sort": "password"})
    assert response.status_code == 200 and "Budi Santoso" in response.text
    assert reverse("relationships:contact_detail", args=[account.contacts.get().public_id]) in (
        response.text
    )
