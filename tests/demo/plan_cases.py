"""Imported by test_demo_pages.py, so they share its one load of the demo.

Each planted plan case of the demo shows on the programme's plans page, in the three
languages (issue 11 item 11)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from kam.demo.plans import CASES, OBJECTION, _key_accounts, planted_plans
from kam.plans.models import Plan, PlanState
from kam.users.models import User

LANGUAGES = ["en", "zh-hant", "id"]


@pytest.fixture(scope="module")
def planted(loaded):
    return {case: account.code for case, account in planted_plans(_key_accounts()).items()}


def _said(text: str, language: str) -> str:
    with translation.override(language):
        said = str(translation.gettext(text))
    if language != "en":
        assert said != text, f"not translated into {language}: {text}"
    return html.escape(said)


def _row(client, language: str, code: str) -> str:
    client.cookies["django_language"] = language
    page = client.get(reverse("plans:programme"), {"q": code})
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_planted_plan_case_shows_on_the_programme_page(client, planted, language):
    client.force_login(User.objects.get(username="lead"))
    assert sorted(planted) == sorted(CASES)
    expected = {
        "agreed_by_all": ["Agreed"],
        "waiting_for_two": ["Submitted for agreement"],
        "objected": ["Draft"],
        "off_track": ["Off track"],
        "review_overdue": ["Overdue"],
        "stale_gold": ["Stale"],
        "no_contingency": ["Contingency written for a key account"],
    }
    for case, code in planted.items():
        text = _row(client, language, code)
        for words in expected[case]:
            assert _said(words, language) in text, (case, words)
    waiting = Plan.objects.get(account__code=planted["waiting_for_two"], state=PlanState.SUBMITTED)
    text = _row(client, language, planted["waiting_for_two"])
    pending = waiting.versions.get(number=waiting.number).sign_offs.filter(decision="pending")
    assert pending.count() >= 2
    assert all(html.escape(str(s.member)) in text for s in pending)
    assert html.escape(OBJECTION[:60]) in _row(client, language, planted["objected"])
