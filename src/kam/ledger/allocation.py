"""When was each invoice fully paid? Sets ``Invoice.paid_on`` from the payments, in SQL.

Payments linked to an invoice count for it, in date order: it is paid on the day they reach
its total. What is left open is paid by the account's unlinked payments, first in first out:
oldest invoice first (by issue date, then number), within one currency (a customer paying in
EUR pays its EUR invoices).

FIFO without a loop: per (account, currency), the running total of the open amounts of the
invoices in age order says how much must have been paid for each invoice to be settled
(``need``); the running total of the unlinked payments in date order says how much had been
paid by each payment (``have``). An invoice is paid on the date of the earliest payment
whose ``have`` reaches its ``need``. Both running totals are window sums; the "earliest
payment at or above" is a running minimum of the payment dates over the merged list sorted
by amount from the top down (payments before invoices on ties, so an exact payment counts).
A running window (from the first row to the current one) costs one pass; a window "from here
to the end" would be recomputed for every row, quadratic on an account with many invoices.
No invoice is paid before it exists: an older credit settles it on its issue date.

Cancelled invoices are never paid; an invoice with a total of zero or less (a credit note)
is settled on its issue date and takes no payment.
"""

from __future__ import annotations

from collections.abc import Callable

from kam.ledger.importing.staging import Staging


def paid_dates_refresh(*, staging: Staging, scope: Callable[[str], str]) -> int:
    """Recompute ``paid_on`` of the invoices of the accounts ``scope`` selects (it turns an
    account id column into an SQL condition); the number of invoices whose date changed."""
    s = staging
    null_date = "CAST(NULL AS date)" if s.postgres else "NULL"
    late_date = s.greatest("f.paid_on", "COALESCE(ls.last_paid, f.paid_on)", "inv.issue_date")
    paid = s.create_as(
        "paid",
        f"""
        WITH inv AS (
            SELECT i.id, i.account_id, i.currency, i.issue_date, i.number, i.total AS total
            FROM ledger_invoice i WHERE i.status = 'issued' AND {scope("i.account_id")}
        ),
        linked AS (
            SELECT p.invoice_id, p.paid_on, inv.total, p.amount AS amount,
                SUM(p.amount) OVER (PARTITION BY p.invoice_id ORDER BY p.paid_on, p.id
                    ROWS UNBOUNDED PRECEDING) AS running
            FROM ledger_payment p JOIN inv ON inv.id = p.invoice_id AND inv.currency = p.currency
        ),
        linked_sum AS (
            SELECT invoice_id, SUM(amount) AS amount, MAX(paid_on) AS last_paid,
                MIN(CASE WHEN running >= total THEN paid_on END) AS settled
            FROM linked GROUP BY invoice_id
        ),
        open_invoices AS (
            SELECT inv.id, inv.account_id, inv.currency,
                SUM(inv.total - COALESCE(ls.amount, 0)) OVER (
                    PARTITION BY inv.account_id, inv.currency ORDER BY inv.issue_date, inv.number
                    ROWS UNBOUNDED PRECEDING) AS amount
            FROM inv LEFT JOIN linked_sum ls ON ls.invoice_id = inv.id
            WHERE inv.total > 0 AND inv.total - COALESCE(ls.amount, 0) > 0
        ),
        unlinked AS (
            SELECT p.account_id, p.currency, p.paid_on,
                SUM(p.amount) OVER (PARTITION BY p.account_id, p.currency
                    ORDER BY p.paid_on, p.id ROWS UNBOUNDED PRECEDING) AS amount
            FROM ledger_payment p WHERE p.invoice_id IS NULL AND {scope("p.account_id")}
        ),
        events AS (
            SELECT account_id, currency, amount, 0 AS kind, id AS invoice_id, {null_date} AS paid_on
            FROM open_invoices
            UNION ALL
            SELECT account_id, currency, amount, 1, NULL, paid_on FROM unlinked
        ),
        fifo AS (
            SELECT invoice_id, kind, MIN(paid_on) OVER (PARTITION BY account_id, currency
                ORDER BY amount DESC, kind DESC ROWS UNBOUNDED PRECEDING) AS paid_on
            FROM events
        )
        SELECT inv.id AS invoice_id, CASE
            WHEN inv.total <= 0 THEN inv.issue_date
            WHEN ls.settled IS NOT NULL THEN {s.greatest("ls.settled", "inv.issue_date")}
            WHEN f.paid_on IS NOT NULL THEN {late_date}
            END AS paid_on
        FROM inv
        LEFT JOIN linked_sum ls ON ls.invoice_id = inv.id
        LEFT JOIN (SELECT invoice_id, paid_on FROM fifo WHERE kind = 0) f ON f.invoice_id = inv.id
        """,  # noqa: S608 - our own names and fragments; no value is spliced in
    )
    changed = s.execute(
        f"UPDATE ledger_invoice SET paid_on = {paid}.paid_on FROM {paid} "  # noqa: S608
        f"WHERE ledger_invoice.id = {paid}.invoice_id "
        f"AND {s.distinct('ledger_invoice.paid_on', paid + '.paid_on')}"
    )
    changed += s.execute(
        f"UPDATE ledger_invoice SET paid_on = NULL WHERE status <> 'issued' "  # noqa: S608
        f"AND paid_on IS NOT NULL AND {scope('account_id')}"
    )
    return changed
