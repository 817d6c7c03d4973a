"""Plan periods changed and removed on pages by the lead, through the API's services: anyone
else 403, bad input 422 on its field, a stale edit 409 with the input kept, a period with
plans not removed."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kam.accounts.models import AuditEntry
from kam.core.models import Period


def _data(period, **changes):
    return {
        "name": period.name,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "version": period.version,
        **changes,
    }


def test_the_lead_renames_a_period_and_a_stale_edit_keeps_the_input(client_for, lee, period):
    client = client_for(lee)
    assert reverse("plans:periods").encode() in client.get(reverse("plans:programme")).content
    listing = client.get(reverse("plans:periods"))
    assert listing.status_code == 200 and b"FY2027" in listing.content
    url = reverse("plans:period_edit", args=[period.pk])
    assert client.get(url).status_code == 200
    old = period.version
    assert client.post(url, _data(period, name="FY 2027")).status_code == 302
    period.refresh_from_db()
    assert period.name == "FY 2027" and period.version > old
    assert AuditEntry.objects.filter(action="update", object_id=period.pk).exists()
    stale = client.post(url, _data(period, name="Mine", version=old))
    assert stale.status_code == 409
    form = stale.context["form"]
    assert form["name"].value() == "Mine"
    assert int(form["version"].value()) == period.version
    assert "FY 2027" in str(form.non_field_errors())
    period.refresh_from_db()
    assert period.name == "FY 2027"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2026-01-01"}, "ends_on"),  # before it starts: the service says so
        ({"name": "FY2028"}, "name"),  # taken
        ({"starts_on": "not a day"}, "starts_on"),
    ],
)
def test_bad_input_names_the_field(client_for, lee, period, change, field):
    Period.objects.create(name="FY2028", starts_on=date(2028, 1, 1), ends_on=date(2028, 12, 31))
    url = reverse("plans:period_edit", args=[period.pk])
    response = client_for(lee).post(url, _data(period, **change))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    period.refresh_from_db()
    assert period.name == "FY2027"


def test_a_period_with_plans_is_not_removed_and_an_empty_one_is(client_for, lee, plan, period):
    client = client_for(lee)
    url = reverse("plans:period_delete", args=[period.pk])
    kept = client.post(url, {"delete-confirm": "on", "delete-version": period.version})
    assert kept.status_code == 422
    assert "Plans are made for this period" in kept.content.decode()
    empty = Period.objects.create(
        name="FY2029", starts_on=date(2029, 1, 1), ends_on=date(2029, 12, 31)
    )
    url = reverse("plans:period_delete", args=[empty.pk])
    assert client.post(url, {"delete-version": empty.version}).status_code == 422  # no yes
    stale = client.post(url, {"delete-confirm": "on", "delete-version": empty.version + 1})
    assert stale.status_code == 409
    assert (
        client.post(url, {"delete-confirm": "on", "delete-version": empty.version}).status_code
        == 302
    )
    assert not Period.objects.filter(pk=empty.pk).exists()


@pytest.mark.parametrize("who", ["alice", "bob", "mia", "charlie"])
def test_only_the_lead_changes_periods(request, client_for, period, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("plans:periods")).status_code == 403
    url = reverse("plans:period_edit", args=[period.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _data(period, name="Changed")).status_code == 403
    assert (
        client.post(
            reverse("plans:period_delete", args=[period.pk]), {"delete-confirm": "on"}
        ).status_code
        == 403
    )
    period.refresh_from_db()
    assert period.name == "FY2027"
    assert reverse("plans:periods").encode() not in client.get(reverse("plans:programme")).content
