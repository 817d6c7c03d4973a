"""The relationships API as a client sees it: writes validated with 422s naming the field,
nothing cut, lists in a fixed number of queries."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.relationships.models import Contact
from kam.relationships.services import assessment_record, interaction_log, link_create
from tests.factories import ContactFactory
from tests.relationships.factories import AssessmentFactory, InteractionFactory, LinkFactory

C = "/api/v1/contacts"
TODAY = date(2026, 11, 22)


def _fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {err["loc"][-1] for err in response.json()["detail"]}


def test_the_kam_adds_a_contact_and_reads_it_back(api, alice, account, budi):
    response = api(alice).post(
        C,
        {
            "account": str(account.public_id),
            "name": "陳嘉欣",
            "other_name": "Chan Ka Yan",
            "level": "executive",
            "reports_to": str(budi.public_id),
            "email": "kayan@example.hk",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "陳嘉欣"
    assert body["reports_to_id"] == str(budi.public_id)
    assert body["current_assessment"] is None
    detail = api(alice).get(f"{C}/{body['id']}").json()
    assert detail["email"] == "kayan@example.hk"


def test_a_name_too_long_is_a_422_on_the_name_not_a_cut(api, alice, account):
    response = api(alice).post(C, {"account": str(account.public_id), "name": "名" * 301})
    assert _fields(response) == {"name"}
    assert not Contact.objects.filter(name__startswith="名").exists()


def test_an_unknown_level_and_a_bad_email_are_named(api, alice, account):
    response = api(alice).post(
        C,
        {
            "account": str(account.public_id),
            "name": "X",
            "level": "emperor",
            "email": "not-an-email",
        },
    )
    assert _fields(response) == {"level", "email"}


def test_a_manager_from_another_account_is_a_422_on_reports_to(api, lee, account, other_account):
    stranger = other_account.contacts.get()
    response = api(lee).post(
        C, {"account": str(account.public_id), "name": "X", "reports_to": str(stranger.public_id)}
    )
    assert _fields(response) == {"reports_to"}


def test_a_missing_field_is_ninjas_own_422(api, alice, account):
    response = api(alice).post(C, {"account": str(account.public_id)})
    assert _fields(response) == {"name"}


def test_an_assessment_change_through_the_api(api, alice, bob, budi):
    response = api(alice).post(
        f"{C}/{budi.public_id}/assessments",
        {
            "buying_role": "decision_maker",
            "influence": 5,
            "attitude": "supporter",
            "known_in_person_by": ["alice", "bob"],
        },
    )
    assert response.status_code == 201, response.content
    response = api(bob).post(f"{C}/{budi.public_id}/assessments", {"attitude": "neutral"})
    history = api(bob).get(f"{C}/{budi.public_id}/assessments").json()
    assert [a["attitude"] for a in history] == ["neutral", "supporter"]
    assert history[0]["known_in_person_by"] == ["alice", "bob"]
    assert history[0]["assessed_by"] == "bob"
    contact = api(bob).get(f"{C}/{budi.public_id}").json()
    assert contact["current_assessment"]["attitude"] == "neutral"


def test_an_influence_of_nine_is_a_422_on_influence(api, alice, budi):
    response = api(alice).post(f"{C}/{budi.public_id}/assessments", {"influence": 9})
    assert _fields(response) == {"influence"}


def test_an_unknown_user_who_knows_them_is_a_422(api, alice, budi):
    response = api(alice).post(
        f"{C}/{budi.public_id}/assessments", {"known_in_person_by": ["nobody"]}
    )
    assert _fields(response) == {"known_in_person_by"}


def test_a_departure_through_the_api(api, alice, budi, siti):
    response = api(alice).post(
        f"{C}/{budi.public_id}/departure",
        {
            "left_on": "2026-11-01",
            "successor": str(siti.public_id),
            "note": "Retired",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "left"
    assert response.json()["successor_id"] == str(siti.public_id)


def test_an_interaction_with_a_contact_of_another_account_is_a_422(
    api, lee, account, other_account
):
    response = api(lee).post(
        f"{C}/interactions",
        {
            "account": str(account.public_id),
            "kind": "call",
            "occurred_on": "2026-11-01",
            "their_participants": [str(other_account.contacts.get().public_id)],
        },
    )
    assert _fields(response) == {"their_participants"}


def test_enlisting_an_advocate_without_one_is_a_422_on_advocate(api, alice, budi):
    response = api(alice).post(
        f"{C}/interests",
        {
            "holder": str(budi.public_id),
            "kind": "incumbent_kickbacks",
            "threat_level": 4,
            "strategy": "enlist_advocate",
        },
    )
    assert _fields(response) == {"advocate"}


def test_a_stale_edit_is_a_409(api, alice, bob, budi):
    seen = api(alice).get(f"{C}/{budi.public_id}").json()["updated_at"]
    api(bob).patch(f"{C}/{budi.public_id}", {"title": "Head of Purchasing"})
    response = api(alice).patch(
        f"{C}/{budi.public_id}", {"title": "Buyer", "expected_updated_at": seen}
    )
    assert response.status_code == 409


def test_the_analyses_answer_findings_with_names(api, alice, account, budi):
    interaction_log(
        account=account,
        by=alice,
        kind="meeting",
        occurred_on=date.today(),
        their_participants=[budi],
    )
    body = api(alice).get(f"{C}/analyses", account=str(account.public_id)).json()
    codes = {f["code"] for f in body["findings"]}
    assert "relationships.single_threaded" in codes
    assert body["contacts"][str(budi.pk)]["name"] == "Budi Santoso"


def test_the_map_is_an_svg(api, mia, account):
    response = api(mia).get(f"{C}/map.svg", account=str(account.public_id))
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "Budi Santoso" in response.content.decode()


def test_the_erase_endpoint_anonymises(api, alice, budi):
    response = api(alice).post(f"{C}/{budi.public_id}/erase", {"reason": "asked by email"})
    assert response.json()["name"] == f"Erased contact #{budi.pk}"
    assert response.json()["erased"] is True


def test_the_vocabulary_is_chosen_by_the_lead(api, lee, alice):
    assert api(alice).put(f"{C}/vocabulary", {"style": "chess"}).status_code == 403
    response = api(lee).put(f"{C}/vocabulary", {"style": "chess"})
    assert response.json()["labels"]["coach"].startswith("♘ Knight")
    assert api(alice).get(f"{C}/vocabulary").json()["style"] == "chess"


# --- query counts of the list endpoints ----------------------------------------------------


def _grow(account, alice, n):
    people = [ContactFactory(account=account) for _ in range(n)]
    for person in people:
        AssessmentFactory(contact=person).known_in_person_by.set([alice])
        InteractionFactory(account=account, users=[alice], contacts=[person])
    for a, b in itertools.pairwise(people):
        LinkFactory(source=a, target=b)
    return people


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (C, 6),
        (f"{C}/links", 5),
        (f"{C}/interactions", 7),
        (f"{C}/interests", 5),
        (f"{C}/practices", 5),
    ],
)
def test_list_endpoints_take_a_fixed_number_of_queries(api, alice, account, path, expected):
    caller = api(alice)
    counts = []
    for n in (3, 12):
        _grow(account, alice, n)
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(path, account=str(account.public_id), limit=100)
        assert response.status_code == 200
        counts.append(len(queries))
    # token lookup + its last-used update + account filter + count + page (+ prefetches)
    assert counts == [expected, expected]


def test_listing_contacts_shows_the_current_assessment(api, alice, account, budi):
    assessment_record(
        contact=budi, by=alice, influence=4, attitude="supporter", known_in_person_by=[alice]
    )
    items = api(alice).get(C, account=str(account.public_id)).json()["items"]
    assert items[0]["current_assessment"]["influence"] == 4
    assert items[0]["current_assessment"]["known_in_person_by"] == ["alice"]


def test_the_interaction_list_narrows_to_one_contact(api, alice, account, budi, siti):
    interaction_log(
        account=account,
        by=alice,
        kind="call",
        occurred_on=TODAY,
        their_participants=[budi],
        today=TODAY,
    )
    interaction_log(
        account=account,
        by=alice,
        kind="visit",
        occurred_on=TODAY - timedelta(days=1),
        their_participants=[siti],
        today=TODAY,
    )
    link_create(source=budi, target=siti, kind="allied_with", by=alice)
    items = api(alice).get(f"{C}/interactions", contact=str(siti.public_id)).json()["items"]
    assert [i["kind"] for i in items] == ["visit"]
