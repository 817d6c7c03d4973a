"""No lost update through the API: every record people edit carries a version; a write based on
an older one is refused with 409 naming who changed it and when, by body or ``If-Match``."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kam.planning.services import objective_create, opportunity_create
from kam.relationships.models import Contact
from kam.relationships.services import (
    assessment_record,
    contact_record_departure,
    interaction_log,
    interest_create,
    link_create,
    practice_create,
)
from kam.selection.defaults import ensure_defaults
from kam.users.models import ApiToken, Role
from tests.factories import ContactFactory, UserFactory

R = "/api/v1/contacts"
P = "/api/v1/planning"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **headers)`` with the user's bearer token."""

    def send(user, method, path, body=None, **headers):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user)[1]}"}
        extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        if body is None:
            return getattr(client, method)(path, **extra)
        return getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", **extra
        )

    return send


def _budi(account) -> Contact:
    return Contact.objects.get(account=account, name="Budi Santoso")


# family -> (make the record as alice, its API path, a change by bob, a change by alice)
FAMILIES = {
    "contact": (
        lambda a, alice: _budi(a),
        lambda r: f"{R}/{r.public_id}",
        {"title": "Head of Purchasing"},
        {"title": "Buyer"},
    ),
    "assessment": (
        lambda a, alice: assessment_record(contact=_budi(a), by=alice, attitude="supporter"),
        lambda r: f"{R}/assessments/{r.public_id}",
        {"note": "Met at the fair"},
        {"note": "Called twice"},
    ),
    "link": (
        lambda a, alice: link_create(
            source=_budi(a), target=ContactFactory(account=a), kind="influences", by=alice
        ),
        lambda r: f"{R}/links/{r.public_id}",
        {"note": "Old friends"},
        {"note": "Rivals"},
    ),
    "interaction": (
        lambda a, alice: interaction_log(
            account=a,
            by=alice,
            kind="meeting",
            occurred_on=date(2026, 11, 2),
            their_participants=[_budi(a)],
        ),
        lambda r: f"{R}/interactions/{r.public_id}",
        {"notes": "Samples left"},
        {"notes": "Price list sent"},
    ),
    "interest": (
        lambda a, alice: interest_create(
            holder=_budi(a), by=alice, kind="incumbent_kickbacks", threat_level=3
        ),
        lambda r: f"{R}/interests/{r.public_id}",
        {"threat_level": 4},
        {"threat_level": 2},
    ),
    "practice": (
        lambda a, alice: practice_create(account=a, by=alice, description="Pays in 90 days"),
        lambda r: f"{R}/practices/{r.public_id}",
        {"workaround": "Factoring"},
        {"workaround": "Deposit"},
    ),
    "objective": (
        lambda a, alice: objective_create(
            account=a, by=alice, description="Open a second plant", horizon="long_term"
        ),
        lambda r: f"{P}/objectives/{r.public_id}",
        {"time_frame": "before Chinese New Year"},
        {"time_frame": "next year"},
    ),
    "opportunity": (
        lambda a, alice: opportunity_create(
            account=a, by=alice, name="Lacquer line", value=Decimal("1500000000"), probability=40
        ),
        lambda r: f"{P}/opportunities/{r.public_id}",
        {"probability": 60},
        {"probability": 20},
    ),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_a_stale_patch_is_refused_naming_who_changed_it_and_when(call, alice, bob, account, family):
    make, path_of, bobs, alices = FAMILIES[family]
    record = make(account, alice)
    path = path_of(record)
    assert record.version == 1

    fresh = call(bob, "patch", path, {**bobs, "version": 1})
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["version"] == 2
    assert fresh["ETag"] == 'W/"2"'

    stale = call(alice, "patch", path, {**alices, "version": 1})
    assert stale.status_code == 409, stale.content
    assert "Bob" in stale.text and str(date.today().year) in stale.text
    by_header = call(alice, "patch", path, alices, **{"If-Match": 'W/"1"'})
    assert by_header.status_code == 409
    record.refresh_from_db()
    assert (record.version, getattr(record, next(iter(bobs)))) == (2, next(iter(bobs.values())))

    # Leaving the version out is the client's explicit choice: the last write wins.
    blind = call(alice, "patch", path, alices)
    assert blind.status_code == 200
    assert blind.json()["version"] == 3


def test_a_read_gives_the_version_and_its_etag(call, alice, account):
    budi = _budi(account)
    response = call(alice, "get", f"{R}/{budi.public_id}")
    assert response.json()["version"] == 1
    assert response["ETag"] == 'W/"1"'
    assert call(alice, "get", f"/api/v1/accounts/{account.public_id}")["ETag"] == 'W/"1"'


def test_a_stale_delete_is_refused_and_a_fresh_one_deletes(call, alice, bob, account):
    objective = objective_create(account=account, by=alice, description="Cut", horizon="short_term")
    path = f"{P}/objectives/{objective.public_id}"
    call(bob, "patch", path, {"description": "Cut lead times", "version": 1})
    stale = call(alice, "delete", path, **{"If-Match": '"1"'})
    assert stale.status_code == 409
    assert "Bob" in stale.text
    assert call(alice, "delete", f"{path}?version=2").status_code == 204


def test_the_old_updated_at_check_accepts_what_the_api_showed(call, alice, bob, account):
    """The API shows updated_at to the millisecond; sending it back is not a conflict."""
    budi = _budi(account)
    seen = call(alice, "get", f"{R}/{budi.public_id}").json()["updated_at"]
    ok = call(alice, "patch", f"{R}/{budi.public_id}", {"title": "A", "expected_updated_at": seen})
    assert ok.status_code == 200, ok.content


def test_a_hand_over_bumps_the_version_of_the_opportunities_it_changes(call, alice, bob, account):
    budi = _budi(account)
    successor = ContactFactory(account=account, name="Siti")
    deal = opportunity_create(
        account=account,
        by=alice,
        name="Lacquer line",
        value=Decimal("1"),
        probability=50,
        buy_in_needed_from=[budi],
    )
    contact_record_departure(contact=budi, left_on=date(2026, 11, 1), successor=successor, by=bob)
    deal.refresh_from_db()
    assert deal.version == 2
    stale = call(alice, "patch", f"{P}/opportunities/{deal.public_id}", {"version": 1})
    assert stale.status_code == 409


def test_a_stale_criterion_change_is_refused(call, lee, db):
    ensure_defaults()
    other_lead = UserFactory(username="lena", first_name="Lena", role=Role.PROGRAMME_LEAD)
    path = "/api/v1/selection/criteria/revenue"
    first = call(other_lead, "patch", path, {"weight": "10", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = call(lee, "patch", path, {"weight": "40"}, **{"If-Match": 'W/"1"'})
    assert stale.status_code == 409
    assert "Lena" in stale.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of a real server")
def test_of_two_concurrent_edits_with_the_same_version_exactly_one_wins(alice, bob, account):
    budi = _budi(account)
    tokens = {u.username: ApiToken.issue(user=u)[1] for u in (alice, bob)}
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def edit(username: str) -> None:
        from django.db import connection as own
        from django.test import Client

        try:
            start.wait()
            response = Client().patch(
                f"{R}/{budi.public_id}",
                data=json.dumps({"title": f"by {username}", "version": 1}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[username]}",
            )
            statuses[username] = response.status_code
        finally:
            own.close()

    threads = [threading.Thread(target=edit, args=(u,)) for u in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 409]
    budi.refresh_from_db()
    winner = next(u for u, s in statuses.items() if s == 200)
    assert (budi.title, budi.version) == (f"by {winner}", 2)


def test_the_conflict_is_told_in_the_callers_language(call, alice, bob, account):
    path = f"{R}/{_budi(account).public_id}"
    call(bob, "patch", path, {"title": "Head of Purchasing", "version": 1})
    stale = call(
        alice, "patch", path, {"title": "Buyer", "version": 1}, **{"Accept-Language": "zh-hant"}
    )
    assert stale.status_code == 409
    assert "變更了此項目" in str(stale.json())  # whatever the error shape
