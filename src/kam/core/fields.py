"""Model fields shared across apps."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core import validators
from django.db import DataError, models
from django.utils.functional import cached_property


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonTextField(models.TextField):
    """JSON kept as plain text in the database: Python sees the parsed value, as with a
    JSONField, but PostgreSQL stores and copies text instead of parsing it into jsonb.

    For columns nothing queries inside (a text match at most): writing many rows through
    COPY skips the jsonb conversion. A ``str`` given to a lookup or a save is taken as JSON
    text already, so ``.exclude(flags="[]")`` and ``.exclude(flags=[])`` mean the same."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return dumps(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


# SQLite keeps an INTEGER exactly up to 2^63 - 1: so many units of the last decimal place.
SQLITE_UNITS = 2**63
# Whole digits an exact decimal holds on SQLite: 10^18 units always fit (2^63 is 9.2 x 10^18).
STORED_DIGITS = 18


class ExactDecimalField(models.DecimalField):
    """A decimal kept to the last digit on both databases.

    PostgreSQL: ``numeric(max_digits, decimal_places)``, as a DecimalField. SQLite has no exact
    decimal (NUMERIC affinity keeps 15 significant digits, so 10^13 and more with cents were
    rounded): there the column holds an INTEGER of the value's last decimal place, 12.34 at 2
    places as 1234. Comparisons, ORDER BY and SUM then stay numeric and exact (SQLite's SUM
    raises on an integer overflow instead of rounding), up to 2^63 units: a column with more
    than 18 digits accepts only 18 (money: below 10^16), on both databases, so that data moves
    between them. A value with more decimals than the column is refused, never rounded.

    In the ORM, lookups, ordering, Sum, Min and Max work on both databases. Avg and arithmetic
    between columns (``F("a") * F("b")``) come out as Django's plain DecimalField, which on
    SQLite would read the units as the value: do such sums in Python or polars. SQL that
    reads these columns raw (kam.ledger.rollups, the staging tables, bulk writes) takes the
    units on SQLite: see ``decimal_units``, ``float_sql`` and kam.core.bulk.sqlite_ready."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What validation (forms, full_clean) accepts: what SQLite can store.
        self.stored_digits = min(self.max_digits or STORED_DIGITS, STORED_DIGITS)

    def get_internal_type(self) -> str:
        # Not "DecimalField": SQLite's backend would read the column through a float converter
        # of 15 digits, and wrap expressions in CAST(... AS NUMERIC).
        return "ExactDecimalField"

    def db_type(self, connection) -> str:
        if connection.vendor == "sqlite":
            # The declared type contains "INT": INTEGER affinity (SQLite's rules).
            return f"decimal_as_integer({self.max_digits}, {self.decimal_places})"
        return connection.data_types["DecimalField"] % self.db_type_parameters(connection)

    @cached_property
    def validators(self) -> list:
        return [
            *super(models.DecimalField, self).validators,
            validators.DecimalValidator(self.stored_digits, self.decimal_places),
        ]

    def formfield(self, **kwargs: Any):
        return super().formfield(**{"max_digits": self.stored_digits, **kwargs})

    def from_db_value(self, value, expression, connection):
        if value is None or connection.vendor != "sqlite":
            return value
        return units_decimal(value, self.decimal_places)

    def get_db_prep_save(self, value, connection):
        if value is None or hasattr(value, "as_sql"):
            return value
        value = self.to_python(value)
        _, digits, exponent = value.as_tuple()
        finer = -self.decimal_places - exponent  # digits past the column's last place
        if finer > 0 and any(digits[-finer:]):
            raise DataError(
                f"{self.name}: {value} has more than {self.decimal_places} decimal places"
            )
        if connection.vendor == "sqlite":
            return decimal_units(value, self.decimal_places, name=self.name)
        return self.get_db_prep_value(value, connection, prepared=True)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql") or connection.vendor != "sqlite":
            return super().get_db_prep_value(value, connection, prepared=True)
        # A lookup's bound: one finer than the column or past what it holds compares as a
        # float (amount > 9.555 is amount > 955.5 cents).
        return decimal_units(value, self.decimal_places, strict=False)


def decimal_units(
    value: Decimal, places: int, *, name: str = "", strict: bool = True
) -> int | float:
    """``value`` as SQLite stores it at ``places``: whole units of its last place. One finer
    than that, or too large for SQLite's integers, is refused; or, not ``strict``, given as
    a float to compare with."""
    scaled = Decimal(value).scaleb(places)
    if -SQLITE_UNITS <= scaled < SQLITE_UNITS and scaled == scaled.to_integral_value():
        return int(scaled)
    if not strict:
        return float(scaled)
    raise DataError(f"{name}: {value} does not fit a column of {places} decimal places")


def units_decimal(value: int | float | str, places: int) -> Decimal:
    """What SQLite stores for an ExactDecimalField (units of the last place) as a Decimal."""
    if isinstance(value, str):  # not expected: a value written around the field
        return Decimal(value).quantize(Decimal(1).scaleb(-places))
    if isinstance(value, float):
        value = round(value)  # a unit count computed in floating point by some expression
    return Decimal(value).scaleb(-places)


def float_sql(field: ExactDecimalField, connection) -> str:
    """SQL reading ``field``'s column as a float (analytics), the same on both databases:
    each gives the double nearest the decimal."""
    column = connection.ops.quote_name(field.column)
    if connection.vendor == "sqlite":
        # Units below 2^53 and a power of ten are exact doubles: one rounding, at the division.
        return f"(CAST({column} AS REAL) / {10**field.decimal_places})"
    return f"CAST({column} AS double precision)"
