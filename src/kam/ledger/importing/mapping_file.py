"""Read a mapping file: TOML or JSON with a ``columns`` table (our field = their column) and
an optional ``constants`` table (field = value for every row). A file with neither table is
taken as columns only."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path


class MappingFileError(Exception):
    """The mapping file cannot be read or has the wrong shape."""


def read_mapping_file(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(columns, constants) from ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if Path(path).suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as error:
        raise MappingFileError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise MappingFileError(f"{path}: expected a table of columns and constants")
    if "columns" not in data and "constants" not in data:
        data = {"columns": data}
    unknown = set(data) - {"columns", "constants"}
    if unknown:
        raise MappingFileError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    columns, constants = data.get("columns", {}), data.get("constants", {})
    for name, table in (("columns", columns), ("constants", constants)):
        if not isinstance(table, dict) or not all(
            isinstance(v, str | int | float) for v in table.values()
        ):
            raise MappingFileError(f"{path}: [{name}] must map field names to text")
    return {k: str(v) for k, v in columns.items()}, {k: str(v) for k, v in constants.items()}
