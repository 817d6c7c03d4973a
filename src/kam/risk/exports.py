"""Tables of the risk and tactics pages as CSV or XLSX, safe to open in a spreadsheet: every
cell goes through kam.selection.exports.neutralise (a cell a spreadsheet would read as a
formula is prefixed with a quote)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import Http404, HttpResponse

from kam.selection.exports import neutralise

FORMATS = ("csv", "xlsx")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, (int, float, str)):
        return str(value)
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([neutralise(_cell(v)) for v in row])
    # UTF-8 with a BOM, so spreadsheet programs show Chinese names correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title)[:31])
    sheet.append([neutralise(str(h)) for h in header])
    for row in rows:
        sheet.append([neutralise(_cell(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def response(
    fmt: str, *, filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """The table as a download in ``fmt`` (csv or xlsx); another format: 404."""
    if fmt == "csv":
        answer = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        answer = HttpResponse(
            to_xlsx(title, header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    answer["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return answer
