"""Calendar quarters, the unit of time of the selection metrics."""

from __future__ import annotations

from datetime import date


def quarter_start(day: date) -> date:
    """The first day of the quarter ``day`` falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_quarters(quarter: date, count: int) -> date:
    """The first day of the quarter ``count`` quarters after (or before) ``quarter``."""
    index = quarter.year * 4 + (quarter.month - 1) // 3 + count
    return date(index // 4, 3 * (index % 4) + 1, 1)


def last_complete_quarters(as_of: date, count: int) -> list[date]:
    """The ``count`` quarters that ended before ``as_of``'s quarter, oldest first.

    Metrics use complete quarters only, so that a half-finished quarter never looks like a fall.
    """
    last = add_quarters(quarter_start(as_of), -1)
    return [add_quarters(last, -offset) for offset in range(count - 1, -1, -1)]


def quarter_label(quarter: date) -> str:
    return f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"
