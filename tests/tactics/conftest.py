from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kam.tactics.models import AccountTactic, RebateAgreement


@pytest.fixture
def tactics(scored, account, alice):
    """alice's account (scored) with two barriers in place, one planned, and a rebate deal."""
    AccountTactic.objects.create(
        account=account,
        kind="integrated",
        status="in_place",
        since=date(2024, 1, 1),
        yearly_cost=Decimal("12000"),
        owner=alice,
    )
    AccountTactic.objects.create(
        account=account, kind="own_units", status="planned", yearly_cost=Decimal("0")
    )
    AccountTactic.objects.create(
        account=account,
        kind="contact",
        status="in_place",
        since=date(2023, 1, 1),
        yearly_cost=Decimal("30000"),
        people=2,
    )
    RebateAgreement.objects.create(
        account=account,
        name="Volume 2026",
        starts_on=date(2025, 10, 1),
        ends_on=date(2026, 9, 30),
        steps=[{"threshold": "1000000", "rate": "2"}, {"threshold": "1800000", "rate": "5"}],
    )
    return account
