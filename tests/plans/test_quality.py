"""Plan quality: every documented check, the score, and what the page links to fix."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from kam.plans import quality
from kam.plans.quality import PlanFacts, assess
from tests.plans.follow_world import action, make_plan

TODAY = date(2027, 6, 15)
COMPLETE = PlanFacts(
    short_term_objectives=1,
    long_term_objectives=1,
    team_objectives=[("Secure relationship", True, True)],
    actions=[("Call the buyer", True, True)],
    known_influential=3,
    coverage_minimum=3,
    opponents_without_strategy=[],
    interests_without_strategy=[],
    review_due_on=TODAY,
    is_key=True,
    contingency_written=True,
    updated_on=TODAY - timedelta(days=90),
    today=TODAY,
)


def test_a_complete_plan_scores_100():
    found = assess(COMPLETE)
    assert found.score == 100 and found.failed == ()
    assert [c.key for c in found.checks] == list(quality.CHECKS)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"long_term_objectives": 0}, "customer_objectives"),
        ({"team_objectives": [("Image", False, True)]}, "team_objectives"),
        ({"actions": [("Call", True, False)]}, "actions"),
        ({"actions": []}, "actions"),
        ({"known_influential": 2}, "coverage"),
        ({"opponents_without_strategy": ["Budi"]}, "defusing"),
        ({"interests_without_strategy": ["Siti"]}, "defusing"),
        ({"review_due_on": TODAY - timedelta(days=1)}, "review"),
        ({"contingency_written": False}, "contingency"),
        ({"updated_on": TODAY - timedelta(days=91)}, "fresh"),
    ],
)
def test_each_missing_item_fails_its_check_and_costs_one_eighth(change, key):
    found = assess(replace(COMPLETE, **change))
    assert [c.key for c in found.failed] == [key]
    assert found.score == 88


def test_the_missing_items_are_named():
    found = assess(replace(COMPLETE, actions=[("Call", False, False), ("Visit", True, True)]))
    assert found.failed[0].missing == (quality.Named("Call", ("owner", "due_on")),)


def test_contingency_does_not_count_for_an_account_not_key_nor_while_unknown():
    for is_key in (False, None):
        found = assess(replace(COMPLETE, is_key=is_key, contingency_written=False))
        assert found.score == 100
        assert not next(c for c in found.checks if c.key == "contingency").applicable


# --- the read and the API ------------------------------------------------------------------
def test_the_api_scores_a_bare_plan_and_links_each_fix(client_for, account, alice, mia, charlie):
    plan = make_plan(account, alice)
    action(plan, alice, "Call the buyer")
    response = client_for(mia).get(f"/api/v1/plans/{plan.public_id}/quality")
    assert response.status_code == 200
    body = response.json()
    checks = {c["key"]: c for c in body["checks"]}
    assert checks["actions"]["missing"][0]["text"] == "Call the buyer: missing owner, due date"
    assert not checks["contingency"]["applicable"]  # no scoring run: unknown whether key
    assert checks["fresh"]["passed"] and not checks["coverage"]["passed"]
    assert 0 <= body["score"] < 50
    assert checks["coverage"]["fix_url"].endswith(f"/relationships/{account.public_id}/") or (
        str(account.public_id) in checks["coverage"]["fix_url"]
    )
    hidden = client_for(charlie).get(f"/api/v1/plans/{plan.public_id}/quality")
    assert hidden.status_code == 404
