"""Match a file's columns to the fields of its kind: by name, by the caller's mapping
(our field -> their column), or a constant value for a field the file lacks.

Every problem with the header is found here, before any data row is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from django.utils.translation import gettext

from kam.ledger.importing.formats import CHEAP_FIRST, FIELDS, ONE_OF, OPTIONS, Field
from kam.ledger.importing.reader import ROW, ROW_PROBLEM, column_names
from kam.ledger.importing.result import RowError

LINE_NUMBER = "line_number"


@dataclass(frozen=True)
class Binding:
    """Where one field's values come from: a column of the file, or a constant."""

    field: Field
    column: int | None
    label: str  # the file's column name; the field name for a constant
    constant: str | None = None


@dataclass(frozen=True)
class ColumnPlan:
    kind: str
    bindings: dict[str, Binding]
    options: dict[str, str]

    def has(self, name: str) -> bool:
        """Whether the file (or a constant) gives this field; absent ones take defaults."""
        return name in self.bindings

    def label(self, name: str) -> str:
        binding = self.bindings.get(name)
        return binding.label if binding else name

    def select(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The batch as one text column per field of the kind (trimmed, empty as null),
        defaults filled in for absent fields, plus the row number and row problem."""
        names = column_names(batch.width)
        columns = [pl.col(ROW), pl.col(ROW_PROBLEM)]
        trimmed = []
        for field in FIELDS[self.kind]:
            binding = self.bindings.get(field.name)
            if binding is None:
                expr = pl.lit(None, dtype=pl.String)
            elif binding.constant is not None:
                expr = pl.lit(binding.constant, dtype=pl.String)
            elif field.type in CHEAP_FIRST:
                expr = pl.col(names[binding.column])  # trimmed only if the cheap parse fails
            else:
                expr = pl.col(names[binding.column]).str.strip_chars()
                trimmed.append(field.name)
            columns.append(expr.alias(field.name))
        # Then empty as null: in the same expression the trim would run twice.
        empty = [pl.when(pl.col(n) == "").then(None).otherwise(pl.col(n)).alias(n) for n in trimmed]
        return batch.select(columns).with_columns(empty)


def resolve(
    *,
    kind: str,
    header: list[str],
    mapping: Mapping[str, str] | None,
    constants: Mapping[str, str] | None,
    numbered: bool = False,
) -> tuple[ColumnPlan, list[RowError]]:
    """The plan for reading the file, and every problem with the header (row 1). ``numbered``:
    the import numbers the ledger's lines itself (the file must have no line number)."""
    fields = {field.name: field for field in FIELDS[kind]}
    mapping = dict(mapping or {})
    constants = {key: str(value) for key, value in (constants or {}).items()}
    options = {key: constants.pop(key) for key in OPTIONS if key in constants}
    errors: list[RowError] = []

    def problem(column: str, reason: str, value: str = "") -> None:
        errors.append(RowError(row=1, column=column, value=value, reason=reason))

    known = ", ".join(fields)
    for name in [*mapping, *constants]:
        if name not in fields:
            problem(
                name,
                gettext("unknown field %(field)s; the fields of a %(kind)s file are: %(fields)s")
                % {"field": name, "kind": kind, "fields": known},
            )
    for name in set(mapping) & set(constants):
        problem(
            name,
            gettext("%(field)s is given both a column and a constant value: give one")
            % {"field": name},
        )

    bindings: dict[str, Binding] = {}
    for name, field in fields.items():
        if numbered and name == LINE_NUMBER:
            if name in constants or name in mapping or _find(header, name):
                problem(
                    mapping.get(name, name),
                    gettext(
                        "the file gives line numbers: numbering lines (--number-lines) is "
                        "only for a file without them"
                    ),
                )
            continue
        if name in constants:
            bindings[name] = Binding(field, None, name, constants[name])
            continue
        wanted = mapping.get(name, name)
        found = _find(header, wanted)
        if len(found) > 1:
            problem(
                wanted,
                gettext("the column %(column)s appears more than once in the header")
                % {"column": wanted},
            )
        elif found:
            bindings[name] = Binding(field, found[0], header[found[0]])
        elif name in mapping:
            problem(
                wanted,
                gettext("no column %(column)s in the file; its columns are: %(columns)s")
                % {"column": wanted, "columns": ", ".join(header)},
            )
        elif name == LINE_NUMBER:
            problem(
                name,
                gettext(
                    "the file has no line_number column: map one of its columns to it, or "
                    "ask to number the lines of each invoice in file order (--number-lines)"
                ),
            )
        elif field.required:
            problem(
                name,
                gettext(
                    "the file has no %(field)s column: map one of its columns to it, "
                    "or give a value for every row"
                )
                % {"field": name},
            )
    for group in ONE_OF.get(kind, ()):
        if not any(name in bindings for name in group) and not any(n in mapping for n in group):
            problem(
                " / ".join(group),
                gettext("the file needs one of these columns: %(fields)s")
                % {"fields": ", ".join(group)},
            )
    return ColumnPlan(kind=kind, bindings=bindings, options=options), errors


def number_lines(raw: pl.DataFrame, counts: dict[str, int]) -> pl.DataFrame:
    """``raw`` with the line numbers of a file that has none: each invoice's rows numbered
    1, 2, 3... in file order. ``counts`` carries each invoice's count from batch to batch, so
    an invoice straddling batches, or coming back later in the file, numbers on."""
    invoice = pl.col("invoice_number")
    within = pl.int_range(1, pl.len() + 1).over(invoice)
    earlier = invoice.replace_strict(counts, default=0, return_dtype=pl.Int64) if counts else 0
    numbered = raw.with_columns((within + earlier).alias(LINE_NUMBER))
    last = numbered.filter(invoice.is_not_null()).group_by(invoice).agg(pl.col(LINE_NUMBER).max())
    counts.update(zip(*last.get_columns(), strict=True))
    line = pl.when(invoice.is_not_null()).then(pl.col(LINE_NUMBER).cast(pl.String))
    return numbered.with_columns(line.alias(LINE_NUMBER))


def _find(header: list[str], wanted: str) -> list[int]:
    """Columns named ``wanted``: exactly, or else ignoring case and surrounding spaces."""
    exact = [i for i, name in enumerate(header) if name == wanted]
    if exact:
        return exact
    folded = wanted.strip().casefold()
    return [i for i, name in enumerate(header) if name.strip().casefold() == folded]
