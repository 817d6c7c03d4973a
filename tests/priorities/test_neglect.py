"""Neglect alarms: the three rules (pure) and the API, which never shows another's account."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kam.priorities.neglect import (
    INFLUENCER_UNSEEN,
    LONG_HORIZON,
    NO_VISIT,
    AccountFacts,
    ContactFacts,
    neglect_alarms,
)
from kam.relationships.models import Assessment, Contact, Interaction

TODAY = date(2026, 12, 7)
LONG_AGO = date(2025, 1, 1)


def test_long_horizon_work_untouched_past_the_tier_cadence_rings():
    a = AccountFacts(
        1,
        "Jepara",
        LONG_AGO,
        review_days=90,
        long_horizon=("New plant",),
        last_interaction=TODAY - timedelta(days=120),
    )
    [alarm] = neglect_alarms([a], [], TODAY)
    assert (alarm.kind, alarm.days, alarm.allowed_days, alarm.subjects) == (
        LONG_HORIZON,
        120,
        90,
        ("New plant",),
    )
    fresh = AccountFacts(
        1,
        "Jepara",
        LONG_AGO,
        long_horizon=("New plant",),
        last_interaction=TODAY - timedelta(days=30),
    )
    assert neglect_alarms([fresh], [], TODAY) == []


def test_a_key_account_not_visited_within_its_service_level_rings_and_others_do_not():
    key = AccountFacts(
        1, "Key", LONG_AGO, is_key=True, visits_per_month=2.0, last_visit=TODAY - timedelta(days=20)
    )
    not_key = AccountFacts(2, "Small", LONG_AGO, visits_per_month=2.0)
    [alarm] = neglect_alarms([key, not_key], [], TODAY)
    assert (alarm.kind, alarm.account, alarm.allowed_days) == (NO_VISIT, "Key", 16)


def test_an_influential_contact_unseen_for_120_days_rings_most_overdue_first():
    a = AccountFacts(1, "Jepara", LONG_AGO)
    contacts = [
        ContactFacts(1, 10, "Budi", 5, LONG_AGO, last_seen=TODAY - timedelta(days=130)),
        ContactFacts(1, 11, "Sari", 4, LONG_AGO, last_seen=None),
        ContactFacts(1, 12, "Easy friend", 2, LONG_AGO, last_seen=None),
        ContactFacts(1, 13, "Seen", 5, LONG_AGO, last_seen=TODAY - timedelta(days=10)),
    ]
    alarms = neglect_alarms([a], contacts, TODAY)
    assert [(x.kind, x.subjects) for x in alarms] == [
        (INFLUENCER_UNSEEN, ("Sari",)),
        (INFLUENCER_UNSEEN, ("Budi",)),
    ]


def _unseen_decision_maker(account, name):
    contact = Contact.objects.create(account=account, name=name)
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=400))
    assessment = Assessment.objects.create(contact=contact, assessed_at=timezone.now(), influence=5)
    Contact.objects.filter(pk=contact.pk).update(current_assessment=assessment)
    return contact


def test_the_api_lists_alarms_in_words_only_for_accounts_the_caller_is_on(
    account, other_account, alice, charlie, lee, client_for
):
    _unseen_decision_maker(account, "Ibu Ratna")
    _unseen_decision_maker(other_account, "张总")

    rows = client_for(alice).get("/api/v1/priorities/alarms").json()
    assert [r["subjects"] for r in rows] == [["Ibu Ratna"]]
    assert "Ibu Ratna" in rows[0]["why"] and rows[0]["what_to_do"] == "Meet Ibu Ratna."

    rows = client_for(charlie).get("/api/v1/priorities/alarms").json()
    assert [r["subjects"] for r in rows] == [["张总"]]

    rows = client_for(lee).get("/api/v1/priorities/alarms").json()
    assert {r["subjects"][0] for r in rows} == {"Ibu Ratna", "张总"}


def test_a_contact_never_met_is_counted_from_the_day_it_was_added_and_says_so(
    account, alice, client_for
):
    contact = _unseen_decision_maker(account, "Ibu Ratna")
    added = contact.__class__.objects.get(pk=contact.pk).created_at.date()
    [row] = client_for(alice).get("/api/v1/priorities/alarms").json()
    assert row["since"] == added.isoformat() and row["last"] is None
    assert "never met since" in row["why"] and "when the contact was added" in row["why"]
    assert "not met since" not in row["why"]
    # Once met, the clock starts from the meeting and the words say so.
    interaction = Interaction.objects.create(
        account=account, kind="meeting", occurred_on=TODAY - timedelta(days=200), logged_by=alice
    )
    interaction.their_participants.set([contact])
    [row] = client_for(alice).get("/api/v1/priorities/alarms").json()
    assert "not met since" in row["why"] and "never" not in row["why"]
