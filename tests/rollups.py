"""Fixtures: a small ledger in rollup form (twelve steady accounts, a squeezer, a fast grower)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from kam.core.periods import last_complete_quarters
from kam.ledger.models import AccountQuarter
from tests.factories import AccountFactory

AS_OF = date(2026, 11, 2)
QUARTERS = last_complete_quarters(AS_OF, 8)
CENT = Decimal("0.01")


def quarters_for(account, revenues, margin=Decimal("0.3"), discount=Decimal("0"), late=0):
    for quarter, revenue in zip(QUARTERS, revenues, strict=True):
        # To the cent, as the column keeps it: a finer value is refused, not rounded.
        revenue = Decimal(revenue).quantize(CENT, rounding=ROUND_HALF_UP)
        AccountQuarter.objects.create(
            account=account,
            quarter=quarter,
            revenue=revenue,
            cost=(revenue * (1 - margin)).quantize(Decimal("0.01")),
            discount=discount,
            units=(revenue / 10).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
            invoices_due=3,
            paid_on_time=3 if late == 0 else 0,
            days_late_sum=3 * late,
            days_late_max=late,
        )


@pytest.fixture
def ledger(db):
    accounts = {}
    for n in range(12):
        accounts[n] = AccountFactory(name=f"Steady {n}")
        quarters_for(accounts[n], [100_000 + 1000 * n] * 8)
    accounts["squeezer"] = AccountFactory(name="Squeezer Ltd")
    quarters_for(accounts["squeezer"], [3_000_000] * 8, margin=Decimal("-0.05"), late=70)
    accounts["grower"] = AccountFactory(name="Grower")
    quarters_for(accounts["grower"], [10_000 * 1.2**k for k in range(8)])
    return accounts


@pytest.fixture
def scored(ledger, account, lee):
    """The ledger plus the cast's account (alice's), scored once."""
    from kam.selection.run import scoring_run_execute

    quarters_for(account, [500_000] * 8, margin=Decimal("0.35"))
    return scoring_run_execute(as_of=AS_OF, by=lee)
