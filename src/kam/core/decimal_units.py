"""Moving SQLite's stored decimals to and from ExactDecimalField's units (kam.core.fields).

Before it, SQLite kept Django's DecimalField values with NUMERIC affinity, as floating point
(or integers when whole); the field keeps an INTEGER of the last decimal place. A migration
that turns a DecimalField into an ExactDecimalField converts the stored values with
``decimals_to_units`` after its AlterField operations. PostgreSQL's numeric columns do not
change: there the operation does nothing.
"""

from __future__ import annotations

from django.db import migrations


def decimals_to_units(app_label: str, model_name: str, **places: int) -> migrations.RunPython:
    """An operation scaling ``model_name``'s columns (field name: decimal places) on SQLite
    from stored decimals to units, and back when the migration is reversed."""

    def update(apps, schema_editor, *, forwards: bool) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.quote_name
        assignments = []
        for name, count in places.items():
            column = quote(model._meta.get_field(name).column)
            # Stored values were floats of at most 15 significant digits: rounding the
            # scaled value gives back the decimal that was meant.
            if forwards:
                value = f"CAST(ROUND({column} * {10**count}) AS INTEGER)"
            else:
                value = f"CAST({column} AS REAL) / {10**count}"
            assignments.append(f"{column} = {value}")
        table = quote(model._meta.db_table)
        schema_editor.execute(f"UPDATE {table} SET {', '.join(assignments)}")  # noqa: S608

    return migrations.RunPython(
        lambda apps, schema_editor: update(apps, schema_editor, forwards=True),
        lambda apps, schema_editor: update(apps, schema_editor, forwards=False),
        elidable=False,
    )
