"""The relationships page reads its snapshot from the cache while nothing it reads has changed
(kam.relationships.queries.account_snapshot_cached): each kind of write, even one that only
adds a many-to-many row or renames a team member, shows on the next read."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.accounts.models import TeamMembership
from kam.relationships.queries import SNAPSHOT_QUERIES, account_snapshot_cached
from tests.factories import ContactFactory
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    InterestFactory,
    LinkFactory,
    ObjectiveFactory,
    OpportunityFactory,
)

TODAY = date(2026, 11, 20)


def _read(account):
    return account_snapshot_cached(account=account, today=TODAY)


def test_every_kind_of_write_shows_on_the_next_read_and_nothing_else_is_read_again(
    account, alice, bob
):
    budi = account.contacts.get(name="Budi Santoso")
    ani = ContactFactory(account=account, name="Ani")
    opportunity = OpportunityFactory(account=account)
    assessment = AssessmentFactory(contact=budi, assessed_at=TODAY.isoformat() + "T09:00Z")
    meeting = InteractionFactory(account=account, occurred_on=TODAY)
    first = _read(account)
    with CaptureQueriesContext(connection) as again:
        assert _read(account) == first
    assert len(again) < SNAPSHOT_QUERIES  # from the cache: only the key's queries

    LinkFactory(source=budi, target=ani)
    assert len(_read(account).links) == 1
    InterestFactory(holder=ani)
    assert len(_read(account).interests) == 1
    ObjectiveFactory(account=account)
    assert len(_read(account).objectives) == 1
    # Many-to-many rows alone: the parent row is not saved again.
    opportunity.buy_in_needed_from.add(ani)
    [deal] = _read(account).opportunities
    assert deal.buy_in_contact_ids == (ani.pk,)
    meeting.their_participants.add(ani)
    assert _read(account).interactions[0].contact_ids == (ani.pk,)
    assessment.known_in_person_by.add(alice)
    [budi_now] = [c for c in _read(account).contacts if c.id == budi.pk]
    assert alice.pk in budi_now.assessment.known_in_person_by
    # A team member's new role and a renamed person (neither row versioned).
    TeamMembership.objects.filter(account=account, user=bob).update(role="executive_sponsor")
    assert any(m.is_executive_sponsor for m in _read(account).team)
    bob.first_name = "Robert"
    bob.save()
    assert any(m.name.startswith("Robert") for m in _read(account).team)
