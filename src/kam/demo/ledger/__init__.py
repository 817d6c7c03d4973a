"""Three years of sales ledger and payments for the demo company, as column arrays (no database).

``build_ledger(company)`` turns a :class:`~kam.demo.generator.DemoCompany` into about 220,000
invoice lines, 68,000 invoices and 61,000 payments over the 36 months before ``company.today``
(from the first day of the month 36 months back to the day before ``today``), the same for the
same seed and day (and numpy version). It takes a quarter of a second: numpy does the per-line
work, a few loops run per account. ``kam.demo.ledger_loader`` writes it to the database.

The package: ``columns`` (what is returned), ``timeline`` (days, seasons, exchange rates),
``catalogue`` (products, units of sale), ``plan`` (each account's habits, the planted accounts),
``sales`` (orders, prices, invoices), ``payments``.

What the ledger holds, and the conventions the rollups and metrics rely on:

- **Products**: 126 items of architectural hardware in seven categories, each with a unit cost
  in CNY per base unit (piece, or set for sliding systems) that rises once a year on 1 March,
  when the factory's suppliers reprice metal; the list price follows the cost on the same day.
- **Units of sale**: pieces (or sets), boxes of 10, cartons of 50 and pallets of 1,200, as
  global ``UnitConversion`` rows; locks and sliding systems are bulkier and have their own
  cartons and pallets (20 / 480 and 5 / 60). Distributors and builders buy mostly in cartons
  and pallets, hotel groups mostly by the piece.
- **Money**: every amount is an integer number of cents of the invoice's currency (int64
  arrays; :func:`money` turns one into a ``Decimal``); rupiah are whole (IDR amounts are
  multiples of 100 cents). A line's ``cost`` is in the line's currency too: the product's CNY
  cost converted at the month's rate, so margin needs only the line and the rate of its month.
- **Prices**: export prices are quoted in CNY and invoiced at the month's rate. On a line,
  ``net_revenue = list value - discount``: ``discount`` is the account's agreed discount plus
  occasional promotions, taken off on the invoice. ``rebate`` is the volume rebate the line
  earns under the account's agreement (1-3% of list for the 60 largest accounts), **not** taken
  off: it is paid back later (kam.ledger.models.AccountQuarter), so what the customer pays in
  the end is ``net_revenue - rebate`` and margins are computed on that. An invoice's ``total``
  is the sum of its lines' ``net_revenue``, and payments settle totals.
- **Exchange rates**: one per month for HKD, IDR, SGD and GBP: CNY per unit of the currency,
  slowly drifting, 10 decimal places. The reporting currency is CNY (no CNY rows).
- **Seasonality**: no Sunday invoicing, little on Saturdays; the factory closes for Chinese
  New Year (dip in January/February, a rush before it) and the fit-out season peaks in the
  autumn. Volume per account follows its ``size`` (Zipf): revenue is proportional to it, the
  number of lines to ``size ** 0.75`` (larger customers buy in larger quantities per line).
  Accounts grow or shrink a few percent a year; some small ones start or stop buying.
- **Payments**: due dates are 30, 60 or 90 days after issue by market (``PAYMENT_TERMS``).
  Most accounts pay on time, some a few days late, a few 10-30 days late. About one account in
  four pays by weekly bank transfer **without** invoice references: those payments settle the
  account's oldest open invoices first (FIFO) and always do so exactly, because each one pays
  a run of consecutive invoices in full. The others pay invoice by invoice, linked, sometimes in
  two instalments. ``InvoiceColumns.paid_on`` is the day the last instalment settled the
  invoice; invoices whose payment would fall on or after ``today`` are still open.
- **Cancelled invoices**: about one in 400, kept with their lines (marked cancelled), never paid.

Planted cases, for the selection pages to surface (METHOD.md M2). ``planted_accounts(company)``
names them from the company alone (it depends on the seed, not on ``today``); the properties
hold over complete calendar quarters before ``today`` (``kam.core.periods``):

- ``squeezer``: one of the three largest accounts by size (preferably a distributor or
  builder), of whose needs we now supply only an eighth (``plan.SQUEEZER_SHARE``): a top-10
  buyer whose prices were squeezed from a 6% margin to below cost (under 2% over the last 12
  months, before or after its 1% rebate) and who pays about two months late on average, naming
  every invoice.
- ``volume_only``: the fifth largest account: top 10 on revenue alone (its two largest
  subsidiaries each buy 45% as much as it does: ``plan.GROUP_UNIT_SHARE``), with the median
  discount of the 30 largest (so a margin near theirs), flat sales and ordinary payment (a
  week or so late).
- ``discount_creep``: a furniture maker among the 11th-25th largest (top 30): its discount
  rose by 2.2 points every quarter over the last ten quarters, so its margin fell each quarter.
- ``fast_grower``: a small builder or furniture maker (the 121st-200th largest: outside the
  top 50) whose quarterly revenue grew by 15-25% every quarter over the last ten quarters.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kam.demo.generator import DemoCompany
from kam.demo.ledger.catalogue import build_catalogue, conversions
from kam.demo.ledger.columns import (
    UNITS,
    DemoConversion,
    DemoLedger,
    DemoProduct,
    DemoRate,
    InvoiceColumns,
    LineColumns,
    PaymentColumns,
    money,
)
from kam.demo.ledger.payments import receive_payments
from kam.demo.ledger.plan import (
    PAYMENT_TERMS,
    PLANTED_CASES,
    Plan,
    planted_accounts,
)
from kam.demo.ledger.sales import draw_orders, invoice_columns, price_orders
from kam.demo.ledger.timeline import (
    CHINESE_NEW_YEAR,
    REPORTING_CURRENCY,
    Calendar,
    exchange_rates,
)

__all__ = [
    "CHINESE_NEW_YEAR",
    "PAYMENT_TERMS",
    "PLANTED_CASES",
    "REPORTING_CURRENCY",
    "UNITS",
    "DemoConversion",
    "DemoLedger",
    "DemoProduct",
    "DemoRate",
    "InvoiceColumns",
    "LineColumns",
    "PaymentColumns",
    "build_ledger",
    "money",
    "planted_accounts",
]

LEDGER_STREAM = 10  # mixed into the seed: the ledger shares no random numbers with the company


def build_ledger(company: DemoCompany) -> DemoLedger:
    """The whole ledger for ``company``: the same seed and day give the same ledger."""
    rng = np.random.default_rng([company.seed, LEDGER_STREAM])
    calendar = Calendar.build(company.today)
    products, price, cost, category = build_catalogue(rng, calendar)
    rates, rate_table = exchange_rates(rng, calendar)
    planted = planted_accounts(company)
    plan = Plan.build(rng, company, calendar, planted)

    orders = draw_orders(rng, plan, calendar, category)
    priced = price_orders(rng, orders, plan, calendar, (price, cost, category), rate_table)
    invoices, lines = invoice_columns(rng, orders, priced, plan, calendar)
    payments, paid_on = receive_payments(rng, plan, calendar, invoices)
    return DemoLedger(
        reporting_currency=REPORTING_CURRENCY,
        start=calendar.start,
        today=company.today,
        account_codes=[a.code for a in company.accounts],
        account_currencies=[a.currency for a in company.accounts],
        products=products,
        conversions=conversions(products),
        rates=rates,
        invoices=dataclasses.replace(invoices, paid_on=paid_on),
        lines=lines,
        payments=payments,
        planted=planted,
    )
