from __future__ import annotations

from decimal import Decimal

from kam.selection.models import CostToServe
from kam.tactics.barriers import exit_barrier_strength
from kam.tactics.queries import account_profits, agreement_dues


def test_it_gives_each_accounts_strength_with_its_reasons(tactics, ledger):
    found = exit_barrier_strength([tactics, ledger[0].pk])
    strength, reasons = found[tactics.pk]
    # integrated (40 points) mature since 2024; own units planned.
    assert strength == 40
    assert any("planned" in r for r in reasons) and len(reasons) == 2
    assert found[ledger[0].pk][0] is None


def test_a_rebate_agreement_is_due_from_the_ledgers_volume(tactics):
    (row,) = agreement_dues(tactics.rebate_agreements.all())
    # Four quarters of 500,000 in the period: 2,000,000 reaches the 5% step.
    assert row.quarters == 4 and row.due.rate == Decimal("5")
    assert row.due.due == Decimal("100000.00") and row.accrued == Decimal("0")


def test_profit_is_unknown_until_the_cost_to_serve_is_known(tactics, lee):
    (p,) = account_profits([tactics])
    assert p.money.tactics_cost == Decimal("42000") and p.profit.profit_after is None
    CostToServe.objects.create(
        account=tactics, amount=Decimal("8000"), set_by=lee, set_at="2026-11-01T00:00Z"
    )
    (p,) = account_profits([tactics])
    assert p.profit.profit_after == p.profit.profit_without - Decimal("42000")
