"""Compile the .po catalogues to .mo with polib, so no system gettext tools are needed.

The project's catalogue lives in ``kam/locale``; an app may keep its own in ``kam/<app>/locale``
(Django finds both), so apps built side by side never edit the same catalogue.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The project's catalogues, then each app's (only the project's when given another dir)."""
    found = sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
    if locale_dir == LOCALE_DIR:
        found += sorted(locale_dir.parent.glob("*/locale/*/LC_MESSAGES/*.po"))
    return found


def untranslated(po_path: Path) -> list[str]:
    """The msgids still missing a translation, or marked fuzzy (which gettext ignores)."""
    catalogue = polib.pofile(str(po_path))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    return missing + [entry.msgid for entry in catalogue.fuzzy_entries()]


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po_path in catalogues(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written
