"""Imported by test_demo_pages.py, so they share its one load of the demo.

The demo's planted risk cases (kam.demo.risk), surfaced on their pages in all three languages:
the top-10 account whose health is falling and which has no exit barriers leads the
contributors to P95 on the programme's risk page, with its falling trend on its own page; the
group of three related accounts takes a larger share of the tail than any other account or
group; the key account above the risk threshold with no contingency plan is flagged."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from kam.accounts.models import Account
from kam.demo.risk import planted_risk
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

    page = html.unescape(client.get(reverse("risk:overview")).text)
    tail = page.split('id="simulation"')[1].split("</table>")[0]
    rows = re.findall(r'<span class="mono muted">(C\d+)</span>.*?([\d.,]+)%</td></tr>', tail)
    share = {code: float(pct.replace(",", ".")) for code, pct in rows}
    assert rows[0][0] == falling.code and falling.name in tail
    assert len(group) == 3 and all(a.code in share for a in group)
    # Every other listed account's group (a parent and its subsidiaries, or the account alone).
    others: dict[int, float] = {}
    for a in Account.objects.filter(code__in=share).exclude(code__in=planted["group"]):
        key = a.parent_id or a.pk
        others[key] = others.get(key, 0.0) + share[a.code]
    group_share = sum(share[a.code] for a in group)
    assert group_share > max(others.values()) >= share[falling.code]
    assert all(share[a.code] < share[falling.code] for a in group)

    flagged = page.split('id="no-contingency"')[1].split("</section>")[0]
    assert missing.name in flagged

    account_page = html.unescape(client.get(reverse("risk:account", args=[falling.public_id])).text)
    assert falling_word in account_page

    listed = html.unescape(client.get(reverse("tactics:contingency_missing") + "?above=1").text)
    assert missing.name in listed
