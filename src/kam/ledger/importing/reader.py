"""Read a CSV or XLSX file as batches of text columns, never the whole file at once.

Every batch is a polars DataFrame with one String column per header column (named ``c0``,
``c1``, ... so that odd or repeated header names cannot clash), ``ROW``: the row number a
spreadsheet shows (the header is row 1), and ``ROW_PROBLEM``: why a row could not be split
into its columns, or null. Blank rows are kept here (the importer skips them) so numbering
stays right.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing.result import ImportRefused, ImportResult, RowError

ROW = "__row"
ROW_PROBLEM = "__row_problem"
CHUNK_BYTES = 8 << 20  # about 150,000 ledger lines per batch
XLSX_BATCH_ROWS = 50_000
BOM = b"\xef\xbb\xbf"
SEPARATORS = (",", ";", "\t", "|")


class FileProblem(Exception):
    """The file cannot be read at all (the importer turns it into a refusal)."""

    def __init__(self, reason: str, row: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row

    def refusal(self, kind: str) -> ImportRefused:
        error = RowError(row=self.row, column="", value="", reason=self.reason)
        return ImportRefused(
            ImportResult(kind=kind, errors=[error], errors_total=1, rejected=0, read=0)
        )


def column_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


@dataclass
class Source:
    """An opened file: its header, and a way to read its rows batch by batch (again)."""

    path: Path
    header: list[str]
    format: str  # "csv" or "xlsx"
    separator: str = ","
    data_offset: int = 0  # CSV: the byte where the first data row starts
    sheet: str | None = None

    def batches(self) -> Iterator[pl.DataFrame]:
        if self.format == "xlsx":
            return _xlsx_batches(self)
        return _csv_batches(self)


def open_source(path: Path, *, sheet: str | None = None) -> Source:
    """Open ``path`` and read its header; raise FileProblem when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise FileProblem(gettext("no such file: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileProblem(
            gettext("old Excel .xls files cannot be read: save the sheet as .xlsx or CSV UTF-8")
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    if suffix in (".xlsx", ".xlsm") or magic.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, sheet)
    return _open_csv(path)


# --- CSV ---------------------------------------------------------------------------------


def _open_csv(path: Path) -> Source:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    start = len(BOM) if head.startswith(BOM) else 0
    end = _first_record_end(head, start)
    if end is None:
        raise FileProblem(gettext("the first row (the header) is missing or too long"), row=1)
    try:
        line = head[start:end].decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblem(_not_utf8(), row=1) from error
    separator = _detect_separator(line)
    header = next(csv.reader(io.StringIO(line), delimiter=separator), [])
    header = [name.strip() for name in header]
    if not any(header):
        raise FileProblem(gettext("the first row (the header) is empty"), row=1)
    return Source(path=path, header=header, format="csv", separator=separator, data_offset=end)


def _first_record_end(data: bytes, start: int) -> int | None:
    """The offset just past the first record's newline (quotes may hide newlines)."""
    position = start
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return len(data) if data[start:].strip() else None
        if data.count(b'"', start, newline) % 2 == 0:
            return newline + 1
        position = newline + 1


def _detect_separator(line: str) -> str:
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _last_record_end(data: bytes) -> int:
    """The offset just past the last complete record in ``data`` (0 if there is none).

    ``data`` starts at a record boundary, so a newline ends a record when the quotes before
    it are balanced (an escaped quote is doubled and keeps the count even)."""
    quotes = data.count(b'"')
    newline = data.rfind(b"\n")
    while newline >= 0:
        if (quotes - data.count(b'"', newline)) % 2 == 0:
            return newline + 1
        newline = data.rfind(b"\n", 0, newline)
    return 0


_NOT_BLANK = re.compile(rb"\S")


def _csv_batches(source: Source) -> Iterator[pl.DataFrame]:
    names = column_names(len(source.header))
    next_row = 2
    carry = b""
    with source.path.open("rb") as handle:
        handle.seek(source.data_offset)
        while True:
            block = handle.read(CHUNK_BYTES)
            data = carry + block
            if not block:
                cut = len(data)
            else:
                cut = _last_record_end(data)
                if cut == 0:  # one record longer than a chunk: read on
                    carry = data
                    continue
            carry = data[cut:]
            if _NOT_BLANK.search(data, 0, cut):  # a search, not a stripped copy of 8 MB
                frame = _parse_csv(data[:cut], names, source.separator, next_row)
                next_row += frame.height
                yield frame
            if not block:
                return


def _parse_csv(data: bytes, names: list[str], separator: str, first_row: int) -> pl.DataFrame:
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            schema=dict.fromkeys(names, pl.String),
            separator=separator,
            missing_columns="insert",
            quote_char='"',
            encoding="utf8",
        )
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(ROW_PROBLEM))
    except Exception:
        frame = _parse_csv_slowly(data, names, separator, first_row)
    return frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))


def _parse_csv_slowly(data: bytes, names: list[str], separator: str, first_row: int):
    """Python's csv module, record by record, naming the rows polars could not split."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = first_row + data[: error.start].count(b"\n")
        raise FileProblem(_not_utf8(), row=row) from error
    columns: list[list[str | None]] = [[] for _ in names]
    problems: list[str | None] = []
    width = len(names)
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator):
        problem = None
        if len(record) > width and any(value.strip() for value in record[width:]):
            problem = gettext(
                "the row has %(found)s values but the header has %(expected)s columns"
            ) % {"found": len(record), "expected": width}
        record = (record + [""] * width)[:width]
        for index, value in enumerate(record):
            columns[index].append(value if value != "" else None)
        problems.append(problem)
    data = {
        name: pl.Series(name, values, dtype=pl.String)
        for name, values in zip(names, columns, strict=True)
    }
    return pl.DataFrame({**data, ROW_PROBLEM: pl.Series(problems, dtype=pl.String)})


def _not_utf8() -> str:
    return gettext("the file is not UTF-8 text: save it as 'CSV UTF-8' and import it again")


# --- XLSX --------------------------------------------------------------------------------


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    workbook = _workbook(path)
    try:
        worksheet = _worksheet(workbook, sheet)
        first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        header = [_cell_text(value) or "" for value in (first or ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise FileProblem(gettext("the first row (the header) is empty"), row=1)
        return Source(path=path, header=header, format="xlsx", sheet=worksheet.title)
    finally:
        workbook.close()


def _workbook(path: Path):
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise FileProblem(
            gettext("cannot read the file as an Excel workbook: %(error)s") % {"error": error}
        ) from error


def _worksheet(workbook, sheet: str | None):
    if sheet is None:
        return workbook.worksheets[0]
    if sheet not in workbook.sheetnames:
        raise FileProblem(
            gettext("no sheet named %(sheet)s; the workbook has: %(sheets)s")
            % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
        )
    return workbook[sheet]


def _xlsx_batches(source: Source) -> Iterator[pl.DataFrame]:
    workbook = _workbook(source.path)
    try:
        worksheet = _worksheet(workbook, source.sheet)
        width = len(source.header)
        names = column_names(width)
        rows: list[list[str | None]] = []
        problems: list[str | None] = []
        numbers: list[int] = []
        for number, values in enumerate(worksheet.iter_rows(min_row=2, values_only=True), 2):
            texts = [_cell_text(value) for value in values]
            problem = None
            if any(text is not None for text in texts[width:]):
                problem = gettext("the row has values beyond the last header column")
            rows.append((texts + [None] * width)[:width])
            problems.append(problem)
            numbers.append(number)
            if len(rows) >= XLSX_BATCH_ROWS:
                yield _xlsx_frame(names, rows, problems, numbers)
                rows, problems, numbers = [], [], []
        if rows:
            yield _xlsx_frame(names, rows, problems, numbers)
    finally:
        workbook.close()


def _xlsx_frame(names, rows, problems, numbers) -> pl.DataFrame:
    columns = {
        name: pl.Series(name, [row[i] for row in rows], dtype=pl.String)
        for i, name in enumerate(names)
    }
    return pl.DataFrame(
        {
            **columns,
            ROW_PROBLEM: pl.Series(problems, dtype=pl.String),
            ROW: pl.Series(numbers, dtype=pl.Int64),
        }
    )


def _cell_text(value) -> str | None:
    """A cell as the text a CSV export of it would hold (dates ISO, no float noise)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 35.29, not 35.2899999
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return text if text.strip() else None
