"""A time entry corrected on a page through the API's service (PATCH time-entries/{id}):
an entry out of sight 404, a mentor 403, bad input 422 on its field, a stale save 409 with
the input kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kam.accounts.models import AuditEntry
from kam.priorities import services


@pytest.fixture
def entry(account, alice):
    return services.time_entry_log(
        account=account,
        user=alice,
        by=alice,
        spent_on=date(2026, 11, 2),
        minutes=60,
        category="travel",
    )


def _data(entry, **changes):
    return {
        "user": str(entry.user_id),
        "spent_on": entry.spent_on.isoformat(),
        "minutes": str(entry.minutes),
        "category": entry.category,
        "note": entry.note,
        "version": entry.version,
        **changes,
    }


def test_the_kam_corrects_a_time_entry_and_a_stale_save_keeps_the_input(
    client_for, alice, entry, period
):
    client = client_for(alice)
    url = reverse("priorities:time_edit", args=[entry.public_id])
    time_page = client.get(reverse("priorities:time"), {"period": period.pk})
    assert url in time_page.text
    assert client.get(url).status_code == 200
    old = entry.version
    assert client.post(url, _data(entry, minutes="45", note="trimmed")).status_code == 302
    entry.refresh_from_db()
    assert (entry.minutes, entry.note) == (45, "trimmed")
    assert AuditEntry.objects.filter(action="update", object_id=entry.pk).exists()
    stale = client.post(url, _data(entry, minutes="90", version=old))
    assert stale.status_code == 409
    form = stale.context["form"]
    assert form["minutes"].value() == "90"
    assert int(form["version"].value()) == entry.version
    entry.refresh_from_db()
    assert entry.minutes == 45


@pytest.mark.parametrize(
    ("change", "field"),
    [({"minutes": "0"}, "minutes"), ({"spent_on": "2999-01-01"}, "spent_on")],
)
def test_bad_input_names_the_field(client_for, alice, entry, change, field):
    url = reverse("priorities:time_edit", args=[entry.public_id])
    response = client_for(alice).post(url, _data(entry, **change))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    entry.refresh_from_db()
    assert entry.minutes == 60


@pytest.mark.parametrize(("who", "status"), [("mia", 403), ("charlie", 404)])
def test_readers_and_outsiders_are_refused(request, client_for, entry, who, status):
    client = client_for(request.getfixturevalue(who))
    url = reverse("priorities:time_edit", args=[entry.public_id])
    assert client.get(url).status_code == status
    assert client.post(url, _data(entry, minutes="5")).status_code == status
    entry.refresh_from_db()
    assert entry.minutes == 60
