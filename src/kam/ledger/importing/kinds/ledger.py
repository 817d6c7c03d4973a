"""Sales lines: invoices are derived from them, and an invoice is applied whole or not at all.

Per row (polars, per batch): account and product looked up; the unit converted to the
product's base unit; net revenue from the amount or quantity x unit price; cost from the
amount, from revenue - gross profit, or from the product's unit cost on the issue date; the
line's currency must have a rate for its month. Across rows (SQL, after staging): the lines of
one invoice agree on account, dates, currency and status, and no line number is repeated.

Apply (SQL, one transaction): new invoices are inserted with their lines; an invoice already
stored is compared with the file, which is the truth for it: changed lines are updated, new
ones inserted, lines missing from the file deleted. Unchanged invoices are not touched.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing import formats, lookups
from kam.ledger.importing.credits import CreditNotes
from kam.ledger.importing.kinds.base import Applied, Kind
from kam.ledger.importing.parse import render, when
from kam.ledger.importing.reader import ROW

D10 = pl.Decimal(38, 10)
D18 = pl.Decimal(38, 18)

LINE_COLUMNS = (
    ("invoice_number", "text"),
    ("line_number", "int"),
    ("issue_date", "date"),
    ("due_date", "date"),
    ("account_id", "int"),
    ("currency", "text"),
    ("cancelled", "int"),
    ("product_id", "int"),
    ("quantity", "decimal4"),
    ("unit", "text"),
    ("base_quantity", "decimal4"),
    ("net_revenue", "decimal2"),
    ("cost", "decimal2"),
    ("discount", "decimal2"),
    ("rebate", "decimal2"),
)
# The stored line's columns that an import may change, compared to find changed lines (its
# account, date, currency and status are its invoice's, compared with the invoice).
COMPARED = (
    "product_id",
    "quantity",
    "unit",
    "base_quantity",
    "net_revenue",
    "cost",
    "discount",
    "rebate",
)
HEADER = ("account_id", "issue_date", "due_date", "currency", "cancelled")
# A stored line's columns, and the staged values for them after its invoice's id.
LINE_INSERT = (
    "invoice_id, line_number, product_id, quantity, unit, base_quantity, net_revenue, cost, "
    "discount, rebate"
)
LINE_VALUES = (
    "l.line_number, l.product_id, l.quantity, l.unit, l.base_quantity, l.net_revenue, l.cost, "
    "l.discount, l.rebate"
)
# PostgreSQL: an import adding at least this many lines, and at least a third of the lines
# already stored, drops the plain indexes (not the constraints) of the invoice and line tables
# and builds them again after the insert (see Staging.without_indexes). Smaller imports keep
# them: they would otherwise lock the tables against readers for the length of the import.
REBUILD_MIN_LINES = 200_000
REBUILD_SHARE = 1 / 3


def _round(expr: pl.Expr, places: int) -> pl.Expr:
    """Round half away from zero, as invoices do, to a decimal of ``places``."""
    return expr.round(places, mode="half_away_from_zero").cast(pl.Decimal(38, places))


class LedgerKind(Kind):
    name = "ledger"
    refreshes_rollups = True
    columns = LINE_COLUMNS

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.accounts = lookups.accounts()
        self.products = lookups.products()
        self.costs = lookups.costs()
        self.specific_units, self.general_units = lookups.conversions()
        self.rates = lookups.rates()
        self.missing_rates: set[tuple[str, str]] = set()
        prefix = self.options.credit_prefix
        self.credits = CreditNotes(prefix) if prefix is not None else None
        self.bad_invoices = self.staging.create(
            "bad_invoices", [("number", "text"), ("row", "int")]
        )

    # --- per batch ---------------------------------------------------------------------------

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        p = p.with_columns(pl.col("issue_date").dt.month_start().alias("month"))
        p = self.resolve(
            p,
            self.accounts,
            code="account_code",
            found="account_id",
            message=gettext("unknown account code %(value)s: import the account first"),
        )
        p = self.resolve(
            p,
            self.products,
            code="product_code",
            found="product_id",
            message=gettext("unknown product code %(value)s: import the product first"),
        )
        p = self._units(p)
        p = self._revenue(p)
        p = self._cost(p)
        p = self._within_limits(p)
        p = self._rate_check(p)
        p = self.add_reason_where(
            p,
            "due_date",
            pl.col("due_date") < pl.col("issue_date"),
            render(
                gettext("the due date %(value)s is before the issue date"),
                value=pl.col("due_date").cast(pl.String),
            ),
        )
        if self.credits is not None:
            self.credits.note(p)
        return p.with_columns(
            (pl.col("status") == "cancelled").cast(pl.Int8).alias("cancelled"),
            pl.col("unit").fill_null(""),
        )

    def _units(self, p: pl.DataFrame) -> pl.DataFrame:
        p = p.with_columns(pl.col("unit").str.to_lowercase().alias("unit_key"))
        p = p.join(
            self.specific_units.rename({"factor": "factor_product"}),
            on=["product_id", "unit_key"],
            how="left",
            maintain_order="left",
        ).join(
            self.general_units.rename({"factor": "factor_any"}),
            on="unit_key",
            how="left",
            maintain_order="left",
        )
        is_base = pl.col("unit_key").is_null() | (pl.col("unit_key") == pl.col("base_unit"))
        factor = (
            pl.when(is_base)
            .then(pl.lit(1).cast(pl.Decimal(38, 6)))
            .otherwise(pl.coalesce("factor_product", "factor_any"))
        )
        p = p.with_columns(factor.alias("factor"))
        p = self.add_reason_where(
            p,
            "unit",
            pl.col("factor").is_null(),
            render(
                gettext("unknown unit %(unit)s for product %(product)s: add a unit conversion"),
                unit=pl.col("unit"),
                product=pl.col("product_code"),
            ),
        )
        base = pl.col("quantity").cast(D10) * pl.col("factor").cast(D10)
        return p.with_columns(_round(base, 4).alias("base_quantity"))

    def _revenue(self, p: pl.DataFrame) -> pl.DataFrame:
        # A negative price is what a credit line (negative quantity) is, written the way some
        # ERPs do: its sign comes from the quantity, so -2 x -5.00 is a credit of -10.00, not
        # a sale. On any other line it is a mistake (a discount, a sign lost), never silent.
        price = pl.col("unit_price").cast(D10)
        negative = pl.col("unit_price") < 0
        credit = pl.col("quantity") < 0
        price = pl.when(negative & credit).then(-price).otherwise(price)
        from_price = _round(pl.col("quantity").cast(D10) * price, 2)
        p = self.add_reason_where(
            p,
            "unit_price",
            negative & ~credit,
            render(
                gettext(
                    "a negative unit price on a line that is not a credit: %(value)s (a credit "
                    "line has a negative quantity; a discount goes in discount)"
                ),
                value=pl.col("unit_price").cast(pl.String),
            ),
        )
        p = p.with_columns(pl.coalesce("net_revenue", from_price).alias("net_revenue"))
        field = "net_revenue" if self.plan.has("net_revenue") else "unit_price"
        return self.add_reason(
            p,
            field,
            when(
                pl.col("net_revenue").is_null() & pl.col("quantity").is_not_null(),
                pl.lit(gettext("no net revenue: give net_revenue, or unit_price")),
            ),
        )

    def _within_limits(self, p: pl.DataFrame) -> pl.DataFrame:
        """Amounts computed from others (revenue from a price, cost from a gross profit, base
        units from a conversion) must fit their columns, as a given one must (see
        formats.NUMBERS): the row is refused, on the field it was computed from."""
        limits = (
            ("net_revenue", "money", "net_revenue", "unit_price"),
            ("cost", "money", "cost", "gross_profit"),
            ("base_quantity", "quantity", "quantity", "quantity"),
        )
        for name, kind, given, other in limits:
            places, digits = formats.NUMBERS[kind]
            limit = pl.lit(10 ** (digits - places)).cast(pl.Decimal(38, 0))
            p = self.add_reason_where(
                p,
                given if self.plan.has(given) or not self.plan.has(other) else other,
                pl.col(name).abs() >= limit,
                render(
                    gettext("too large a number: %(value)s"), value=pl.col(name).cast(pl.String)
                ),
            )
        return p

    def _cost(self, p: pl.DataFrame) -> pl.DataFrame:
        """Cost given, or revenue - gross profit, or the product's unit cost on the issue date
        (converted to the line's currency with the rates of the issue month)."""
        p = p.with_columns(
            pl.coalesce("cost", pl.col("net_revenue") - pl.col("gross_profit")).alias("cost")
        )
        needs = (
            pl.col("cost").is_null()
            & pl.col("product_id").is_not_null()
            & pl.col("issue_date").is_not_null()
        )
        if not self.costs.is_empty() and p.select(needs.any()).item():
            p = self._product_cost(p)
        else:
            p = p.with_columns(
                pl.lit(None, dtype=pl.Decimal(38, 2)).alias("product_cost"),
                pl.lit(None, dtype=pl.String).alias("product_cost_problem"),
            )
        p = p.with_columns(pl.coalesce("cost", "product_cost").alias("cost"))
        no_cost = render(
            gettext(
                "no cost for product %(product)s on %(date)s: give cost or gross_profit, "
                "or import the product's unit cost"
            ),
            product=pl.col("product_code"),
            date=pl.col("issue_date").cast(pl.String),
        )
        reason = (
            # No second complaint about the cost of a line whose revenue or units are refused.
            pl.when(
                pl.col("cost").is_not_null()
                | pl.col("net_revenue").is_null()
                | pl.col("base_quantity").is_null()
            )
            .then(pl.lit(None, dtype=pl.String))
            .when(pl.col("product_cost_problem").is_not_null())
            .then(pl.col("product_cost_problem"))
            .when(pl.col("product_id").is_null() & pl.col("issue_date").is_not_null())
            .then(pl.lit(gettext("no cost: give cost or gross_profit (the line has no product)")))
            .when(pl.col("issue_date").is_not_null())
            .then(no_cost)
        )
        field = (
            "cost" if self.plan.has("cost") or not self.plan.has("gross_profit") else "gross_profit"
        )
        if self.options.cost_unknown:
            return p  # asked for: a line with no cost has its cost unknown (NULL), not refused
        # Only a line with revenue and units but no cost gets a reason (the first branch).
        uncosted = (
            pl.col("cost").is_null()
            & pl.col("net_revenue").is_not_null()
            & pl.col("base_quantity").is_not_null()
        )
        return self.add_reason_where(p, field, uncosted, reason)

    def _product_cost(self, p: pl.DataFrame) -> pl.DataFrame:
        p = p.with_columns(pl.col("issue_date").fill_null(date(1900, 1, 1)).alias("_on")).sort(
            "_on"
        )
        p = p.join_asof(
            self.costs,
            left_on="_on",
            right_on="cost_from",
            by="product_id",
            strategy="backward",
            check_sortedness=False,  # both sides are sorted just above
        )
        p = p.join(
            self.rates.rename({"currency": "cost_currency", "rate": "rate_from"}),
            on=["cost_currency", "month"],
            how="left",
        ).join(self.rates.rename({"rate": "rate_to"}), on=["currency", "month"], how="left")
        reporting = pl.lit(self.reporting_currency)
        one = pl.lit(1).cast(D10)
        same = pl.col("cost_currency") == pl.col("currency")
        rate_from = (
            pl.when(same | (pl.col("cost_currency") == reporting)).then(one).otherwise("rate_from")
        )
        rate_to = pl.when(same | (pl.col("currency") == reporting)).then(one).otherwise("rate_to")
        amount = pl.col("base_quantity").cast(D18) * pl.col("product_unit_cost").cast(D18)
        converted = amount * rate_from.cast(D18) / rate_to.cast(D18)
        missing_currency = pl.when(rate_from.is_null()).then("cost_currency").otherwise("currency")
        problem = when(
            pl.col("product_unit_cost").is_not_null() & (rate_from.is_null() | rate_to.is_null()),
            render(
                gettext(
                    "no exchange rate for %(currency)s in %(month)s to convert the product cost: "
                    "import rates first"
                ),
                currency=missing_currency,
                month=pl.col("month").dt.strftime("%Y-%m"),
            ),
        )
        p = p.with_columns(
            _round(converted, 2).alias("product_cost"), problem.alias("product_cost_problem")
        )
        # Back to file order: the errors and the staged rows follow the rows.
        return p.sort(ROW)

    def _rate_check(self, p: pl.DataFrame) -> pl.DataFrame:
        needed = pl.col("currency").is_not_null() & (pl.col("currency") != self.reporting_currency)
        p = p.join(
            self.rates.rename({"rate": "line_rate"}),
            on=["currency", "month"],
            how="left",
            maintain_order="left",
        )
        missing = needed & pl.col("month").is_not_null() & pl.col("line_rate").is_null()
        pairs = p.filter(missing).select("currency", pl.col("month").dt.strftime("%Y-%m")).unique()
        self.missing_rates.update(pairs.iter_rows())
        return self.add_reason_where(
            p,
            "currency",
            missing,
            render(
                gettext("no exchange rate for %(currency)s in %(month)s: import rates first"),
                currency=pl.col("currency"),
                month=pl.col("month").dt.strftime("%Y-%m"),
            ),
        )

    def note_bad(self, bad: pl.DataFrame) -> None:
        # With skip_bad the other lines of an invoice with a bad line are held back too.
        if self.skip_bad:
            numbers = bad.filter(pl.col("invoice_number").is_not_null())
            self.staging.write(
                self.bad_invoices,
                numbers.select(pl.col("invoice_number").alias("number"), pl.col(ROW).alias("row")),
            )

    # --- after staging -----------------------------------------------------------------------

    def check(self) -> None:
        s = self.staging
        s.analyze(self.table)
        self.invoices = s.create(
            "invoices",
            [
                ("number", "text"),
                ("first_row", "int"),
                ("account_id", "int"),
                ("issue_date", "date"),
                ("due_date", "date"),
                ("currency", "text"),
                ("cancelled", "int"),
                ("total", "decimal2"),
                ("conflict", "int"),
                ("invoice_id", "int"),
                ("old_account_id", "int"),
                ("existed", "int"),
                ("changed", "int"),
                ("header_changed", "int"),
            ],
        )
        differs = " OR ".join(
            f"MIN({c}) <> MAX({c})" for c in ("account_id", "issue_date", "currency", "cancelled")
        )
        total = "SUM(net_revenue)"  # exact on both: SQLite adds whole cents
        s.execute(
            f"INSERT INTO {self.invoices} (number, first_row, account_id, issue_date, due_date, "  # noqa: S608
            f"currency, cancelled, total, conflict, existed, changed) "
            f"SELECT invoice_number, MIN(row), MIN(account_id), MIN(issue_date), MIN(due_date), "
            f"MIN(currency), MIN(cancelled), {total}, "
            f"CASE WHEN {differs} OR MIN(due_date) <> MAX(due_date) "
            f"OR (COUNT(due_date) > 0 AND COUNT(due_date) < COUNT(*)) THEN 1 ELSE 0 END, 0, 0 "
            f"FROM {self.table} GROUP BY invoice_number"
        )
        s.analyze(self.invoices)
        self._check_agreement()
        self.check_duplicates(("invoice_number", "line_number"))

    def _check_agreement(self) -> None:
        """Refuse the lines that disagree with their invoice's first line."""
        s = self.staging
        rows = s.fetchall(
            f"SELECT l.row, l.invoice_number, i.first_row, "  # noqa: S608
            f"la.code, fa.code, l.issue_date, f.issue_date, l.due_date, f.due_date, "
            f"l.currency, f.currency, l.cancelled, f.cancelled "
            f"FROM {self.invoices} i "
            f"JOIN {self.table} l ON l.invoice_number = i.number "
            f"JOIN {self.table} f ON f.row = i.first_row "
            f"JOIN accounts_account la ON la.id = l.account_id "
            f"JOIN accounts_account fa ON fa.id = f.account_id "
            f"WHERE i.conflict = 1 AND l.row <> i.first_row ORDER BY l.row"
        )
        refused = []
        for row, number, first, *pairs in rows:
            fields = ("account_code", "issue_date", "due_date", "currency", "status")
            for name, mine, theirs in zip(fields, pairs[0::2], pairs[1::2], strict=True):
                if str(mine) != str(theirs):
                    value = ("cancelled" if mine else "issued") if name == "status" else mine
                    reason = gettext(
                        "invoice %(invoice)s: %(field)s differs from row %(first)s, the "
                        "invoice's first line (every line of an invoice must agree)"
                    ) % {"invoice": number, "field": name, "first": first}
                    refused.append((row, name, "" if value is None else str(value), reason))
                    break
        self.refuse_rows(refused)

    def hold_back(self) -> None:
        """Take out whole invoices that have a refused line, telling why for each other line."""
        s = self.staging
        s.execute(
            f"INSERT INTO {self.bad_invoices} (number, row) "  # noqa: S608
            f"SELECT t.invoice_number, t.row FROM {self.table} t "
            f"WHERE t.row IN (SELECT row FROM {self.bad})"
        )
        held = s.create_as(
            "held",
            f"SELECT number, MIN(row) AS first_bad FROM {self.bad_invoices} GROUP BY number",  # noqa: S608
        )
        for rows in s.iterate(
            f"SELECT t.row, t.invoice_number, h.first_bad FROM {self.table} t "  # noqa: S608
            f"JOIN {held} h ON h.number = t.invoice_number "
            f"WHERE t.row NOT IN (SELECT row FROM {self.bad}) ORDER BY t.row"
        ):
            self.sink.add_rows(
                [
                    (
                        row,
                        self.plan.label("invoice_number"),
                        number,
                        gettext(
                            "held back: row %(row)s of invoice %(invoice)s was refused, and an "
                            "invoice is imported whole or not at all"
                        )
                        % {"row": first_bad, "invoice": number},
                    )
                    for row, number, first_bad in rows
                ]
            )
        s.execute(f"DELETE FROM {self.table} WHERE invoice_number IN (SELECT number FROM {held})")  # noqa: S608
        s.execute(f"DELETE FROM {self.invoices} WHERE number IN (SELECT number FROM {held})")  # noqa: S608

    # --- apply -------------------------------------------------------------------------------

    def apply(self) -> Applied:
        s, inv, rows = self.staging, self.invoices, self.table
        status = "CASE WHEN v.cancelled = 1 THEN 'cancelled' ELSE 'issued' END"
        # What the invoice's lines share (a change there changes every line), and its total.
        header_differs = " OR ".join(
            [
                f"i.account_id <> {inv}.account_id",
                f"i.issue_date <> {inv}.issue_date",
                s.distinct("i.due_date", f"{inv}.due_date"),
                f"i.currency <> {inv}.currency",
                f"i.status <> {status.replace('v.', inv + '.')}",
            ]
        )
        total_differs = f"i.total <> {inv}.total"
        existing = s.execute(
            f"UPDATE {inv} SET invoice_id = i.id, old_account_id = i.account_id, existed = 1, "  # noqa: S608
            f"changed = CASE WHEN {header_differs} OR {total_differs} THEN 1 ELSE 0 END, "
            f"header_changed = CASE WHEN {header_differs} THEN 1 ELSE 0 END "
            f"FROM ledger_invoice i WHERE i.number = {inv}.number"
        )
        created = updated = deleted = 0
        if existing:
            self._mark_changed_lines()
            updated, inserted, deleted = self._apply_to_existing(status)
            created += inserted
        restore = []
        if self.large(s.fetchall(f"SELECT COUNT(*) FROM {rows}")[0][0]):  # noqa: S608
            s.execute("SET LOCAL maintenance_work_mem = '512MB'")
            restore = s.without_indexes("ledger_invoice") + s.without_indexes("ledger_invoiceline")
        s.execute(
            f"INSERT INTO ledger_invoice (number, account_id, issue_date, due_date, currency, "  # noqa: S608
            f"status, total) SELECT v.number, v.account_id, v.issue_date, v.due_date, v.currency, "
            f"{status}, v.total FROM {inv} v WHERE v.existed = 0"
        )
        s.execute(
            f"UPDATE {inv} SET invoice_id = i.id FROM ledger_invoice i "  # noqa: S608
            f"WHERE {inv}.existed = 0 AND i.number = {inv}.number"
        )
        created += s.execute(
            f"INSERT INTO ledger_invoiceline ({LINE_INSERT}) "  # noqa: S608
            f"SELECT v.invoice_id, {LINE_VALUES} "
            f"FROM {rows} l JOIN {inv} v ON v.number = l.invoice_number WHERE v.existed = 0"
        )
        s.restore_indexes(restore)
        touched = s.fetchall(
            f"SELECT account_id FROM {inv} WHERE existed = 0 OR changed = 1 "  # noqa: S608
            f"UNION SELECT old_account_id FROM {inv} WHERE changed = 1"
        )
        return Applied(
            created=created,
            updated=updated,
            deleted=deleted,
            touched_account_ids=sorted(pk for (pk,) in touched if pk is not None),
        )

    def large(self, lines: int) -> bool:
        """Is this import big enough, against the stored lines, to rebuild the indexes?"""
        if not self.staging.postgres or lines < REBUILD_MIN_LINES:
            return False
        # The planner's estimate: counting ten million rows would cost more than it saves.
        ((tuples, pages),) = self.staging.fetchall(
            "SELECT reltuples, relpages FROM pg_class WHERE oid = 'ledger_invoiceline'::regclass"
        )
        stored = tuples if tuples >= 0 else pages * 60
        return lines >= stored * REBUILD_SHARE

    def _line_differs(self, line: str, staged: str) -> str:
        s = self.staging
        return " OR ".join(s.distinct(f"{line}.{c}", f"{staged}.{c}") for c in COMPARED)

    def _mark_changed_lines(self) -> None:
        """Mark stored invoices whose lines differ from the file's (changed, new or gone)."""
        s, inv, rows = self.staging, self.invoices, self.table
        changed = s.create_as(
            "changed",
            f"SELECT l.invoice_number AS number FROM {rows} l "  # noqa: S608
            f"JOIN {inv} v ON v.number = l.invoice_number AND v.existed = 1 "
            f"LEFT JOIN ledger_invoiceline o ON o.invoice_id = v.invoice_id "
            f"AND o.line_number = l.line_number "
            f"WHERE o.invoice_id IS NULL OR {self._line_differs('o', 'l')} "
            f"UNION SELECT v.number FROM ledger_invoiceline o "
            f"JOIN {inv} v ON v.invoice_id = o.invoice_id AND v.existed = 1 "
            f"LEFT JOIN {rows} l ON l.invoice_number = v.number AND l.line_number = o.line_number "
            f"WHERE l.row IS NULL",
        )
        s.execute(f"UPDATE {inv} SET changed = 1 WHERE number IN (SELECT number FROM {changed})")  # noqa: S608

    def _apply_to_existing(self, status: str) -> tuple[int, int, int]:
        """Bring the stored invoices the file changes in line with it: (updated, inserted,
        deleted) lines."""
        s, inv, rows = self.staging, self.invoices, self.table
        scope = f"{inv}.existed = 1 AND {inv}.changed = 1"
        s.execute(
            f"UPDATE ledger_invoice SET account_id = v.account_id, issue_date = v.issue_date, "  # noqa: S608
            f"due_date = v.due_date, currency = v.currency, status = {status}, total = v.total "
            f"FROM {inv} v WHERE v.existed = 1 AND v.changed = 1 "
            f"AND ledger_invoice.id = v.invoice_id"
        )
        deleted = s.execute(
            f"DELETE FROM ledger_invoiceline WHERE invoice_id IN "  # noqa: S608
            f"(SELECT invoice_id FROM {inv} WHERE {scope}) AND NOT EXISTS ("
            f"SELECT 1 FROM {rows} l JOIN {inv} v ON v.number = l.invoice_number "
            f"WHERE v.invoice_id = ledger_invoiceline.invoice_id "
            f"AND l.line_number = ledger_invoiceline.line_number)"
        )
        # Changed lines: those whose own values differ, and those of an invoice whose account,
        # date, currency or status changed (counted before the updates below).
        ((updated,),) = s.fetchall(
            f"SELECT COUNT(*) FROM {rows} l JOIN {inv} v ON v.number = l.invoice_number "  # noqa: S608
            f"JOIN ledger_invoiceline o ON o.invoice_id = v.invoice_id "
            f"AND o.line_number = l.line_number "
            f"WHERE v.existed = 1 AND v.changed = 1 "
            f"AND (v.header_changed = 1 OR {self._line_differs('o', 'l')})"
        )
        assignments = ", ".join(f"{c} = l.{c}" for c in COMPARED)
        s.execute(
            f"UPDATE ledger_invoiceline SET {assignments} "  # noqa: S608
            f"FROM {rows} l JOIN {inv} v ON v.number = l.invoice_number "
            f"WHERE v.existed = 1 AND v.changed = 1 "
            f"AND ledger_invoiceline.invoice_id = v.invoice_id "
            f"AND ledger_invoiceline.line_number = l.line_number "
            f"AND ({self._line_differs('ledger_invoiceline', 'l')})"
        )
        inserted = s.execute(
            f"INSERT INTO ledger_invoiceline ({LINE_INSERT}) "  # noqa: S608
            f"SELECT v.invoice_id, {LINE_VALUES} "
            f"FROM {rows} l JOIN {inv} v ON v.number = l.invoice_number "
            f"WHERE v.existed = 1 AND v.changed = 1 AND NOT EXISTS ("
            f"SELECT 1 FROM ledger_invoiceline o WHERE o.invoice_id = v.invoice_id "
            f"AND o.line_number = l.line_number)"
        )
        return updated, inserted, deleted
