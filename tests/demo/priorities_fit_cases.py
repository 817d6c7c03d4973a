"""Imported by test_demo_pages.py, so they share its one load of the demo.

Time with the right people on the demo (issue 12 items 2 and 11): the planted account whose
KAM meets only a friendly buyer is flagged on the people page (its priorities page: in
priorities_cases.py),
naming the decision maker nobody sees, in all three languages."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from kam.accounts.models import Account
from kam.demo.priorities import UNSEEN_DECISION_MAKER, planted_priorities, quarters
from kam.users.models import User


@pytest.mark.parametrize("language", ["en", "zh-hant", "id"])
def test_the_people_page_flags_the_friendly_buyer_account_naming_whom_it_does_not_see(
    client, loaded, company, language
):
    account = Account.objects.get(code=planted_priorities(company)["friendly_buyer"])
    period = quarters(company.today).current
    client.force_login(User.objects.get(username="lead"))
    client.cookies["django_language"] = language
    with translation.override(language):
        flag = translation.gettext("mostly easy contacts")
    page = html.unescape(client.get(reverse("priorities:people_time"), {"period": period.pk}).text)
    row = page.split(f">{account.name}</a>", 1)[1].split("</tr>", 1)[0]
    assert flag in row and UNSEEN_DECISION_MAKER in row
