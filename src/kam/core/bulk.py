"""Fast inserts of many rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance per row and caps SQLite batches at 999
parameters; for the tens of thousands of rows of a scoring run that is the slow part.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection
from psycopg.copy import QueuedLibpqWriter

BATCH = 5_000


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``table`` on Django's connection, in its current transaction."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_plain(v) for v in row])
                    count += 1
            return count
        # Table and column names come from models; the values travel as parameters.
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([_plain(v) for v in row])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


FRAME_CHUNK = 20_000


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert the rows of ``frame`` into ``table``; see insert_frames."""
    return insert_frames(table, [frame])


def insert_frames(table: str, frames: Iterable[pl.DataFrame]) -> int:
    """Insert the rows of ``frames`` (all with the same columns, named as the table's; JSON
    columns as JSON text, decimals as text or numbers) into ``table`` on Django's connection,
    in its transaction; returns the number of rows.

    PostgreSQL gets CSV through a single COPY, written by polars in chunks of FRAME_CHUNK rows
    with no Python object per value. A background thread feeds the server, so a generator of
    frames is computed while the server parses the rows before it (the server's side of the
    COPY is the slow part). CSV measured faster than binary, which would need a Python object
    per value to encode. SQLite gets executemany."""
    iterator = iter(frames)
    first = next((f for f in iterator if not f.is_empty()), None)
    if first is None:
        return 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in first.columns)
    name = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
            sql = f"COPY {name} ({quoted}) FROM STDIN (FORMAT csv)"
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                for frame in itertools.chain([first], iterator):
                    for chunk in frame.iter_slices(FRAME_CHUNK):
                        buffer = io.BytesIO()
                        chunk.write_csv(buffer, include_header=False)
                        copy.write(buffer.getvalue())
                    count += frame.height
            return count
        placeholders = ", ".join(["%s"] * first.width)
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        for frame in itertools.chain([first], iterator):
            for chunk in frame.iter_slices(BATCH):
                cursor.executemany(sql, chunk.rows())
            count += frame.height
    return count
