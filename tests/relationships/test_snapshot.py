"""The adapter: one account read into the pure analyses' input in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.relationships import analysis as pure
from kam.relationships.queries import (
    SNAPSHOT_QUERIES,
    account_analyses,
    account_map,
    account_relationship_snapshot,
    relationship_pairs,
)
from kam.relationships.services import (
    contact_record_departure,
    interaction_log,
    interest_create,
    override_set,
)
from tests.factories import ContactFactory, TeamMembershipFactory
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    InterestFactory,
    LinkFactory,
    ObjectiveFactory,
    OpportunityFactory,
)

TODAY = date(2026, 11, 22)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _grow(account, users, size: int) -> None:
    """Add ``size`` people with history, links, interactions, interests and deals."""
    people = [ContactFactory(account=account, name=f"P{size}-{n}") for n in range(size)]
    for n, person in enumerate(people):
        AssessmentFactory(contact=person, assessed_at=_moment(TODAY - timedelta(days=200)))
        AssessmentFactory(
            contact=person,
            assessed_at=_moment(TODAY - timedelta(days=20)),
            influence=1 + n % 5,
            attitude="supporter",
        )
        if n:
            LinkFactory(source=people[n - 1], target=person)
        InteractionFactory(
            account=account, users=users, contacts=[person], occurred_on=TODAY - timedelta(days=n)
        )
    InterestFactory(holder=people[0])
    objective = ObjectiveFactory(account=account, source_contact=people[0])
    deal = OpportunityFactory(account=account, significant=True)
    deal.objectives.set([objective])
    deal.buy_in_needed_from.set(people[:2])


@pytest.mark.parametrize("size", [3, 30])
def test_the_snapshot_takes_a_fixed_number_of_queries(account, alice, bob, size):
    _grow(account, [alice, bob], size)
    with CaptureQueriesContext(connection) as queries:
        snapshot = account_relationship_snapshot(account=account, today=TODAY)
    assert len(queries) == SNAPSHOT_QUERIES
    assert len(snapshot.contacts) == size + 1
    assert len(snapshot.interactions) == size


def test_the_snapshot_carries_what_the_analyses_need(account, alice, bob, lee, budi, siti):
    TeamMembershipFactory(account=account, user=lee, role="executive_sponsor")
    AssessmentFactory(
        contact=budi,
        assessed_at=_moment(TODAY - timedelta(days=100)),
        buying_role="decision_maker",
        influence=4,
        attitude="neutral",
    )
    current = AssessmentFactory(
        contact=budi,
        assessed_at=_moment(TODAY - timedelta(days=5)),
        buying_role="decision_maker",
        influence=5,
        attitude="opponent",
        standing="inner_circle",
        buy_in_needed=True,
    )
    current.known_in_person_by.set([alice])
    AssessmentFactory(
        contact=budi, assessed_at=_moment(TODAY + timedelta(days=3)), attitude="supporter"
    )
    interaction_log(
        account=account,
        by=alice,
        kind="visit",
        occurred_on=TODAY,
        their_participants=[budi, siti],
        our_participants=[alice, bob],
        today=TODAY,
    )
    interest_create(
        holder=budi,
        by=alice,
        kind="incumbent_kickbacks",
        threat_level=5,
        strategy="wait_for_departure",
        today=TODAY,
    )
    override_set(user=bob, contact=siti, value=90, reason="Cousins", by=alice)
    contact_record_departure(contact=siti, left_on=TODAY - timedelta(days=1), by=alice, today=TODAY)

    snapshot = account_relationship_snapshot(account=account, today=TODAY)

    person = snapshot.contact_by_id[budi.pk]
    assert person.assessment.attitude == pure.Attitude.OPPONENT  # not the one dated later
    assert person.assessment.known_in_person_by == frozenset({alice.pk})
    assert person.assessment.standing == pure.Standing.INNER_CIRCLE
    assert [a.influence for a in person.history] == [4, 5]
    assert snapshot.contact_by_id[siti.pk].status == pure.ContactStatus.LEFT
    assert next(m.id for m in snapshot.team) == alice.pk
    assert snapshot.member_by_id[lee.pk].is_executive_sponsor
    assert snapshot.interests[0].strategy == pure.DefusingStrategy.WAIT_TO_LEAVE
    assert snapshot.overrides[0].strength == 90.0
    assert snapshot.interactions[0].user_ids == tuple(sorted([alice.pk, bob.pk]))


def test_the_analyses_flag_an_account_whose_only_thread_has_left(account, alice, budi, siti):
    for days in (3, 10, 20, 40):
        interaction_log(
            account=account,
            by=alice,
            kind="meeting",
            occurred_on=TODAY - timedelta(days=days),
            their_participants=[budi],
            today=TODAY,
        )
    contact_record_departure(
        contact=budi, left_on=TODAY - timedelta(days=2), successor=siti, by=alice, today=TODAY
    )
    result = account_analyses(account=account, today=TODAY)
    codes = {f.code for f in result.findings}
    assert pure.Code.SINGLE_THREADED_CONTACT_LEFT in codes
    assert pure.Code.DEPARTED in codes


def test_strength_pairs_show_the_override_and_its_reason(account, alice, bob, budi):
    interaction_log(
        account=account,
        by=alice,
        kind="meeting",
        occurred_on=TODAY,
        their_participants=[budi],
        today=TODAY,
    )
    override_set(user=bob, contact=budi, value=75, reason="Studied together", by=alice)
    rows = {r["user"]: r for r in relationship_pairs(account=account, today=TODAY)}
    assert rows["bob"]["strength"] == 75.0 and rows["bob"]["overridden"]
    assert rows["bob"]["override_reason"] == "Studied together"
    assert 0 < rows["alice"]["strength"] < 75 and not rows["alice"]["overridden"]


def test_the_map_is_drawn_from_the_snapshot(account, alice, budi):
    AssessmentFactory(contact=budi, attitude="supporter", influence=5)
    drawing = account_map(account=account, today=TODAY)
    assert drawing.svg.startswith("<svg")
    assert f'data-contact-id="{budi.pk}"' in drawing.svg
    assert "Budi Santoso" in drawing.svg
