"""The demo company, generated once per module and loaded once per module (rolled back)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from kam.demo.generator import build_company
from kam.demo.loader import demo_load

TODAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def company():
    return build_company(today=TODAY)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, company):
    """The whole demo company loaded once for a module, rolled back after it: a load takes
    seconds, and a dozen tests read the same data."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(company)
        # Check the deferred foreign keys once, here: else PostgreSQL checks them again at the
        # end of every test, whose savepoint rollback puts them back in the queue.
        connection.check_constraints()
        yield
        transaction.set_rollback(True)
