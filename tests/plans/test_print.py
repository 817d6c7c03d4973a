"""The printable plan and its PDF through Debian's chromium (issue 11 item 8)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.plans.factories import ActionFactory, PlanFactory


@pytest.fixture
def plan(other_account):
    """charlie's plan of the Chinese account, in zh-hant."""
    plan = PlanFactory(account=other_account, strategy="成為首選的五金供應商。")
    ActionFactory(plan=plan, what="拜訪設計部", due_on=date(2026, 3, 1))
    return plan


def test_the_print_page_is_laid_out_in_the_readers_language(client_for, charlie, plan):
    client = client_for(charlie)
    client.cookies["django_language"] = "zh-hant"
    page = client.get(reverse("plans:plan_print", args=[plan.public_id])).content.decode()
    assert "客戶計畫" in page and "成為首選的五金供應商。" in page and "拜訪設計部" in page
    assert "@media print" in page and "Noto Sans CJK TC" in page


def test_an_outsider_gets_404_for_the_print_page_and_the_pdf(client_for, alice, plan):
    client = client_for(alice)
    assert client.get(reverse("plans:plan_print", args=[plan.public_id])).status_code == 404
    assert client.get(reverse("plans:plan_pdf", args=[plan.public_id])).status_code == 404


@pytest.mark.browser
def test_the_pdf_prints_chinese(client_for, charlie, plan):
    client = client_for(charlie)
    client.cookies["django_language"] = "zh-hant"
    answer = client.get(reverse("plans:plan_pdf", args=[plan.public_id]))
    assert answer.status_code == 200, answer.content[:300]
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    # The CJK font is embedded: chromium subsets the Noto CJK face it drew the text with.
    assert b"NotoSansCJK" in answer.content or b"Noto Sans CJK" in answer.content
