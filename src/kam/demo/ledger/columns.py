"""What the demo ledger generator returns: small records, and column arrays for the bulk.

Invoices, lines and payments are numpy arrays, one entry per row, because there are a quarter
of a million of them and the loader streams them straight into SQL. Amounts are integer cents
of the invoice's currency (exact, never float); :func:`money` makes one a ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Units of sale as the lines name them: index 0 is the product's own base unit (piece, set).
UNITS = ("", "box", "carton", "pallet")


def money(cents: int) -> Decimal:
    """An amount in cents as an exact Decimal with two places."""
    return Decimal(int(cents)).scaleb(-2)


@dataclass(frozen=True)
class DemoProduct:
    """A product of the catalogue, its cost history and (not stored) its list prices."""

    code: str
    name: str
    category: str
    base_unit: str
    costs: tuple[tuple[date, Decimal], ...]  # CNY per base unit, from each date on
    list_prices: tuple[tuple[date, Decimal], ...]  # CNY per base unit, from each date on


@dataclass(frozen=True)
class DemoConversion:
    """One unit of sale: ``factor`` base units; for one product, or all when ``product`` is None."""

    product: str | None
    unit: str
    factor: int


@dataclass(frozen=True)
class DemoRate:
    """CNY per unit of ``currency`` in the month starting ``month``."""

    month: date
    currency: str
    rate: Decimal


@dataclass(frozen=True)
class InvoiceColumns:
    """One entry per invoice, in issue-date order (the order of their numbers)."""

    number: list[str]
    account: IntArray  # index into DemoCompany.accounts
    issue: IntArray  # date ordinals
    due: IntArray
    cancelled: BoolArray
    total: IntArray  # cents of the account's currency: the sum of its lines' net revenue
    paid_on: IntArray  # ordinal of the day it was fully paid; 0 while open, and if cancelled

    def __len__(self) -> int:
        return len(self.number)


@dataclass(frozen=True)
class LineColumns:
    """One entry per invoice line, grouped by invoice and in line-number order."""

    invoice: IntArray  # index into InvoiceColumns
    line_number: IntArray
    product: IntArray  # index into DemoLedger.products
    unit: IntArray  # index into UNITS; 0 is the product's base unit
    quantity: IntArray  # in the unit of sale
    base_quantity: IntArray
    net_revenue: IntArray  # cents, as every amount below
    cost: IntArray
    discount: IntArray
    rebate: IntArray

    def __len__(self) -> int:
        return int(self.invoice.shape[0])


@dataclass(frozen=True)
class PaymentColumns:
    """One entry per payment received, in date order (the order of their references)."""

    reference: list[str]
    account: IntArray
    invoice: IntArray  # index into InvoiceColumns; -1 when the transfer named no invoice
    paid_on: IntArray
    amount: IntArray  # cents

    def __len__(self) -> int:
        return len(self.reference)


@dataclass(frozen=True)
class DemoLedger:
    """The demo company's products, rates, invoices, lines and payments."""

    reporting_currency: str
    start: date  # the first day with sales
    today: date  # the ledger stops the day before
    account_codes: list[str]  # by account index (DemoCompany.accounts order)
    account_currencies: list[str]
    products: list[DemoProduct]
    conversions: list[DemoConversion]
    rates: list[DemoRate]
    invoices: InvoiceColumns
    lines: LineColumns
    payments: PaymentColumns
    planted: dict[str, str]

    def line_unit(self, line: int) -> str:
        """The unit of sale of one line, by name."""
        unit = int(self.lines.unit[line])
        return UNITS[unit] or self.products[int(self.lines.product[line])].base_unit
