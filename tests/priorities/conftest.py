from __future__ import annotations

from datetime import date

import pytest

from kam.core.models import Period


@pytest.fixture
def period(db):
    return Period.objects.create(
        name="2026 Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )
