"""Time with the right people: the measure (pure) and what the KAM, the lead and the
account page show, scoped to the caller."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kam.core.models import Period
from kam.priorities import people_time as pt
from kam.relationships.services import assessment_record, interaction_log
from tests.factories import ContactFactory

TODAY = date(2026, 12, 7)


def test_a_meeting_splits_between_their_people_and_the_easy_share_flags_with_the_unseen():
    ratna = pt.Person(1, 10, "Ibu Ratna", influence=5, decision_maker=True)
    buyer = pt.Person(2, 10, "Friendly buyer", influence=2)
    joko = pt.Person(3, 10, "Pak Joko", influence=2, opponent=True)
    people = {p.contact_id: p for p in (ratna, buyer, joko)}
    assert [p.group for p in (ratna, buyer, joko)] == [pt.INFLUENTIAL, pt.EASY, pt.INFLUENTIAL]
    meetings = [
        pt.Meeting(10, TODAY - timedelta(days=5), 60, (7,), (2, 3)),  # 30 easy, 30 opponent
        pt.Meeting(10, TODAY - timedelta(days=3), 120, (7,), (2,)),
        pt.Meeting(10, TODAY - timedelta(days=100), 60, (7,), (1,)),  # last quarter
    ]
    f = pt.find(
        meetings,
        people,
        start=date(2026, 10, 1),
        end=TODAY,
        buckets=pt.buckets(TODAY, "quarter", 2),
        user=7,
        their_accounts=[10],
    )
    assert (f.mix.easy, f.mix.influential) == (150, 30)
    assert f.flagged and [p.name for p in f.unseen] == ["Ibu Ratna"]
    assert [(p.label, p.share) for p in f.trend] == [("2026 Q3", 1.0), ("2026 Q4", 30 / 180)]
    assert f.direction == pt.FALLING


def test_a_little_contact_time_is_never_flagged():
    buyer = pt.Person(2, 10, "Friendly buyer", influence=2)
    f = pt.find(
        [pt.Meeting(10, TODAY, 60, (7,), (2,))],
        {2: buyer},
        start=TODAY,
        end=TODAY,
        buckets=[],
        account=10,
    )
    assert f.mix.easy_share == 1.0 and not f.flagged


@pytest.fixture
def easy_world(account, alice):
    """Alice meets the friendly buyer four times this month; the decision maker never."""
    today = timezone.localdate()
    period = Period.objects.create(
        name="Now", starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=40)
    )
    ratna = ContactFactory(account=account, name="Ibu Ratna")
    buyer = ContactFactory(account=account, name="Friendly buyer")
    assessment_record(contact=ratna, by=alice, influence=5, buying_role="decision_maker")
    assessment_record(contact=buyer, by=alice, influence=2, attitude="supporter")
    for days in (2, 9, 16, 23):
        interaction_log(
            account=account,
            by=alice,
            kind="meeting",
            occurred_on=today - timedelta(days=days),
            their_participants=[buyer],
            duration_minutes=60,
        )
    return period


def test_the_kam_sees_their_own_time_flagged_naming_whom_they_do_not_see(
    easy_world, alice, client_for
):
    body = client_for(alice).get(f"/api/v1/priorities/people-time?period={easy_world.pk}").json()
    [me] = body["people"]
    assert me["username"] == "alice" and me["contact_hours"] == 4.0
    assert me["easy_share"] == 1.0 and me["flagged"]
    assert [u["name"] for u in me["unseen"]] == ["Ibu Ratna"]
    assert "Ibu Ratna" in me["why"]
    [acc] = body["accounts"]
    assert acc["flagged"] and [u["name"] for u in acc["unseen"]] == ["Ibu Ratna"]


def test_another_kams_time_is_for_the_lead_only_and_an_unseen_account_is_404(
    easy_world, account, alice, charlie, lee, client_for
):
    url = f"/api/v1/priorities/people-time?period={easy_world.pk}&kam=alice"
    assert client_for(charlie).get(url).status_code == 403
    body = client_for(lee).get(url).json()
    assert [p["username"] for p in body["people"]] == ["alice"]
    one = f"/api/v1/priorities/accounts/{account.public_id}/people-time?period={easy_world.pk}"
    assert client_for(charlie).get(one).status_code == 404
    assert client_for(alice).get(one).json()["flagged"]
    missing = f"/api/v1/priorities/accounts/{account.public_id}/people-time?period=999999"
    assert client_for(alice).get(missing).status_code == 422


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "mostly easy contacts"),
        ("zh-hant", "多為容易的聯絡人"),
        ("id", "kebanyakan kontak mudah"),
    ],
)
def test_the_lead_page_and_the_account_page_flag_the_kam_in_three_languages(
    easy_world, account, lee, alice, client_for, language, words
):
    client = client_for(lee)
    client.cookies["django_language"] = language
    page = client.get(f"/priorities/people/?period={easy_world.pk}")
    text = page.content.decode()
    assert page.status_code == 200 and words in text and "Ibu Ratna" in text and "Alice" in text
    client = client_for(alice)
    client.cookies["django_language"] = language
    page = client.get(f"/priorities/accounts/{account.public_id}/?period={easy_world.pk}")
    assert words in page.content.decode()
