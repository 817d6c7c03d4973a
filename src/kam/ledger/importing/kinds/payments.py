"""Payments received, upserted on their reference.

A payment names its invoice when the ERP knows it (the invoice must be stored, belong to the
same account and be in the same currency); otherwise it is allocated to the account's oldest
open invoices (kam.ledger.allocation). The accounts whose payments changed get their
invoices' paid dates and their rollups refreshed.
"""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing import lookups
from kam.ledger.importing.kinds.base import Applied, Kind

COMPARED = ("account_id", "invoice_id", "paid_on", "amount", "currency")


class PaymentsKind(Kind):
    name = "payments"
    refreshes_rollups = True
    columns = (
        ("reference", "text"),
        ("account_id", "int"),
        ("paid_on", "date"),
        ("amount", "decimal2"),
        ("currency", "text"),
        ("invoice_number", "text"),
        ("invoice_id", "int"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.accounts = lookups.accounts()

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        p = self.resolve(
            p,
            self.accounts,
            code="account_code",
            found="account_id",
            message=gettext("unknown account code %(value)s: import the account first"),
        )
        return p.with_columns(pl.lit(None, dtype=pl.Int64).alias("invoice_id"))

    def check(self) -> None:
        self.check_duplicates(("reference",))
        s, rows = self.staging, self.table
        s.execute(
            f"UPDATE {rows} SET invoice_id = i.id FROM ledger_invoice i "  # noqa: S608
            f"WHERE {rows}.invoice_number IS NOT NULL AND i.number = {rows}.invoice_number"
        )
        found = s.fetchall(
            f"SELECT s.row, s.invoice_number, i.id, s.account_id, i.account_id, s.currency, "  # noqa: S608
            f"i.currency FROM {rows} s LEFT JOIN ledger_invoice i ON i.id = s.invoice_id "
            f"WHERE s.invoice_number IS NOT NULL AND (i.id IS NULL OR i.account_id <> s.account_id "
            f"OR i.currency <> s.currency) ORDER BY s.row"
        )
        refused = []
        for row, number, invoice_id, account, invoice_account, currency, invoice_currency in found:
            if invoice_id is None:
                reason = gettext("unknown invoice %(invoice)s: import the ledger first")
            elif account != invoice_account:
                reason = gettext("invoice %(invoice)s belongs to another account")
            else:
                reason = gettext(
                    "invoice %(invoice)s is in %(invoice_currency)s, the payment in %(currency)s"
                )
            values = {"invoice": number, "currency": currency, "invoice_currency": invoice_currency}
            refused.append((row, "invoice_number", number, reason % values))
        self.refuse_rows(refused)

    def apply(self) -> Applied:
        s, rows = self.staging, self.table
        differs = " OR ".join(s.distinct(f"p.{c}", f"s.{c}") for c in COMPARED)
        changed = s.create_as(
            "changed",
            f"SELECT s.reference, s.account_id, p.account_id AS old_account_id, p.id AS payment_id "  # noqa: S608
            f"FROM {rows} s LEFT JOIN ledger_payment p ON p.reference = s.reference "
            f"WHERE p.id IS NULL OR {differs}",
        )
        created = s.execute(
            f"INSERT INTO ledger_payment (reference, account_id, invoice_id, paid_on, amount, "  # noqa: S608
            f"currency) SELECT s.reference, s.account_id, s.invoice_id, s.paid_on, s.amount, "
            f"s.currency FROM {rows} s JOIN {changed} c ON c.reference = s.reference "
            f"WHERE c.payment_id IS NULL"
        )
        sets = ", ".join(f"{c} = s.{c}" for c in COMPARED)
        updated = s.execute(
            f"UPDATE ledger_payment SET {sets} FROM {rows} s JOIN {changed} c "  # noqa: S608
            f"ON c.reference = s.reference WHERE ledger_payment.id = c.payment_id"
        )
        touched = s.fetchall(
            f"SELECT account_id FROM {changed} UNION "  # noqa: S608
            f"SELECT old_account_id FROM {changed} WHERE old_account_id IS NOT NULL"
        )
        return Applied(
            created=created, updated=updated, touched_account_ids=sorted(pk for (pk,) in touched)
        )
