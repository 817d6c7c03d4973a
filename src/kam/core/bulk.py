"""Fast reads and inserts of many rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create builds a model instance per row and caps SQLite batches at 999
parameters; for the tens of thousands of rows of a scoring run that is the slow part.

On PostgreSQL, rows travel in its binary COPY format, laid out by numpy a column at a time
(no Python object per value), which the server parses in less time than text: polars frames
(the ledger imports: frame_binary, insert_frame) and columns of numpy arrays (the scoring
run: insert_arrays). Reads come back the same way (select_arrays).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from django.db import connection, connections, models

from kam.core.fields import ExactDecimalField

if TYPE_CHECKING:
    import polars as pl  # imported by the callers that use frames: 0.1 s a start-up otherwise
    from django.db.models import Field, Model

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


def insert_frame(model: type[Model], frame: pl.DataFrame) -> int:
    """Insert the rows of ``frame`` (columns named as ``model``'s columns) into its table on
    Django's connection, in its transaction; returns the number of rows. PostgreSQL gets one
    binary COPY (see frame_binary), SQLite executemany (values as SQLite takes them: see
    sqlite_ready)."""
    if frame.is_empty():
        return 0
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        copy_binary(table, frame.columns, frame_binary(model, frame))
        return frame.height
    quoted = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    placeholders = ", ".join(["%s"] * frame.width)
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in frame.iter_slices(BATCH):
            cursor.executemany(sql, chunk.rows())
    return frame.height


def sqlite_ready(frame: pl.DataFrame, places: Mapping[str, int]) -> list[pl.Expr]:
    """Text for dates, integers for booleans, and the decimal columns named in ``places`` as
    SQLite stores them (units of their last place: see units_expr)."""
    import polars as pl

    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            exprs.append(pl.col(name).cast(pl.String))
        elif dtype == pl.Boolean:
            exprs.append(pl.col(name).cast(pl.Int8))
        elif isinstance(dtype, pl.Decimal):
            if name not in places:
                raise TypeError(f"{name}: a decimal for a column that is not one")
            exprs.append(units_expr(name, dtype, places[name]))
    return exprs


def units_expr(name: str, dtype: pl.Decimal, places: int) -> pl.Expr:
    """The decimal column ``name`` as whole units of ``places`` (12.34 at 2: 1234), exact; one
    with more places than that, or too large for SQLite's 64-bit integers, is refused."""
    import polars as pl

    if dtype.scale > places:
        raise ValueError(f"{name}: {dtype.scale} decimal places, the column keeps {places}")
    # The decimal's own integer (its units at its scale), widened to the column's places.
    units = pl.col(name).to_physical().cast(pl.Int128) * 10 ** (places - dtype.scale)
    return units.cast(pl.Int64, strict=True).alias(name)


def decimal_places(model: type[Model]) -> dict[str, int]:
    """The columns of ``model`` that SQLite keeps as units (ExactDecimalField): their places."""
    return {
        field.column: field.decimal_places
        for field in model._meta.concrete_fields
        if isinstance(field, ExactDecimalField)
    }


def copy_binary(table: str, columns: Sequence[str], parts: Iterable[bytes | memoryview]) -> None:
    """Send ``parts`` of a whole binary COPY stream (see frame_binary) into ``table``."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN (FORMAT binary)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # psycopg's cursor
        for part in parts:
            copy.write(part)


# Binary COPY: an 11-byte signature, 4 bytes of flags and 4 of header extension length; each
# row is a 2-byte field count, then per field a 4-byte length (-1: NULL) and the bytes; the
# end is a count of -1. Every integer is big-endian.
PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
PG_TRAILER = b"\xff\xff"
# How select_arrays reads each type, and the server function that sends it; dates are days
# since 2000-01-01 (PostgreSQL's own).
READ_TYPES = {"int4": ">i4", "int8": ">i8", "float8": ">f8", "date": ">i4"}
SEND = {"int4": "int4send", "int8": "int8send", "float8": "float8send", "date": "date_send"}
PG_EPOCH = np.datetime64("2000-01-01", "D")
# How binary COPY takes the fixed-size types, by the column's type.
FIXED = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2", "double precision": ">f8"}

Columns = Mapping[str, Any]  # column name: one value per row (see insert_arrays)


class Encoded(NamedTuple):
    """One column ready for the binary COPY rows."""

    data: np.ndarray  # (n, width) bytes; or, with ``kind``, n values the row holds as ``kind``
    lengths: np.ndarray  # each value's length in bytes, -1 for NULL
    kind: np.dtype | None = None  # a number's type in the row (big-endian), set on the way in


def select_arrays(
    sql: str, parts: Sequence[Sequence[Any]], types: Mapping[str, str]
) -> dict[str, Any]:
    """The rows of ``sql``, run once for each set of parameters in ``parts`` (a range of
    quarters each, say), as numpy arrays named and typed by ``types``, in the order selected:
    ``int4``, ``int8``, ``float8``, or ``date`` as days since 2000-01-01. No NULLs.

    On PostgreSQL the server packs each part's rows into one binary value (every row's fields
    back to back) that numpy reads as is: no Python object per value, nor per row, which for
    some 300,000 rows was most of the cost. Outside a transaction the parts run at once, each
    on its own connection, so that the server packs them on as many cores (inside one, the
    other connections would not see its changes). Each part is then its own statement: a
    commit landing in the few milliseconds between their starts is seen by some parts only."""
    if connection.vendor != "postgresql":
        fetched = [_fetched_columns(sql, params, types) for params in parts]
        return {name: np.concatenate([f[name] for f in fetched]) for name in types}
    names = [f"c{i}" for i in range(len(types))]
    fields = " || ".join(
        f"{SEND[kind]}({name})" for name, kind in zip(names, types.values(), strict=True)
    )
    packing = (
        f"SELECT string_agg({fields}, ''::bytea) "  # noqa: S608 - the caller's query, our names
        f"FROM ({sql}) AS rows ({', '.join(names)})"
    )

    def packed(params: Sequence[Any]) -> bytes:
        # A plain psycopg cursor: Django's bind parameters client-side, and read results as
        # text, where the packed rows would come as hex, twice their size, decoded again.
        import psycopg  # PostgreSQL only: an import on SQLite never loads it

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(packing, params, binary=True)
            return cursor.fetchone()[0] or b""

    if connection.in_atomic_block or len(parts) == 1:
        results = [packed(params) for params in parts]
    else:
        with ThreadPoolExecutor(max_workers=len(parts) - 1) as pool:
            others = [pool.submit(_on_own_connection, packed, params) for params in parts[1:]]
            results = [packed(parts[0]), *(other.result() for other in others)]
    row = np.dtype([(name, READ_TYPES[kind]) for name, kind in types.items()])
    if any(len(result) % row.itemsize for result in results):
        raise ValueError("rows of an unexpected size: a NULL, or a type other than declared")
    views = [np.frombuffer(result, dtype=row) for result in results]
    return {
        name: np.concatenate([view[name] for view in views], dtype=row[name].newbyteorder("="))
        for name in types
    }


def _on_own_connection(function, *args):
    """``function(*args)`` in a worker thread, which Django gives its own connection: closed
    at the end, since the thread's connections are nobody else's to close."""
    try:
        return function(*args)
    finally:
        connections.close_all()


def _fetched_columns(sql: str, params: Sequence[Any], types: Mapping[str, str]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(types)
    columns = {}
    for (name, kind), column in zip(types.items(), values, strict=True):
        if kind == "date":
            days = np.array(column, dtype="datetime64[D]") - PG_EPOCH
            columns[name] = days.astype(np.int32)
        else:
            columns[name] = np.array(column, dtype=np.dtype(READ_TYPES[kind]).newbyteorder("="))
    return columns


def insert_arrays(model: type[Model], blocks: Iterable[Columns]) -> int:
    """Insert rows given column-wise into ``model``'s table on Django's connection, in its
    transaction; returns the number of rows. Each block maps column names (``run_id`` for a
    foreign key) to one value per row: numbers as numpy arrays (NaN: NULL; decimals rounded
    to the field's places), booleans as bool arrays, text as lists of str (None: NULL) or
    numpy ``S`` arrays of UTF-8, and binary as a 2-D uint8 array (one row of bytes per row)
    or a list of bytes.

    PostgreSQL gets a single binary COPY, each block laid out by numpy and handed to a
    background thread, so that the server stores one block while the next is computed (the
    server runs on its own core). SQLite gets executemany."""
    iterator = iter(blocks)
    first = next(iterator, None)
    if first is None:
        return 0
    names = list(first)
    fields = [model._meta.get_field(name) for name in names]
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter  # PostgreSQL only, as its driver

            encoders = [_binary_encoder(field) for field in fields]
            raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
            sql = f"COPY {table} ({quoted}) FROM STDIN (FORMAT binary)"
            with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
                copy.write(PG_HEADER)
                for block in itertools.chain([first], iterator):
                    encoded = [
                        encode(block[name]) for name, encode in zip(names, encoders, strict=True)
                    ]
                    copy.write(_binary_rows(encoded))
                    count += len(encoded[0][1])
                copy.write(PG_TRAILER)
            return count
        placeholders = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        for block in itertools.chain([first], iterator):
            columns = [
                _python_values(field, block[name])
                for name, field in zip(names, fields, strict=True)
            ]
            rows = list(zip(*columns, strict=True))
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
            count += len(rows)
    return count


def frame_binary(model: type[Model], frame: pl.DataFrame) -> list[bytes | memoryview]:
    """The rows of ``frame`` (columns named as ``model``'s columns: ``invoice_id`` for a
    foreign key) as a whole binary COPY stream for PostgreSQL, nulls included, in parts to
    write one after the other. Decimal columns are stored exactly; one with more places than
    its field is refused."""
    fields = [model._meta.get_field(name) for name in frame.columns]
    encoded = [_series_encoded(frame.get_column(field.column), field) for field in fields]
    return [PG_HEADER, _binary_rows(encoded), PG_TRAILER]


PG_DAYS = 10_957  # from 1970-01-01 (polars' day 0) to 2000-01-01 (PostgreSQL's)
# Text columns with at most this many values in a sample of their first rows are encoded
# value by value once, then looked up (units, currencies, statuses).
FEW_VALUES = 64


def _series_encoded(series: pl.Series, field: Field) -> Encoded:
    """One polars column as ``field``'s column takes it in a binary COPY."""
    import polars as pl

    kind = field.db_type(connection)
    null = series.is_null().to_numpy()
    if kind.startswith("numeric"):
        if not isinstance(series.dtype, pl.Decimal):
            return _numeric(
                series.cast(pl.Float64).fill_null(float("nan")).to_numpy(), field.decimal_places
            )
        places, scale = field.decimal_places, series.dtype.scale
        if scale > places:
            raise ValueError(f"{field.name}: {scale} decimal places, the column keeps {places}")
        units = series.to_physical().cast(pl.Int64).fill_null(0).to_numpy()
        return _numeric_units(units * 10 ** (places - scale), null, places)
    if kind == "date":
        days = series.cast(pl.Int32).fill_null(0).to_numpy() - PG_DAYS
        return _with_nulls(_fixed(days, ">i4"), null)
    if kind in FIXED:
        return _with_nulls(_fixed(series.fill_null(0).to_numpy(), FIXED[kind]), null)
    if kind == "boolean":
        return _with_nulls(_fixed(series.fill_null(False).to_numpy(), "u1"), null)
    if kind == "text" or kind.startswith("varchar"):
        return _with_nulls(_bytes(_utf8(series.fill_null(""))), null)
    raise TypeError(f"no binary COPY encoding for {field} ({kind})")


def _with_nulls(encoded: Encoded, null: np.ndarray) -> Encoded:
    return encoded._replace(lengths=np.where(null, -1, encoded.lengths).astype(np.int32))


def _utf8(series: pl.Series) -> np.ndarray:
    """A text column as a numpy ``S`` array of UTF-8: a column of few values encodes each
    value once and looks it up."""
    import polars as pl

    if series.is_empty():
        return np.array([], dtype="S1")
    first = series[0]
    if (series == first).all():
        return np.full(len(series), first.encode(), dtype=f"S{max(len(first.encode()), 1)}")
    if series.head(1_000).n_unique() <= FEW_VALUES:
        values = series.unique(maintain_order=True)
        if len(values) <= FEW_VALUES:
            codes = series.cast(pl.Enum(values.to_list())).to_physical().to_numpy()
            return np.array([value.encode() for value in values], dtype="S")[codes]
    return series.cast(pl.Binary).to_numpy().astype("S")


def _python_values(field: Field, values: Any) -> list[Any]:
    """One column as the values executemany takes: floats for an ExactDecimalField rounded
    to its units (as _numeric does for PostgreSQL), for another decimal as text."""
    if isinstance(values, np.ndarray) and values.ndim == 2:
        return [row.tobytes() for row in values]
    if not isinstance(values, np.ndarray):
        return list(values)
    if values.dtype.kind == "S":
        return [v.decode() for v in values.tolist()]
    if values.dtype.kind == "f":
        listed = values.tolist()
        if isinstance(field, ExactDecimalField):
            units, null = _float_units(values, field.decimal_places)
            return [None if n else u for u, n in zip(units.tolist(), null.tolist(), strict=True)]
        if isinstance(field, models.DecimalField):
            places = field.decimal_places
            return [f"{v:.{places}f}" if math.isfinite(v) else None for v in listed]
        if isinstance(field, models.IntegerField):
            return [None if v != v else int(v) for v in listed]
        return [None if v != v else v for v in listed]  # NaN: NULL
    return values.tolist()


def _binary_encoder(field: Field):
    """How ``field``'s column takes values in a binary COPY, from its PostgreSQL type."""
    kind = field.db_type(connection)
    if kind in FIXED:
        return lambda values: _fixed(values, FIXED[kind])
    if kind == "boolean":
        return lambda values: _fixed(np.asarray(values, dtype=bool), "u1")
    if kind.startswith("numeric"):
        return lambda values: _numeric(values, field.decimal_places)
    if kind == "bytea":
        return _bytes
    if kind == "text" or kind.startswith("varchar"):
        return lambda values: _bytes(
            values
            if isinstance(values, np.ndarray)
            else [None if v is None else v.encode() for v in values]
        )
    raise TypeError(f"no binary COPY encoding for {field} ({kind})")


def _fixed(values: Any, dtype: str) -> Encoded:
    """Numbers of one fixed-size type; NaN is NULL."""
    array = np.asarray(values)
    null = np.isnan(array) if array.dtype.kind == "f" else np.zeros(len(array), dtype=bool)
    kind = np.dtype(dtype)
    if array.dtype.kind == "f" and kind.kind != "f":
        array = np.where(null, 0, array).astype(np.int64)
    return Encoded(array, np.where(null, -1, kind.itemsize).astype(np.int32), kind)


def _numeric(values: Any, places: int) -> Encoded:
    """Floats as numeric with ``places`` decimals, rounded to them; non-finite values are
    NULL."""
    units, null = _float_units(values, places)
    return _numeric_units(units, null, places)


def _float_units(values: Any, places: int) -> tuple[np.ndarray, np.ndarray]:
    """Floats rounded to whole units of ``places`` decimals, and where they are not finite."""
    x = np.asarray(values, dtype=np.float64)
    null = ~np.isfinite(x)
    scaled = np.rint(np.where(null, 0.0, x) * 10.0**places)
    if (np.abs(scaled) >= 2.0**62).any():
        raise ValueError("an amount too large to store exactly")
    return scaled.astype(np.int64), null


def _numeric_units(units: np.ndarray, null: np.ndarray, places: int) -> Encoded:
    """Exact numerics given as integers of 10^-``places`` (1234567 at 2 places: 12345.67), in
    PostgreSQL's base-10000 digits. Every row of the block gets as many digits as its
    largest value needs (the server drops the zeros), so all rows share one layout."""
    n = len(units)
    if n > 1 and not null.any() and (units == units[0]).all():  # zeros, say: one row, repeated
        one = _numeric_units(units[:1], null[:1], places).data
        width = one.shape[1]
        return Encoded(np.broadcast_to(one, (n, width)), np.full(n, width, dtype=np.int32))
    whole, fraction = np.divmod(np.abs(units), 10**places)
    largest = int(whole.max(initial=0))
    before = 1  # digits before the point
    while largest >= 10_000**before:
        before += 1
    after = -(-places // 4)  # digits after it
    words = np.empty((n, 4 + before + after), dtype=">i2")
    words[:, 0] = before + after  # ndigits
    words[:, 1] = before - 1  # weight: the power of 10000 of the first digit
    words[:, 2] = np.where(units < 0, 0x4000, 0)  # sign
    words[:, 3] = places  # display scale
    fraction = fraction * 10 ** (4 * after - places)  # 0.5 at 2 places: the digit 5000
    for first, value, count in ((4, whole, before), (4 + before, fraction, after)):
        for i in range(first + count - 1, first, -1):  # the last digit first
            value, words[:, i] = np.divmod(value, 10_000)
        if count:
            words[:, first] = value
    data = words.view(np.uint8).reshape(n, 2 * words.shape[1])
    return Encoded(data, np.where(null, -1, data.shape[1]).astype(np.int32))


def _bytes(values: Any) -> Encoded:
    """Byte strings: a 2-D uint8 array as is (one row of bytes per row), a numpy ``S`` array
    (padded with NULs, which the lengths cut off), or a list of bytes (None: NULL)."""
    if isinstance(values, np.ndarray) and values.ndim == 2:
        return Encoded(values, np.full(len(values), values.shape[1], dtype=np.int32))
    if isinstance(values, np.ndarray) and values.dtype.kind == "S":
        lengths = np.strings.str_len(values).astype(np.int32)
        # numpy gives b"" one byte: cut the array to its longest value, so that a column of
        # values all of one length needs no mask.
        width = int(lengths.max(initial=0))
        data = values.view(np.uint8).reshape(len(values), values.dtype.itemsize)[:, :width]
        return Encoded(data, lengths)
    lengths = np.array([-1 if v is None else len(v) for v in values], dtype=np.int32)
    data = np.zeros((len(values), max(int(lengths.max(initial=0)), 0)), dtype=np.uint8)
    data[np.arange(data.shape[1]) < lengths[:, None]] = np.frombuffer(
        b"".join(v for v in values if v), dtype=np.uint8
    )
    return Encoded(data, lengths)


def _binary_rows(columns: list[Encoded]) -> memoryview:
    """The binary COPY rows of encoded columns, laid out as a numpy record per row (each
    column's length, then its bytes), so that each column is copied in one pass rather than
    row by row; then, if some value is shorter than its column (padding, NULLs), the bytes
    past it are masked out. When every value fills its column the records are the rows."""
    n = len(columns[0][1])
    if not n:
        return memoryview(b"")
    layout = [("count", ">i2")]
    for i, column in enumerate(columns):
        kind = column.kind if column.kind is not None else f"V{column.data.shape[1]}"
        layout += [(f"length{i}", ">i4"), (f"value{i}", kind)]
    rows = np.empty(n, dtype=np.dtype(layout))
    rows["count"] = len(columns)
    keep = None
    at = 2
    for i, (data, lengths, kind) in enumerate(columns):
        same = lengths.min() == lengths.max()
        rows[f"length{i}"] = lengths[0] if same else lengths
        width = rows.dtype[f"value{i}"].itemsize
        if kind is not None:
            rows[f"value{i}"] = data  # converted to the row's type on the way in
        elif width:
            rows[f"value{i}"] = _records(data)
        at += 4
        if width and (lengths != width).any():
            if keep is None:
                keep = np.ones((n, rows.itemsize), dtype=bool)
            np.less(np.arange(width), lengths[:, None], out=keep[:, at : at + width])
        at += width
    flat = rows.view(np.uint8)
    return memoryview(flat if keep is None else flat.reshape(n, -1)[keep])


def _records(data: np.ndarray) -> np.ndarray:
    """An (n, width) byte matrix as n values of ``width`` bytes; a repeated row stays one."""
    if data.strides[0] == 0:
        return np.ascontiguousarray(data[0]).view(f"V{data.shape[1]}")[0]
    return np.ascontiguousarray(data).view(f"V{data.shape[1]}").ravel()
