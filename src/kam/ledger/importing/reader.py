"""Read a CSV or XLSX file as batches of text columns, never the whole file at once.

Every batch is a polars DataFrame with one String column per header column (named ``c0``,
``c1``, ... so that odd or repeated header names cannot clash), ``ROW``: the row number a
spreadsheet shows (the header is row 1), and ``ROW_PROBLEM``: why a row could not be split
into its columns, or null. Blank rows are kept here (the importer skips them) so numbering
stays right.
"""

from __future__ import annotations

import codecs
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

from kam.ledger.importing import damage
from kam.ledger.importing.result import ImportRefused, ImportResult, RowError

ROW = "__row"
ROW_PROBLEM = "__row_problem"
CHUNK_BYTES = 8 << 20  # about 150,000 ledger lines per batch
XLSX_BATCH_ROWS = 50_000
# A record this long is no row of a sales file: a quote left open swallows the rest of it.
MAX_RECORD_BYTES = 64 << 20
BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SEPARATORS = (",", ";", "\t", "|")


class FileProblem(Exception):
    """The file cannot be read (from ``row`` on): the importer turns it into a refusal.
    Row 1 when the file as a whole is unreadable, as for a header it cannot use."""

    def __init__(self, reason: str, row: int = 1, column: str = "", value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.value = value

    def refusal(self, kind: str) -> ImportRefused:
        error = RowError(row=self.row, column=self.column, value=self.value, reason=self.reason)
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
    encoding: str | None = None  # CSV: the codec of a file not in UTF-8

    def column(self, index: int) -> str:
        """The header name of column ``index`` (empty past the last one)."""
        return self.header[index] if 0 <= index < len(self.header) else ""

    def batches(self) -> Iterator[pl.DataFrame]:
        if self.format == "xlsx":
            return _xlsx_batches(self)
        return _csv_batches(self)


def open_source(path: Path, *, sheet: str | None = None, encoding: str | None = None) -> Source:
    """Open ``path`` and read its header; raise FileProblem when it cannot be read.

    ``encoding`` names the codec of a CSV file not in UTF-8 (cp1252, gbk, big5...)."""
    path = Path(path)
    codec = _codec(encoding)
    if not path.is_file():
        raise FileProblem(gettext("no such file: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileProblem(
            gettext("old Excel .xls files cannot be read: save the sheet as .xlsx or CSV UTF-8")
        )
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise FileProblem(
            gettext("cannot read the file: %(error)s") % {"error": error.strerror or error}
        ) from None
    if suffix in (".xlsx", ".xlsm") or magic.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, sheet)
    return _open_csv(path, codec)


def _codec(encoding: str | None) -> str | None:
    """The codec's canonical name; None for UTF-8, the default."""
    if not encoding or not encoding.strip():
        return None
    try:
        name = codecs.lookup(encoding.strip()).name
    except LookupError:
        raise FileProblem(
            gettext("unknown encoding %(encoding)s: try utf-8, cp1252, latin-1, gbk or big5")
            % {"encoding": encoding},
            column="encoding",
            value=encoding,
        ) from None
    if name in ("utf-8", "utf-8-sig"):
        return None
    # Rows are found by their line break bytes, so the codec must write ASCII as ASCII.
    probe = '\n\r",;|\t azAZ09'
    try:
        ascii_safe = probe.encode(name) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ascii_safe = False
    if not ascii_safe:
        raise FileProblem(
            gettext(
                "%(encoding)s files cannot be read: save the file as CSV UTF-8 (or in an "
                "encoding such as cp1252, gbk or big5)"
            )
            % {"encoding": encoding},
            column="encoding",
            value=encoding,
        )
    return name


# --- CSV ---------------------------------------------------------------------------------


def _open_csv(path: Path, codec: str | None) -> Source:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(UTF16_BOMS):
        raise FileProblem(
            gettext(
                "the file is UTF-16 text (Excel's 'Unicode text'): save it as CSV UTF-8 and "
                "import it again"
            )
        )
    start = 0
    if head.startswith(BOM):
        start, codec = len(BOM), None  # the byte order mark says UTF-8, whatever was asked
    end = _first_record_end(head, start)
    if end is None:
        raise FileProblem(gettext("the first row (the header) is missing or too long"), row=1)
    try:
        line = head[start:end].decode(codec or "utf-8")
    except UnicodeDecodeError as error:
        raise _undecodable(error, head[start:end], ",", 1, start, codec, None) from None
    if "\r" in line.rstrip("\r\n"):
        raise FileProblem(
            gettext(
                "the lines of the file end with a carriage return only (an old Mac format): "
                "save it as CSV UTF-8 and import it again"
            )
        )
    separator = _detect_separator(line)
    try:
        header = next(csv.reader(io.StringIO(line, newline=""), delimiter=separator), [])
    except csv.Error as error:
        raise FileProblem(
            gettext("the first row (the header) cannot be split into columns: %(error)s")
            % {"error": error}
        ) from None
    header = [name.strip() for name in header]
    if not any(header):
        raise FileProblem(gettext("the first row (the header) is empty"), row=1)
    return Source(
        path=path,
        header=header,
        format="csv",
        separator=separator,
        data_offset=end,
        encoding=codec,
    )


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
    offset = source.data_offset  # the file's byte where ``data`` starts
    last_line = b""  # of the rows read so far: what a whole row looks like
    with source.path.open("rb") as handle:
        handle.seek(source.data_offset)
        while True:
            block = handle.read(CHUNK_BYTES)
            data = carry + block
            if not block:
                cut = len(data)
            else:
                cut = _last_record_end(data)
                if cut == 0 and len(data) > MAX_RECORD_BYTES:
                    cut = _record_boundary(source, data, next_row)
                elif cut == 0:  # one record longer than a chunk: read on
                    carry = data
                    continue
            carry = data[cut:]
            if _NOT_BLANK.search(data, 0, cut):  # a search, not a stripped copy of 8 MB
                chunk = data[:cut]
                cut_off = None if block else _end_of_file(source, chunk, next_row, last_line)
                last_line = _last_line(chunk)
                frame = _parse_csv(chunk, source, names, next_row, offset)
                if cut_off and frame.height:
                    frame = _mark_last_row(frame, cut_off)
                next_row += frame.height
                yield frame
            offset += cut
            if not block:
                return


def _parse_csv(
    data: bytes, source: Source, names: list[str], first_row: int, offset: int
) -> pl.DataFrame:
    text = data
    if source.encoding:
        try:
            text = data.decode(source.encoding).encode("utf-8")
        except UnicodeDecodeError as error:
            raise _undecodable(
                error, data, source.separator, first_row, offset, source.encoding, source
            ) from None
    try:
        frame = pl.read_csv(
            text,
            has_header=False,
            schema=dict.fromkeys(names, pl.String),
            separator=source.separator,
            missing_columns="insert",
            quote_char='"',
            encoding="utf8",
        )
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(ROW_PROBLEM))
    except Exception:
        frame = _parse_csv_slowly(text, source, names, first_row, offset)
    return frame.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))


def _parse_csv_slowly(
    data: bytes, source: Source, names: list[str], first_row: int, offset: int
) -> pl.DataFrame:
    """Python's csv module, record by record, naming the rows polars could not split."""
    separator = source.separator
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _undecodable(error, data, separator, first_row, offset, None, source) from None
    columns: list[list[str | None]] = [[] for _ in names]
    problems: list[str | None] = []
    width = len(names)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                reason = gettext(
                    'a value of this row is longer than %(limit)s characters: is a quote (") '
                    "left open?"
                ) % {"limit": f"{csv.field_size_limit():,}"}
            else:
                reason = gettext(
                    'this row cannot be split into columns (%(error)s): is a quote (") left open?'
                ) % {"error": error}
            raise FileProblem(reason, row=first_row + len(problems)) from None
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


def _last_line(chunk: bytes) -> bytes:
    """The last line of ``chunk`` (a row, unless a quoted value holds a line break)."""
    end = len(chunk)
    while end and chunk[end - 1] in b"\r\n":  # not rstrip: that would copy 8 MB
        end -= 1
    return chunk[chunk.rfind(b"\n", 0, end) + 1 : end]


def _end_of_file(source: Source, chunk: bytes, first_row: int, last_line: bytes) -> str | None:
    """Check the file's last piece (``chunk``, from row ``first_row`` on, after ``last_line``)
    for a quote never closed (raised) or a last row cut off (why, for that row)."""
    separator = source.separator
    ends_line = chunk.rstrip(b" \t").endswith((b"\n", b"\r"))
    if ends_line and not chunk.count(b'"') % 2:
        return None  # the usual file: whole rows, quotes in pairs
    end = damage.place(chunk, len(chunk), separator)
    row = first_row + end.record
    if end.open_quote and ends_line:
        raise FileProblem(
            gettext(
                'a quote (") opens this value and is never closed: close it, or double a '
                'quote that is part of the text ("")'
            ),
            row=first_row + end.record,
            column=source.column(end.field),
        )
    if ends_line:
        return None
    last = _decoded(chunk[end.start :], source)
    found = damage.fields_in(last, separator)
    # A row cut off has fewer values than the row before it (files that leave out empty
    # trailing values do so on every row).
    if end.start:
        before = damage.place(chunk, end.start - 1, separator)
        expected = damage.fields_in(_decoded(chunk[before.start : end.start], source), separator)
    elif last_line:
        expected = damage.fields_in(_decoded(last_line, source), separator)
    else:
        expected = len(source.header)
    if not end.open_quote and found >= min(expected, len(source.header)):
        return None  # a whole last row, only without a line break after it
    return gettext(
        "the file seems cut off at row %(row)s: it ends in the middle of this row "
        "(%(found)s of %(expected)s values, no line break at the end)"
    ) % {"row": row, "found": found, "expected": len(source.header)}


def _decoded(data: bytes, source: Source) -> str:
    return data.decode(source.encoding or "utf-8", errors="replace")


def _mark_last_row(frame: pl.DataFrame, reason: str) -> pl.DataFrame:
    last = pl.int_range(pl.len()) == pl.len() - 1
    return frame.with_columns(
        pl.when(last).then(pl.lit(reason)).otherwise(pl.col(ROW_PROBLEM)).alias(ROW_PROBLEM)
    )


def _record_boundary(source: Source, data: bytes, first_row: int) -> int:
    """Where the last record of ``data`` starts, read as a CSV reader reads it: counting
    quotes is wrong when a quote stands inside a value (5" hinge). Raises FileProblem when
    a quote is never closed, or one row fills ``data``."""
    end = damage.place(data, len(data), source.separator)
    if end.open_quote:
        raise FileProblem(
            gettext(
                'a quote (") opens this value and is never closed: close it, or double a '
                'quote that is part of the text ("")'
            ),
            row=first_row + end.record,
            column=source.column(end.field),
        )
    if end.start == 0:
        raise FileProblem(
            gettext("this row is longer than %(size)s MB: is it a CSV file?")
            % {"size": MAX_RECORD_BYTES >> 20},
            row=first_row,
        )
    return end.start


def _undecodable(
    error: UnicodeDecodeError,
    data: bytes,
    separator: str,
    first_row: int,
    offset: int,
    codec: str | None,
    source: Source | None,
) -> FileProblem:
    """The first byte of ``data`` that ``codec`` cannot read, by row, column, byte and offset."""
    where = damage.place(data, error.start, separator)
    byte = data[error.start : error.start + 1]
    values = {"byte": f"0x{byte.hex().upper()}", "offset": f"{offset + error.start:,}"}
    if codec:
        reason = gettext(
            "not %(encoding)s text: byte %(byte)s at offset %(offset)s; give the file's real "
            "encoding"
        ) % {**values, "encoding": codec}
    else:
        reason = (
            gettext(
                "not UTF-8 text: byte %(byte)s at offset %(offset)s; save the file as CSV UTF-8, "
                "or give its encoding (--encoding, or Encoding on the upload page), e.g. cp1252"
            )
            % values
        )
    return FileProblem(
        reason,
        row=first_row + where.record,
        column=source.column(where.field) if source else "",
        value=values["byte"],
    )


# --- XLSX --------------------------------------------------------------------------------


def _open_xlsx(path: Path, sheet: str | None) -> Source:
    workbook = _workbook(path)
    try:
        worksheet = _worksheet(workbook, sheet)
        try:
            first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        except Exception as error:
            raise FileProblem(_damaged(error)) from None
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
        raise FileProblem(_damaged(error)) from None


def _damaged(error: Exception) -> str:
    """Why a workbook cannot be read, in words (openpyxl's own are about zip parts and XML)."""
    return gettext(
        "the file is not a readable Excel workbook (%(detail)s): open it in Excel and save it "
        "again as .xlsx, or save it as CSV UTF-8"
    ) % {"detail": _damage(error)}


def _damage(error: Exception) -> str:
    from zipfile import BadZipFile
    from zlib import error as ZlibError

    if isinstance(error, BadZipFile | ZlibError | EOFError):
        return gettext("it is not a zip archive, or it is cut off or damaged")
    if isinstance(error, KeyError):
        part = re.search(r"'([^']+)'", str(error))
        return gettext("a part of it is missing: %(part)s") % {
            "part": part.group(1) if part else str(error)
        }
    if isinstance(error, SyntaxError):  # xml.etree's ParseError
        return gettext("its XML is damaged")
    return str(error)[:200] or type(error).__name__


def _worksheet(workbook, sheet: str | None):
    if sheet is None:
        if not workbook.worksheets:
            raise FileProblem(gettext("the workbook has no sheet"))
        return workbook.worksheets[0]
    if sheet not in workbook.sheetnames:
        raise FileProblem(
            gettext("no sheet named %(sheet)s; the workbook has: %(sheets)s")
            % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)},
            column="sheet",
            value=sheet,
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
        number = 1
        values_of = worksheet.iter_rows(min_row=2, values_only=True)
        while True:
            try:
                values = next(values_of, None)
            except Exception as error:  # the sheet's XML is damaged from here on
                raise FileProblem(
                    gettext(
                        "the sheet cannot be read from this row on (%(detail)s): open the file "
                        "in Excel and save it again as .xlsx, or save it as CSV UTF-8"
                    )
                    % {"detail": _damage(error)},
                    row=number + 1,
                ) from None
            if values is None:
                break
            number += 1
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
