"""Per-account selection features from quarterly rollups (METHOD.md M2, M8), vectorised.

The database aggregates the sales ledger into one row per account and quarter; this module
turns those rollups into the criteria the selection scores: volume, margin, growth, share of
total sales, discounts and rebates, account profit and payment behaviour.

These are **analytic figures, not accounting ones**. Money arrives as ``numpy.float64`` so that
100,000 accounts x 12 quarters compute in milliseconds; the stored money elsewhere in kam is
``Decimal``. Rounding may differ from the ledger in the last cent, which does not matter for
ranking and scoring but means these numbers must never be booked or invoiced.

Contract for the input (the aggregation must follow it):

- every array is indexed by account first; quarterly arrays are ``(n_accounts, n_quarters)``
  with the **oldest quarter first** and the most recent quarter last, with no gaps (a quarter
  with no sales is a row of zeros, not a missing column);
- all money is in **one currency** (converted by the caller), otherwise shares are meaningless;
- ``revenue`` is net revenue: what the customer actually pays, after on-invoice discounts
  **and** rebates (a rebate paid as a credit note is subtracted by the aggregation);
- ``discounts`` is the value given away as discounts and rebates in the quarter, so the list
  value of the sales is ``revenue + discounts``;
- payment statistics are per account and may be NaN when the account had no invoice due.

Missing results are NaN in the arrays (a margin when there was no revenue, a year-on-year
growth with no previous window); :meth:`AccountFeatures.row` turns them into ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

DEFAULT_WINDOW = 4  # quarters: the last 12 months against the 12 before (M2)


@dataclass(frozen=True)
class QuarterlyRollup:
    """Sums per account and quarter, plus per-account payment statistics and cost to serve.

    Quarterly arrays are ``(n_accounts, n_quarters)``, oldest quarter first. Per-account arrays
    are ``(n_accounts,)``. ``cost_to_serve`` covers the current window (the last ``window``
    quarters); ``on_time_pct`` is the share of invoices paid on time, 0-100.
    """

    revenue: FloatArray
    cost: FloatArray
    units: FloatArray
    discounts: FloatArray
    avg_days_late: FloatArray
    worst_days_late: FloatArray
    on_time_pct: FloatArray
    cost_to_serve: FloatArray
    # Revenue of lines whose cost is unknown, per account and quarter (None: every cost known).
    uncosted: FloatArray | None = None

    @classmethod
    def from_arrays(
        cls,
        *,
        revenue: ArrayLike,
        cost: ArrayLike,
        units: ArrayLike,
        discounts: ArrayLike,
        avg_days_late: ArrayLike,
        worst_days_late: ArrayLike,
        on_time_pct: ArrayLike,
        cost_to_serve: ArrayLike,
        uncosted: ArrayLike | None = None,
    ) -> QuarterlyRollup:
        """Build a rollup from anything array-like (lists, Decimals), checking the shapes."""
        rollup = cls(
            revenue=_floats(revenue),
            cost=_floats(cost),
            units=_floats(units),
            discounts=_floats(discounts),
            avg_days_late=_floats(avg_days_late),
            worst_days_late=_floats(worst_days_late),
            on_time_pct=_floats(on_time_pct),
            cost_to_serve=_floats(cost_to_serve),
            uncosted=None if uncosted is None else _floats(uncosted),
        )
        rollup.check()
        return rollup

    @property
    def n_accounts(self) -> int:
        """How many accounts (rows) the rollup holds."""
        return int(self.revenue.shape[0])

    @property
    def n_quarters(self) -> int:
        """How many quarters (columns) the rollup holds."""
        return int(self.revenue.shape[1])

    def check(self) -> None:
        """Raise ``ValueError`` unless every array has the shape the contract above states."""
        if self.revenue.ndim != 2:
            raise ValueError("revenue must be a 2-D array (accounts x quarters)")
        for name in ("cost", "units", "discounts", "uncosted"):
            if getattr(self, name) is not None and getattr(self, name).shape != self.revenue.shape:
                raise ValueError(f"{name} must have the shape of revenue {self.revenue.shape}")
        for name in ("avg_days_late", "worst_days_late", "on_time_pct", "cost_to_serve"):
            if getattr(self, name).shape != (self.n_accounts,):
                raise ValueError(f"{name} must have one value per account ({self.n_accounts})")


@dataclass(frozen=True)
class AccountFeatures:
    """Selection features, one value per account in each array (NaN when undefined).

    Windows: ``*_current`` sums the last ``window`` quarters, ``*_previous`` the ``window``
    quarters before (NaN when the rollup is too short). Percentages are 0-100; trends are
    least-squares slopes per quarter over the current window.
    """

    window: int
    revenue: FloatArray  # current window, net of discounts and rebates
    revenue_previous: FloatArray
    units: FloatArray
    units_previous: FloatArray
    margin_pct: FloatArray  # (revenue - cost) / revenue; NaN when revenue <= 0
    margin_trend: FloatArray  # percentage points per quarter
    revenue_trend: FloatArray  # money per quarter
    revenue_trend_pct: FloatArray  # slope as % of the window's mean quarterly revenue
    growing_quarters_pct: FloatArray  # quarters whose revenue beat the quarter before
    yoy_growth_pct: FloatArray  # current window against previous; NaN when previous <= 0
    sales_share_pct: FloatArray  # of the total current revenue of all accounts given
    discount_pct: FloatArray  # discounts / (revenue + discounts): share of list value
    discount_trend: FloatArray  # percentage points per quarter
    profit: FloatArray  # revenue - cost - cost to serve (discounts are already out)
    cost_to_serve: FloatArray
    avg_days_late: FloatArray
    worst_days_late: FloatArray
    on_time_pct: FloatArray
    cost_unknown: NDArray[np.bool_] | None = None  # some revenue of the window has no cost

    @property
    def n_accounts(self) -> int:
        """How many accounts the features describe."""
        return int(self.revenue.shape[0])

    def columns(self) -> dict[str, FloatArray]:
        """Every feature by name, ready to pass as ``values`` to :func:`scoring.score_accounts`."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("window", "cost_unknown")
        }

    def row(self, account: int) -> dict[str, float | None]:
        """One account's features by name, NaN as ``None``, for a page that shows them."""
        return {
            name: (None if np.isnan(values[account]) else float(values[account]))
            for name, values in self.columns().items()
        }


def compute_features(
    rollup: QuarterlyRollup, *, window: int = DEFAULT_WINDOW, comparison: int | None = None
) -> AccountFeatures:
    """Compute every selection feature for every account of ``rollup`` at once.

    ``window`` is the number of quarters in the current window (default 4: the last 12 months);
    ``comparison`` the quarters just before it that growth compares with (default as many).
    With periods of different lengths, growth compares their average quarters.
    The growth share counts, among the quarters of the current window, those whose revenue is
    strictly higher than the quarter before; the first quarter of the rollup has no quarter
    before it and is left out of the count.
    """
    rollup.check()
    n_quarters = rollup.n_quarters
    if not 1 <= window <= n_quarters:
        raise ValueError(f"window must be between 1 and the {n_quarters} quarters given")
    comparison = window if comparison is None else comparison
    if comparison < 1:
        raise ValueError("the comparison period needs at least one quarter")
    current = slice(n_quarters - window, n_quarters)
    has_previous = n_quarters >= window + comparison
    previous = slice(n_quarters - window - comparison, n_quarters - window)

    revenue_q = rollup.revenue[:, current]
    cost_q = rollup.cost[:, current]
    discounts_q = rollup.discounts[:, current]
    revenue = revenue_q.sum(axis=1)
    cost = cost_q.sum(axis=1)
    discounts = discounts_q.sum(axis=1)
    units = rollup.units[:, current].sum(axis=1)
    nan = np.full(rollup.n_accounts, np.nan)
    revenue_previous = rollup.revenue[:, previous].sum(axis=1) if has_previous else nan
    units_previous = rollup.units[:, previous].sum(axis=1) if has_previous else nan.copy()

    # Revenue whose cost is unknown makes the margin (and profit) unknown, never 100%: the
    # quarter's for the trend, the window's for the rest.
    uncosted_q = (
        np.zeros_like(revenue_q) if rollup.uncosted is None else rollup.uncosted[:, current]
    )
    cost_unknown = uncosted_q.sum(axis=1) != 0
    # One errstate for the whole block: every division below guards its zero denominators
    # with np.where, and the warnings numpy raises before the guard applies are noise.
    with np.errstate(divide="ignore", invalid="ignore"):
        margin_pct = np.where(
            (revenue > 0) & ~cost_unknown, (revenue - cost) / revenue * 100.0, np.nan
        )
        margin_q = np.where(
            (revenue_q > 0) & (uncosted_q == 0), (revenue_q - cost_q) / revenue_q * 100.0, np.nan
        )
        list_value = revenue + discounts
        discount_pct = np.where(list_value > 0, discounts / list_value * 100.0, np.nan)
        list_q = revenue_q + discounts_q
        discount_q = np.where(list_q > 0, discounts_q / list_q * 100.0, np.nan)

        revenue_trend = _slope(revenue_q)
        mean_quarter = revenue / window
        revenue_trend_pct = np.where(mean_quarter > 0, revenue_trend / mean_quarter * 100.0, np.nan)
        # Per average quarter, so that a 12-month window compares fairly with 6 months before.
        now, before = revenue / window, revenue_previous / comparison
        yoy_growth_pct = np.where(before > 0, (now - before) / before * 100.0, np.nan)
        total = revenue.sum()
        sales_share_pct = revenue / total * 100.0 if total > 0 else np.full_like(revenue, np.nan)

    return AccountFeatures(
        window=window,
        revenue=revenue,
        revenue_previous=revenue_previous,
        units=units,
        units_previous=units_previous,
        margin_pct=margin_pct,
        margin_trend=_masked_slope(margin_q),
        revenue_trend=revenue_trend,
        revenue_trend_pct=revenue_trend_pct,
        growing_quarters_pct=_growing_quarters_pct(rollup.revenue, window),
        yoy_growth_pct=yoy_growth_pct,
        sales_share_pct=sales_share_pct,
        discount_pct=discount_pct,
        discount_trend=_masked_slope(discount_q),
        profit=np.where(cost_unknown, np.nan, revenue - cost - rollup.cost_to_serve),
        cost_to_serve=rollup.cost_to_serve,
        avg_days_late=rollup.avg_days_late,
        worst_days_late=rollup.worst_days_late,
        on_time_pct=rollup.on_time_pct,
        cost_unknown=cost_unknown,
    )


def _floats(values: ArrayLike) -> FloatArray:
    """``values`` as a float64 array (Decimals from the database convert here, once)."""
    return np.asarray(values, dtype=np.float64)


def _slope(y: FloatArray) -> FloatArray:
    """Least-squares slope of each row of ``y`` against the quarter number 0, 1, 2, ...

    ``sum((q - mean_q) * y) / sum((q - mean_q) ** 2)``; NaN for a single quarter.
    """
    q = np.arange(y.shape[1], dtype=np.float64)
    centred = q - q.mean()
    denominator = float(centred @ centred)
    if denominator == 0.0:
        return np.full(y.shape[0], np.nan)
    # A matrix-vector product: one pass over the data, the fast path for 100,000 rows.
    return np.asarray(y @ centred / denominator, dtype=np.float64)


def _masked_slope(y: FloatArray) -> FloatArray:
    """Least-squares slope of each row of ``y``, skipping NaN quarters; NaN under two points."""
    valid = ~np.isnan(y)
    count = valid.sum(axis=1)
    q = np.arange(y.shape[1], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_q = np.where(valid, q, 0.0).sum(axis=1) / count
        centred = np.where(valid, q - mean_q[:, None], 0.0)
        numerator = (centred * np.where(valid, y, 0.0)).sum(axis=1)
        denominator = (centred * centred).sum(axis=1)
        return np.where((count >= 2) & (denominator > 0), numerator / denominator, np.nan)


def _growing_quarters_pct(revenue: FloatArray, window: int) -> FloatArray:
    """Share (0-100) of the current window's quarters that sold more than the quarter before."""
    n_quarters = revenue.shape[1]
    steps = revenue[:, max(0, n_quarters - window - 1) :]
    if steps.shape[1] < 2:
        return np.full(revenue.shape[0], np.nan)
    return np.asarray((np.diff(steps, axis=1) > 0).mean(axis=1) * 100.0, dtype=np.float64)
