"""The small reference tables an import checks rows against, loaded once as polars frames.

Accounts, products, costs, unit conversions and rates are small next to a ledger (100,000
accounts is a few megabytes), so joining them in memory beats a lookup per row in the database.
Invoices are not: they are matched in SQL after staging.
"""

from __future__ import annotations

import polars as pl

from kam.accounts.models import Account
from kam.ledger.models import ExchangeRate, Product, ProductCost, UnitConversion
from kam.users.models import User


def accounts() -> pl.DataFrame:
    rows = Account.objects.values_list("code", "pk")
    return pl.DataFrame(
        list(rows), schema={"account_code": pl.String, "account_id": pl.Int64}, orient="row"
    )


def products() -> pl.DataFrame:
    rows = Product.objects.values_list("code", "pk", "base_unit")
    frame = pl.DataFrame(
        list(rows),
        schema={"product_code": pl.String, "product_id": pl.Int64, "base_unit": pl.String},
        orient="row",
    )
    return frame.with_columns(pl.col("base_unit").str.to_lowercase())


def costs() -> pl.DataFrame:
    """Every product's cost history, sorted by date (as join_asof wants)."""
    rows = ProductCost.objects.values_list("product_id", "valid_from", "unit_cost", "currency")
    frame = pl.DataFrame(
        list(rows),
        schema={
            "product_id": pl.Int64,
            "cost_from": pl.Date,
            "product_unit_cost": pl.Decimal(38, 4),
            "cost_currency": pl.String,
        },
        orient="row",
    )
    return frame.sort("cost_from")


def conversions() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(product-specific, global) unit conversions, units lower-cased."""
    rows = UnitConversion.objects.values_list("product_id", "unit", "factor")
    frame = pl.DataFrame(
        list(rows),
        schema={"product_id": pl.Int64, "unit_key": pl.String, "factor": pl.Decimal(38, 6)},
        orient="row",
    ).with_columns(pl.col("unit_key").str.to_lowercase())
    specific = frame.filter(pl.col("product_id").is_not_null())
    general = frame.filter(pl.col("product_id").is_null()).drop("product_id")
    return specific, general


def rates() -> pl.DataFrame:
    rows = ExchangeRate.objects.values_list("currency", "month", "rate")
    return pl.DataFrame(
        list(rows),
        schema={"currency": pl.String, "month": pl.Date, "rate": pl.Decimal(38, 10)},
        orient="row",
    )


def users() -> pl.DataFrame:
    """Usernames (lower-cased, as logins are matched) and e-mail addresses to user ids."""
    rows = list(User.objects.values_list("username", "email", "pk"))
    names = [(name.lower(), pk) for name, _, pk in rows]
    emails = [(email.lower(), pk) for _, email, pk in rows if email]
    seen = {name for name, _ in names}
    unique = names + [(email, pk) for email, pk in emails if email not in seen]
    return pl.DataFrame(
        unique, schema={"owner_key": pl.String, "owner_id": pl.Int64}, orient="row"
    ).unique("owner_key", keep="first")
