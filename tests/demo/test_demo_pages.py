"""The planted cases of the demo, found and explained on their pages in all three languages."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from kam.accounts.models import Account
from kam.demo.ledger import planted_accounts
from kam.demo.relationships import build_relationships
from kam.relationships.analysis import Code
from kam.relationships.explain import Explainer
from kam.relationships.queries import account_analyses
from kam.selection import explain
from kam.selection.models import AccountScore
from kam.selection.queries import latest_run
from kam.users.models import User

LANGUAGES = ["en", "zh-hant", "id"]
FLAG_OF_CASE = {
    "squeezer": "big_but_bad",
    "discount_creep": "efficiencies_given_back",
    "volume_only": "single_criterion",
    "fast_grower": "fast_grower",
}


@pytest.fixture
def lead_client(client, loaded, db):
    client.force_login(User.objects.get(username="lead"))
    return client


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", sorted(FLAG_OF_CASE))
def test_each_planted_selection_case_is_flagged_with_its_reason(
    lead_client, company, language, case
):
    code = planted_accounts(company)[case]
    flag_code = FLAG_OF_CASE[case]
    score = AccountScore.objects.get(run=latest_run(), account__code=code)
    flag = next(f for f in score.flags if f["code"] == flag_code)
    page = in_language(lead_client, language).get(reverse("selection:key_accounts"), {"q": code})
    with translation.override(language):
        title, reason = explain.flag_title(flag_code), explain.flag_reason(flag)
    if language != "en":
        with translation.override("en"):
            assert title != explain.flag_title(flag_code), "flag title not translated"
    assert html.escape(title) in page.text
    assert html.escape(reason) in page.text


@pytest.fixture(scope="module")
def relationships(company):
    return build_relationships(company)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_single_threaded_account_explains_its_departed_contact(
    lead_client, relationships, language
):
    case = relationships.planted["single_threaded_left"]
    account = Account.objects.get(code=case["account"])
    finding = next(
        f
        for f in account_analyses(account=account, today=date.today()).findings
        if f.code == Code.SINGLE_THREADED_CONTACT_LEFT
    )
    page = in_language(lead_client, language).get(
        reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    )
    with translation.override(language):
        sentence = Explainer(currency=account.currency).sentence(finding)
    assert case["contact"] in sentence
    assert html.escape(sentence) in page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kickback_opponent_and_the_advocate_are_on_the_page(
    lead_client, relationships, language
):
    case = relationships.planted["kickback_opponent"]
    account = Account.objects.get(code=case["account"])
    page = in_language(lead_client, language).get(
        reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    )
    assert case["opponent"] in page.text
    assert case["advocate"] in page.text
    with translation.override(language):
        opponent_word = str(translation.gettext("Opponents and interests"))
    assert html.escape(opponent_word) in page.text
