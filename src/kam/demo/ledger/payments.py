"""Payments of the demo ledger (kam.demo.ledger): when each invoice was paid, and how.

Each account has a habit (``PAYMENT_HABITS``: days after the due date, and a spread). Three
accounts in four pay invoice by invoice, naming it, one in twelve in two instalments, and now
and then one invoice much later than the rest. The others pay by weekly transfer, on Fridays,
naming no invoice: each transfer pays, in full, a run of the account's oldest open invoices, so
that allocating unnamed payments oldest invoice first (FIFO) settles exactly the invoices the
generator meant, on the day it meant.
"""

from __future__ import annotations

import numpy as np

from kam.demo.ledger.columns import IntArray, InvoiceColumns, PaymentColumns
from kam.demo.ledger.plan import Plan
from kam.demo.ledger.sales import document_numbers
from kam.demo.ledger.timeline import Calendar, money_quantum, round_money


def receive_payments(
    rng: np.random.Generator, plan: Plan, calendar: Calendar, invoices: InvoiceColumns
) -> tuple[PaymentColumns, IntArray]:
    """Payments for every invoice not cancelled, and the day each invoice was fully paid (0
    while open): payments that would come on or after ``today`` have not come yet."""
    today = calendar.today.toordinal()
    account = invoices.account
    n = len(account)
    quantum = money_quantum(plan.currency[account])
    offset = rng.normal(plan.pay_mean[account], plan.pay_spread[account])
    # Now and then an invoice is disputed or forgotten and paid much later (by those who pay
    # invoice by invoice: the others would hold up every later invoice behind it).
    slipped = (rng.random(n) < 0.03) & plan.linked[account] & ~np.isin(account, list(plan.role))
    offset += np.where(slipped, rng.gamma(2.0, 12.0, n), 0.0)
    target = np.maximum(invoices.due + np.rint(offset).astype(np.int64), invoices.issue + 3)
    live = ~invoices.cancelled
    paid_on = np.zeros(n, dtype=np.int64)

    # Invoice by invoice, naming it; one in twelve in two instalments.
    linked = np.flatnonzero(live & plan.linked[account])
    split = rng.random(len(linked)) < 1 / 12
    share = rng.uniform(0.3, 0.7, len(linked))
    early = rng.integers(10, 41, len(linked))
    first = round_money(invoices.total[linked] * share, quantum[linked])
    first_day = np.maximum(target[linked] - early, invoices.issue[linked] + 1)
    pay_invoice = [linked, linked[split]]
    pay_day = [target[linked], first_day[split]]
    pay_amount = [
        np.where(split, invoices.total[linked] - first, invoices.total[linked]),
        first[split],
    ]
    paid_on[linked] = target[linked]

    # Weekly transfers on Fridays naming no invoice: each pays, in full, the invoices due to be
    # paid by then, oldest first, so that FIFO allocation reads them back exactly.
    unlinked_account: list[IntArray] = []
    unlinked_day: list[IntArray] = []
    unlinked_amount: list[IntArray] = []
    for a in np.flatnonzero(~plan.linked):
        mine = np.flatnonzero(live & (account == a))
        if not len(mine):
            continue
        run = target[mine] + (4 - (target[mine] - 1) % 7) % 7  # ordinal 1 was a Monday
        run = np.maximum.accumulate(run)
        paid_on[mine] = run
        starts = np.flatnonzero(np.diff(run, prepend=-1))
        unlinked_day.append(run[starts])
        unlinked_amount.append(np.add.reduceat(invoices.total[mine], starts))
        unlinked_account.append(np.full(len(starts), a))

    pay_account = np.concatenate([account[i] for i in pay_invoice] + unlinked_account)
    pay_inv = np.concatenate([*pay_invoice, *(np.full(len(d), -1) for d in unlinked_day)])
    day = np.concatenate(pay_day + unlinked_day)
    amount = np.concatenate(pay_amount + unlinked_amount)
    # Nothing has come in from today on: those invoices are open still (one paid in two
    # instalments stays open until the second has come in, even if the first has).
    paid_on[paid_on >= today] = 0
    received = day < today
    pay_account, pay_inv, day, amount = (
        pay_account[received],
        pay_inv[received],
        day[received],
        amount[received],
    )
    order = np.lexsort((pay_inv, pay_account, day))
    payments = PaymentColumns(
        reference=document_numbers("RCP", day[order]),
        account=pay_account[order].astype(np.int64),
        invoice=pay_inv[order].astype(np.int64),
        paid_on=day[order],
        amount=amount[order],
    )
    return payments, paid_on
