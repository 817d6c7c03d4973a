"""Senior visits with "why now": the rules (pure), and the API, scoped to the caller."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kam.accounts.models import Account
from kam.priorities.senior_visits import (
    FALLING,
    LOW_LEVEL_DM,
    NO_EXEC,
    OPPONENT,
    OPPORTUNITY,
    AccountFacts,
    Opportunity,
    Person,
    senior_visits,
)

TODAY = date(2026, 12, 7)


def test_each_rule_names_its_reason_whom_to_see_and_who_goes():
    facts = AccountFacts(
        1,
        "Jepara",
        TODAY - timedelta(days=400),
        people=(
            Person(1, "Ibu Ratna", influence=5, decision_maker=True),
            Person(2, "Pak Joko", influence=3, opponent=True, interests=("Current supplier",)),
            Person(3, "Friendly buyer", influence=2, known_in_person=True),
        ),
        opportunities=(Opportunity("New line", TODAY + timedelta(days=120), True),),
        revenue_trend_pct=-15.0,
        last_senior_visit=TODAY - timedelta(days=200),
        exec_days=90,
        goes="Mia",
    )
    [s] = senior_visits([facts], TODAY)
    assert [r.code for r in s.reasons] == [LOW_LEVEL_DM, OPPONENT, OPPORTUNITY, FALLING, NO_EXEC]
    assert s.see == ("Ibu Ratna", "Pak Joko") and s.goes == "Mia"
    assert s.exec_overdue_days == 110


def test_an_account_served_well_gets_no_suggestion_and_an_unknown_trend_no_reason():
    facts = AccountFacts(
        1,
        "Jepara",
        TODAY - timedelta(days=400),
        people=(Person(1, "Ibu Ratna", influence=5, decision_maker=True, known_in_person=True),),
        opportunities=(Opportunity("Far away", TODAY + timedelta(days=400), True),),
        revenue_trend_pct=None,
        last_senior_visit=TODAY - timedelta(days=10),
    )
    assert senior_visits([facts], TODAY) == []


def test_the_api_suggests_visits_only_for_accounts_the_caller_sees(
    account, other_account, alice, charlie, client_for
):
    Account.objects.update(created_at=timezone.now() - timedelta(days=200))
    rows = client_for(alice).get("/api/v1/priorities/senior-visits").json()
    assert [r["account"] for r in rows] == [account.name]
    assert rows[0]["reason_codes"] == ["no_executive_contact"]
    assert rows[0]["reasons"][0].startswith("No senior visit since")
    assert rows[0]["who_goes"].startswith("Mia")
    rows = client_for(charlie).get("/api/v1/priorities/senior-visits").json()
    assert [r["account"] for r in rows] == [other_account.name]
