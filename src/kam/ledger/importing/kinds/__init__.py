"""The kinds of file kam imports, by name."""

from __future__ import annotations

from kam.ledger.importing.kinds.accounts import AccountsKind
from kam.ledger.importing.kinds.base import Kind
from kam.ledger.importing.kinds.ledger import LedgerKind
from kam.ledger.importing.kinds.payments import PaymentsKind
from kam.ledger.importing.kinds.products import ProductsKind
from kam.ledger.importing.kinds.rates import RatesKind
from kam.ledger.importing.kinds.units import UnitsKind

KINDS: dict[str, type[Kind]] = {
    "accounts": AccountsKind,
    "products": ProductsKind,
    "ledger": LedgerKind,
    "payments": PaymentsKind,
    "rates": RatesKind,
    "units": UnitsKind,
}
