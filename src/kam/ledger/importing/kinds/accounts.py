"""Customer accounts, keyed by the ERP's customer number (``code``).

Upserted on the code. Columns absent from the file leave the stored values alone (someone may
have set the industry or the owner in kam); a present column is the truth, an empty parent
cell removes the parent. A parent must be in the file or already stored, and no chain of
parents may loop.
"""

from __future__ import annotations

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext

from kam.ledger.importing import lookups
from kam.ledger.importing.kinds.base import Applied, Kind
from kam.ledger.importing.parse import render, when

# Fields that map one to one onto accounts_account columns.
PLAIN = ("name", "country", "currency", "industry", "coverage")


class AccountsKind(Kind):
    name = "accounts"
    columns = (
        ("code", "text"),
        ("name", "text"),
        ("country", "text"),
        ("country_as_written", "text"),
        ("currency", "text"),
        ("industry", "text"),
        ("coverage", "text"),
        ("parent_code", "text"),
        ("owner_id", "int"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.users = lookups.users()

    def enrich(self, p: pl.DataFrame) -> pl.DataFrame:
        p = p.with_columns(pl.col("owner").str.to_lowercase().alias("owner_key"))
        p = p.join(self.users, on="owner_key", how="left", maintain_order="left")
        p = self.add_reason(
            p,
            "owner",
            when(
                pl.col("owner").is_not_null() & pl.col("owner_id").is_null(),
                render(
                    gettext("unknown user %(value)s: give a kam username"), value=pl.col("owner")
                ),
            ),
        )
        return self.add_reason(
            p,
            "parent_code",
            when(
                pl.col("parent_code") == pl.col("code"),
                pl.lit(gettext("an account cannot be its own parent")),
            ),
        )

    def check(self) -> None:
        self.check_duplicates(("code",))
        s, rows = self.staging, self.table
        unknown = s.fetchall(
            f"SELECT s.row, s.parent_code FROM {rows} s WHERE s.parent_code IS NOT NULL "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {rows} t WHERE t.code = s.parent_code) "
            f"AND NOT EXISTS (SELECT 1 FROM accounts_account a WHERE a.code = s.parent_code) "
            f"ORDER BY s.row"
        )
        self.refuse_rows(
            [
                (
                    row,
                    "parent_code",
                    code,
                    gettext("unknown parent account %(code)s: not in the file nor in kam")
                    % {"code": code},
                )
                for row, code in unknown
            ]
        )
        if self.plan.has("parent_code"):
            self._check_loops()

    def _check_loops(self) -> None:
        """Refuse rows whose parent chain (the file's parents over the stored ones) loops."""
        s, rows = self.staging, self.table
        parent = dict(
            s.fetchall(
                "SELECT a.code, p.code FROM accounts_account a "
                "JOIN accounts_account p ON p.id = a.parent_id"
            )
        )
        staged = s.fetchall(f"SELECT row, code, parent_code FROM {rows}")  # noqa: S608
        for _, code, parent_code in staged:
            parent[code] = parent_code
        refused = []
        for row, code, _ in staged:
            seen, current = {code}, parent.get(code)
            while current is not None and current not in seen:
                seen.add(current)
                current = parent.get(current)
            if current is not None:
                reason = gettext("the parents of account %(code)s go round in a loop") % {
                    "code": code
                }
                refused.append((row, "parent_code", parent.get(code) or "", reason))
        self.refuse_rows(refused)

    def apply(self) -> Applied:
        s, rows = self.staging, self.table
        now = timezone.now()
        present = [c for c in PLAIN if self.plan.has(c)]
        if self.plan.has("country"):
            present.append("country_as_written")
        if self.plan.has("owner"):
            present.append("owner_id")
        differs = [s.distinct(f"a.{c}", f"s.{c}") for c in present]
        parent_id = f"(SELECT p.id FROM accounts_account p WHERE p.code = {rows}.parent_code)"  # noqa: S608
        if self.plan.has("parent_code"):
            differs.append(
                s.distinct(
                    "a.parent_id",
                    "(SELECT p.id FROM accounts_account p WHERE p.code = s.parent_code)",
                )
            )
        changed = [
            pk
            for (pk,) in s.fetchall(
                f"SELECT a.id FROM {rows} s JOIN accounts_account a ON a.code = s.code "  # noqa: S608
                f"WHERE {' OR '.join(differs) or '1 = 0'}"
            )
        ]
        new_id = "gen_random_uuid()" if s.postgres else "lower(hex(randomblob(16)))"
        created = s.execute(
            f"INSERT INTO accounts_account (public_id, code, name, country, currency, industry, "  # noqa: S608
            f"coverage, owner_id, stage, created_at, updated_at, country_as_written) "
            f"SELECT {new_id}, s.code, s.name, s.country, s.currency, s.industry, s.coverage, "
            f"s.owner_id, 'pre_sales', %s, %s, COALESCE(s.country_as_written, '') FROM {rows} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM accounts_account a WHERE a.code = s.code)",
            [now, now],
        )
        if present:
            sets = ", ".join(f"{c} = {rows}.{c}" for c in present)
            s.execute(
                f"UPDATE accounts_account SET {sets}, updated_at = %s, "  # noqa: S608
                f"version = accounts_account.version + 1 FROM {rows} "
                f"WHERE accounts_account.code = {rows}.code AND ("
                + " OR ".join(s.distinct(f"accounts_account.{c}", f"{rows}.{c}") for c in present)
                + ")",
                [now],
            )
        if self.plan.has("parent_code"):
            s.execute(
                f"UPDATE accounts_account SET parent_id = {parent_id}, updated_at = %s, "  # noqa: S608
                f"version = accounts_account.version + 1 FROM {rows} "
                f"WHERE accounts_account.code = {rows}.code "
                f"AND {s.distinct('accounts_account.parent_id', parent_id)}",
                [now],
            )
        new = s.fetchall(
            f"SELECT a.id FROM accounts_account a JOIN {rows} s ON s.code = a.code "  # noqa: S608
            f"WHERE a.created_at = %s",
            [now],
        )
        touched = sorted({pk for (pk,) in new} | set(changed))
        return Applied(created=created, updated=len(changed), touched_account_ids=touched)
