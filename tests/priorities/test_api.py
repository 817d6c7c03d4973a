"""The priorities API: writes with their refusals (404 out of sight, 403 for a role, 422 on
the field), and an allocation solved as a background job."""

from __future__ import annotations

import pytest

from kam.core.jobs import wait
from kam.core.models import Job

API = "/api/v1/priorities"
DAY = "2026-11-02"


def post(client, path, body, method="post"):
    return getattr(client, method)(f"{API}{path}", body, content_type="application/json")


def entry(account, **extra):
    return {
        "account": str(account.public_id),
        "spent_on": DAY,
        "minutes": 45,
        "category": "travel",
        **extra,
    }


def test_a_kam_logs_time_and_sees_the_hours(client_for, alice, account, period):
    client = client_for(alice)
    assert post(client, "/time-entries", entry(account)).status_code == 201
    hours = client.get(f"{API}/hours", {"period": period.pk}).json()
    assert hours == [
        {
            "account_id": str(account.public_id),
            "user": "alice",
            "logged_hours": 0.0,
            "entered_hours": 0.75,
            "hours": 0.75,
        }
    ]


def test_time_on_an_account_out_of_sight_is_404_and_a_mentor_is_403(
    client_for, charlie, mia, account
):
    assert post(client_for(charlie), "/time-entries", entry(account)).status_code == 404
    assert post(client_for(mia), "/time-entries", entry(account)).status_code == 403


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"minutes": -5}, "minutes"), ({"user": "lee"}, "user"), ({"category": "nap"}, "category")],
)
def test_bad_time_is_refused_naming_the_field(client_for, alice, lee, account, extra, field):
    answer = post(client_for(alice), "/time-entries", entry(account, **extra))
    assert answer.status_code == 422
    assert field in str(answer.json())


def test_a_period_that_does_not_exist_is_refused_by_name(client_for, alice, account):
    answer = post(client_for(alice), "/allocations", {"period": 999})
    assert answer.status_code == 422
    assert "period" in str(answer.json())


def test_a_kam_allocates_only_within_their_accounts(client_for, alice, charlie, account, period):
    refused = post(client_for(alice), "/allocations", {"period": period.pk, "kam": "charlie"})
    assert refused.status_code == 403
    assert post(client_for(alice), "/allocations", {"period": period.pk}).status_code == 403


def test_the_lead_solves_in_the_background_and_reads_the_reasons(
    transactional_db, client_for, lee, alice, charlie, account, other_account, period
):
    client = client_for(lee)
    pin = post(
        client,
        "/pins",
        {"account": str(account.public_id), "period": period.pk, "user": "bob", "hours": "12"},
        method="put",
    )
    assert pin.status_code == 200
    started = post(client, "/allocations", {"period": period.pk})
    assert started.status_code == 202
    job = Job.objects.get(public_id=started.json()["id"])
    wait(job.pk)
    done = client.get(f"{API}/allocation-jobs/{job.public_id}").json()
    assert done["status"] == "done", done
    lines = client.get(f"{API}/allocations/{done['allocation_id']}/lines").json()["items"]
    bob_line = next(line for line in lines if line["user"] == "bob")
    assert bob_line["hours"] == pytest.approx(12.0)
    assert all(line["reason"] for line in lines)
    # charlie reads the programme's proposal, but only his own account's lines.
    theirs = (
        client_for(charlie).get(f"{API}/allocations/{done['allocation_id']}/lines").json()["items"]
    )
    assert {line["account_id"] for line in theirs} == {str(other_account.public_id)}


def test_only_the_kam_or_the_lead_pins_hours(client_for, bob, account, period):
    answer = post(
        client_for(bob),
        "/pins",
        {"account": str(account.public_id), "period": period.pk, "user": "bob", "hours": "3"},
        method="put",
    )
    assert answer.status_code == 403


def test_only_the_lead_changes_the_value_model(client_for, alice, lee, db):
    assert post(client_for(alice), "/value-settings", {"decay": 0.6}, "put").status_code == 403
    answer = post(
        client_for(lee), "/value-settings", {"decay": 0.6, "segment_hours": [10, 20]}, "put"
    )
    assert answer.status_code == 200
    assert answer.json()["segment_hours"] == [10.0, 20.0]
    answer = post(client_for(lee), "/value-settings", {"risk_share": 0.3}, "put")
    assert answer.json()["risk_share"] == 0.3
    assert post(client_for(lee), "/value-settings", {"risk_share": 2}, "put").status_code == 422
