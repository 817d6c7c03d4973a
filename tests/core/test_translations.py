"""Every page string is translated, and the shipped .mo files match the .po sources."""

from __future__ import annotations

import polib
import pytest
from django.urls import reverse

from kam.core.translations import catalogues, untranslated


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: "/".join(p.parts[-5:-2]))
def test_every_string_is_translated(po_path):
    assert untranslated(po_path) == []


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: "/".join(p.parts[-5:-2]))
def test_the_compiled_catalogue_matches_its_source(po_path):
    source = {e.msgid: (e.msgstr or e.msgstr_plural.get(0, "")) for e in polib.pofile(str(po_path))}
    compiled = {
        e.msgid: (e.msgstr or e.msgstr_plural.get(0, ""))
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
        if e.msgid
    }
    assert compiled == source, "run `kam compile_translations` and commit the .mo files"


def test_both_languages_ship():
    assert {p.parts[-3] for p in catalogues()} == {"zh_Hant", "id"}


def test_every_app_catalogue_has_both_languages():
    """An app that ships its own catalogue ships it in both languages, or half its pages
    would fall back to English in one of them."""
    by_app: dict[str, set[str]] = {}
    for path in catalogues():
        by_app.setdefault(path.parts[-5], set()).add(path.parts[-3])
    assert all(languages == {"zh_Hant", "id"} for languages in by_app.values()), by_app


@pytest.mark.parametrize(
    ("language", "login", "stage"),
    [("zh-hant", "登入", "售前"), ("id", "Masuk", "Pra-penjualan")],
)
def test_pages_render_in_the_chosen_language(client, alice, account, language, login, stage):
    client.cookies["django_language"] = language
    assert login in client.get(reverse("login")).text
    client.force_login(alice)
    page = client.get(account.get_absolute_url())
    assert f'lang="{language}"' in page.text
    assert stage in page.text
