"""The customer's objectives and the opportunities (planning app), created and changed from the
plan page (issue 11 item 8) with the API's checks: the planning services decide."""

from __future__ import annotations

from django.urls import reverse

from kam.planning import services as planning
from kam.planning.models import Objective, Opportunity

HTMX = {"HTTP_HX_REQUEST": "true"}


def _add(plan, kind):
    return reverse("plans:account_item_add", args=[plan.public_id, kind])


def test_the_kam_adds_a_customer_objective_with_who_told_us_and_it_is_linked(
    client_for, plan, alice
):
    budi = plan.account.contacts.get(name="Budi Santoso")
    client = client_for(alice)
    form = client.get(_add(plan, "customer-objective"), **HTMX)
    assert 'name="description"' in form.text and "Budi Santoso" in form.text
    answer = client.post(
        _add(plan, "customer-objective"),
        {
            "description": "Export to Japan by 2029",
            "horizon": "long_term",
            "source_contact": budi.pk,
            "status": "open",
        },
        **HTMX,
    )
    assert answer.status_code == 200 and "Export to Japan by 2029" in answer.text
    assert 'id="links"' in answer.text and 'name="description"' not in answer.text
    objective = Objective.objects.get(description="Export to Japan by 2029")
    assert objective.source_contact == budi and objective.recorded_by == alice
    assert list(plan.customer_objectives.all()) == [objective]


def test_the_kam_adds_an_opportunity_and_it_shows_by_horizon(client_for, plan, alice):
    answer = client_for(alice).post(
        _add(plan, "opportunity"),
        {
            "name": "Soft-close hinges",
            "value": "250000",
            "probability": "40",
            "expected_on": "2027-05-01",
            "status": "open",
        },
        **HTMX,
    )
    assert "Soft-close hinges" in answer.text
    opportunity = Opportunity.objects.get(name="Soft-close hinges")
    assert opportunity.currency == plan.account.currency  # the account's, left empty
    assert list(plan.opportunities.all()) == [opportunity]


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(client_for, plan, alice):
    answer = client_for(alice).post(
        _add(plan, "opportunity"),
        {"name": "Too good", "value": "-5", "probability": "140", "status": "open"},
        **HTMX,
    )
    text = answer.text
    assert text.index("errorlist") > text.index('name="value"')
    assert not Opportunity.objects.exists() and not plan.opportunities.exists()


def test_the_mentor_cannot_and_an_invisible_account_is_not_found(client_for, plan, mia, charlie):
    data = {"description": "x", "horizon": "short_term", "status": "open"}
    assert client_for(mia).post(_add(plan, "customer-objective"), data).status_code == 403
    assert client_for(mia).get(_add(plan, "opportunity")).status_code == 403
    assert client_for(charlie).post(_add(plan, "customer-objective"), data).status_code == 404
    assert not Objective.objects.exists()


def test_a_stale_edit_keeps_the_input_and_names_who_changed_it(client_for, plan, alice, bob):
    objective = planning.objective_create(
        account=plan.account, by=alice, description="Cut costs", horizon="short_term"
    )
    plan.customer_objectives.add(objective)
    planning.objective_update(
        objective=objective, by=bob, description="Cut costs by 10%", expected_version=1
    )
    url = reverse(
        "plans:account_item_edit", args=[plan.public_id, "customer-objective", objective.public_id]
    )
    answer = client_for(alice).post(
        url,
        {
            "description": "Cut costs by 5%",
            "horizon": "short_term",
            "status": "open",
            "recorded_on": objective.recorded_on.isoformat(),
            "version": 1,
        },
        **HTMX,
    )
    assert "Bob" in answer.text and "Cut costs by 5%" in answer.text
    objective.refresh_from_db()
    assert objective.description == "Cut costs by 10%"
    fresh = client_for(alice).post(
        url,
        {
            "description": "Cut costs by 12%",
            "horizon": "short_term",
            "status": "open",
            "recorded_on": objective.recorded_on.isoformat(),
            "version": objective.version,
        },
        **HTMX,
    )
    assert "Cut costs by 12%" in fresh.text
    objective.refresh_from_db()
    assert objective.description == "Cut costs by 12%"
