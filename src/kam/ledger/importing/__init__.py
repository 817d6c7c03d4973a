"""Import accounts, products, ledger lines, payments, exchange rates and unit conversions
from CSV or XLSX files: checked whole, applied all or nothing, idempotent.

See docs/import-formats.md for the columns of each kind of file.
"""

from __future__ import annotations

from kam.ledger.importing.engine import import_file
from kam.ledger.importing.formats import FIELDS
from kam.ledger.importing.result import ImportRefused, ImportResult, RowError

KINDS = tuple(FIELDS)

__all__ = ["KINDS", "ImportRefused", "ImportResult", "RowError", "import_file"]
