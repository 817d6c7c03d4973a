"""Unit conversions: how many base units one unit holds, for one product or (no product
code) for every product without its own. Upserted on (product, unit); units are matched
case-insensitively by the ledger import, and apply to lines imported afterwards."""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing import lookups
from kam.ledger.importing.kinds.base import Applied, Kind


class UnitsKind(Kind):
    name = "units"
    columns = (
        ("product_id", "int"),
        ("unit", "text"),
        ("unit_key", "text"),
        ("factor", "decimal6"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.products = lookups.products().drop("base_unit")

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        p = self.resolve(
            p,
            self.products,
            code="product_code",
            found="product_id",
            message=gettext("unknown product code %(value)s: import the product first"),
        )
        # The product id -1 stands for "every product", so the key has no null in it.
        return p.with_columns(
            pl.col("unit").str.to_lowercase().alias("unit_key"),
            pl.col("product_id").fill_null(-1),
        )

    def check(self) -> None:
        self.check_duplicates(("product_id", "unit_key"))

    def apply(self) -> Applied:
        s, rows = self.staging, self.table
        same = (
            "(c.product_id = s.product_id OR (c.product_id IS NULL AND s.product_id = -1)) "
            "AND lower(c.unit) = s.unit_key"
        )
        updated = s.execute(
            f"UPDATE ledger_unitconversion SET factor = s.factor, unit = s.unit FROM {rows} s "  # noqa: S608
            f"WHERE {same.replace('c.', 'ledger_unitconversion.')} "
            f"AND (ledger_unitconversion.factor <> s.factor "
            f"OR ledger_unitconversion.unit <> s.unit)"
        )
        created = s.execute(
            f"INSERT INTO ledger_unitconversion (product_id, unit, factor) "  # noqa: S608
            f"SELECT CASE WHEN s.product_id = -1 THEN NULL ELSE s.product_id END, s.unit, s.factor "
            f"FROM {rows} s WHERE NOT EXISTS (SELECT 1 FROM ledger_unitconversion c WHERE {same})"
        )
        return Applied(created=created, updated=updated)
