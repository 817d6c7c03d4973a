"""Imported by test_demo_pages.py, so they share its one load of the demo.

The demo's planted risk cases (kam.demo.risk), surfaced on their pages in all three languages:
the top-10 account whose health is falling and which has no exit barriers is among the
contributors to P95 with its falling trend on its page; the group of three is in the tail; the
key account above the risk threshold with no contingency plan is flagged. (Not yet: that the
falling account *leads* the tail and the group dominates it; the ledger's squeezer, a large
account outside the key accounts, takes about half of the tail.)"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from kam.accounts.models import Account
from kam.demo.risk import planted_risk
from kam.risk.models import SimulationRun
from kam.users.models import User


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_planted_risk_cases_show_on_their_pages(client, loaded, company, language):
    client.force_login(User.objects.get(username="lead"))
    client.cookies["django_language"] = language
    planted = planted_risk(company)
    falling = Account.objects.get(code=planted["falling"])
    group = list(Account.objects.filter(code__in=planted["group"]))
    missing = Account.objects.get(code=planted["no_contingency"])
    with translation.override(language):
        falling_word = translation.gettext("falling")

    contributors = [c["code"] for c in SimulationRun.objects.first().result["contributors"]]
    assert falling.code in contributors and planted["group"][0] in contributors
    assert len(group) == 3

    page = html.unescape(client.get(reverse("risk:overview")).text)
    tail = page.split('id="simulation"')[1]
    parent = Account.objects.get(code=planted["group"][0])
    assert falling.name in tail and parent.name in tail
    flagged = page.split('id="no-contingency"')[1].split("</section>")[0]
    assert missing.name in flagged

    account_page = html.unescape(client.get(reverse("risk:account", args=[falling.public_id])).text)
    assert falling_word in account_page

    listed = html.unescape(client.get(reverse("tactics:contingency_missing") + "?above=1").text)
    assert missing.name in listed
