"""Direct load: a ledger file of new invoices, written straight into the ledger tables.

The usual path (kam.ledger.importing.engine) stages every row, checks across rows in SQL and
applies with set-based SQL: right in every case, corrections of stored invoices included, but
the database handles each line three or four times. Most big files are history or a period
not loaded yet: every row good, every invoice new, the lines of an invoice together and in
order. For those this path checks each batch in polars as it is read (in a background thread,
while the database stores the batch before) and COPYs invoices and lines into their tables
(PostgreSQL's binary format), ids given from the invoice sequence's next value on. The
rollups of accounts that had no ledger before are computed from the file
(kam.ledger.quarters); the others are refreshed from the database as usual.

It gives up (NotDirect) at the first thing it does not handle: a refused value, lines of one
invoice that disagree, line numbers repeated or out of order, an invoice already stored (the
unique constraint on invoice numbers says so: on a large file, when it is added back at the
end), or an invoice whose lines are apart in the file. The engine rolls back to its
savepoint and takes the usual path, which reports or applies every case properly.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from django.db import IntegrityError, connection
from django.db.models import NOT_PROVIDED, Model, Value
from django.utils import timezone

from kam.core.ahead import ahead
from kam.core.bulk import copy_binary, decimal_places, frame_binary, insert_frame, sqlite_ready
from kam.ledger import quarters
from kam.ledger.importing.batch import check_batch
from kam.ledger.importing.columns import ColumnPlan
from kam.ledger.importing.kinds.base import Applied
from kam.ledger.importing.kinds.ledger import LedgerKind
from kam.ledger.importing.parse import ParseOptions
from kam.ledger.importing.reader import CHUNK_BYTES, ROW, Source
from kam.ledger.models import AccountQuarter, Invoice, InvoiceLine

log = logging.getLogger(__name__)

HEADER = ("account_id", "issue_date", "due_date", "currency", "cancelled")
# A stored line's own columns, after its invoice's id.
LINE = (
    "line_number", "product_id", "quantity", "unit", "base_quantity", "net_revenue", "cost",
    "discount", "rebate",
)  # fmt: skip


def integrity_errors() -> tuple[type[Exception], ...]:
    """A stored invoice number met again (the file corrects stored invoices, or an invoice's
    lines are apart in it): raised by Django's cursor, or by psycopg's COPY underneath it.
    psycopg is loaded only by a PostgreSQL connection; without one, no error comes from it."""
    psycopg = sys.modules.get("psycopg")
    return (IntegrityError,) if psycopg is None else (IntegrityError, psycopg.IntegrityError)


class NotDirect(Exception):
    """The file needs the usual path; the message says why (for the log)."""


class NumberTaken(NotDirect):
    """An invoice number of the file is stored already (the file corrects stored invoices) or
    comes again further on; ``numbers`` and ``rows``: the invoices being stored then, with
    their first rows (None: not known, the check came at the end)."""

    def __init__(
        self,
        numbers: list[str] | None = None,
        rows: list[int] | None = None,
        constraint: str = "",
    ) -> None:
        super().__init__("an invoice number of the file is stored already or comes again")
        self.numbers = numbers or []
        self.rows = rows or []
        self.constraint = constraint  # the unique constraint that found it, when put back

    @classmethod
    def put_back(cls, error: Exception) -> NumberTaken:
        """From the error of the unique constraint put back at the end: its detail names
        the number (Key (number)=(INV-7) is duplicated)."""
        diag = getattr(error.__cause__, "diag", None) or getattr(error, "diag", None)
        detail = getattr(diag, "message_detail", None) or ""
        number = re.search(r"\(number\)=\((.*)\)", detail)
        constraint = getattr(diag, "constraint_name", None) or ""
        if not constraint:
            named = re.search(r'"(\w+)"', str(error))
            constraint = named.group(1) if named else ""
        return cls([number.group(1)] if number else [], constraint=constraint)


@dataclass
class Rows:
    """Rows for one table, ready to send: a binary COPY stream for PostgreSQL (laid out in the
    background thread, so the database never waits for it, and parsed by the server in a
    third less time than CSV), a frame for SQLite."""

    model: type[Model]
    columns: list[str]
    count: int
    binary: list[bytes | memoryview] = field(default_factory=list)
    frame: pl.DataFrame | None = None

    @classmethod
    def of(cls, model: type[Model], frame: pl.DataFrame, *, postgres: bool) -> Rows:
        if not postgres:
            ready = frame.with_columns(sqlite_ready(frame, decimal_places(model)))
            return cls(model, frame.columns, frame.height, frame=ready)
        frame = frame.drop(_at_database_default(model, frame))
        return cls(model, frame.columns, frame.height, binary=frame_binary(model, frame))

    def insert(self) -> None:
        if self.frame is not None:
            insert_frame(self.model, self.frame)
        elif self.count:
            copy_binary(self.model._meta.db_table, self.columns, self.binary)


def _at_database_default(model: type[Model], frame: pl.DataFrame) -> list[str]:
    """The columns of ``frame`` whose every value is their field's database default (a line's
    discount of 0, say): left out of the COPY, the database fills them in without parsing
    them, a fifth less work for the lines."""
    defaulted = []
    for name in frame.columns:
        default = model._meta.get_field(name).db_default
        if isinstance(default, Value):
            default = default.value
        if default is NOT_PROVIDED or hasattr(default, "resolve_expression"):
            continue  # none, or one the database computes
        column = frame.get_column(name)
        if not column.null_count() and (column == default).all():
            defaulted.append(name)
    return defaulted


@dataclass
class Piece:
    """Whole invoices checked and ready to store, with their share of the rollups."""

    read: int  # rows read from the file since the previous piece
    accounts: set[int]  # the accounts of its invoices
    numbers: pl.Series  # its invoice numbers
    rows: pl.Series  # the row of each invoice's first line
    invoices: Rows  # ledger_invoice rows, ids given
    lines: Rows  # ledger_invoiceline rows, in key order


def load_directly(
    *,
    source: Source,
    plan: ColumnPlan,
    options: ParseOptions,
    job: LedgerKind,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, Applied]:
    """Store the whole file as new invoices or raise NotDirect; (rows read, what changed).

    Runs in the caller's transaction: the caller keeps a savepoint to roll back to."""
    started = time.perf_counter()
    today = timezone.localdate()
    known: set[int] = set()  # accounts with rollups or payments before this import
    seen: set[int] = set()
    tally = quarters.Tally()  # kept by the background thread until it is done
    restore: list[str] = []
    read = created = 0
    first_id = _first_invoice_id()
    postgres = connection.vendor == "postgresql"
    pieces = ahead(_pieces(source, plan, options, job, today, first_id, postgres, tally), depth=2)
    last_id = first_id - 1
    waited = storing = 0.0
    mark = time.perf_counter()
    for number, piece in enumerate(pieces):
        waited += time.perf_counter() - mark
        mark = time.perf_counter()
        if number == 0 and postgres:
            restore = _drop_indexes_if_large(job, source, piece)
        known |= _with_ledger(piece.accounts - seen)
        seen |= piece.accounts
        try:
            piece.invoices.insert()
        except integrity_errors():
            raise NumberTaken(piece.numbers.to_list(), piece.rows.to_list()) from None
        piece.lines.insert()
        created += piece.lines.count
        last_id += piece.invoices.count
        read += piece.read
        if progress:
            progress(read)
        storing += time.perf_counter() - mark
        mark = time.perf_counter()
    log.debug("direct load: %.2fs waiting for batches, %.2fs storing them", waited, storing)
    if not created:  # a header and blank rows
        return read, Applied()
    _invoice_ids_taken(last_id)
    try:
        job.staging.restore_indexes(restore)
    except integrity_errors() as error:
        raise NumberTaken.put_back(error) from None
    rollups = tally.account_quarters()
    fresh = rollups.filter(~pl.col("account_id").is_in(list(known)))
    Rows.of(AccountQuarter, fresh, postgres=postgres).insert()
    if known:
        from kam.ledger.rollups import rollup_refresh

        if restore:
            # Millions of rows arrived in this transaction: plan the refresh on fresh counts.
            job.staging.execute("ANALYZE ledger_invoice")
            job.staging.execute("ANALYZE ledger_invoiceline")
        rollup_refresh(account_ids=sorted(known), today=today)
    log.info(
        "direct load: %s lines, %s accounts (%s with a ledger before) in %.2fs",
        created,
        len(seen),
        len(known),
        time.perf_counter() - started,
    )
    return read, Applied(created=created, touched_account_ids=sorted(seen))


# --- reading and checking (in the background thread: no database) ----------------------------


def _pieces(
    source: Source,
    plan: ColumnPlan,
    options: ParseOptions,
    job: LedgerKind,
    today: date,
    first_id: int,
    postgres: bool,
    tally: quarters.Tally,
) -> Iterator[Piece]:
    """The file as pieces of whole invoices, numbered from ``first_id`` on: the lines of the
    last invoice of a batch wait for the next batch, where the rest of its lines are. Their
    rollups go to ``tally``, finished before the last piece is handed over."""
    carry: pl.DataFrame | None = None
    read = 0
    next_id = first_id
    for batch in source.batches():
        checked = check_batch(batch, plan, options, job)
        if checked is None:
            continue
        if checked.bad.any():
            raise NotDirect("a row is refused")
        read += checked.rows
        frame = checked.parsed.select("invoice_number", ROW, *HEADER, *LINE)
        if carry is not None:
            frame = pl.concat([carry, frame])
        last = frame.get_column("invoice_number")[-1]
        tail = pl.col("invoice_number") == last
        carry, frame = frame.filter(tail), frame.filter(~tail)
        if not frame.is_empty():
            piece = _piece(frame, read, job, today, next_id, postgres, tally)
            next_id += piece.invoices.count
            read = 0
            yield piece
    last = None
    if carry is not None and not carry.is_empty():
        last = _piece(carry, read, job, today, next_id, postgres, tally)
    tally.finish()
    if last is not None:
        yield last


def _piece(
    frame: pl.DataFrame,
    read: int,
    job: LedgerKind,
    today: date,
    first_id: int,
    postgres: bool,
    tally: quarters.Tally,
) -> Piece:
    """Whole invoices from ``frame``, whose every invoice's lines are together, in line order.

    Checked against the row before, not by grouping: the lines of an invoice must agree with
    its first line and number upwards, and no invoice may come back later in the piece."""
    ordinal = pl.col("invoice_number").rle_id().cast(pl.Int64)
    frame = frame.with_columns(ordinal.alias("ordinal"))
    same = pl.col("ordinal") == pl.col("ordinal").shift()
    differs = pl.any_horizontal([pl.col(name).ne_missing(pl.col(name).shift()) for name in HEADER])
    problems = frame.select(
        (same & differs).any().alias("disagree"),
        (same & (pl.col("line_number") <= pl.col("line_number").shift())).any().alias("order"),
        (pl.col("ordinal").max() + 1 - pl.col("invoice_number").n_unique()).alias("apart"),
    ).row(0, named=True)
    if problems["disagree"]:
        raise NotDirect("the lines of an invoice disagree")
    if problems["order"]:
        raise NotDirect("an invoice's line numbers repeat or go down")
    if problems["apart"]:
        raise NotDirect("an invoice's lines are apart in the file")
    if frame.get_column("cost").null_count():
        raise NotDirect("a line's cost is unknown")  # the rollups' SQL counts those apart
    first = frame.select(~same.fill_null(False)).to_series()
    invoices = frame.filter(first).select("invoice_number", ROW, *HEADER)
    # What the rollups add up, summed per invoice first: its lines share its account, month
    # and currency, and a quarter of the rows are quicker to group.
    starts = np.flatnonzero(first.to_numpy())
    invoices = invoices.with_columns(
        *[_per_invoice(frame.get_column(name), starts) for name in quarters.SUMMED],
        pl.Series("lines", np.diff(starts, append=frame.height), dtype=pl.Int64),
    ).with_columns(pl.col("net_revenue").alias("total"))
    lines = frame.select((pl.col("ordinal") + first_id).alias("invoice_id"), *LINE)
    status = (
        pl.when(pl.col("cancelled").cast(pl.Boolean))
        .then(pl.lit("cancelled"))
        .otherwise(pl.lit("issued"))
    )
    stored = invoices.select(
        pl.int_range(first_id, first_id + pl.len(), dtype=pl.Int64).alias("id"),
        pl.col("invoice_number").alias("number"),
        "account_id",
        "issue_date",
        "due_date",
        "currency",
        status.alias("status"),
        "total",
    )
    tally.add(invoices, rates=job.rates, reporting=job.reporting_currency, today=today)
    return Piece(
        read=read,
        accounts=set(invoices.get_column("account_id").unique().to_list()),
        numbers=invoices.get_column("invoice_number"),
        rows=invoices.get_column(ROW),
        invoices=Rows.of(Invoice, stored, postgres=postgres),
        lines=Rows.of(InvoiceLine, lines, postgres=postgres),
    )


def _per_invoice(amounts: pl.Series, starts: np.ndarray) -> pl.Series:
    """The sums of decimal ``amounts`` over the runs of lines beginning at ``starts``, exact:
    added up as whole units of their last place."""
    places = amounts.dtype.scale
    physical = amounts.to_physical()
    units64 = physical.cast(pl.Int64, strict=False)  # null where a value needs more bits
    if units64.null_count() > physical.null_count():
        raise NotDirect("amounts too large to add up here")
    units = units64.fill_null(0).to_numpy()
    longest = int(np.diff(starts, append=len(units)).max(initial=1))  # lines in one invoice
    if len(units) and int(np.abs(units).max()) > 2**62 // longest:
        raise NotDirect("amounts too large to add up here")
    sums = pl.Series(amounts.name, np.add.reduceat(units, starts) if len(units) else units)
    return sums.cast(pl.Decimal(38, places)) / 10**places


# --- storing (in the caller's thread, on its connection) --------------------------------------


def _first_invoice_id() -> int:
    """The id the file's first invoice gets; the others follow it.

    Only imports write invoices, one at a time (the engine's lock), so the ids after the
    sequence's next value are free; _invoice_ids_taken moves the sequence past them at the end.
    Were another writer to take one meanwhile, an insert would fail on the key and the import
    would take the usual path."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_invoice', 'id'))")
        else:
            # SQLite: after the largest id ever given out (SQLite moves its counter itself).
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM ledger_invoice), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'ledger_invoice'), 0))"
                " + 1"
            )
        (first,) = cursor.fetchone()
    return first


def _invoice_ids_taken(last_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('ledger_invoice', 'id'), %s)", [last_id]
            )


def _with_ledger(accounts: set[int]) -> set[int]:
    """Those of ``accounts`` that already have rollups or payments (asked before this import
    writes anything of theirs): their rollups are refreshed from the database afterwards."""
    if not accounts:
        return set()
    ids = sorted(accounts)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT a FROM unnest(%s::bigint[]) AS t(a) WHERE EXISTS ("
                "SELECT 1 FROM ledger_accountquarter q WHERE q.account_id = a) "
                "OR EXISTS (SELECT 1 FROM ledger_payment p WHERE p.account_id = a)",
                [ids],
            )
        else:
            cursor.execute(
                "SELECT value FROM json_each(%s) WHERE EXISTS ("
                "SELECT 1 FROM ledger_accountquarter q WHERE q.account_id = value) "
                "OR EXISTS (SELECT 1 FROM ledger_payment p WHERE p.account_id = value)",
                [json.dumps(ids)],
            )
        return {pk for (pk,) in cursor.fetchall()}


def _any_stored(numbers: list[str]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM ledger_invoice WHERE number = ANY(%s))", [numbers]
        )
        (stored,) = cursor.fetchone()
    return stored


def _drop_indexes_if_large(job: LedgerKind, source: Source, first: Piece) -> list[str]:
    """For a file large against the stored ledger, drop the invoice and line tables' plain
    indexes and the invoice numbers' uniqueness, to build them once at the end (see
    Staging.without_indexes and without_unique). An invoice number already stored, or twice
    in the file, fails the constraint's return at the end, and the import takes the usual
    path.

    The lines' key stays: its rows arrive in key order, each at the right edge of the index,
    and the database keeps it while this thread is still reading the file (for 10 million
    lines, 33 s in all against 35 s with the key built at the end)."""
    if source.format != "csv":
        return []
    size = source.path.stat().st_size
    estimate = int(first.read * size / CHUNK_BYTES) if size > CHUNK_BYTES else first.read
    if not job.large(estimate):
        return []
    if _any_stored(first.numbers.to_list()):
        # Without the unique constraint this would only show at the end: give up now.
        raise NotDirect("the file's first invoices are stored already")
    job.staging.execute("SET LOCAL maintenance_work_mem = '512MB'")
    s = job.staging
    return (
        s.without_indexes("ledger_invoice")
        + s.without_indexes("ledger_invoiceline")
        + s.without_unique("ledger_invoice")
    )
