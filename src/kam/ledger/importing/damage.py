"""Where a damaged CSV goes wrong: the row and column of a bad byte, of a quote never closed,
of a row cut off by the end of the file.

Only called once something is known to be wrong (an odd number of quotes at the end of the
file, a byte that does not decode, no line break at the end): it walks the quotes, separators
and line breaks in Python, as a CSV reader does, which would be too slow for every batch.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A position in a piece of CSV that starts at a record boundary."""

    record: int  # records before it (0: the piece's first record)
    field: int  # its field in that record (0: the first)
    open_quote: bool = False  # inside a quoted value
    start: int = 0  # the byte where its record starts


def place(data: bytes, position: int, separator: str) -> Place:
    """The record and field of byte ``position`` of ``data``; ``open_quote`` tells whether
    the position lies inside a quoted value (for the end of ``data``: a quote never closed)."""
    tokens = re.compile(b'["\n' + re.escape(separator.encode()) + b"]")
    record = field = 0
    field_start = start = 0
    quoted = False
    skip = -1  # the second quote of a doubled one ("") inside a quoted value
    for match in tokens.finditer(data, 0, position):
        at = match.start()
        if at == skip:
            continue
        char = data[at : at + 1]
        if quoted:
            if char == b'"':
                if data[at + 1 : at + 2] == b'"':
                    skip = at + 1
                else:
                    quoted = False
            continue
        if char == b'"':
            # A quote opens a value only at its start (spaces before it allowed); elsewhere it
            # is text, as Excel and Python's csv module read it.
            quoted = not data[field_start:at].strip()
        elif char == b"\n":
            record, field, field_start, start = record + 1, 0, at + 1, at + 1
        else:
            field, field_start = field + 1, at + 1
    return Place(record=record, field=field, open_quote=quoted, start=start)


def fields_in(text: str, separator: str) -> int:
    """How many values the one record ``text`` holds (a quote left open ends it)."""
    try:
        record = next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), [])
    except csv.Error:
        return 0
    return len(record)
