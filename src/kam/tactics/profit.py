"""Account profit after the programme (METHOD.md M8). Pure: no Django.

Over a window (the last four complete quarters), in the reporting currency:

    list revenue           = net revenue + on-invoice discounts
    profit without         = list revenue - cost of goods - cost to serve
    programme cost         = discounts + rebates + the tactics' yearly cost
    profit after           = profit without - programme cost

"Without the programme" is the same account, buying the same, with none of the programme's
price incentives or tactics. A part kam cannot know (goods of unknown cost, a tactic in place
with no cost given, no cost to serve set) makes every figure that needs it unknown (None),
never 0, and raises no flag that would depend on it.

Flags (``FLAGS``):
- ``costs_more_than_protects``: a key account whose programme costs more than the margin it
  protects, that is more than the profit the account still leaves after it;
- ``rebates_eat_margin``: rebates take at least ``REBATE_SHARE`` (half) of the gross margin
  after discounts (net revenue - cost of goods);
- ``loss_making``: profit after the programme below 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

REBATE_SHARE = Decimal("0.5")
FLAGS = ("costs_more_than_protects", "rebates_eat_margin", "loss_making")
ZERO = Decimal("0")


@dataclass(frozen=True)
class AccountMoney:
    """One account's money over the window. ``None``: unknown."""

    revenue: Decimal  # net of on-invoice discounts, before rebates
    cost_of_goods: Decimal | None
    discounts: Decimal
    rebates: Decimal
    tactics_cost: Decimal | None
    cost_to_serve: Decimal | None
    is_key: bool = False


@dataclass(frozen=True)
class Profit:
    list_revenue: Decimal
    gross_margin: Decimal | None  # net revenue - cost of goods
    programme_cost: Decimal | None
    profit_without: Decimal | None
    profit_after: Decimal | None
    flags: tuple[str, ...] = field(default=())


def _sub(*parts: Decimal | None) -> Decimal | None:
    if any(p is None for p in parts):
        return None
    first, *rest = parts
    return first - sum(rest, ZERO)  # type: ignore[operator, arg-type]


def account_profit(money: AccountMoney) -> Profit:
    list_revenue = money.revenue + money.discounts
    gross = _sub(money.revenue, money.cost_of_goods)
    programme = (
        None if money.tactics_cost is None else money.discounts + money.rebates + money.tactics_cost
    )
    without = _sub(list_revenue, money.cost_of_goods, money.cost_to_serve)
    after = _sub(without, programme)
    flags = []
    if money.is_key and programme is not None and after is not None and programme > after:
        flags.append("costs_more_than_protects")
    if gross is not None and money.rebates > 0 and money.rebates >= gross * REBATE_SHARE:
        flags.append("rebates_eat_margin")
    if after is not None and after < 0:
        flags.append("loss_making")
    return Profit(list_revenue, gross, programme, without, after, tuple(flags))


@dataclass(frozen=True)
class Totals:
    """A group's (a tier's) totals over its accounts whose figures are all known; ``unknown``
    counts the accounts left out for an unknown part."""

    accounts: int
    unknown: int
    list_revenue: Decimal
    programme_cost: Decimal
    profit_without: Decimal
    profit_after: Decimal


def totals(profits: Iterable[Profit]) -> Totals:
    n = unknown = 0
    list_revenue = programme = without = after = ZERO
    for p in profits:
        n += 1
        if p.profit_after is None or p.programme_cost is None or p.profit_without is None:
            unknown += 1
            continue
        list_revenue += p.list_revenue
        programme += p.programme_cost
        without += p.profit_without
        after += p.profit_after
    return Totals(n, unknown, list_revenue, programme, without, after)
