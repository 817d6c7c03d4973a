"""Imported by test_demo_pages.py, so they share its one load of the demo.

The demo's planted priorities cases (issue 12 item 11), each on its page in all three
languages, and the demo's allocation explaining itself (item 4): capacities that bind, each
account's reason, the change against last period, the pin and the over-committed KAM."""

from __future__ import annotations

import html
import re

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation

from kam.accounts.models import Account
from kam.demo.priorities import (
    FRIENDLY_BUYER,
    SENIOR_DECISION_MAKER,
    UNSEEN_DECISION_MAKER,
    planted_priorities,
    quarters,
)
from kam.priorities.models import AllocationRun, Binding
from kam.relationships.models import Interaction
from kam.users.models import User


def _page(client, language: str, url: str) -> str:
    client.force_login(User.objects.get(username="lead"))
    client.cookies["django_language"] = language
    answer = client.get(url)
    assert answer.status_code == 200
    return html.unescape(answer.text)


def _say(language: str, text: str, **values) -> str:
    with translation.override(language):
        return translation.gettext(text) % values if values else translation.gettext(text)


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_overloaded_kam_shows_on_the_workload_and_the_allocation(
    client, loaded, company, language
):
    planted = planted_priorities(company)
    kam = User.objects.get(username=planted["overloaded"])
    period = quarters(company.today).current
    page = _page(client, language, reverse("priorities:workload") + f"?period={period.pk}")
    flag = _say(language, "too many accounts")
    row = page.split(str(kam), 1)[1].split("</tr>", 1)[0]
    assert flag in row
    # The allocation cannot give the floors of their accounts: it says by how many hours.
    page = _page(client, language, reverse("priorities:allocation") + f"?period={period.pk}")
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert str(kam) in alert
    with translation.override(language):
        words = translation.gettext("%(who)s is over-committed by %(hours)s hours.")
    pattern = re.escape(words).replace(re.escape("%(who)s"), re.escape(str(kam)))
    pattern = pattern.replace(re.escape("%(hours)s"), r"[0-9][0-9.,]*")
    assert re.search(pattern, alert), alert


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_demo_allocation_explains_its_hours(client, loaded, company, language):
    period = quarters(company.today).current
    run = AllocationRun.objects.get(period=period, kam__isnull=True)
    # Not degenerate: capacities bind for some people, accounts stop for different reasons,
    # and the lead's pin is kept.
    assert any(p["price"] > 0 for p in run.people)
    bindings = set(run.lines.values_list("binding", flat=True))
    assert {Binding.FLOOR, Binding.MARGIN, Binding.NONE} <= bindings
    assert run.lines.filter(pinned=True).count() == 2
    hours = sorted(set(run.lines.values_list("account_hours", flat=True)))
    assert len(hours) > 10
    page = _page(client, language, reverse("priorities:allocation") + f"?period={period.pk}")
    dearest = page.split('data-testid="dearest"', 1)[1].split("</ul>", 1)[0]
    with translation.override(language):
        one_more = translation.gettext(
            "One more hour of %(who)s is worth %(value)s of expected value."
        )
    assert one_more.split("%(who)s")[0] in dearest
    assert _say(language, "under-served") in page or _say(language, "over-served") in page
    assert page.count('data-testid="pinned"') >= 1  # the pinned hours, kept
    assert _say(language, "pinned") in page


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_untouched_long_horizon_account_raises_an_alarm(client, loaded, company, language):
    account = Account.objects.get(code=planted_priorities(company)["untouched"])
    last = Interaction.objects.filter(account=account).order_by("-occurred_on").first()
    assert (company.today - last.occurred_on).days >= 120
    page = _page(client, language, reverse("priorities:week"))
    alarms = page.split('id="alarms-title"', 1)[1].split("</section>", 1)[0]
    row = alarms.split(account.name, 1)[1].split("</tr>", 1)[0]
    assert _say(language, "Contact the account about this work before a competitor does.") in row
    assert "New plant fit-out" in row or "Second factory" in row


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_account_that_needs_a_senior_visit_says_why_now(client, loaded, company, language):
    account = Account.objects.get(code=planted_priorities(company)["senior_visit"])
    page = _page(client, language, reverse("priorities:week"))
    visits = page.split('id="visits-title"', 1)[1].split("</section>", 1)[0]
    row = visits.split(account.name, 1)[1].split("</tr>", 1)[0]
    why = _say(
        language,
        "%(name)s, an influential decision maker, is not known in person at our senior level.",
        name=SENIOR_DECISION_MAKER,
    )
    assert why in row
    assert SENIOR_DECISION_MAKER in row.split("</ul>", 1)[1]  # whom to see


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_friendly_buyer_account_is_flagged_naming_the_unseen_decision_maker(
    client, loaded, company, language
):
    account = Account.objects.get(code=planted_priorities(company)["friendly_buyer"])
    period = quarters(company.today).current
    url = reverse("priorities:account", args=[account.public_id]) + f"?period={period.pk}"
    section = _page(client, language, url).split('id="people-title"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert _say(language, "mostly easy contacts") in section
    assert UNSEEN_DECISION_MAKER in section  # named as the one not met


def test_the_friendly_buyer_gets_the_time_and_the_decision_maker_none(loaded, company):
    account = Account.objects.get(code=planted_priorities(company)["friendly_buyer"])
    minutes = dict(
        Interaction.objects.filter(account=account)
        .values("their_participants__name")
        .annotate(m=Sum("duration_minutes"))
        .values_list("their_participants__name", "m")
    )
    assert minutes.get(UNSEEN_DECISION_MAKER) is None
    assert minutes[FRIENDLY_BUYER] >= 0.8 * sum(minutes.values())


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_decision_maker_never_met_raises_an_alarm_from_the_day_added(
    client, loaded, company, language
):
    from django.utils.formats import date_format

    from kam.relationships.models import Contact

    contact = Contact.objects.get(name=UNSEEN_DECISION_MAKER)
    added = contact.created_at.date()
    assert (timezone.localdate() - added).days > 120
    assert not Interaction.objects.filter(their_participants=contact).exists()
    page = _page(client, language, reverse("priorities:week"))
    alarms = page.split('id="alarms-title"', 1)[1].split("</section>", 1)[0]
    with translation.override(language):
        since = date_format(added)
    never = _say(
        language,
        "%(name)s, an influential contact, never met since %(since)s, when the contact was "
        "added (%(days)d days).",
        name=UNSEEN_DECISION_MAKER,
        since=since,
        days=(timezone.localdate() - added).days,
    )
    assert never in alarms
    assert _say(language, "Meet %(name)s.", name=UNSEEN_DECISION_MAKER) in alarms
