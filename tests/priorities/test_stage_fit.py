"""The right activity for the stage: the rule (pure), the alarms beside the neglect alarms,
and the expectations the lead sets (others are refused)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kam.accounts.models import Account
from kam.priorities import activity_fit as fit
from kam.relationships.services import interaction_log

TODAY = date(2026, 12, 7)


def test_a_pilot_stage_account_with_only_information_lately_is_flagged_saying_what_it_did():
    a = fit.AccountActivity(
        1,
        "Jepara",
        "implementation",
        TODAY - timedelta(days=400),
        last={fit.PILOT: TODAY - timedelta(days=95), fit.INFORMATION: TODAY - timedelta(days=10)},
        horizons={"3-6": (("New line",), TODAY - timedelta(days=300))},
    )
    horizon, m = fit.misfits([a], fit.DEFAULTS, TODAY)  # as overdue: horizon first
    assert (horizon.key, horizon.subjects, horizon.allowed_days) == ("3-6", ("New line",), 60)
    assert (m.scope, m.key, m.expected) == (fit.STAGE, "implementation", ("pilot", "demonstration"))
    assert (m.days, m.allowed_days, m.done_instead) == (95, 60, ("information",))
    # A demonstration 20 days ago satisfies both the stage and the 3-6 months horizon.
    a = fit.AccountActivity(
        1, "Jepara", "implementation", a.known_since, {fit.DEMONSTRATION: TODAY - timedelta(20)}
    )
    assert fit.misfits([a], fit.DEFAULTS, TODAY) == []


def test_a_new_account_is_not_an_instant_alarm_and_the_lead_can_switch_a_rule_off():
    a = fit.AccountActivity(1, "New", "pre_sales", TODAY - timedelta(days=10))
    assert fit.misfits([a], fit.DEFAULTS, TODAY) == []
    old = fit.AccountActivity(1, "Old", "pre_sales", TODAY - timedelta(days=100))
    assert len(fit.misfits([old], fit.DEFAULTS, TODAY)) == 1
    off = fit.Expectation(fit.STAGE, "pre_sales", (fit.INFORMATION,), 60, active=False)
    assert fit.misfits([old], fit.merged([off]), TODAY) == []


@pytest.fixture
def pilot_stage(account, alice):
    """Alice's account is in implementation; only a call 10 days ago, for 200 days."""
    Account.objects.filter(pk=account.pk).update(
        stage="implementation", created_at=timezone.now() - timedelta(days=200)
    )
    interaction_log(
        account=account,
        by=alice,
        kind="call",
        occurred_on=timezone.localdate() - timedelta(days=10),
        their_participants=list(account.contacts.all()),
    )
    return account


def test_the_alarm_names_the_stage_what_is_expected_and_what_to_do(
    pilot_stage, alice, charlie, client_for
):
    [row] = client_for(alice).get("/api/v1/priorities/activity-alarms").json()
    assert row["key"] == "implementation" and row["done_instead"] == ["information"]
    assert "pilot or demonstration" in row["why"] and row["days"] == 200
    assert row["what_to_do"] == "Plan one of these: pilot or demonstration."
    assert client_for(charlie).get("/api/v1/priorities/activity-alarms").json() == []


def test_only_the_lead_sets_the_expectations_and_a_bad_or_stale_one_is_refused(
    pilot_stage, alice, lee, client_for
):
    url = "/api/v1/priorities/expected-activities/stage/implementation"
    body = {"kinds": ["pilot"], "within_days": 365}
    assert client_for(alice).put(url, body, content_type="application/json").status_code == 403
    bad = client_for(lee).put(
        url, {"kinds": [], "within_days": 30}, content_type="application/json"
    )
    assert bad.status_code == 422 and "kinds" in bad.text
    saved = client_for(lee).put(url, body, content_type="application/json").json()
    assert saved["within_days"] == 365 and saved["version"] == 1
    assert client_for(lee).get("/api/v1/priorities/activity-alarms").json() == []
    stale = client_for(lee).put(
        url, {**body, "within_days": 30, "version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Activities that do not fit the stage"),
        ("zh-hant", "與階段不符的活動"),
        ("id", "Aktivitas yang tidak sesuai tahapnya"),
    ],
)
def test_the_priorities_page_shows_the_alarm_beside_the_neglect_alarms(
    pilot_stage, alice, client_for, language, words
):
    client = client_for(alice)
    client.cookies["django_language"] = language
    text = client.get("/priorities/").content.decode()
    assert words in text and pilot_stage.name in text


def test_the_lead_edits_an_expectation_on_its_page_and_a_kam_may_not(alice, lee, client_for):
    form = {"scope": "horizon", "key": "12+", "kinds": ["information"], "within_days": "200"}
    assert client_for(alice).post("/priorities/expected-activities/", form).status_code == 403
    answer = client_for(lee).post("/priorities/expected-activities/", {**form, "active": "1"})
    assert answer.status_code == 302
    page = client_for(alice).get("/priorities/expected-activities/").content.decode()
    assert "200" in page and 'name="within_days"' not in page
