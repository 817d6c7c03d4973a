"""Departures through the API: listed with their successor and hand-overs, and a successor
named after the departure was recorded, with the same hand-over as when named at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.planning.models import Opportunity
from kam.planning.services import opportunity_create
from kam.relationships.models import Contact, Handover
from kam.relationships.services import contact_record_departure
from tests.factories import ContactFactory

C = "/api/v1/contacts"
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def andi(account, budi):
    return ContactFactory(account=account, name="Andi Wijaya", reports_to=budi)


@pytest.fixture
def deal(account, alice, budi):
    deal = opportunity_create(
        account=account, by=alice, name="Hinges 2027", value=1000, probability=50,
        buy_in_needed_from=[budi],
    )  # fmt: skip
    # Far in the past, so 'changed by the hand-over' does not depend on the clock's grain.
    Opportunity.objects.filter(pk=deal.pk).update(updated_at=LONG_AGO)
    return deal


def _left(budi, alice, successor=None):
    contact_record_departure(
        contact=budi,
        left_on=timezone.localdate(),
        successor=successor,
        by=alice,
        note="Moved to a competitor",
    )


# --- the list ------------------------------------------------------------------------------


def test_departures_are_listed_with_reason_successor_and_hand_overs(
    api, alice, account, budi, siti, andi, deal
):
    response = api(alice).post(
        f"{C}/{budi.public_id}/departure",
        {"left_on": str(timezone.localdate()), "successor": str(siti.public_id), "note": "Retired"},
    )
    assert response.status_code == 200, response.content
    body = api(alice).get(f"{C}/departures", account=str(account.public_id)).json()
    assert body["count"] == 1
    (left,) = body["items"]
    assert (left["id"], left["name"], left["status"]) == (
        str(budi.public_id),
        "Budi Santoso",
        "left",
    )
    assert (left["left_on"], left["reason"]) == (str(timezone.localdate()), "Retired")
    assert left["successor"] == {"id": str(siti.public_id), "name": "Siti Rahayu"}
    (handover,) = left["handovers"]
    assert handover["by"] == "alice"
    assert handover["reports"] == [{"id": str(andi.public_id), "name": "Andi Wijaya"}]
    assert handover["opportunities"] == [{"id": str(deal.public_id), "name": "Hinges 2027"}]


def test_the_list_costs_the_same_queries_for_one_departure_or_many(api, alice, account, budi):
    caller = api(alice)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert caller.get(f"{C}/departures", account=str(account.public_id)).status_code == 200
        return len(queries)

    successor = ContactFactory(account=account, name="Dewi")
    ContactFactory(account=account, reports_to=budi)
    _left(budi, alice, successor)
    one = count()
    for n in range(4):
        person = ContactFactory(account=account, name=f"Leaver {n}")
        ContactFactory(account=account, reports_to=person)
        _left(person, alice, successor)
    assert count() == one


def test_a_mentor_reads_the_departures_and_charlie_gets_404(
    api, mia, charlie, account, budi, alice
):
    _left(budi, alice)
    listed = api(mia).get(f"{C}/departures", account=str(account.public_id))
    assert [d["name"] for d in listed.json()["items"]] == ["Budi Santoso"]
    assert api(charlie).get(f"{C}/departures", account=str(account.public_id)).status_code == 404


def test_contacts_still_there_are_not_departures(api, alice, account, budi):
    body = api(alice).get(f"{C}/departures", account=str(account.public_id)).json()
    assert body == {"items": [], "count": 0}


# --- a successor named later ---------------------------------------------------------------


def test_a_successor_named_later_gets_the_hand_over(
    api, bob, alice, account, budi, siti, andi, deal
):
    _left(budi, alice)
    response = api(bob).put(f"{C}/{budi.public_id}/successor", {"successor": str(siti.public_id)})
    assert response.status_code == 200, response.content
    assert response.json()["successor_id"] == str(siti.public_id)
    andi.refresh_from_db()
    assert andi.reports_to == siti
    deal.refresh_from_db()
    assert set(deal.buy_in_needed_from.all()) == {budi, siti}
    assert deal.updated_at > LONG_AGO  # so an edit based on the old version is seen as stale
    audited = AuditEntry.objects.filter(account=account, action="update", by=bob)
    assert {e.object_label for e in audited} == {
        f"contact #{budi.pk}",
        f"contact #{andi.pk}",
        f"opportunity #{deal.pk}",
    }
    handover = Handover.objects.get(departed=budi)
    assert (handover.successor, handover.reports) == (siti, [str(andi.public_id)])
    listed = api(bob).get(f"{C}/departures", account=str(account.public_id)).json()
    assert listed["items"][0]["successor"]["name"] == "Siti Rahayu"


def test_a_successor_can_be_changed_and_the_rest_is_handed_over(
    api, alice, account, budi, siti, andi, deal
):
    _left(budi, alice, successor=siti)
    dewi = ContactFactory(account=account, name="Dewi Lestari")
    latecomer = ContactFactory(account=account, name="Rina", reports_to=budi)
    response = api(alice).put(f"{C}/{budi.public_id}/successor", {"successor": str(dewi.public_id)})
    assert response.status_code == 200
    budi.refresh_from_db()
    latecomer.refresh_from_db()
    assert (budi.successor, latecomer.reports_to) == (dewi, dewi)
    assert set(deal.buy_in_needed_from.all()) == {budi, siti, dewi}
    assert Handover.objects.filter(departed=budi).count() == 2


def test_without_hand_over_only_the_successor_is_named(api, alice, budi, siti, andi, deal):
    _left(budi, alice)
    body = {"successor": str(siti.public_id), "hand_over": False}
    assert api(alice).put(f"{C}/{budi.public_id}/successor", body).status_code == 200
    andi.refresh_from_db()
    assert andi.reports_to == budi
    assert set(deal.buy_in_needed_from.all()) == {budi}


@pytest.mark.parametrize("who", ["himself", "other_account", "departed"])
def test_it_refuses_a_successor_who_cannot_take_over(
    api, alice, account, other_account, budi, siti, andi, deal, who
):
    _left(budi, alice)
    successor = {
        "himself": budi,
        "other_account": Contact.objects.get(account=other_account),
        "departed": siti,
    }[who]
    if who == "departed":
        contact_record_departure(contact=siti, left_on=timezone.localdate(), by=alice)
    response = api(alice).put(
        f"{C}/{budi.public_id}/successor", {"successor": str(successor.public_id)}
    )
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["successor"]
    budi.refresh_from_db()
    andi.refresh_from_db()
    assert (budi.successor, andi.reports_to) == (None, budi)
    assert not Handover.objects.exists()


def test_a_successor_needs_a_departure_recorded_first(api, alice, budi, siti):
    response = api(alice).put(f"{C}/{budi.public_id}/successor", {"successor": str(siti.public_id)})
    assert response.status_code == 422
    assert "Record the departure first" in response.json()["detail"][0]["msg"]
    budi.refresh_from_db()
    assert budi.successor is None


def test_a_mentor_cannot_name_a_successor_and_charlie_gets_404(
    api, mia, charlie, alice, budi, siti, andi
):
    _left(budi, alice)
    body = {"successor": str(siti.public_id)}
    assert api(mia).put(f"{C}/{budi.public_id}/successor", body).status_code == 403
    assert api(charlie).put(f"{C}/{budi.public_id}/successor", body).status_code == 404
    budi.refresh_from_db()
    andi.refresh_from_db()
    assert (budi.successor, andi.reports_to) == (None, budi)


# --- the hand-over of a departure recorded with its successor ------------------------------


def test_a_departure_with_a_successor_marks_the_deals_it_changes(alice, budi, siti, deal):
    _left(budi, alice, successor=siti)
    deal.refresh_from_db()
    assert deal.updated_at > LONG_AGO
    entry = AuditEntry.objects.get(object_label=f"opportunity #{deal.pk}", action="update")
    assert entry.changes["buy_in_needed_from"] == [[budi.pk], sorted([budi.pk, siti.pk])]


def test_a_departure_refuses_a_successor_who_has_left(alice, budi, siti):
    from django.core.exceptions import ValidationError

    contact_record_departure(contact=siti, left_on=timezone.localdate(), by=alice)
    with pytest.raises(ValidationError) as refused:
        contact_record_departure(
            contact=budi, left_on=timezone.localdate(), successor=siti, by=alice
        )
    assert "successor" in refused.value.message_dict
    budi.refresh_from_db()
    assert budi.left_on is None


def test_changing_only_whose_buy_in_a_deal_needs_marks_the_deal(api, alice, siti, deal):
    response = api(alice).patch(
        f"/api/v1/planning/opportunities/{deal.public_id}",
        {"buy_in_needed_from": [str(siti.public_id)]},
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.updated_at > LONG_AGO


def test_naming_the_same_successor_twice_records_one_hand_over(api, alice, budi, siti, andi):
    _left(budi, alice)
    body = {"successor": str(siti.public_id)}
    for _ in range(2):
        assert api(alice).put(f"{C}/{budi.public_id}/successor", body).status_code == 200
    assert Handover.objects.filter(departed=budi).count() == 1
