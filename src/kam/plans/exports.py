"""The programme's plans as CSV or XLSX, safe to open in a spreadsheet: a cell that a
spreadsheet would read as a formula is prefixed with a quote (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kam.core.versions import display_name
from kam.plans.programme import Row

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Customer number"),
        _("Account"),
        _("Key account manager"),
        _("Tier"),
        _("Period"),
        _("State"),
        _("Waiting for"),
        _("Status"),
        _("Why"),
        _("Actions"),
        _("Done"),
        _("Late"),
        _("Blocked"),
        _("Quality"),
        _("Missing"),
        _("Last mentor review"),
        _("Next review due"),
        _("Review overdue"),
    ]


def cells(rows: Iterable[Row]) -> Iterable[list]:
    for r in rows:
        plan, account = r.plan, r.plan.account
        yield [
            account.code,
            account.name,
            display_name(account.owner) if account.owner_id else "",
            r.tier,
            plan.period.name,
            plan.get_state_display(),
            ", ".join(display_name(u) for u in r.waiting_for),
            r.status_label,
            r.status_reason,
            r.total,
            r.done,
            r.late,
            r.blocked,
            r.quality,
            " | ".join(r.missing),
            r.last_review,
            r.next_review,
            _("yes") if r.review_overdue else _("no"),
        ]


def to_csv(rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for row in cells(rows):
        writer.writerow([neutralise("" if v is None else v) for v in row])
    # UTF-8 with a BOM, so spreadsheet programs show Chinese names correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[Row]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Account plans"))
    sheet.append(header())
    for row in cells(rows):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
