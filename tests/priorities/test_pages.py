"""The time and allocation pages as a KAM, a team member, an outsider and the lead."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kam.priorities.models import Pin, TimeEntry


def log_time(client, account, user, period, minutes="45"):
    return client.post(
        reverse("priorities:time_log") + f"?period={period.pk}",
        {
            "entry-account": str(account.public_id),
            "entry-user": str(user.pk),
            "entry-spent_on": "2026-11-02",
            "entry-minutes": minutes,
            "entry-category": "travel",
        },
    )


def test_a_kam_logs_time_and_sees_it_in_the_totals(client_for, alice, account, period):
    client = client_for(alice)
    assert log_time(client, account, alice, period).status_code == 302
    page = client.get(reverse("priorities:time"), {"period": period.pk})
    assert account.name in page.text
    assert "0.8" in page.text or "0,8" in page.text


def test_bad_minutes_are_shown_beside_the_field(client_for, alice, account, period):
    answer = log_time(client_for(alice), account, alice, period, minutes="-3")
    assert answer.status_code == 400
    assert "errorlist" in answer.text
    assert not TimeEntry.objects.exists()


def test_an_outsider_cannot_log_time_on_an_account_out_of_sight(
    client_for, charlie, account, period
):
    answer = log_time(client_for(charlie), account, charlie, period)
    assert answer.status_code == 404
    assert not TimeEntry.objects.exists()


def test_a_team_member_cannot_pin_hours(client_for, bob, account, period):
    answer = client_for(bob).post(
        reverse("priorities:pin_set") + f"?period={period.pk}",
        {"pin-account": str(account.public_id), "pin-user": str(bob.pk), "pin-hours": "5"},
    )
    assert answer.status_code == 403
    assert not Pin.objects.exists()


def test_a_kam_may_not_change_the_value_model(client_for, alice, period):
    answer = client_for(alice).post(reverse("priorities:value_settings"), {"value-decay": "0.6"})
    assert answer.status_code == 403


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_allocation_page_answers_in_each_language(client_for, lee, account, period, language):
    client = client_for(lee)
    client.cookies["django_language"] = language
    page = client.get(reverse("priorities:allocation"), {"period": period.pk})
    assert page.status_code == 200
    assert {"en": "Allocation of hours", "zh-hant": "時間分配", "id": "Alokasi jam"}[language] in (
        page.text
    )


def test_every_value_setting_the_api_takes_has_a_field_on_the_page(client_for, lee, period):
    from kam.priorities.api_allocation import ValueSettingsIn
    from kam.priorities.services import value_config

    client = client_for(lee)
    page = client.get(reverse("priorities:allocation"), {"period": period.pk})
    for name in ValueSettingsIn.model_fields:
        assert f'name="value-{name}"' in page.text, name
    # A blank field is the documented default, and the field shows it.
    risk_input = re.search(r'<input[^>]*name="value-risk_share"[^>]*>', page.text).group(0)
    assert 'placeholder="0.2"' in risk_input
    answer = client.post(
        reverse("priorities:value_settings") + f"?period={period.pk}",
        {"value-risk_share": "0.35", "value-uplift_share": "0.2", "value-long_horizon_weight": "1"},
    )
    assert answer.status_code == 302
    config = value_config()
    assert (config.risk_share, config.uplift_share, config.long_horizon_weight) == (0.35, 0.2, 1.0)
    page = client.get(reverse("priorities:allocation"), {"period": period.pk})
    assert 'name="value-risk_share" value="0.35"' in page.text
    refused = client.post(
        reverse("priorities:value_settings") + f"?period={period.pk}", {"value-risk_share": "1.5"}
    )
    assert refused.status_code == 400
    assert value_config().risk_share == 0.35
