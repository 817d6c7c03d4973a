"""Every relationship and planning endpoint honours the account scope: charlie (no access)
gets a 404 (or an empty list) and learns nothing; mia (mentor) reads but every write is a
403 that changes nothing; the team and the lead get through."""

from __future__ import annotations

from datetime import date

import pytest

from kam.accounts.models import AuditEntry
from kam.planning.services import objective_create, opportunity_create
from kam.relationships.services import (
    assessment_record,
    interaction_log,
    interest_create,
    level_set,
    link_create,
    override_set,
    practice_create,
)

TODAY = date(2026, 11, 22)


@pytest.fixture
def world(account, alice, bob, budi, siti):
    """One of everything on alice's account, made through the services."""
    objective = objective_create(
        account=account,
        by=alice,
        description="Lower unit cost",
        horizon="short_term",
        source_contact=budi,
        today=TODAY,
    )
    return {
        "account": account.public_id,
        "budi": budi.public_id,
        "siti": siti.public_id,
        "assessment": assessment_record(contact=budi, by=alice, attitude="neutral").public_id,
        "link": link_create(source=siti, target=budi, kind="influences", by=alice).public_id,
        "interaction": interaction_log(
            account=account,
            by=alice,
            kind="call",
            occurred_on=TODAY,
            their_participants=[budi],
            today=TODAY,
        ).public_id,
        "interest": interest_create(
            holder=budi, by=alice, kind="other", threat_level=2, today=TODAY
        ).public_id,
        "practice": practice_create(
            account=account, by=alice, description="Local only", today=TODAY
        ).public_id,
        "override": override_set(user=bob, contact=budi, value=40, reason="x", by=alice).public_id,
        "level": level_set(user=bob, contact=budi, current="vendor", by=alice).public_id,
        "objective": objective.public_id,
        "opportunity": opportunity_create(
            account=account, by=alice, name="Hinges", value=10, probability=50
        ).public_id,
    }


C = "/api/v1/contacts"
P = "/api/v1/planning"

READS = [
    ("{C}/{budi}", {}),
    ("{C}/{budi}/assessments", {}),
    ("{C}/{budi}/export", {}),
    ("{C}/interests/{interest}/history", {}),
    ("{C}/strengths", {"account": "{account}"}),
    ("{C}/analyses", {"account": "{account}"}),
    ("{C}/map.svg", {"account": "{account}"}),
    ("{C}/audit", {"account": "{account}"}),
    ("{C}/departures", {"account": "{account}"}),
    ("{P}/objectives/{objective}", {}),
    ("{P}/opportunities/{opportunity}", {}),
    ("{P}/horizons", {"account": "{account}"}),
]
LISTS = [
    f"{C}",
    f"{C}/links",
    f"{C}/interactions",
    f"{C}/interests",
    f"{C}/practices",
    f"{C}/overrides",
    f"{C}/levels",
    f"{P}/objectives",
    f"{P}/opportunities",
]
WRITES = [
    ("post", "{C}", {"account": "{account}", "name": "New person"}),
    ("patch", "{C}/{budi}", {"title": "Boss"}),
    ("delete", "{C}/{budi}", None),
    ("post", "{C}/{budi}/departure", {"left_on": "2026-11-20"}),
    ("post", "{C}/{budi}/rejoin", {"account": "{account}"}),
    ("post", "{C}/{budi}/erase", {"reason": "asked"}),
    ("post", "{C}/{budi}/assessments", {"attitude": "opponent"}),
    ("patch", "{C}/assessments/{assessment}", {"note": "typo"}),
    ("delete", "{C}/assessments/{assessment}", None),
    ("post", "{C}/links", {"source": "{budi}", "target": "{siti}", "kind": "allied_with"}),
    ("patch", "{C}/links/{link}", {"note": "x"}),
    ("delete", "{C}/links/{link}", None),
    (
        "post",
        "{C}/interactions",
        {
            "account": "{account}",
            "kind": "call",
            "occurred_on": "2026-11-01",
            "their_participants": ["{budi}"],
        },
    ),
    ("patch", "{C}/interactions/{interaction}", {"notes": "x"}),
    ("delete", "{C}/interactions/{interaction}", None),
    ("post", "{C}/interests", {"holder": "{budi}", "kind": "other", "threat_level": 3}),
    ("patch", "{C}/interests/{interest}", {"threat_level": 5}),
    ("delete", "{C}/interests/{interest}", None),
    ("post", "{C}/practices", {"account": "{account}", "description": "x"}),
    ("patch", "{C}/practices/{practice}", {"workaround": "y"}),
    ("delete", "{C}/practices/{practice}", None),
    ("put", "{C}/overrides", {"user": "bob", "contact": "{budi}", "value": 10, "reason": "x"}),
    ("delete", "{C}/overrides/{override}", None),
    ("put", "{C}/levels", {"user": "bob", "contact": "{budi}", "current": "problem_solver"}),
    ("delete", "{C}/levels/{level}", None),
    (
        "post",
        "{P}/objectives",
        {"account": "{account}", "description": "x", "horizon": "long_term"},
    ),
    ("patch", "{P}/objectives/{objective}", {"status": "achieved"}),
    ("delete", "{P}/objectives/{objective}", None),
    (
        "post",
        "{P}/opportunities",
        {"account": "{account}", "name": "x", "value": "5", "probability": 10},
    ),
    ("patch", "{P}/opportunities/{opportunity}", {"probability": 90}),
    ("delete", "{P}/opportunities/{opportunity}", None),
]


def _fill(template, world):
    if isinstance(template, dict):
        return {k: _fill(v, world) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, world) for v in template]
    if isinstance(template, str):
        return template.format(C=C, P=P, **{k: str(v) for k, v in world.items()})
    return template


def _send(caller, method, path, body):
    if method == "delete":
        return caller.delete(path)
    return getattr(caller, method)(path, body)


@pytest.mark.parametrize(("path", "params"), READS)
def test_charlie_gets_404_on_every_read(api, charlie, world, path, params):
    response = api(charlie).get(_fill(path, world), **_fill(params, world))
    assert response.status_code == 404
    assert "Budi" not in response.content.decode()


@pytest.mark.parametrize("path", LISTS)
def test_charlie_lists_nothing_of_the_account(api, charlie, world, path):
    response = api(charlie).get(path, account=str(world["account"]))
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert api(charlie).get(path).json()["items"] == []


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_charlie_gets_404_on_every_write(api, charlie, world, method, path, body):
    before = AuditEntry.objects.count()
    response = _send(api(charlie), method, _fill(path, world), _fill(body, world))
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_the_mentor_gets_403_on_every_write_and_nothing_changes(
    api, mia, world, method, path, body
):
    before = AuditEntry.objects.count()
    response = _send(api(mia), method, _fill(path, world), _fill(body, world))
    assert response.status_code == 403, response.content
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("path", "params"), [r for r in READS if "audit" not in r[0]])
def test_the_mentor_reads_the_map(api, mia, world, path, params):
    response = api(mia).get(_fill(path, world), **_fill(params, world))
    assert response.status_code == 200


def test_the_audit_trail_is_for_the_team_not_the_mentor(api, mia, bob, world):
    assert api(mia).get(f"{C}/audit", account=str(world["account"])).status_code == 403
    response = api(bob).get(f"{C}/audit", account=str(world["account"]))
    assert response.status_code == 200
    assert response.json()["count"] == 9  # one entry per object the fixture made


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_the_team_member_may_write_except_erasing(api, bob, world, method, path, body):
    response = _send(api(bob), method, _fill(path, world), _fill(body, world))
    if path.endswith("/erase"):
        assert response.status_code == 403
    elif path.endswith("/rejoin"):
        assert response.status_code == 422  # same account: a validation error, not a refusal
    else:
        assert response.status_code in {200, 201, 204}, response.content
