"""The demo's pages agree with themselves (issue 14 item 2) and write numbers and words in the
reader's language (item 6).

Numbers:
Indonesian writes 3,45 and 32.983.315, Traditional Chinese 3.45 and 32,983,315; a number in
the other convention reads as a different number ("3.45" is three thousand in Indonesian)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.db.models import Count, F
from django.urls import reverse

from kam.accounts.models import Account
from kam.relationships.analysis import Code
from kam.relationships.models import Interaction
from kam.relationships.queries import account_analyses
from kam.users.models import User

# A decimal written the other language's way: one or two digits after the separator (a
# thousands group always has three), not part of a longer grouped number.
WRONG = {
    "id": re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.,])"),
    "zh-hant": re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d.,])"),
}
# Indonesian times are written 15.30 (Django's id TIME_FORMAT): a date then a time is fine.
TIME = re.compile(r"\d{1,2}-\d{1,2}-\d{4},? \d{1,2}\.\d{2}")
ENGLISH = {"id": ["Gold", "Silver", "Bronze", "China"], "zh-hant": ["Gold", "Silver", "Bronze"]}


class _Text(HTMLParser):
    """The text a reader sees: no script, style, attribute or URL."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def lead_client(client, loaded, db):
    client.force_login(User.objects.get(username="lead"))
    return client


def _pages() -> list[str]:
    largest = Account.objects.annotate(n=Count("contacts")).order_by("-n", "pk").first()
    a = largest.public_id
    return [
        reverse("accounts:dashboard"),
        reverse("accounts:account_list"),
        reverse("accounts:account_detail", args=[a]),
        reverse("relationships:account_detail", args=[a]),
        reverse("relationships:account_detail", args=[a]) + "?tab=people",
        reverse("relationships:account_detail", args=[a]) + "?tab=plan",
        reverse("selection:key_accounts"),
        reverse("selection:scorecard", args=[a]),
        reverse("selection:concentration"),
        reverse("selection:portfolio"),
        reverse("selection:settings"),
    ]


@pytest.mark.parametrize("language", ["id", "zh-hant"])
def test_the_main_pages_write_numbers_and_names_in_the_readers_language(lead_client, language):
    lead_client.cookies["django_language"] = language
    problems = []
    for url in _pages():
        response = lead_client.get(url)
        assert response.status_code == 200, url
        text = TIME.sub(" ", visible_text(response.content.decode()))
        problems += [f"{url}: {m}" for m in WRONG[language].findall(text)]
        words = set(re.findall(r"[A-Za-z]+", text))
        problems += [f"{url}: {w}" for w in ENGLISH[language] if w in words]
    assert not problems, problems[:20]


def test_every_risk_about_a_deal_names_one_the_deals_panel_lists(loaded, db):
    today = date.today()
    accounts = 0
    for account in Account.objects.filter(contacts__isnull=False).distinct():
        analysis = account_analyses(account=account, today=today, with_centrality=False)
        in_deals = {row.contact_id for deal in analysis.deals for row in deal.rows}
        for finding in analysis.findings:
            if finding.code == Code.OPPONENT and finding.facts.get("buy_in_needed"):
                assert finding.contact_id in in_deals, (account.code, finding)
            if str(finding.code).startswith("deal."):
                deal_ids = {d.opportunity_id for d in analysis.deals}
                assert finding.facts.get("opportunity_id") in deal_ids, (account.code, finding)
        accounts += 1
    assert accounts


def test_no_demo_meeting_happens_after_the_person_left(loaded, db):
    late = Interaction.objects.filter(
        their_participants__left_on__isnull=False,
        occurred_on__gt=F("their_participants__left_on"),
    )
    assert not late.exists()
