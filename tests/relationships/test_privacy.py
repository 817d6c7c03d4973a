"""A person's data: exported on request, erased on request, anonymous facts kept."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from kam.accounts.models import AuditEntry
from kam.planning.services import objective_create
from kam.relationships.models import Contact, Interaction
from kam.relationships.services import (
    assessment_record,
    contact_erase,
    contact_export,
    contact_update,
    interaction_log,
    interest_create,
    link_create,
)

TODAY = date(2026, 11, 22)


@pytest.fixture
def known_budi(account, alice, bob, budi, siti):
    contact_update(
        contact=budi,
        by=alice,
        email="budi@sinar.example",
        phone="+62 811 555",
        notes="Prefers WhatsApp; his daughter studies in Guangzhou",
    )
    assessment_record(
        contact=budi,
        by=alice,
        buying_role="decision_maker",
        influence=5,
        attitude="opponent",
        note="Budi Santoso blocks every trial",
        known_in_person_by=[alice],
    )
    interest_create(
        holder=budi,
        by=alice,
        kind="incumbent_kickbacks",
        threat_level=4,
        description="Takes a cut from the incumbent",
        today=TODAY,
    )
    link_create(source=siti, target=budi, kind="influences", by=alice, note="Old colleagues")
    interaction_log(
        account=account,
        by=bob,
        kind="meeting",
        occurred_on=date(2026, 10, 1),
        their_participants=[budi, siti],
        notes="Met Budi Santoso and Siti; budi@sinar.example sent the specs",
        today=TODAY,
    )
    objective_create(
        account=account,
        by=alice,
        description="Budi Santoso wants lower prices",
        horizon="short_term",
        source_contact=budi,
        today=TODAY,
    )
    budi.refresh_from_db()
    return budi


def test_the_export_holds_everything_about_the_person(known_budi, mia):
    data = contact_export(contact=known_budi, by=mia)
    json.dumps(data)  # JSON-ready as it is
    assert data["contact"]["email"] == "budi@sinar.example"
    assert data["assessments"][0]["note"] == "Budi Santoso blocks every trial"
    assert data["interests_held"][0]["description"] == "Takes a cut from the incumbent"
    assert data["links"][0]["other"] == "Siti Rahayu"
    assert data["interactions"][0]["notes"].startswith("Met Budi")
    assert data["objectives_told"][0]["horizon"] == "short_term"
    assert AuditEntry.objects.filter(action="export", contact=known_budi, by=mia).exists()


def test_nobody_outside_the_account_can_export_the_person(known_budi, charlie):
    with pytest.raises(PermissionDenied):
        contact_export(contact=known_budi, by=charlie)


def test_erasure_removes_identity_and_free_text_but_keeps_the_counts(known_budi, alice, siti):
    pk = known_budi.pk
    contact_erase(contact=known_budi, by=alice, reason="Request by email from Budi Santoso")
    erased = Contact.objects.get(pk=pk)
    assert erased.name == f"Erased contact #{pk}"
    assert (erased.email, erased.phone, erased.notes, erased.title) == ("", "", "", "")
    assert erased.is_erased
    # The anonymous facts: the role stays covered, the interaction still counts.
    assert erased.current_assessment.buying_role == "decision_maker"
    assert erased.current_assessment.note == ""
    assert Interaction.objects.filter(their_participants=erased).count() == 1
    assert erased.interests.get().description == ""
    # Their names are gone from everyone's free text, and from the audit trail.
    notes = Interaction.objects.get().notes
    assert "Budi Santoso" not in notes and "budi@sinar.example" not in notes
    assert "Siti" in notes
    assert "Budi Santoso" not in erased.account.objectives.get().description
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.changes, ensure_ascii=False)
        assert "Budi Santoso" not in text, entry
        assert "budi@sinar.example" not in text, entry
        assert "Guangzhou" not in text, entry
    erasure = AuditEntry.objects.get(action="erase")
    assert erasure.by == alice
    assert "Budi" not in json.dumps(erasure.changes)


def test_erasure_works_for_names_in_chinese_script(other_account, charlie):
    wang = other_account.contacts.get()
    interaction_log(
        account=other_account,
        by=charlie,
        kind="call",
        occurred_on=TODAY,
        their_participants=[wang],
        notes="王伟说价格太高",
        today=TODAY,
    )
    contact_erase(contact=wang, by=charlie, reason="他的要求")
    assert "王伟" not in Interaction.objects.get().notes
    assert "王伟" not in json.dumps(
        list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False
    )


@pytest.mark.parametrize("who", ["charlie", "mia", "bob"])
def test_only_the_kam_or_the_lead_may_erase(known_budi, who, request):
    with pytest.raises(PermissionDenied):
        contact_erase(contact=known_budi, by=request.getfixturevalue(who), reason="asked")
    known_budi.refresh_from_db()
    assert known_budi.name == "Budi Santoso"


def test_the_lead_may_erase(known_budi, lee):
    contact_erase(contact=known_budi, by=lee, reason="asked")
    assert Contact.objects.get(pk=known_budi.pk).is_erased
