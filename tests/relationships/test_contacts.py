"""Contacts: who may add and change them, reporting lines, departures, people who move."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.accounts.models import AuditEntry
from kam.planning.services import opportunity_create
from kam.relationships.models import Contact, ContactStatus
from kam.relationships.services import (
    EditConflict,
    contact_create,
    contact_delete,
    contact_record_departure,
    contact_rejoin,
    contact_update,
)
from tests.factories import ContactFactory

TODAY = date(2026, 11, 22)


def test_the_kam_adds_a_contact_with_a_name_in_any_script(account, alice):
    contact = contact_create(
        account=account, by=alice, name="黄志明", other_name="Wong Chi Ming", level="executive"
    )
    assert Contact.objects.get(pk=contact.pk).name == "黄志明"
    entry = AuditEntry.objects.get(object_id=contact.pk, action="create")
    assert entry.by == alice
    assert entry.changes["name"] == [None, "黄志明"]
    assert entry.object_label == f"contact #{contact.pk}"


def test_a_team_member_and_the_lead_may_add_contacts(account, bob, lee):
    contact_create(account=account, by=bob, name="Rina Kusuma")
    contact_create(account=account, by=lee, name="Eko Wijaya")
    assert account.contacts.count() == 3


@pytest.mark.parametrize("who", ["charlie", "mia"])
def test_it_refuses_a_contact_from_someone_who_may_not_write(account, who, request):
    with pytest.raises(PermissionDenied):
        contact_create(account=account, by=request.getfixturevalue(who), name="Intruder")
    assert not account.contacts.filter(name="Intruder").exists()
    assert not AuditEntry.objects.exists()


def test_a_name_too_long_is_refused_not_cut(account, alice):
    with pytest.raises(ValidationError) as error:
        contact_create(account=account, by=alice, name="x" * 301)
    assert "name" in error.value.message_dict


def test_it_refuses_a_reporting_loop(account, alice, budi):
    boss = contact_create(account=account, by=alice, name="Direktur", reports_to=None)
    contact_update(contact=budi, by=alice, reports_to=boss)
    with pytest.raises(ValidationError) as error:
        contact_update(contact=boss, by=alice, reports_to=budi)
    assert "reports_to" in error.value.message_dict
    boss.refresh_from_db()
    assert boss.reports_to is None


def test_it_refuses_a_manager_from_another_account(account, other_account, alice, budi):
    stranger = other_account.contacts.get()
    with pytest.raises(ValidationError) as error:
        contact_update(contact=budi, by=alice, reports_to=stranger)
    assert "reports_to" in error.value.message_dict


def test_an_update_audits_only_what_changed(account, alice, budi):
    contact_update(contact=budi, by=alice, title="Purchasing Manager", department="Procurement")
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"department": ["Pengadaan", "Procurement"]}


def test_it_refuses_to_overwrite_someone_elses_change(account, alice, bob, budi):
    seen = budi.updated_at
    contact_update(contact=budi, by=bob, title="Head of Purchasing")
    with pytest.raises(EditConflict):
        contact_update(contact=budi, by=alice, title="Buyer", expected_updated_at=seen)
    budi.refresh_from_db()
    assert budi.title == "Head of Purchasing"


def test_a_departure_with_a_successor_hands_over_reports_and_deals(account, alice, budi, siti):
    junior = ContactFactory(account=account, name="Andi", reports_to=budi)
    deal = opportunity_create(
        account=account,
        by=alice,
        name="Hinges 2027",
        value=1000,
        probability=50,
        buy_in_needed_from=[budi],
    )
    contact_record_departure(
        contact=budi,
        left_on=date(2026, 11, 20),
        successor=siti,
        by=alice,
        note="Moved to a competitor",
        today=TODAY,
    )
    budi.refresh_from_db()
    junior.refresh_from_db()
    assert budi.status == ContactStatus.LEFT
    assert budi.left_on == date(2026, 11, 20)
    assert budi.successor == siti
    assert budi.departure_note == "Moved to a competitor"
    assert junior.reports_to == siti
    assert set(deal.buy_in_needed_from.all()) == {budi, siti}


def test_an_announced_departure_keeps_the_contact_active_until_then(account, alice, budi):
    contact_record_departure(contact=budi, left_on=date(2027, 1, 31), by=alice, today=TODAY)
    budi.refresh_from_db()
    assert budi.status == ContactStatus.ACTIVE
    assert budi.has_left(date(2027, 2, 1)) and not budi.has_left(TODAY)


def test_a_mentor_cannot_record_a_departure(account, mia, budi):
    with pytest.raises(PermissionDenied):
        contact_record_departure(contact=budi, left_on=TODAY, by=mia, today=TODAY)
    budi.refresh_from_db()
    assert budi.status == ContactStatus.ACTIVE


def test_a_person_who_moves_gets_a_new_record_linked_to_the_old(
    account, other_account, alice, lee, budi
):
    joined = contact_rejoin(
        contact=budi, account=other_account, by=lee, title="采购总监", today=TODAY
    )
    budi.refresh_from_db()
    assert budi.status == ContactStatus.LEFT and budi.left_on == TODAY
    assert joined.account == other_account
    assert joined.previous == budi
    assert joined.name == "Budi Santoso"
    assert not joined.assessments.exists()  # histories stay apart


def test_a_rejoin_needs_the_right_to_write_at_the_new_account(account, other_account, alice, budi):
    with pytest.raises(PermissionDenied):
        contact_rejoin(contact=budi, account=other_account, by=alice, today=TODAY)


def test_deleting_a_contact_redacts_what_the_audit_kept_about_them(account, alice, budi):
    contact_update(contact=budi, by=alice, email="budi@sinar.example", phone="+62 811 000")
    pk = budi.pk
    contact_delete(contact=budi, by=alice)
    assert not Contact.objects.filter(pk=pk).exists()
    text = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "budi@sinar.example" not in text
    assert AuditEntry.objects.filter(action="delete", object_id=pk).exists()
