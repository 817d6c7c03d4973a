"""Temporary tables on Django's own connection, filled fast, queried with plain SQL.

They live in the import's transaction (so the import works inside Django's test transactions,
and a refused import leaves nothing behind): PostgreSQL fills them with COPY ... FROM STDIN
through psycopg 3, SQLite with executemany. Each backend gets the types it is fastest with.
A decimal column is declared with its places (``decimal2``: money), as the column it goes to:
SQLite keeps it as that column does (kam.core.fields.ExactDecimalField: an INTEGER of units of
the last place), so staged values compare and add up exactly with the stored ones.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
from django.db import OperationalError, connection
from django.utils.translation import gettext

from kam.core.bulk import sqlite_ready

PREFIX = "kam_imp_"
log = logging.getLogger(__name__)

# staging type -> (PostgreSQL, SQLite)
TYPES = {
    "text": ("text", "TEXT"),
    "int": ("bigint", "INTEGER"),
    "date": ("date", "TEXT"),
    "bool": ("boolean", "INTEGER"),
}
DECIMAL = "decimal"  # followed by the places: decimal2, decimal10


def _declared(kind: str, postgres: bool) -> str:
    if kind.startswith(DECIMAL):
        places(kind)  # a decimal without places is a mistake on both backends
        return "numeric" if postgres else "INTEGER"
    return TYPES[kind][0 if postgres else 1]


def places(kind: str) -> int:
    """The decimal places of a staging type ``decimal<places>``."""
    digits = kind.removeprefix(DECIMAL)
    if kind == digits or not digits.isdigit():
        raise ValueError(f"a staging decimal needs its places: {kind}")
    return int(digits)


class SumTooLarge(Exception):
    """SQLite: amounts that add up past what its integers hold (see ExactDecimalField). SQLite
    stops with an overflow rather than round, and so does the import or refresh."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "amounts add up to more than the embedded database holds exactly "
                "(about 92,000,000,000,000,000 with cents): use PostgreSQL for this ledger"
            )
        )


@contextmanager
def _overflow_refused() -> Iterator[None]:
    try:
        yield
    except OperationalError as error:
        if str(error) == "integer overflow":
            raise SumTooLarge from error
        raise


class Staging:
    """The temporary tables of one import, and the SQL run against them."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.postgres = self.vendor == "postgresql"
        self.columns: dict[str, list[str]] = {}
        self.places: dict[str, dict[str, int]] = {}  # table: decimal column: places

    def create(self, name: str, columns: Sequence[tuple[str, str]]) -> str:
        """Create (afresh) the temporary table ``name`` with (column, staging type) pairs."""
        table = PREFIX + name
        body = ", ".join(f"{column} {_declared(kind, self.postgres)}" for column, kind in columns)
        self.execute(f"DROP TABLE IF EXISTS {table}")
        self.execute(f"CREATE TEMP TABLE {table} ({body})")
        self.columns[table] = [column for column, _ in columns]
        self.places[table] = {
            column: places(kind) for column, kind in columns if kind.startswith(DECIMAL)
        }
        return table

    def create_as(self, name: str, select: str, params: Sequence = ()) -> str:
        """Create (afresh) the temporary table ``name`` from a query."""
        table = PREFIX + name
        self.execute(f"DROP TABLE IF EXISTS {table}")
        self.execute(f"CREATE TEMP TABLE {table} AS {select}", params)
        self.analyze(table)
        return table

    def write(self, table: str, frame: pl.DataFrame) -> None:
        """Append ``frame`` (its columns named as the table's) to ``table``."""
        if frame.is_empty():
            return
        columns = self.columns[table]
        frame = frame.select(columns)
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.BytesIO()
                frame.write_csv(buffer, include_header=False)
                raw = cursor.cursor  # psycopg's cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
                return
            frame = frame.with_columns(sqlite_ready(frame, self.places[table]))
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", frame.rows())  # noqa: S608

    def execute(self, sql: str, params: Sequence = ()) -> int:
        """Run one statement; the number of rows it changed. (Always with a parameter list,
        so a literal percent sign is written %% on both backends.)"""
        started = time.perf_counter()
        with connection.cursor() as cursor, _overflow_refused():
            cursor.execute(sql, list(params))
            count = cursor.rowcount
        log.debug(
            "%.2fs %s rows: %s", time.perf_counter() - started, count, " ".join(sql.split())[:160]
        )
        return count

    def fetchall(self, sql: str, params: Sequence = ()) -> list[tuple]:
        started = time.perf_counter()
        with connection.cursor() as cursor, _overflow_refused():
            cursor.execute(sql, list(params))
            rows = cursor.fetchall()
        log.debug(
            "%.2fs %s rows: %s",
            time.perf_counter() - started,
            len(rows),
            " ".join(sql.split())[:160],
        )
        return rows

    def iterate(self, sql: str, params: Sequence = (), size: int = 10_000) -> Iterator[list[tuple]]:
        """The result of a query in lists of ``size`` rows (flat memory on large results)."""
        with connection.cursor() as cursor, _overflow_refused():
            cursor.execute(sql, list(params))
            while rows := cursor.fetchmany(size):
                yield rows

    def analyze(self, table: str) -> None:
        """Give the PostgreSQL planner row counts: temporary tables are never auto-analysed,
        and without them it picks nested loops over a million staged rows."""
        if self.postgres:
            self.execute(f"ANALYZE {table}")

    def drop_all(self) -> None:
        for table in list(self.columns):
            self.execute(f"DROP TABLE IF EXISTS {table}")
        self.columns.clear()

    def without_indexes(self, table: str) -> list[str]:
        """PostgreSQL: drop ``table``'s plain indexes (not its primary key nor the indexes of
        its constraints) for a bulk load; the statements that build them again, exactly as they
        were (same names and definitions), for ``restore_indexes``.

        One bulk insert and one sorted index build beat maintaining random-order btrees row by
        row, such as (account, issue_date) on lines arriving in invoice order. Constraints stay:
        ALTER TABLE cannot add one back while checks of rows written earlier in the
        transaction are pending. Other sessions cannot read the table until the transaction
        ends (the drop locks it), and a rollback brings everything back."""
        if not self.postgres:
            return []
        indexes = self.fetchall(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
            "  AND c.conrelid = x.indrelid)",
            [table],
        )
        for name, _ in indexes:
            self.execute(f'DROP INDEX "{name}"')
        return [definition for _, definition in indexes]

    def without_unique(self, table: str) -> list[str]:
        """PostgreSQL: drop ``table``'s unique constraints for a bulk load; the statements
        that add them back, same names and columns, for ``restore_indexes``. One index built
        at the end beats an entry per row written during the load; adding it back checks
        every value, so one stored twice still fails the load."""
        return self._without_constraints(table, "u")

    def _without_constraints(self, table: str, kind: str) -> list[str]:
        if not self.postgres:
            return []
        rows = self.fetchall(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = %s",
            [table, kind],
        )
        for name, _ in rows:
            self.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        return [
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in rows
        ]

    def restore_indexes(self, statements: list[str]) -> None:
        if statements:
            # An index cannot be built on a table with deferred foreign-key checks pending
            # (rows inserted in this transaction): run them now, as commit would, then defer
            # again as before.
            self.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.execute("SET CONSTRAINTS ALL DEFERRED")
        for sql in statements:
            self.execute(sql)

    # --- SQL that differs between the backends -----------------------------------------------

    def true(self, expr: str) -> str:
        """A boolean staging column as a condition."""
        return expr if self.postgres else f"{expr} = 1"

    def distinct(self, left: str, right: str) -> str:
        """``left`` and ``right`` differ, nulls compared as values."""
        return f"{left} IS DISTINCT FROM {right}" if self.postgres else f"{left} IS NOT {right}"

    def add_days(self, date_sql: str, days: int) -> str:
        if self.postgres:
            return f"({date_sql} + {int(days)})"
        return f"date({date_sql}, '{int(days):+d} days')"

    def days_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def month_start(self, date_sql: str) -> str:
        if self.postgres:
            return f"CAST(date_trunc('month', {date_sql}) AS date)"
        return f"date({date_sql}, 'start of month')"

    def quarter_start(self, date_sql: str) -> str:
        if self.postgres:
            return f"CAST(date_trunc('quarter', {date_sql}) AS date)"
        return (
            f"date({date_sql}, 'start of month', "
            f"'-' || ((CAST(strftime('%%m', {date_sql}) AS INTEGER) - 1) %% 3) || ' months')"
        )

    def greatest(self, *exprs: str) -> str:
        return f"{'GREATEST' if self.postgres else 'MAX'}({', '.join(exprs)})"

    def round(self, expr: str, places: int = 2) -> str:
        """A sum of amounts at ``places`` (or finer, on PostgreSQL) rounded to them. On SQLite
        amounts are whole units of their last place already (see ExactDecimalField), and so
        are their sums."""
        if self.postgres:
            return f"ROUND({expr}, {places})"
        return expr
