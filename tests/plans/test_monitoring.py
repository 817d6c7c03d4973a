"""Implementation monitoring: the pure rules, then the page-facing read and its API."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.plans import monitoring as mon
from tests.plans.follow_world import action, make_plan

TODAY = date(2027, 6, 15)
START, END = date(2027, 1, 1), date(2027, 12, 31)


def fact(n, status="open", due=None, done=None, owner=None, objective=None):
    return mon.ActionFact(n, status, due, done, owner, objective)


def test_late_is_derived_from_the_due_date_and_the_status():
    assert mon.state(fact(1, due=date(2027, 6, 14)), TODAY) == mon.LATE
    assert mon.state(fact(2, due=TODAY), TODAY) == mon.OPEN
    assert mon.state(fact(3, "done", date(2027, 1, 2), date(2027, 1, 2)), TODAY) == mon.DONE
    blocked = fact(4, "blocked", date(2027, 2, 1))
    assert mon.state(blocked, TODAY) == mon.BLOCKED and mon.is_late(blocked, TODAY)


def test_a_plan_without_actions_is_at_risk_and_its_completion_unknown():
    result = mon.monitor([], starts_on=START, ends_on=END, today=TODAY)
    assert result.status.word == mon.AT_RISK
    assert result.counts.percent_complete is None


def test_a_quarter_of_the_actions_late_puts_the_plan_off_track():
    actions = [fact(1, due=date(2027, 5, 1))] + [fact(n, due=END) for n in range(2, 5)]
    found = mon.status(actions, TODAY)
    assert found.word == mon.OFF_TRACK
    assert found.reasons[0].figures == {"late": 1, "total": 4, "pct": 25}


def test_one_blocked_action_puts_the_plan_at_risk_and_all_in_time_on_track():
    done = fact(1, "done", date(2027, 3, 1), date(2027, 2, 20))
    later = [fact(n, due=END) for n in range(2, 9)]
    assert mon.status([done, *later], TODAY).word == mon.ON_TRACK
    blocked = fact(9, "blocked", END)
    assert mon.status([done, *later, blocked], TODAY).reasons[0].code == "blocked"


def test_the_trend_ends_today_with_done_and_due_shares():
    actions = [fact(1, "done", date(2027, 2, 1), date(2027, 1, 20)), fact(2, due=date(2027, 3, 1))]
    points = mon.trend(actions, starts_on=START, ends_on=END, today=TODAY)
    assert [p.on for p in points][:2] == [date(2027, 1, 31), date(2027, 2, 28)]
    assert points[-1].on == TODAY
    assert (points[0].done_pct, points[0].due_pct) == (50, 0)
    assert (points[-1].done_pct, points[-1].due_pct) == (50, 100)


statuses = st.sampled_from(["open", "done", "blocked"])
days = st.dates(min_value=START, max_value=END)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(statuses, st.none() | days), max_size=30))
def test_the_counts_add_up_to_the_total(rows):
    actions = [fact(n, s, due, due if s == "done" else None) for n, (s, due) in enumerate(rows)]
    c = mon.count(actions, TODAY)
    assert c.done + c.open + c.late + c.blocked == c.total == len(rows)
    assert c.percent_complete is None or 0 <= c.percent_complete <= 100


# --- the read and the API ------------------------------------------------------------------
@pytest.fixture
def plan(account, alice):
    return make_plan(account, alice)


def test_the_api_gives_the_status_and_each_persons_late_actions(client_for, plan, alice, bob):
    action(plan, alice, "Call the buyer", owner=bob, due=date(2027, 2, 1))
    action(plan, alice, "Send samples", owner=alice, due=date(2027, 11, 1))
    response = client_for(bob).get(
        f"/api/v1/plans/{plan.public_id}/monitoring", {"today": "2027-06-15"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "off_track"
    assert "1 of 2 actions (50%) are past their due date." in body["reasons"][0]["text"]
    assert body["counts"] | {} == {
        "total": 2,
        "done": 0,
        "open": 1,
        "late": 1,
        "blocked": 0,
        "percent_complete": 0,
    }
    assert body["late_by_person"] == [
        {
            "owner": str(bob),
            "actions": [
                {
                    "what": "Call the buyer",
                    "due_on": "2027-02-01",
                    "days_late": 134,
                    "blocked": False,
                }
            ],
        }
    ]


def test_the_monitoring_of_a_plan_out_of_sight_is_404(client_for, plan, charlie):
    response = client_for(charlie).get(f"/api/v1/plans/{plan.public_id}/monitoring")
    assert response.status_code == 404


def test_the_monitoring_takes_a_fixed_number_of_queries(
    plan, alice, bob, django_assert_num_queries
):
    from kam.plans.follow import plan_monitoring

    for n in range(5):
        action(plan, alice, f"Step {n}", owner=bob, due=date(2027, 2, n + 1))
    with django_assert_num_queries(3):
        plan_monitoring(plan=plan, today=TODAY)
