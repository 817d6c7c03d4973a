"""A plan for the cast's account (alice KAM, bob team, mia mentor) in FY2027."""

from __future__ import annotations

from datetime import date

import pytest

from kam.core.models import Period
from kam.plans import services


@pytest.fixture
def period(db):
    return Period.objects.create(
        name="FY2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
    )


@pytest.fixture
def plan(account, period, alice):
    return services.plan_create(account=account, period=period, by=alice)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    """Attachments go to a fresh folder per test, never the developer's data directory."""
    settings.MEDIA_ROOT = tmp_path / "files"


from tests.relationships.conftest import api  # noqa: E402, F401 - the bearer-token caller
