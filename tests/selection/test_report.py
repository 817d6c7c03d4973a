"""`kam report key-accounts`: flags with their reasons in words, in the reader's language."""

from __future__ import annotations

import io

from django.core.management import call_command


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "key-accounts", *args, stdout=out)
    return out.getvalue()


def test_the_report_gives_each_flag_its_reason_as_the_page_does(scored):
    text = report("--all")
    squeezer = next(line for line in text.splitlines() if "Squeezer Ltd" in line)
    assert "Big but bad buyer: " in squeezer
    assert "below cost (margin -5.0%)" in squeezer
    assert "pays 70 days late on average" in squeezer


def test_the_report_words_the_reasons_in_the_chosen_language(scored):
    text = report("--all", "--language", "zh-hant")
    squeezer = next(line for line in text.splitlines() if "Squeezer Ltd" in line)
    assert "量大但不良的買家: " in squeezer
    assert "我方以低於成本的價格銷售給對方" in squeezer
    assert "毛利率 -5.0%" in squeezer
