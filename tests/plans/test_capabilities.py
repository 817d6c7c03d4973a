"""The KAM capability checklist, per account and per KAM, dated, with history (item 7)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kam.plans.models import CapabilityChecklist
from kam.users.models import ApiToken

TODAY = timezone.localdate()


def _form(day, **answers):
    data = {"assessed_on": day.isoformat(), "note": ""}
    for key, (met, rating) in answers.items():
        data[f"{key}-met"], data[f"{key}-rating"] = met, rating
    return data


def test_the_kam_assesses_an_account_twice_and_the_history_stays(client_for, alice, account):
    client = client_for(alice)
    url = reverse("plans:account_capabilities", args=[account.public_id])
    client.post(url, _form(TODAY - timedelta(days=90), decision_makers=("no", "2")))
    client.post(url, _form(TODAY, decision_makers=("yes", "4"), competition=("no", "")))
    rows = list(CapabilityChecklist.objects.filter(account=account))
    assert len(rows) == 2
    assert rows[0].answers.get(item="decision_makers").met is True  # newest first
    page = client.get(url).content.decode()
    assert "Decision makers identified" in page and "4/5" in page and "2/5" in page


def test_a_mentor_reads_but_may_not_assess_and_an_outsider_sees_nothing(
    client_for, mia, charlie, account
):
    url = reverse("plans:account_capabilities", args=[account.public_id])
    assert client_for(mia).get(url).status_code == 200
    assert client_for(mia).post(url, _form(TODAY, competition=("yes", ""))).status_code == 403
    assert client_for(charlie).get(url).status_code == 404
    assert not CapabilityChecklist.objects.exists()


def test_it_refuses_a_future_date_naming_the_field(client_for, alice, account):
    url = reverse("plans:account_capabilities", args=[account.public_id])
    answer = client_for(alice).post(url, _form(TODAY + timedelta(days=3), competition=("yes", "")))
    assert answer.status_code == 400
    assert "cannot be dated in the future" in answer.content.decode()
    assert not CapabilityChecklist.objects.exists()


def test_a_kam_checklist_is_for_the_kam_and_the_lead(client_for, alice, lee, charlie):
    url = reverse("plans:kam_capabilities", args=[alice.username])
    assert client_for(lee).post(url, _form(TODAY, delegation=("yes", "3"))).status_code == 302
    assert client_for(alice).get(url).status_code == 200
    assert client_for(charlie).get(url).status_code == 404
    assert CapabilityChecklist.objects.get().kam == alice


def test_the_api_records_and_lists_checklists(client, alice, mia, account):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=alice)[1]}"}
    body = {
        "account": str(account.public_id),
        "answers": [{"item": "buying_process", "met": True, "rating": 4}],
    }
    created = client.post("/api/v1/plans/capabilities", body, "application/json", **auth)
    assert created.status_code == 201, created.content
    assert created.json()["answers"][0]["label"] == "Buying process understood"
    wrong = {**body, "answers": [{"item": "delegation", "met": True}]}
    refused = client.post("/api/v1/plans/capabilities", wrong, "application/json", **auth)
    assert refused.status_code == 422 and refused.json()["field"] == "answers"
    mentor = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=mia)[1]}"}
    assert (
        client.post("/api/v1/plans/capabilities", body, "application/json", **mentor).status_code
        == 403
    )
    listed = client.get("/api/v1/plans/capabilities", {"account": str(account.public_id)}, **mentor)
    assert listed.json()["count"] == 1
