"""What a rebate agreement makes due (tactic 2). Pure: no Django.

The rate of the highest step whose threshold the period's volume reached applies to all of
the period's revenue (a retroactive stepped rebate, the common form). Below the first
threshold nothing is due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Due:
    volume: Decimal
    rate: Decimal  # percent
    due: Decimal
    next_threshold: Decimal | None  # the next step up, if any


def rebate_due(
    *, revenue: Decimal, volume: Decimal, steps: Iterable[tuple[Decimal, Decimal]]
) -> Due:
    """``steps`` as (threshold, rate %) in any order; ``volume`` in the agreement's basis."""
    ordered = sorted(steps)
    rate = Decimal("0")
    next_threshold = None
    for threshold, step_rate in ordered:
        if volume >= threshold:
            rate = step_rate
        else:
            next_threshold = threshold
            break
    due = (revenue * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return Due(volume=volume, rate=rate, due=due, next_threshold=next_threshold)
