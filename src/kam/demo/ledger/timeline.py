"""The ledger's days and months: seasons, Chinese New Year, price steps and exchange rates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from kam.demo.ledger.columns import DemoRate, FloatArray, IntArray

MONTHS = 36
REPORTING_CURRENCY = "CNY"
# currency: (CNY per unit at the start, drift per month in log terms, monthly volatility)
RATES = {
    "HKD": (0.9150, -0.0004, 0.003),
    "IDR": (0.000455, -0.0015, 0.009),
    "SGD": (5.32, 0.0006, 0.006),
    "GBP": (9.05, 0.0010, 0.011),
}
CURRENCIES = (REPORTING_CURRENCY, *RATES)  # the order of the columns of the rate table
MONEY_QUANTUM = {"IDR": 100}  # in cents: rupiah are invoiced whole

# Chinese New Year's day; the factory closes around it. Years missing here fall back to 5 Feb.
CHINESE_NEW_YEAR = {
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}
MONTH_SEASON = {7: 0.92, 8: 0.92, 9: 1.06, 10: 1.04, 11: 1.10, 12: 1.10}


def add_months(day: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def money_quantum(currency: IntArray) -> IntArray:
    """The smallest amount invoiced, in cents, for each currency index (CURRENCIES order)."""
    quanta = np.array([MONEY_QUANTUM.get(c, 1) for c in CURRENCIES], dtype=np.int64)
    return quanta[currency]


def round_money(amount_cents: FloatArray, quantum: IntArray) -> IntArray:
    """Round to whole cents (whole rupiah for IDR) as exact integers."""
    return (np.rint(amount_cents / quantum) * quantum).astype(np.int64)


@dataclass(frozen=True)
class Calendar:
    """Every day with possible sales, its month, quarter and seasonal weight."""

    start: date
    today: date
    days: IntArray  # ordinals, from start to the day before today
    month: IntArray  # index into months
    quarter: IntArray  # index of the calendar quarter, 0 = the quarter of ``start``
    weight: FloatArray  # relative chance of invoicing on the day
    months: list[date]  # first days, up to today's month
    last_complete: int  # quarter index of the last quarter that ended before today
    epochs: list[date]  # the start, then every 1 March after it: when costs and prices rise
    epoch: IntArray  # index into epochs

    @classmethod
    def build(cls, today: date) -> Calendar:
        """The calendar of the ``MONTHS`` months before ``today``'s month, up to yesterday."""
        start = add_months(date(today.year, today.month, 1), -MONTHS)
        days = [date.fromordinal(o) for o in range(start.toordinal(), today.toordinal())]
        q0 = start.year * 4 + (start.month - 1) // 3
        months_count = (today.year - start.year) * 12 + today.month - start.month + 1
        epochs = [start] + [
            date(year, 3, 1)
            for year in range(start.year, today.year + 1)
            if start < date(year, 3, 1) < today
        ]
        ordinals = np.array([d.toordinal() for d in days], dtype=np.int64)
        epoch = np.searchsorted([e.toordinal() for e in epochs], ordinals, side="right") - 1
        return cls(
            start=start,
            today=today,
            days=ordinals,
            month=np.array(
                [(d.year - start.year) * 12 + d.month - start.month for d in days], dtype=np.int64
            ),
            quarter=np.array([d.year * 4 + (d.month - 1) // 3 - q0 for d in days], dtype=np.int64),
            weight=np.array([_season(d) for d in days]),
            months=[add_months(start, i) for i in range(months_count)],
            last_complete=today.year * 4 + (today.month - 1) // 3 - q0 - 1,
            epochs=epochs,
            epoch=epoch.astype(np.int64),
        )


def _season(day: date) -> float:
    """How much gets invoiced on ``day``, relative to an ordinary weekday."""
    weight = (1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.0)[day.weekday()]
    weight *= MONTH_SEASON.get(day.month, 1.0)
    offset = (day - CHINESE_NEW_YEAR.get(day.year, date(day.year, 2, 5))).days
    if -4 <= offset <= 9:  # the factory is closed: only stock shipments
        return weight * 0.04
    if -25 <= offset < -4:  # customers stock up before the holiday
        return weight * 1.2
    if 9 < offset <= 20:  # the workers come back slowly
        return weight * 0.65
    return weight


def exchange_rates(
    rng: np.random.Generator, calendar: Calendar
) -> tuple[list[DemoRate], FloatArray]:
    """Monthly rates as rows, and as a (month, currency) table in CURRENCIES order for pricing.

    The table holds the rates as stored (10 places), so amounts converted with it agree with
    what the database will say.
    """
    rows: list[DemoRate] = []
    table = np.ones((len(calendar.months), len(CURRENCIES)))
    for currency, (level, drift, volatility) in RATES.items():
        noise = 0.0
        for index, month in enumerate(calendar.months):
            # A slow drift plus mean-reverting noise: plausible month-end fixings.
            noise = 0.8 * noise + float(rng.normal(0.0, volatility))
            rate = Decimal(f"{level * math.exp(drift * index + noise):.10f}")
            rows.append(DemoRate(month, currency, rate))
            table[index, CURRENCIES.index(currency)] = float(rate)
    return rows, table
