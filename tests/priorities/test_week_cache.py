"""The dashboard's "my week" keeps the alarms and senior-visit suggestions in the cache
(kam.priorities.facts_cache): a view after any write that changes them shows the new answer,
and a view with nothing changed reads them without recomputing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kam.accounts.models import Account
from kam.priorities.facts_cache import week_facts
from kam.relationships.models import Assessment, Contact, InteractionKind
from kam.relationships.services.interactions import (
    interaction_delete,
    interaction_log,
    interaction_update,
)


def _unseen_influencer(account, name):
    contact = Contact.objects.create(account=account, name=name)
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=400))
    assessment = Assessment.objects.create(contact=contact, assessed_at=timezone.now(), influence=5)
    Contact.objects.filter(pk=contact.pk).update(current_assessment=assessment)
    return contact


def test_a_write_shows_on_the_next_dashboard_view_not_when_the_cache_expires(
    account, alice, mia, client_for
):
    today = timezone.localdate()
    Account.objects.update(created_at=timezone.now() - timedelta(days=200))
    ratna = _unseen_influencer(account, "Ibu Ratna")

    def week():
        return client_for(alice).get("/").content.decode()

    page = week()
    assert "Meet Ibu Ratna." in page
    assert "Senior visit: see" in page and "with Mia" in page

    # A meeting with her: the alarm goes at once (a new row).
    met = interaction_log(
        account=account,
        by=alice,
        kind=InteractionKind.MEETING,
        occurred_on=today,
        their_participants=[ratna],
    )
    assert "Meet Ibu Ratna." not in week()
    # The meeting corrected to 200 days ago (an edit): the alarm is back.
    met = interaction_update(
        interaction=met, by=alice, occurred_on=today - timedelta(days=200), expected_version=1
    )
    assert "Meet Ibu Ratna." in week()
    # Corrected again, then deleted.
    met = interaction_update(interaction=met, by=alice, occurred_on=today, expected_version=2)
    assert "Meet Ibu Ratna." not in week()
    interaction_delete(interaction=met, by=alice, expected_version=3)
    assert "Meet Ibu Ratna." in week()

    # Who goes on the senior visit is read on each view: a renamed mentor shows at once.
    mia.first_name = "Mianti"
    mia.save()
    assert "with Mianti" in week()
    # A senior visit logged: the suggestion goes.
    interaction_log(
        account=account,
        by=alice,
        kind=InteractionKind.SENIOR_VISIT,
        occurred_on=today,
        their_participants=[ratna],
    )
    assert "Senior visit: see" not in week()


def test_an_unchanged_account_is_read_from_the_cache_in_a_fixed_few_queries(
    account, alice, django_assert_num_queries
):
    _unseen_influencer(account, "Ibu Ratna")
    accounts = Account.objects.filter(pk=account.pk)
    today = timezone.localdate()
    first = week_facts(accounts, today)
    assert [a.subjects for a in first.alarms] == [("Ibu Ratna",)]
    # the ids, who would go (lead and mentors), the inputs' fingerprint; no rule input read
    with django_assert_num_queries(4):
        again = week_facts(accounts, today)
    assert again == first


def test_the_dashboard_costs_the_same_queries_for_one_account_as_for_four(
    account, alice, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AccountFactory

    client = client_for(alice)
    _unseen_influencer(account, "Ibu Ratna")
    client.get("/")  # the first view fills the cache
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for i in range(3):
        _unseen_influencer(AccountFactory(name=f"PT Contoh {i}", owner=alice), f"Pak {i}")
    assert "Meet Pak 2." in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as four:
        page = client.get("/").content.decode()
    assert "Meet Pak 2." in page and "Meet Ibu Ratna." in page
    assert len(four) == len(one)
