"""Assessments: each change a dated, attributed row; the current one is the latest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.relationships.models import (
    Assessment,
    Contact,
    RoleStyle,
    RoleVocabulary,
    role_label,
)
from kam.relationships.services import (
    assessment_delete,
    assessment_record,
    assessment_update,
    role_vocabulary_update,
)
from tests.factories import ContactFactory


def test_a_change_of_attitude_is_a_new_row_that_copies_the_rest(account, alice, bob, budi):
    first = assessment_record(
        contact=budi,
        by=alice,
        buying_role="decision_maker",
        influence=5,
        attitude="supporter",
        known_in_person_by=[alice],
        assessed_at=timezone.now() - timedelta(days=30),
    )
    second = assessment_record(contact=budi, by=bob, attitude="neutral", note="Cooler since Q3")
    budi.refresh_from_db()
    assert budi.current_assessment == second
    assert (second.buying_role, second.influence, second.attitude) == (
        "decision_maker",
        5,
        "neutral",
    )
    assert list(second.known_in_person_by.all()) == [alice]
    assert second.assessed_by == bob
    assert list(budi.assessments.order_by("assessed_at")) == [first, second]
    entry = AuditEntry.objects.filter(object_id=second.pk).get()
    assert entry.changes["attitude"] == ["supporter", "neutral"]
    assert entry.contact == budi


def test_a_backdated_assessment_does_not_become_the_current_one(account, alice, budi):
    now = assessment_record(contact=budi, by=alice, attitude="supporter")
    assessment_record(
        contact=budi,
        by=alice,
        attitude="opponent",
        assessed_at=timezone.now() - timedelta(days=60),
    )
    budi.refresh_from_db()
    assert budi.current_assessment == now


def test_nothing_changed_is_refused_rather_than_stored(account, alice, budi):
    assessment_record(contact=budi, by=alice, attitude="supporter")
    with pytest.raises(ValidationError):
        assessment_record(contact=budi, by=alice, attitude="supporter")
    assert budi.assessments.count() == 1


def test_it_refuses_an_influence_outside_one_to_five(account, alice, budi):
    with pytest.raises(ValidationError) as error:
        assessment_record(contact=budi, by=alice, influence=9)
    assert "influence" in error.value.message_dict


def test_it_refuses_an_assessment_in_the_future(account, alice, budi):
    with pytest.raises(ValidationError) as error:
        assessment_record(contact=budi, by=alice, assessed_at=timezone.now() + timedelta(days=2))
    assert "assessed_at" in error.value.message_dict


@pytest.mark.parametrize("who", ["charlie", "mia"])
def test_only_the_team_assesses(account, budi, who, request):
    with pytest.raises(PermissionDenied):
        assessment_record(contact=budi, by=request.getfixturevalue(who), attitude="opponent")
    assert not Assessment.objects.exists()


def test_deleting_the_current_assessment_falls_back_to_the_previous(account, alice, budi):
    first = assessment_record(
        contact=budi,
        by=alice,
        attitude="supporter",
        assessed_at=timezone.now() - timedelta(days=3),
    )
    second = assessment_record(contact=budi, by=alice, attitude="opponent")
    pk = second.pk
    assessment_delete(assessment=second, by=alice)
    budi.refresh_from_db()
    assert budi.current_assessment == first
    assert AuditEntry.objects.filter(action="delete", object_id=pk).exists()


def test_a_correction_is_audited(account, alice, budi):
    assessment = assessment_record(contact=budi, by=alice, planned_step="Lunch in Jepara")
    assessment_update(assessment=assessment, by=alice, planned_step="Dinner in Jepara")
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes["planned_step"] == ["Lunch in Jepara", "Dinner in Jepara"]


def test_the_current_assessments_of_a_list_come_in_a_fixed_number_of_queries(account, alice):
    for n in range(12):
        contact = ContactFactory(account=account, name=f"Person {n}")
        assessment_record(
            contact=contact, by=alice, influence=1 + n % 5, known_in_person_by=[alice]
        )
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (
                c.name,
                c.current_assessment and c.current_assessment.influence,
                [u.username for u in c.current_assessment.known_in_person_by.all()]
                if c.current_assessment
                else [],
            )
            for c in Contact.objects.filter(account=account).with_current_assessment()
        ]
    assert len(queries) == 2
    assert len(rows) == 13


def test_the_chess_vocabulary_labels_the_roles(lee):
    assert role_label("decision_maker") == "Decision maker / economic buyer"
    vocabulary = role_vocabulary_update(by=lee, style=RoleStyle.CHESS)
    assert role_label("decision_maker", vocabulary=vocabulary).startswith("♔ King")
    vocabulary = role_vocabulary_update(
        by=lee, style=RoleStyle.CHESS, custom_labels={"coach": "Sponsor"}
    )
    assert RoleVocabulary.load().label("coach") == "Sponsor"


def test_only_the_lead_chooses_the_vocabulary(alice):
    with pytest.raises(PermissionDenied):
        role_vocabulary_update(by=alice, style=RoleStyle.CHESS)


def test_it_refuses_labels_for_unknown_roles(lee):
    with pytest.raises(ValidationError):
        role_vocabulary_update(by=lee, style="chess", custom_labels={"emperor": "X"})
