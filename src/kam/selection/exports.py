"""The key-account list as CSV or XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kam.selection import explain

# A cell a spreadsheet would read as a formula (CSV injection): prefixed with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Rank"),
        _("Customer number"),
        _("Account"),
        _("Country"),
        _("Key account manager"),
        _("Score"),
        _("Tier"),
        _("Sales volume"),
        _("Gross margin %"),
        _("Growth trend %"),
        _("Share of our sales %"),
        _("Average days late"),
        _("Flags"),
        _("Why"),
    ]


def rows(scores: Iterable) -> Iterable[list]:
    for s in scores:
        account = s.account
        yield [
            s.rank,
            account.code,
            account.name,
            account.country.code,
            str(account.owner) if account.owner_id else "",
            s.score,
            s.tier_name,
            s.revenue,
            s.margin_pct,
            s.revenue_trend_pct,
            s.sales_share_pct,
            s.avg_days_late,
            " | ".join(
                f"{explain.flag_title(f['code'])}: {explain.flag_reason(f)}" for f in s.flags
            ),
            explain.why(s.contributions),
        ]


def to_csv(scores: Iterable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for row in rows(scores):
        writer.writerow([neutralise(v) for v in row])
    # UTF-8 with a BOM, so spreadsheet programs show Chinese names correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(scores: Iterable) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Key accounts"))
    sheet.append(header())
    for row in rows(scores):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
