"""Direct load: a ledger file of new invoices, written straight into the ledger tables.

The usual path (kam.ledger.importing.engine) stages every row, checks across rows in SQL and
applies with set-based SQL: right in every case, corrections of stored invoices included, but
the database handles each line three or four times. Most big files are history or a period
not loaded yet: every row good, every invoice new, the lines of an invoice together. For those
this path checks each batch in polars as it is read (in a background thread, while the
database stores the batch before) and COPYs invoices and lines into their tables. The rollups
of accounts that had no ledger before are computed from the file (kam.ledger.quarters); the
others are refreshed from the database as usual.

It gives up (NotDirect) at the first thing it does not handle: a refused value, lines of one
invoice that disagree, a repeated line, an invoice already stored (the unique constraint on
invoice numbers says so), or an invoice whose lines are apart in the file. The engine rolls
back to its savepoint and takes the usual path, which reports or applies every case properly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import polars as pl
import psycopg
from django.db import IntegrityError, connection
from django.utils import timezone

from kam.core.ahead import ahead
from kam.core.bulk import insert_frame
from kam.ledger import quarters
from kam.ledger.importing.batch import check_batch
from kam.ledger.importing.columns import ColumnPlan
from kam.ledger.importing.kinds.base import Applied
from kam.ledger.importing.kinds.ledger import LedgerKind
from kam.ledger.importing.parse import ParseOptions
from kam.ledger.importing.reader import CHUNK_BYTES, ROW, Source
from kam.ledger.importing.staging import sqlite_ready

log = logging.getLogger(__name__)

HEADER = ("account_id", "issue_date", "due_date", "currency", "cancelled")
LINE = (
    "line_number", "account_id", "issue_date", "currency", "cancelled", "product_id",
    "quantity", "unit", "base_quantity", "net_revenue", "cost", "discount", "rebate",
)  # fmt: skip
# Rollups per account and quarter pile up batch by batch; merged once they pass this many rows.
MERGE_ROWS = 2_000_000


# A stored invoice number met again (the file corrects stored invoices, or an invoice's lines
# are apart in it): raised by Django's cursor, or by psycopg's COPY underneath it.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (IntegrityError, psycopg.errors.IntegrityError)


class NotDirect(Exception):
    """The file needs the usual path; the message says why (for the log)."""


@dataclass
class Piece:
    """Whole invoices checked and ready to store, with their share of the rollups."""

    read: int  # rows read from the file since the previous piece
    invoices: pl.DataFrame  # ordinal (0..n-1), number and header columns, total
    lines: pl.DataFrame  # ordinal and the line columns, in key order
    rollups: pl.DataFrame  # quarters.line_parts + invoice_parts of these invoices


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
    parts: list[pl.DataFrame] = []
    restore: list[str] = []
    read = created = 0
    pieces = ahead(_pieces(source, plan, options, job, today), depth=2)
    waited = storing = 0.0
    mark = time.perf_counter()
    for number, piece in enumerate(pieces):
        waited += time.perf_counter() - mark
        mark = time.perf_counter()
        if number == 0 and job.staging.postgres:
            restore = _drop_indexes_if_large(job, source, piece)
        accounts = set(piece.invoices.get_column("account_id").unique().to_list())
        known |= _with_ledger(job, accounts - seen)
        seen |= accounts
        created += _store(piece)
        parts.append(piece.rollups)
        if sum(part.height for part in parts) > MERGE_ROWS:
            parts = [quarters.combine(parts)]
        read += piece.read
        if progress:
            progress(read)
        storing += time.perf_counter() - mark
        mark = time.perf_counter()
    log.debug("direct load: %.2fs waiting for batches, %.2fs storing them", waited, storing)
    job.staging.restore_indexes(restore)
    rollups = quarters.stored(quarters.combine(parts))
    fresh = rollups.filter(~pl.col("account_id").is_in(list(known)))
    insert_frame("ledger_accountquarter", _storable(fresh))
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
    source: Source, plan: ColumnPlan, options: ParseOptions, job: LedgerKind, today: date
) -> Iterator[Piece]:
    """The file as pieces of whole invoices: the lines of the last invoice of a batch wait
    for the next batch, where the rest of that invoice's lines are."""
    carry: pl.DataFrame | None = None
    read = 0
    for batch in source.batches():
        checked = check_batch(batch, plan, options, job)
        if checked is None:
            continue
        if checked.bad.any():
            raise NotDirect("a row is refused")
        read += checked.rows
        frame = checked.parsed.select("invoice_number", ROW, *LINE, "due_date")
        if carry is not None:
            frame = pl.concat([carry, frame])
        last = frame.get_column("invoice_number")[-1]
        tail = pl.col("invoice_number") == last
        carry, frame = frame.filter(tail), frame.filter(~tail)
        if not frame.is_empty():
            yield _piece(frame, read, job, today)
            read = 0
    if carry is not None and not carry.is_empty():
        yield _piece(carry, read, job, today)


def _piece(frame: pl.DataFrame, read: int, job: LedgerKind, today: date) -> Piece:
    invoices = frame.group_by("invoice_number", maintain_order=True).agg(
        *[pl.col(name).first() for name in HEADER],
        *[pl.col(name).n_unique().alias(f"{name}_values") for name in HEADER],
        pl.col("net_revenue").sum().alias("total"),
    )
    disagree = pl.any_horizontal([pl.col(f"{name}_values") > 1 for name in HEADER])
    if invoices.select(disagree.any()).item():
        raise NotDirect("the lines of an invoice disagree")
    if frame.select(pl.struct("invoice_number", "line_number").is_duplicated().any()).item():
        raise NotDirect("a line number is repeated")
    invoices = invoices.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("ordinal"), "invoice_number", *HEADER, "total"
    )
    lines = (
        frame.join(invoices.select("invoice_number", "ordinal"), on="invoice_number", how="left")
        .select("ordinal", *LINE)
        .sort("ordinal", "line_number")
    )
    rollups = pl.concat(
        [
            quarters.line_parts(lines, job.rates, job.reporting_currency),
            quarters.invoice_parts(invoices, today),
        ],
        how="diagonal_relaxed",
    )
    return Piece(read=read, invoices=invoices, lines=lines, rollups=rollups)


# --- storing (in the caller's thread, on its connection) --------------------------------------


def _store(piece: Piece) -> int:
    """Insert the piece's invoices and lines; the number of lines."""
    ids = pl.Series("id", _new_invoice_ids(piece.invoices.height), dtype=pl.Int64)
    status = pl.when(pl.col("cancelled") == 1).then(pl.lit("cancelled")).otherwise(pl.lit("issued"))
    invoices = piece.invoices.select(
        ids,
        pl.col("invoice_number").alias("number"),
        "account_id",
        "issue_date",
        "due_date",
        "currency",
        status.alias("status"),
        "total",
    )
    lines = piece.lines.select(
        ids.gather(piece.lines.get_column("ordinal")).alias("invoice_id"),
        *LINE[:4],
        pl.col("cancelled").cast(pl.Boolean),
        *LINE[5:],
    )
    insert_frame("ledger_invoice", _storable(invoices))
    return insert_frame("ledger_invoiceline", _storable(lines))


def _new_invoice_ids(count: int) -> range:
    """``count`` unused invoice ids, reserved on the table's own sequence in one step."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement, not ``count`` nextval calls. A nextval from another session
            # between the two calls here would take an id in this range; the insert would
            # then fail on the key, and the import would take the usual path.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('ledger_invoice', 'id'), "
                "nextval(pg_get_serial_sequence('ledger_invoice', 'id')) + %s - 1)",
                [count],
            )
        else:
            # SQLite, inside the import's write lock: after the largest id ever given out.
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM ledger_invoice), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'ledger_invoice'), 0))"
                " + %s",
                [count],
            )
        (last,) = cursor.fetchone()
    return range(last - count + 1, last + 1)


def _storable(frame: pl.DataFrame) -> pl.DataFrame:
    return frame if connection.vendor == "postgresql" else frame.with_columns(sqlite_ready(frame))


def _with_ledger(job: LedgerKind, accounts: set[int]) -> set[int]:
    """Those of ``accounts`` that already have rollups or payments (asked before this import
    writes anything of theirs): their rollups are refreshed from the database afterwards."""
    if not accounts:
        return set()
    s = job.staging
    table = s.create("direct_accounts", [("account_id", "int")])
    s.write(table, pl.DataFrame({"account_id": sorted(accounts)}, schema={"account_id": pl.Int64}))
    rows = s.fetchall(
        f"SELECT a.account_id FROM {table} a WHERE EXISTS ("  # noqa: S608
        f"SELECT 1 FROM ledger_accountquarter q WHERE q.account_id = a.account_id) "
        f"OR EXISTS (SELECT 1 FROM ledger_payment p WHERE p.account_id = a.account_id)"
    )
    return {pk for (pk,) in rows}


def _drop_indexes_if_large(job: LedgerKind, source: Source, first: Piece) -> list[str]:
    """For a file large against the stored ledger, drop the invoice and line tables' plain
    indexes, to build them once at the end (see Staging.without_indexes)."""
    if source.format != "csv":
        return []
    size = source.path.stat().st_size
    estimate = int(first.read * size / CHUNK_BYTES) if size > CHUNK_BYTES else first.read
    if not job.large(estimate):
        return []
    job.staging.execute("SET LOCAL maintenance_work_mem = '512MB'")
    return job.staging.without_indexes("ledger_invoice") + job.staging.without_indexes(
        "ledger_invoiceline"
    )
