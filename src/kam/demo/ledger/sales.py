"""Orders, prices and invoices of the demo ledger (kam.demo.ledger).

Three steps, each over every line at once: draw the orders (which account bought on which day,
how many lines, which products, for how much), price them (unit of sale, quantity, list value,
discount, rebate and cost in the invoice's currency), then number and total the invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from kam.demo.ledger.catalogue import CATEGORY_MIX, units_of_sale
from kam.demo.ledger.columns import BoolArray, FloatArray, IntArray, InvoiceColumns, LineColumns
from kam.demo.ledger.plan import PAYMENT_TERMS, Plan
from kam.demo.ledger.timeline import Calendar, money_quantum, round_money

CANCELLED_SHARE = 0.0025
LINE_SPREAD = 0.8  # log-normal spread of a line's value around the account's mean


@dataclass(frozen=True)
class Orders:
    """Invoices and lines before pricing: who bought what, when, and for how much.

    Invoices are grouped by account (drawn account by account), lines by invoice.
    """

    inv_account: IntArray
    inv_day: IntArray  # index into the calendar
    line_invoice: IntArray
    line_number: IntArray
    line_product: IntArray
    line_value: FloatArray  # what the customer is to pay in the end, in CNY

    @property
    def line_account(self) -> IntArray:
        return self.inv_account[self.line_invoice]

    @property
    def line_day(self) -> IntArray:
        return self.inv_day[self.line_invoice]


@dataclass(frozen=True)
class Priced:
    """The priced lines, in Orders' line order; amounts in cents of the invoice currency."""

    unit: IntArray
    quantity: IntArray
    base_quantity: IntArray
    net: IntArray
    cost: IntArray
    discount: IntArray
    rebate: IntArray


def draw_orders(
    rng: np.random.Generator, plan: Plan, calendar: Calendar, category: IntArray
) -> Orders:
    """Draw invoices per account and day, their lines, products and target values."""
    weight = calendar.weight[None, :]
    half = plan.trend**0.5
    # Lines come at a rate of trend ** 0.5 and their value grows with trend ** 0.5 too, so
    # revenue follows the trend while a growing customer both orders more and orders more often.
    rate_norm = (weight * half).sum(axis=1)
    value_norm = (weight * plan.trend).sum(axis=1)
    counts = rng.poisson((plan.lines / plan.per_invoice / rate_norm)[:, None] * weight * half)
    inv_account, inv_day = np.nonzero(counts)
    repeat = counts[inv_account, inv_day]
    inv_account = np.repeat(inv_account, repeat)
    inv_day = np.repeat(inv_day, repeat)

    per_invoice = 1 + np.minimum(rng.poisson(plan.per_invoice[inv_account] - 1.0), 29)
    line_invoice = np.repeat(np.arange(len(inv_account)), per_invoice)
    first_line = np.cumsum(per_invoice) - per_invoice
    line_number = np.arange(len(line_invoice)) - np.repeat(first_line, per_invoice) + 1
    line_account = inv_account[line_invoice]
    line_day = inv_day[line_invoice]
    mean_value = plan.revenue / plan.lines * rate_norm / value_norm
    line_value = (
        mean_value[line_account]
        * half[line_account, line_day]
        * rng.lognormal(-(LINE_SPREAD**2) / 2, LINE_SPREAD, len(line_invoice))
    )

    # Planted accounts follow their shape exactly, quarter by quarter: noise must not hide it.
    for a, case in plan.role.items():
        mine = line_account == a
        quarter = calendar.quarter[line_day[mine]]
        shape = plan.trend[a] * (1.0 if case == "fast_grower" else calendar.weight)
        target = np.bincount(calendar.quarter, weights=shape) / shape.sum() * plan.revenue[a]
        got = np.bincount(quarter, weights=line_value[mine], minlength=len(target))
        scale = np.divide(target, got, out=np.zeros_like(target), where=got > 0)
        line_value[mine] *= scale[quarter]

    return Orders(
        inv_account=inv_account,
        inv_day=inv_day,
        line_invoice=line_invoice,
        line_number=line_number,
        line_product=_products_bought(rng, plan, line_account, category),
        line_value=line_value,
    )


def _products_bought(
    rng: np.random.Generator, plan: Plan, line_account: IntArray, category: IntArray
) -> IntArray:
    """Each account buys from its own basket, drawn from its industry's usual categories."""
    n_products = len(category)
    popularity = np.empty(n_products)
    for c in range(category.max() + 1):
        members = np.flatnonzero(category == c)
        popularity[members] = 1.0 / (rng.permutation(len(members)) + 1.0) ** 0.8
    mixes = {
        industry: np.array(mix)[category] * popularity for industry, mix in CATEGORY_MIX.items()
    }
    product = np.empty(len(line_account), dtype=np.int64)
    bounds = np.searchsorted(line_account, np.arange(len(plan.size) + 1))
    largest = plan.size.max()
    for a in range(len(plan.size)):
        lo, hi = bounds[a], bounds[a + 1]
        if lo == hi:
            continue
        weights = mixes[plan.industry[a]]
        basket_size = int(np.clip(12 + 60 * (plan.size[a] / largest) ** 0.4, 10, 80))
        basket = rng.choice(n_products, size=basket_size, replace=False, p=weights / weights.sum())
        preference = weights[basket] * rng.lognormal(0.0, 0.5, basket_size)
        product[lo:hi] = rng.choice(basket, size=hi - lo, p=preference / preference.sum())
    return product


def price_orders(
    rng: np.random.Generator,
    orders: Orders,
    plan: Plan,
    calendar: Calendar,
    catalogue: tuple[FloatArray, FloatArray, IntArray],
    rate_table: FloatArray,
) -> Priced:
    """Turn target values into units, quantities and amounts in the invoice currency.

    ``catalogue`` is (list price, cost, category) from ``build_catalogue``.
    """
    price, cost, category = catalogue
    account, day, product = orders.line_account, orders.line_day, orders.line_product
    n = len(account)
    epoch = calendar.epoch[day]
    unit_price = price[product, epoch]  # CNY per base unit
    unit_cost = cost[product, epoch]
    currency = plan.currency[account]
    rate = rate_table[calendar.month[day], currency]
    quantum = money_quantum(currency)

    # The agreed discount, and on one line in four a promotion of up to 5 points more.
    discount_rate = plan.discount[account].copy()
    promoted = rng.random(n) < 0.25
    discount_rate[promoted] += np.round(rng.uniform(0, 0.05, int(promoted.sum())), 3)
    rebate_rate = plan.rebate[account]
    margin = np.zeros(n)
    squeezed: BoolArray = np.zeros(n, dtype=bool)
    for a, case in plan.role.items():
        mine = account == a
        if case == "squeezer":
            # Squeezed from a 6% margin to -5% over the three years: priced from cost, so the
            # discount is whatever is left of the list price. Below 2% in the last 12 months
            # whether margin is read after the rebate or before it.
            margin[mine] = 0.06 - 0.11 * (day[mine] + 0.5) / len(calendar.days)
            squeezed |= mine
        elif case == "discount_creep":
            # 2.2 points more every quarter for ten quarters, and no promotions to blur it.
            steps = np.clip(calendar.quarter[day[mine]] - (calendar.last_complete - 10), 0, None)
            discount_rate[mine] = plan.discount[a] * 0.4 + 0.022 * steps
        else:
            discount_rate[mine] = plan.discount[a]
    net_per_unit = np.where(
        squeezed, unit_cost / (1 - margin), unit_price * (1 - discount_rate - rebate_rate)
    )

    unit, quantity, base_quantity = units_of_sale(
        rng, orders.line_value / net_per_unit, account, plan.industry, product, category
    )
    list_value = round_money(base_quantity * unit_price * 100 / rate, quantum)
    exact_cost = base_quantity * unit_cost * 100 / rate
    rebate = round_money(list_value * rebate_rate, quantum)
    discount = round_money(list_value * discount_rate, quantum)
    # The squeezer's price after its rebate is cost over (1 - margin); its discount is the rest.
    squeezed_net = round_money(exact_cost / (1 - margin), quantum) + rebate
    discount = np.where(squeezed, list_value - squeezed_net, discount)
    net = list_value - discount
    if (discount < 0).any() or (net - rebate <= 0).any():
        raise AssertionError("the demo ledger priced a line below zero")
    return Priced(
        unit=unit,
        quantity=quantity,
        base_quantity=base_quantity,
        net=net,
        cost=round_money(exact_cost, quantum),
        discount=discount,
        rebate=rebate,
    )


def invoice_columns(
    rng: np.random.Generator, orders: Orders, priced: Priced, plan: Plan, calendar: Calendar
) -> tuple[InvoiceColumns, LineColumns]:
    """Number the invoices in date order, total them, cancel a few, and order the lines."""
    per_invoice = np.bincount(orders.line_invoice, minlength=len(orders.inv_account))
    total = np.add.reduceat(priced.net, np.cumsum(per_invoice) - per_invoice)
    account = orders.inv_account
    # Cancellations would blur the planted accounts' exact shapes: they never cancel.
    cancelled = (rng.random(len(account)) < CANCELLED_SHARE) & ~np.isin(account, list(plan.role))
    issue = calendar.days[orders.inv_day]
    terms = np.array([PAYMENT_TERMS[c] for c in plan.country], dtype=np.int64)

    order = np.lexsort((account, issue))  # stable: an account's invoices of a day keep order
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    line_order = np.argsort(position[orders.line_invoice], kind="stable")
    issue = issue[order]
    invoices = InvoiceColumns(
        number=document_numbers("INV", issue),
        account=account[order],
        issue=issue,
        due=issue + terms[account[order]],
        cancelled=cancelled[order],
        total=total[order],
        paid_on=np.zeros(len(order), dtype=np.int64),
    )
    lines = LineColumns(
        invoice=position[orders.line_invoice][line_order],
        line_number=orders.line_number[line_order],
        product=orders.line_product[line_order],
        unit=priced.unit[line_order],
        quantity=priced.quantity[line_order],
        base_quantity=priced.base_quantity[line_order],
        net_revenue=priced.net[line_order],
        cost=priced.cost[line_order],
        discount=priced.discount[line_order],
        rebate=priced.rebate[line_order],
    )
    return invoices, lines


def document_numbers(prefix: str, ordinals: IntArray) -> list[str]:
    """Document numbers counted from 1 each year, for ordinals in ascending order."""
    numbers = []
    year, count = 0, 0
    for ordinal in ordinals.tolist():
        this_year = date.fromordinal(ordinal).year
        if this_year != year:
            year, count = this_year, 0
        count += 1
        numbers.append(f"{prefix}-{year}-{count:06d}")
    return numbers
