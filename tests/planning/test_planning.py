"""Objectives and opportunities (METHOD.md M4), and when their results are expected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.accounts.models import AuditEntry
from kam.planning.models import Objective, Opportunity
from kam.planning.queries import add_months, horizon_of, opportunities_by_horizon
from kam.planning.services import (
    objective_create,
    objective_update,
    opportunity_create,
    opportunity_update,
)
from tests.relationships.factories import OpportunityFactory

TODAY = date(2026, 11, 22)
P = "/api/v1/planning"


def test_an_objective_records_who_told_us_and_when(account, alice, budi):
    objective = objective_create(
        account=account,
        by=alice,
        description="Cut hinge cost 10% this year",
        horizon="short_term",
        source_contact=budi,
        today=TODAY,
    )
    assert (objective.source_contact, objective.recorded_on) == (budi, TODAY)
    assert AuditEntry.objects.get(object_id=objective.pk).changes["horizon"] == [
        None,
        "short_term",
    ]


def test_an_objective_from_a_contact_of_another_account_is_refused(account, other_account, alice):
    with pytest.raises(ValidationError) as error:
        objective_create(
            account=account,
            by=alice,
            description="x",
            horizon="long_term",
            source_contact=other_account.contacts.get(),
        )
    assert "source_contact" in error.value.message_dict


@pytest.mark.parametrize("who", ["charlie", "mia"])
def test_only_the_team_writes_objectives_and_opportunities(account, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        objective_create(account=account, by=user, description="x", horizon="long_term")
    with pytest.raises(PermissionDenied):
        opportunity_create(account=account, by=user, name="x", value=1, probability=1)
    assert not Objective.objects.exists() and not Opportunity.objects.exists()


def test_an_opportunity_serves_objectives_and_needs_buy_in(account, alice, budi, siti):
    short = objective_create(
        account=account, by=alice, description="Lower cost", horizon="short_term"
    )
    long = objective_create(
        account=account, by=alice, description="Move up-market", horizon="long_term"
    )
    deal = opportunity_create(
        account=account,
        by=alice,
        name="Soft-close hinges for the premium range",
        value=Decimal("250000000"),
        probability=40,
        expected_on=date(2027, 6, 1),
        significant=True,
        objectives=[short, long],
        buy_in_needed_from=[budi, siti],
    )
    assert deal.currency == "IDR"  # the account's, unless told otherwise
    assert deal.weighted_value == Decimal("100000000.00")
    opportunity_update(opportunity=deal, by=alice, objectives=[long])
    assert list(deal.objectives.all()) == [long]
    assert AuditEntry.objects.get(action="update").changes["objectives"] == [
        sorted([short.pk, long.pk]),
        [long.pk],
    ]


@pytest.mark.parametrize("probability", [-1, 101])
def test_a_probability_outside_0_to_100_is_refused(account, alice, probability):
    with pytest.raises(ValidationError) as error:
        opportunity_create(account=account, by=alice, name="x", value=1, probability=probability)
    assert "probability" in error.value.message_dict


def test_an_objective_ending_before_it_starts_is_refused(account, alice):
    objective = objective_create(account=account, by=alice, description="x", horizon="long_term")
    with pytest.raises(ValidationError) as error:
        objective_update(
            objective=objective, by=alice, starts_on=date(2027, 1, 1), ends_on=date(2026, 1, 1)
        )
    assert "ends_on" in error.value.message_dict


@pytest.mark.parametrize(
    ("expected_on", "horizon"),
    [
        (date(2026, 10, 1), "0-3"),  # overdue: still due now
        (date(2027, 2, 21), "0-3"),
        (date(2027, 2, 22), "3-6"),
        (date(2027, 5, 21), "3-6"),
        (date(2027, 5, 22), "6-12"),
        (date(2027, 11, 22), "12+"),
        (None, "undated"),
    ],
)
def test_results_fall_into_horizons_of_months_from_today(expected_on, horizon):
    assert horizon_of(expected_on, TODAY) == horizon


def test_add_months_keeps_the_end_of_short_months():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_open_opportunities_are_grouped_by_horizon_with_their_values(account, other_account, alice):
    OpportunityFactory(account=account, value=100, probability=50, expected_on=date(2027, 1, 1))
    OpportunityFactory(account=account, value=300, probability=10, expected_on=date(2027, 3, 1))
    OpportunityFactory(account=account, value=999, status="won", expected_on=date(2027, 1, 1))
    OpportunityFactory(account=other_account, value=5, expected_on=date(2027, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        buckets = {b.label: b for b in opportunities_by_horizon(user=alice, today=TODAY)}
    assert len(queries) == 3
    assert buckets["0-3"].count == 1 and buckets["3-6"].count == 1
    assert buckets["0-3"].value_by_currency == {"IDR": Decimal(100)}
    assert buckets["3-6"].weighted_by_currency == {"IDR": Decimal("30.00")}
    assert buckets["12+"].count == 0


# --- API -----------------------------------------------------------------------------------


def test_an_objective_and_an_opportunity_through_the_api(api, alice, account, budi):
    caller = api(alice)
    objective = caller.post(
        f"{P}/objectives",
        {
            "account": str(account.public_id),
            "description": "Move up-market",
            "horizon": "long_term",
            "source_contact": str(budi.public_id),
            "time_frame": "by 2028",
        },
    )
    assert objective.status_code == 201, objective.content
    deal = caller.post(
        f"{P}/opportunities",
        {
            "account": str(account.public_id),
            "name": "Premium hinges",
            "value": "1500000.50",
            "probability": 30,
            "expected_on": "2027-03-01",
            "significant": True,
            "objectives": [objective.json()["id"]],
            "buy_in_needed_from": [str(budi.public_id)],
        },
    )
    assert deal.status_code == 201, deal.content
    body = deal.json()
    assert body["value"] == "1500000.50" and body["currency"] == "IDR"
    assert body["objective_ids"] == [objective.json()["id"]]
    horizons = caller.get(f"{P}/horizons", account=str(account.public_id), today="2026-11-22")
    assert [h["count"] for h in horizons.json()] == [0, 1, 0, 0, 0]


def test_an_unknown_horizon_is_a_422_on_horizon(api, alice, account):
    response = api(alice).post(
        f"{P}/objectives",
        {
            "account": str(account.public_id),
            "description": "x",
            "horizon": "forever",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "horizon"


def test_a_value_with_too_many_digits_is_refused_not_rounded(api, alice, account):
    response = api(alice).post(
        f"{P}/opportunities",
        {
            "account": str(account.public_id),
            "name": "x",
            "value": "1.005",
            "probability": 5,
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "value"


def test_the_opportunity_list_takes_a_fixed_number_of_queries(api, alice, account):
    caller = api(alice)
    counts = []
    for n in (2, 10):
        for _ in range(n):
            OpportunityFactory(account=account)
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(f"{P}/opportunities", account=str(account.public_id))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts == [7, 7]
