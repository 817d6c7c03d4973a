"""Products and their cost history: one row per product and cost date.

Products are upserted on their code; columns absent from the file leave the stored values as
they are. A unit cost is stored from its ``cost_valid_from`` date (without one: from
1900-01-01, i.e. for every date), upserted on (product, date); cost rows not in the file stay.
Costs apply to ledger lines imported afterwards: lines already stored keep their cost.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext

from kam.ledger.importing.kinds.base import Applied, Kind
from kam.ledger.importing.parse import when

ALWAYS = date(1900, 1, 1)


class ProductsKind(Kind):
    name = "products"
    columns = (
        ("code", "text"),
        ("name", "text"),
        ("base_unit", "text"),
        ("unit_cost", "decimal4"),
        ("cost_currency", "text"),
        ("cost_valid_from", "date"),
    )

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        has_cost = pl.col("unit_cost").is_not_null()
        p = self.add_reason(
            p,
            "cost_valid_from",
            when(
                ~has_cost & pl.col("cost_valid_from").is_not_null(),
                pl.lit(gettext("a cost date without a unit cost")),
            ),
        )
        return p.with_columns(
            pl.when(has_cost)
            .then(pl.col("cost_currency").fill_null(self.reporting_currency))
            .alias("cost_currency"),
            pl.when(has_cost)
            .then(pl.col("cost_valid_from").fill_null(ALWAYS))
            .alias("cost_valid_from"),
        )

    def check(self) -> None:
        self.check_duplicates(("code", "cost_valid_from"), where="unit_cost IS NOT NULL")
        self._check_agreement()

    def _check_agreement(self) -> None:
        """The rows of one product (one per cost date) must agree on its name and unit."""
        rows = self.staging.fetchall(
            f"SELECT s.row, s.code, s.name, s.base_unit, f.row, f.name, f.base_unit "  # noqa: S608
            f"FROM {self.table} s JOIN ("
            f"  SELECT code, MIN(row) AS first_row FROM {self.table} GROUP BY code "
            f"  HAVING MIN(name) <> MAX(name) OR MIN(base_unit) <> MAX(base_unit)"
            f") d ON d.code = s.code JOIN {self.table} f ON f.row = d.first_row "
            f"WHERE s.row <> f.row ORDER BY s.row"
        )
        refused = []
        for row, code, name, unit, first, first_name, first_unit in rows:
            field, value = ("name", name) if name != first_name else ("base_unit", unit)
            if name == first_name and unit == first_unit:
                continue
            reason = gettext(
                "product %(code)s: %(field)s differs from row %(first)s (the rows of one "
                "product must agree)"
            ) % {"code": code, "field": field, "first": first}
            refused.append((row, field, value or "", reason))
        self.refuse_rows(refused)

    def apply(self) -> Applied:
        """Counts products: new ones, and stored ones whose fields or costs changed."""
        s, rows = self.staging, self.table
        now = timezone.now()
        products = s.create_as(
            "products",
            f"SELECT code, MIN(name) AS name, MIN(base_unit) AS base_unit, "  # noqa: S608
            f"CAST(NULL AS BIGINT) AS product_id, 0 AS changed FROM {rows} GROUP BY code",
        )
        s.execute(
            f"UPDATE {products} SET product_id = p.id FROM ledger_product p "  # noqa: S608
            f"WHERE p.code = {products}.code"
        )
        present = [c for c in ("name", "base_unit") if self.plan.has(c)]
        if present:
            differs = " OR ".join(f"p.{c} <> {products}.{c}" for c in present)
            s.execute(
                f"UPDATE {products} SET changed = 1 FROM ledger_product p "  # noqa: S608
                f"WHERE p.id = {products}.product_id AND ({differs})"
            )
            sets = ", ".join(f"{c} = v.{c}" for c in present)
            s.execute(
                f"UPDATE ledger_product SET {sets}, updated_at = %s FROM {products} v "  # noqa: S608
                f"WHERE v.product_id = ledger_product.id AND v.changed = 1",
                [now],
            )
        created = s.execute(
            f"INSERT INTO ledger_product (code, name, base_unit, created_at, updated_at) "  # noqa: S608
            f"SELECT code, name, base_unit, %s, %s FROM {products} WHERE product_id IS NULL",
            [now, now],
        )
        costs = s.create_as(
            "costs",
            f"SELECT p.id AS product_id, s.code, s.cost_valid_from, s.unit_cost, "  # noqa: S608
            f"s.cost_currency, c.id AS cost_id FROM {rows} s "
            f"JOIN ledger_product p ON p.code = s.code "
            f"LEFT JOIN ledger_productcost c ON c.product_id = p.id "
            f"AND c.valid_from = s.cost_valid_from "
            f"WHERE s.unit_cost IS NOT NULL AND (c.id IS NULL OR c.unit_cost <> s.unit_cost "
            f"OR c.currency <> s.cost_currency)",
        )
        s.execute(
            f"UPDATE {products} SET changed = 1 WHERE product_id IS NOT NULL "  # noqa: S608
            f"AND code IN (SELECT code FROM {costs})"
        )
        s.execute(
            f"INSERT INTO ledger_productcost (product_id, valid_from, unit_cost, currency) "  # noqa: S608
            f"SELECT product_id, cost_valid_from, unit_cost, cost_currency FROM {costs} "
            f"WHERE cost_id IS NULL"
        )
        s.execute(
            f"UPDATE ledger_productcost SET unit_cost = c.unit_cost, currency = c.cost_currency "  # noqa: S608
            f"FROM {costs} c WHERE ledger_productcost.id = c.cost_id"
        )
        (updated,) = s.fetchall(f"SELECT COUNT(*) FROM {products} WHERE changed = 1")[0]  # noqa: S608
        return Applied(created=created, updated=updated)
