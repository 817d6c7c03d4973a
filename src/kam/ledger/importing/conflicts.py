"""A file that clashes with what is stored, said in words: which invoice, which row, what to
do; never the database's own text about a unique constraint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, DataError, IntegrityError, OperationalError, connection
from django.utils.translation import gettext, gettext_noop

from kam.ledger.importing.direct import NumberTaken
from kam.ledger.importing.result import ImportRefused, ImportResult, RowError

# The stored thing and its key, by the table a unique constraint guards.
_KEYS = {
    "ledger_invoice": (gettext_noop("invoice"), "invoice_number"),
    "ledger_invoiceline": (gettext_noop("invoice line"), "invoice_number + line_number"),
    "ledger_payment": (gettext_noop("payment"), "reference"),
    "ledger_product": (gettext_noop("product"), "code"),
    "ledger_productcost": (gettext_noop("product cost"), "code + cost_valid_from"),
    "ledger_unitconversion": (gettext_noop("unit conversion"), "product_code + unit"),
    "ledger_exchangerate": (gettext_noop("exchange rate"), "month + currency"),
    "accounts_account": (gettext_noop("account"), "code"),
}


def taken_in_words(taken: NumberTaken) -> str:
    """Why a ledger file left the direct load for the usual path, naming the invoice."""
    stored = _first_stored(taken.numbers)
    if stored is not None and taken.rows:
        words = gettext(
            "invoice %(invoice)s (row %(row)s) is stored already: the file corrects stored "
            "invoices, so each of its invoices is compared with the stored one"
        ) % {"invoice": stored, "row": taken.rows[taken.numbers.index(stored)]}
    elif stored is not None:
        words = gettext(
            "invoice %(invoice)s is stored already: the file corrects stored invoices, so each "
            "of its invoices is compared with the stored one"
        ) % {"invoice": stored}
    elif taken.numbers and not taken.rows:
        words = gettext(
            "invoice %(invoice)s comes twice in the file, its lines apart: they are gathered"
        ) % {"invoice": taken.numbers[0]}
    else:
        words = gettext(
            "an invoice of the file is stored already, or its lines are apart in the file: "
            "each invoice is compared with the stored one and its lines gathered"
        )
    if taken.constraint:  # found when the constraint, dropped for a large file, came back
        words += f" ({taken.constraint})"
    return words


def _first_stored(numbers: list[str]) -> str | None:
    """The first of ``numbers`` (in their order) that is stored."""
    if not numbers:
        return None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.number FROM unnest(%s::text[]) WITH ORDINALITY AS t(number, i) "
                "JOIN ledger_invoice s ON s.number = t.number ORDER BY t.i LIMIT 1",
                [numbers],
            )
        else:
            cursor.execute(
                "SELECT j.value FROM json_each(%s) j "
                "JOIN ledger_invoice s ON s.number = j.value ORDER BY j.key LIMIT 1",
                [json.dumps(numbers)],
            )
        found = cursor.fetchone()
    return found[0] if found else None


@contextmanager
def refused_in_words(kind: str) -> Iterator[None]:
    """Turn the database refusing a value or a key of a checked file into a refusal in words
    (ImportRefused); a lost connection and the like stay what they are."""
    try:
        yield
    except (IntegrityError, DataError) as error:
        raise conflict_refusal(kind, error) from None
    except OperationalError as error:
        if "integer overflow" not in str(error):  # SQLite adding up amounts too large
            raise
        raise conflict_refusal(kind, error) from None


def conflict_refusal(kind: str, error: DatabaseError) -> ImportRefused:
    """A refusal, in words, for a write the database refused while applying a checked file
    (another import or an edit changed the same rows meanwhile): nothing was applied."""
    table = _table(error)
    thing, key = _KEYS.get(table, ("", ""))
    if thing:
        reason = gettext(
            "two rows of the file, or a row and a stored %(thing)s, have the same %(key)s, and "
            "the database refused the second one: nothing was applied. Import the file again; "
            "if it is refused again, look for rows with the same %(key)s"
        ) % {"thing": gettext(thing), "key": key}
    else:
        reason = gettext(
            "the database refused a value of the file (too large, or not text it can store): "
            "nothing was applied. Look for unusual values, or save the file again as CSV UTF-8"
        )
    error_row = RowError(row=1, column=key, value="", reason=reason)
    return ImportRefused(ImportResult(kind=kind, errors=[error_row], errors_total=1))


def _table(error: DatabaseError) -> str:
    """The table of the constraint ``error`` names, on PostgreSQL or SQLite."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None and getattr(diag, "table_name", None):
        return diag.table_name
    found = re.search(r"constraint failed: (\w+)\.", str(error))
    return found.group(1) if found else ""
