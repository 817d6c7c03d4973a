"""Effort and money measured: who may record what, and the totals a person sees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.priorities import services
from kam.priorities.effort import capacity_hours, effort_in, money_in
from kam.priorities.models import TimeCategory
from kam.relationships.services import interaction_log

DAY = date(2026, 11, 2)


def test_hours_add_the_interaction_log_and_time_entries(account, alice, bob):
    contact = account.contacts.first()
    interaction_log(
        account=account,
        by=alice,
        kind="visit",
        occurred_on=DAY,
        their_participants=[contact],
        our_participants=[alice, bob],
        duration_minutes=90,
    )
    interaction_log(  # no duration: a call's usual 30 minutes
        account=account, by=alice, kind="call", occurred_on=DAY, their_participants=[contact]
    )
    services.time_entry_log(
        account=account,
        user=alice,
        by=alice,
        spent_on=DAY,
        minutes=120,
        category=TimeCategory.TRAVEL,
        today=DAY,
    )
    effort = effort_in(start=date(2026, 10, 1), end=date(2026, 12, 31))
    assert effort.total((alice.pk, account.pk)) == pytest.approx(1.5 + 0.5 + 2.0)
    assert effort.total((bob.pk, account.pk)) == pytest.approx(1.5)


def test_the_kam_logs_time_for_the_team_but_the_team_only_for_itself(account, alice, bob):
    services.time_entry_log(
        account=account,
        user=bob,
        by=alice,
        spent_on=DAY,
        minutes=30,
        category=TimeCategory.PREPARATION,
        today=DAY,
    )
    with pytest.raises(PermissionDenied):
        services.time_entry_log(
            account=account,
            user=alice,
            by=bob,
            spent_on=DAY,
            minutes=30,
            category=TimeCategory.PREPARATION,
            today=DAY,
        )


def test_it_refuses_time_from_someone_outside_or_for_someone_not_serving(
    account, alice, charlie, lee
):
    with pytest.raises(PermissionDenied):
        services.time_entry_log(
            account=account,
            user=charlie,
            by=charlie,
            spent_on=DAY,
            minutes=30,
            category=TimeCategory.OTHER,
            today=DAY,
        )
    with pytest.raises(ValidationError) as refused:
        services.time_entry_log(
            account=account,
            user=lee,
            by=lee,
            spent_on=DAY,
            minutes=30,
            category=TimeCategory.OTHER,
            today=DAY,
        )
    assert "user" in refused.value.message_dict


@pytest.mark.parametrize(("minutes", "field"), [(0, "minutes"), (24 * 60 + 1, "minutes")])
def test_it_refuses_impossible_minutes_naming_the_field(account, alice, minutes, field):
    with pytest.raises(ValidationError) as refused:
        services.time_entry_log(
            account=account,
            user=alice,
            by=alice,
            spent_on=DAY,
            minutes=minutes,
            category=TimeCategory.OTHER,
            today=DAY,
        )
    assert field in refused.value.message_dict


def test_capacity_loses_the_working_days_of_an_absence(alice, bob, lee, period):
    services.capacity_set(user=alice, period=period, hours_per_week=Decimal(30), by=lee)
    # Monday 2 to Friday 6 November: five working days away.
    services.absence_record(
        user=alice, starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 8), by=alice
    )
    hours = capacity_hours(period=period, users=[alice, bob])
    assert hours[alice.pk] == pytest.approx(30 / 5 * (66 - 5))
    assert hours[bob.pk] is None  # not set: unknown, not zero
    with pytest.raises(PermissionDenied):
        services.capacity_set(user=alice, period=period, hours_per_week=Decimal(40), by=bob)


def test_money_spent_counts_against_the_accounts_budget(account, alice, bob, period):
    services.budget_set(
        period=period, account=account, amount=Decimal(1000), currency="IDR", by=alice
    )
    services.expense_record(
        account=account,
        user=bob,
        by=bob,
        spent_on=DAY,
        category="travel",
        amount=Decimal("1200.50"),
        currency="IDR",
        today=DAY,
    )
    money = money_in(period=period, accounts=type(account).objects.all())
    assert money["accounts"][account.pk].spent == Decimal("1200.50")
    assert money["accounts"][account.pk].over
    with pytest.raises(PermissionDenied):
        services.budget_set(
            period=period, account=account, amount=Decimal(1), currency="IDR", by=bob
        )
    with pytest.raises(PermissionDenied):
        services.budget_set(period=period, user=bob, amount=Decimal(1), currency="IDR", by=alice)
