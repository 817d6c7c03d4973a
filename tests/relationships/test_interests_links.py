"""Entrenched interests and practices, links between contacts, the interaction log,
manual strengths and relationship levels."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.accounts.models import AuditEntry
from kam.relationships.models import InterestStatus
from kam.relationships.services import (
    interaction_log,
    interaction_update,
    interest_create,
    interest_update,
    level_set,
    link_create,
    override_set,
    practice_create,
)
from tests.factories import ContactFactory

TODAY = date(2026, 11, 22)


def test_an_interest_keeps_a_dated_history_of_its_changes(account, alice, budi, siti):
    interest = interest_create(
        holder=budi,
        by=alice,
        kind="incumbent_kickbacks",
        threat_level=5,
        note="Rumoured rebates from the incumbent",
        today=TODAY,
    )
    interest_update(
        interest=interest,
        by=alice,
        strategy="enlist_advocate",
        advocate=siti,
        note="Siti can speak for us",
    )
    interest_update(interest=interest, by=alice, status="defused", today=TODAY)
    interest.refresh_from_db()
    assert interest.status == InterestStatus.DEFUSED and interest.closed_on == TODAY
    history = list(interest.changes.order_by("changed_at", "pk"))
    assert [(h.strategy, h.status) for h in history] == [
        ("", "open"),
        ("enlist_advocate", "open"),
        ("enlist_advocate", "defused"),
    ]
    assert history[1].note == "Siti can speak for us"
    assert AuditEntry.objects.filter(object_id=interest.pk).count() == 3


def test_enlisting_an_advocate_needs_a_named_advocate(account, alice, budi):
    with pytest.raises(ValidationError) as error:
        interest_create(
            holder=budi, by=alice, kind="other", threat_level=2, strategy="enlist_advocate"
        )
    assert "advocate" in error.value.message_dict


def test_an_advocate_from_another_account_is_refused(account, other_account, alice, budi):
    with pytest.raises(ValidationError) as error:
        interest_create(
            holder=budi,
            by=alice,
            kind="other",
            threat_level=2,
            strategy="enlist_advocate",
            advocate=other_account.contacts.get(),
        )
    assert "advocate" in error.value.message_dict


@pytest.mark.parametrize("who", ["charlie", "mia"])
def test_only_the_team_records_interests_and_practices(account, budi, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        interest_create(holder=budi, by=user, kind="other", threat_level=1)
    with pytest.raises(PermissionDenied):
        practice_create(account=account, by=user, description="Only local consultants")


def test_a_practice_records_how_we_work_around_it(account, bob):
    practice = practice_create(
        account=account,
        by=bob,
        description="Only 2-3 day training courses",
        workaround="Split our programme into modules",
        today=TODAY,
    )
    assert practice.recorded_on == TODAY
    assert AuditEntry.objects.get(object_id=practice.pk).by == bob


def test_links_stay_inside_one_account(account, other_account, alice, budi):
    with pytest.raises(ValidationError):
        link_create(source=budi, target=other_account.contacts.get(), kind="influences", by=alice)


def test_an_alliance_is_recorded_once_whichever_way_round(account, alice, budi, siti):
    link_create(source=budi, target=siti, kind="allied_with", by=alice)
    with pytest.raises(ValidationError):
        link_create(source=siti, target=budi, kind="allied_with", by=alice)


def test_an_interaction_records_both_sides(account, alice, bob, budi, siti):
    interaction = interaction_log(
        account=account,
        by=alice,
        kind="visit",
        occurred_on=date(2026, 11, 3),
        their_participants=[budi, siti],
        our_participants=[alice, bob],
        notes="Factory tour",
        today=TODAY,
    )
    assert set(interaction.their_participants.all()) == {budi, siti}
    assert set(interaction.our_participants.all()) == {alice, bob}
    entry = AuditEntry.objects.get(object_id=interaction.pk)
    assert entry.changes["their_participants"] == [None, sorted([budi.pk, siti.pk])]


def test_the_logger_is_our_participant_by_default(account, bob, budi):
    interaction = interaction_log(
        account=account,
        by=bob,
        kind="call",
        occurred_on=TODAY,
        their_participants=[budi],
        today=TODAY,
    )
    assert list(interaction.our_participants.all()) == [bob]


def test_an_interaction_in_the_future_is_refused(account, alice, budi):
    with pytest.raises(ValidationError) as error:
        interaction_log(
            account=account,
            by=alice,
            kind="call",
            occurred_on=date(2027, 1, 1),
            their_participants=[budi],
            today=TODAY,
        )
    assert "occurred_on" in error.value.message_dict


def test_an_interaction_needs_someone_from_the_customer(account, alice):
    with pytest.raises(ValidationError) as error:
        interaction_log(
            account=account,
            by=alice,
            kind="call",
            occurred_on=TODAY,
            their_participants=[],
            today=TODAY,
        )
    assert "their_participants" in error.value.message_dict


def test_changing_the_participants_is_audited(account, alice, budi, siti):
    interaction = interaction_log(
        account=account,
        by=alice,
        kind="call",
        occurred_on=TODAY,
        their_participants=[budi],
        today=TODAY,
    )
    interaction_update(
        interaction=interaction, by=alice, their_participants=[budi, siti], today=TODAY
    )
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes["their_participants"] == [[budi.pk], sorted([budi.pk, siti.pk])]


def test_an_override_replaces_the_previous_one_for_the_pair(account, alice, bob, budi):
    override_set(user=bob, contact=budi, value=80, reason="Old school friends", by=alice)
    override = override_set(
        user=bob, contact=budi, value=60, reason="Less since his move", by=alice
    )
    assert override.value == 60
    assert AuditEntry.objects.get(action="update").changes["value"] == [80, 60]


def test_an_override_for_someone_off_the_account_is_refused(account, alice, charlie, budi):
    with pytest.raises(ValidationError) as error:
        override_set(user=charlie, contact=budi, value=50, reason="?", by=alice)
    assert "user" in error.value.message_dict


def test_a_level_has_a_current_rung_and_a_target(account, alice, bob, budi):
    level = level_set(user=bob, contact=budi, current="vendor", target="problem_solver", by=alice)
    assert level.gap == 2
    level = level_set(
        user=bob, contact=budi, current="credible_source", target="problem_solver", by=alice
    )
    assert level.gap == 1


def test_a_mentor_cannot_set_strengths_or_levels(account, mia, bob, budi):
    with pytest.raises(PermissionDenied):
        override_set(user=bob, contact=budi, value=10, reason="x", by=mia)
    with pytest.raises(PermissionDenied):
        level_set(user=bob, contact=budi, current="vendor", by=mia)


def test_a_contact_cannot_link_to_themselves(account, alice):
    person = ContactFactory(account=account)
    with pytest.raises(ValidationError):
        link_create(source=person, target=person, kind="influences", by=alice)
