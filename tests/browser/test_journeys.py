"""A person's way through the app in a real browser."""

from __future__ import annotations

import pytest
from django.utils import translation

from kam.accounts.models import Stage

pytestmark = pytest.mark.browser


def translated(language: str, text: str) -> str:
    with translation.override(language):
        result = translation.gettext(text)
    assert result != text, f"{text!r} has no {language} translation"
    return result


def test_a_kam_logs_in_and_opens_their_account(log_in, alice, account):
    page = log_in(alice)
    assert page.locator("h1").inner_text().startswith("Welcome")
    page.click("text=PT Sinar Abadi Mebel Jepara")
    assert page.locator("h1").inner_text() == "PT Sinar Abadi Mebel Jepara"
    assert page.locator("text=Budi Santoso").is_visible()
    assert page.locator("text=Bob").first.is_visible()


@pytest.mark.parametrize("language", ["zh-hant", "id"])
def test_switching_language_translates_the_pages(log_in, alice, account, language):
    page = log_in(alice)
    with page.expect_navigation():
        page.select_option("#language", language)
    nav = page.locator(".mainnav").inner_text()
    assert translated(language, "My accounts") in nav
    assert page.locator("html").get_attribute("lang") == language
    page.click(f"text={translated(language, 'Accounts')} >> nth=0")
    page.click("text=PT Sinar Abadi Mebel Jepara")
    assert translated(language, "Account team") in page.locator("main").inner_text()


def test_the_kam_changes_the_stage_in_place(log_in, alice, account):
    page = log_in(alice)
    page.goto(page.url + f"accounts/{account.public_id}/")
    page.select_option("#id_to_stage", Stage.NEGOTIATION)
    page.fill("#id_note", "收到詢價")
    page.click("text=Change stage")
    page.wait_for_selector("[data-testid=current-stage]:has-text('Contract negotiation')")
    assert page.locator(".history").inner_text().count("收到詢價") == 1
    account.refresh_from_db()
    assert account.stage == Stage.NEGOTIATION


def test_a_stranger_gets_not_found_for_an_account(log_in, live_server, charlie, account):
    page = log_in(charlie)
    response = page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    assert response.status == 404
    assert "PT Sinar Abadi" not in page.content()
