from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Attachments go to a fresh folder per test, never the developer's data directory."""
    settings.MEDIA_ROOT = tmp_path / "files"
