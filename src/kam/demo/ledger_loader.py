"""Writes the generated demo ledger (kam.demo.ledger) into the database, fast.

A quarter of a million rows through the ORM's ``bulk_create`` would take most of a minute on
SQLite (BASELINES.md: 35k rows/s), so invoices, lines and payments go in as plain SQL:
``COPY ... FROM STDIN`` on PostgreSQL, ``executemany`` in batches on SQLite, both on Django's
connection and inside the caller's transaction. The few hundred products, costs, conversions
and rates use the ORM. Money goes in as exact ``Decimal`` values built from integer cents.

Invoices get their ids here (after the largest one already taken), so that lines and payments
can point at them without reading 70,000 ids back; the id sequence is reset afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from kam.accounts.models import Account
from kam.core.fields import ExactDecimalField, decimal_units
from kam.demo.generator import DemoCompany
from kam.demo.ledger import UNITS, DemoLedger
from kam.ledger.models import (
    ExchangeRate,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LedgerSettings,
    Payment,
    Product,
    ProductCost,
    UnitConversion,
)
from kam.ledger.rollups import rollup_refresh

BATCH = 10_000  # rows per executemany call: bounded memory, few round trips
Row = tuple[Any, ...]


@transaction.atomic
def demo_ledger_load(company: DemoCompany, ledger: DemoLedger) -> None:
    """Write ``ledger`` for ``company``, whose accounts are already in the database.

    Sets the reporting currency, loads products, costs, units, rates, invoices, lines and
    payments, then refreshes the per-account quarterly rollups (kam.ledger.rollups).
    """
    with _sqlite_cache():
        _load(company, ledger)


@contextmanager
def _sqlite_cache(kibibytes: int = 100_000) -> Iterator[None]:
    """A larger SQLite page cache for the load, then the connection's own again.

    SQLite's default 2 MB cache makes the index inserts and the rollup's scans go to the file;
    100 MB holds the whole ledger and saves about a second of a five-second load.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kibibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _load(company: DemoCompany, ledger: DemoLedger) -> None:
    settings = LedgerSettings.current()
    settings.reporting_currency = ledger.reporting_currency
    settings.save(update_fields=["reporting_currency"])

    Product.objects.bulk_create(
        Product(code=p.code, name=p.name, base_unit=p.base_unit) for p in ledger.products
    )
    product_ids = dict(
        Product.objects.filter(code__in=[p.code for p in ledger.products]).values_list("code", "id")
    )
    ProductCost.objects.bulk_create(
        ProductCost(
            product_id=product_ids[p.code],
            valid_from=valid_from,
            unit_cost=cost,
            currency=ledger.reporting_currency,
        )
        for p in ledger.products
        for valid_from, cost in p.costs
    )
    UnitConversion.objects.bulk_create(
        UnitConversion(
            product_id=product_ids[c.product] if c.product else None,
            unit=c.unit,
            factor=Decimal(c.factor),
        )
        for c in ledger.conversions
    )
    ExchangeRate.objects.bulk_create(
        ExchangeRate(month=r.month, currency=r.currency, rate=r.rate) for r in ledger.rates
    )

    codes = dict(Account.objects.filter(code__in=ledger.account_codes).values_list("code", "id"))
    account_ids = [codes[code] for code in ledger.account_codes]
    product_list = [product_ids[p.code] for p in ledger.products]
    first_id = (Invoice.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1
    _insert(Invoice, _invoice_rows(ledger, account_ids, first_id))
    _insert(InvoiceLine, _line_rows(ledger, product_list, first_id))
    _insert(Payment, _payment_rows(ledger, account_ids, first_id))
    # The invoice ids were chosen here: move PostgreSQL's sequence past them (no-op on SQLite).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Invoice]):
            cursor.execute(sql)

    if connection.vendor == "postgresql":
        # The tables went from empty to 350,000 rows inside this transaction: without fresh
        # statistics the planner chose so badly that the rollup took 40 s instead of 1 s.
        with connection.cursor() as cursor:
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in COLUMNS)
            cursor.execute(f"ANALYZE {tables}")
    # As of the demo's "today", not the machine's: open invoices are late by the days up to
    # it. This also recomputes the invoices' paid_on from the payments (FIFO for transfers
    # naming no invoice), which agrees with the generator's to the day.
    rollup_refresh(account_ids=account_ids, today=company.today)


# Columns in the order the row builders below produce them.
INVOICE_COLUMNS = (
    "id",
    "number",
    "account",
    "issue_date",
    "due_date",
    "currency",
    "status",
    "total",
    "paid_on",
)
LINE_COLUMNS = (
    "invoice",
    "line_number",
    "product",
    "quantity",
    "unit",
    "base_quantity",
    "net_revenue",
    "cost",
    "discount",
    "rebate",
)
PAYMENT_COLUMNS = ("reference", "account", "invoice", "paid_on", "amount", "currency")
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Invoice: INVOICE_COLUMNS,
    InvoiceLine: LINE_COLUMNS,
    Payment: PAYMENT_COLUMNS,
}


def _days() -> Callable[[int], date | None]:
    """Ordinal to date, cached: a few thousand distinct days serve 300,000 rows."""
    cache: dict[int, date | None] = {0: None}

    def day(ordinal: int) -> date | None:
        found = cache.get(ordinal)
        if found is None and ordinal not in cache:
            found = cache[ordinal] = date.fromordinal(ordinal)
        return found

    return day


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _invoice_rows(ledger: DemoLedger, account_ids: list[int], first_id: int) -> Iterator[Row]:
    inv = ledger.invoices
    day = _days()
    currencies = ledger.account_currencies
    for i, (number, account, issue, due, cancelled, total, paid_on) in enumerate(
        zip(
            inv.number,
            inv.account.tolist(),
            inv.issue.tolist(),
            inv.due.tolist(),
            inv.cancelled.tolist(),
            inv.total.tolist(),
            inv.paid_on.tolist(),
            strict=True,
        )
    ):
        yield (
            first_id + i,
            number,
            account_ids[account],
            day(issue),
            day(due),
            currencies[account],
            InvoiceStatus.CANCELLED.value if cancelled else InvoiceStatus.ISSUED.value,
            _money(total),
            day(paid_on),
        )


def _line_rows(ledger: DemoLedger, product_ids: list[int], first_id: int) -> Iterator[Row]:
    lines = ledger.lines
    base_units = [p.base_unit for p in ledger.products]
    for invoice, number, product, unit, quantity, base_quantity, net, cost, discount, rebate in zip(
        lines.invoice.tolist(),
        lines.line_number.tolist(),
        lines.product.tolist(),
        lines.unit.tolist(),
        lines.quantity.tolist(),
        lines.base_quantity.tolist(),
        lines.net_revenue.tolist(),
        lines.cost.tolist(),
        lines.discount.tolist(),
        lines.rebate.tolist(),
        strict=True,
    ):
        yield (
            first_id + invoice,
            number,
            product_ids[product],
            Decimal(quantity),
            UNITS[unit] or base_units[product],
            Decimal(base_quantity),
            _money(net),
            _money(cost),
            _money(discount),
            _money(rebate),
        )


def _payment_rows(ledger: DemoLedger, account_ids: list[int], first_id: int) -> Iterator[Row]:
    pay = ledger.payments
    day = _days()
    currencies = ledger.account_currencies
    for reference, account, invoice, paid_on, amount in zip(
        pay.reference,
        pay.account.tolist(),
        pay.invoice.tolist(),
        pay.paid_on.tolist(),
        pay.amount.tolist(),
        strict=True,
    ):
        yield (
            reference,
            account_ids[account],
            first_id + invoice if invoice >= 0 else None,
            day(paid_on),
            _money(amount),
            currencies[account],
        )


def _insert(model: type[models.Model], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (in ``COLUMNS[model]`` order) into ``model``'s table, in bulk."""
    meta = model._meta
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(name).column) for name in COLUMNS[model])
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Table and column names come from the models' metadata, never from input.
        placeholders = ", ".join(["%s"] * len(COLUMNS[model]))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        iterator = _as_units(model, rows)
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(sql, batch)


def _as_units(model: type[models.Model], rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """SQLite: ``rows`` with their decimals as the units it stores (see ExactDecimalField)."""
    fields = [model._meta.get_field(name) for name in COLUMNS[model]]
    places = [
        (i, field.decimal_places)
        for i, field in enumerate(fields)
        if isinstance(field, ExactDecimalField)
    ]
    for row in rows:
        row = list(row)
        for i, count in places:
            if row[i] is not None:
                row[i] = decimal_units(row[i], count)
        yield row
