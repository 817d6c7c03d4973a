"""Imported by test_demo_pages.py, so they share its one load of the demo.

The demo's planted tactics cases, surfaced on their pages in all three languages."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from kam.accounts.models import Account
from kam.demo.tactics import planted_tactics
from kam.users.models import User


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_planted_tactics_cases_show_on_their_pages(client, loaded, company, language):
    client.force_login(User.objects.get(username="lead"))
    client.cookies["django_language"] = language
    planted = {k: Account.objects.get(code=c) for k, c in planted_tactics(company).items()}
    with translation.override(language):
        flag = translation.gettext("Rebates take half or more of the account's gross margin.")
        unknown = translation.gettext("unknown")

    page = client.get(reverse("tactics:account", args=[planted["no_barriers"].public_id])).text
    assert 'data-testid="barrier-strength">0<' in page

    page = html.unescape(
        client.get(reverse("tactics:account", args=[planted["rebate_eats_margin"].public_id])).text
    )
    assert flag in page and unknown not in page.split('id="profit"')[1].split("</dl>")[0]

    missing = planted["no_contingency"]
    page = client.get(reverse("tactics:account", args=[missing.public_id])).text
    assert 'data-testid="no-contingency"' in page
    listed = client.get(reverse("tactics:contingency_missing")).text
    assert missing.name in listed
