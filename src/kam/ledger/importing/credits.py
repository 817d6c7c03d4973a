"""Credit notes in a ledger file (``credit_prefix``): an invoice whose number starts with the
prefix ("C100234"), or whose every line is a return (negative quantity), is a cancellation.
It is stored as a credit note, linked to the invoice it cancels when that is found: the
number without the prefix, on the same account.

The file's invoices are noted batch by batch (``CreditNotes.note``) on either path; once they
are stored, ``mark`` flags and links them with a few set-based updates, so the direct load and
the usual path share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

CHUNK = 500  # invoice numbers per query


@dataclass
class CreditNotes:
    prefix: str
    prefixed: set[str] = field(default_factory=set)
    with_return: set[str] = field(default_factory=set)
    with_sale: set[str] = field(default_factory=set)

    def note(self, parsed: pl.DataFrame) -> None:
        """Hear of a batch's lines (invoice_number, quantity parsed)."""
        number, quantity = pl.col("invoice_number"), pl.col("quantity")
        lines = parsed.filter(number.is_not_null() & quantity.is_not_null())
        if self.prefix:
            self.prefixed.update(
                lines.filter(number.str.starts_with(self.prefix))
                .get_column("invoice_number")
                .unique()
                .to_list()
            )
        returns = lines.filter(quantity < 0).get_column("invoice_number").unique().to_list()
        sales = lines.filter(quantity >= 0).get_column("invoice_number").unique().to_list()
        self.with_return.update(returns)
        self.with_sale.update(sales)

    def numbers(self) -> list[str]:
        return sorted(self.prefixed | (self.with_return - self.with_sale))

    def cancelled_number(self, number: str) -> str | None:
        if self.prefix and number.startswith(self.prefix) and len(number) > len(self.prefix):
            return number[len(self.prefix) :]
        return None


@dataclass
class Marked:
    credit_notes: int = 0  # of the file's invoices, stored as credit notes
    linked: int = 0  # of them, linked to the invoice they cancel
    account_ids: set[int] = field(default_factory=set)


def mark(credits: CreditNotes) -> Marked:
    """Flag the file's stored credit notes and link them to what they cancel."""
    from kam.ledger.models import Invoice

    marked = Marked()
    numbers = credits.numbers()
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        notes = list(
            Invoice.objects.filter(number__in=chunk).values_list("id", "number", "account_id")
        )
        if not notes:
            continue
        Invoice.objects.filter(id__in=[n[0] for n in notes], credit_note=False).update(
            credit_note=True
        )
        marked.credit_notes += len(notes)
        marked.account_ids.update(account for _, _, account in notes)
        wanted = {
            note_id: (credits.cancelled_number(number), account)
            for note_id, number, account in notes
            if credits.cancelled_number(number)
        }
        found = {
            (number, account): invoice_id
            for invoice_id, number, account in Invoice.objects.filter(
                number__in={number for number, _ in wanted.values()}, credit_note=False
            ).values_list("id", "number", "account_id")
        }
        links = [
            Invoice(id=note_id, cancels_id=found[key])
            for note_id, key in wanted.items()
            if key in found
        ]
        marked.linked += len(links)
        for link in links:
            Invoice.objects.filter(id=link.id).exclude(cancels_id=link.cancels_id).update(
                cancels_id=link.cancels_id
            )
    return marked
