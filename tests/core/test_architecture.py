"""An app reaches into another only through its public modules (DESIGN.md, CONVENTIONS.md 7):
never a module or a name starting with ``_``, nor the shared machinery's old private homes."""

from __future__ import annotations

import ast
from pathlib import Path

import kam

SRC = Path(kam.__file__).parent
# The shared machinery lived here before it moved to kam.accounts and kam.api (issue 9).
GONE = {"kam.relationships.api_support", "kam.relationships.access", "kam.relationships.querysets"}


def _imports(path: Path):
    """(module, names) for every absolute import of a kam module in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


def _private_reaches(root: Path = SRC) -> list[str]:
    apps = {p.name for p in root.iterdir() if (p / "apps.py").exists()}
    found = []
    for path in sorted(root.rglob("*.py")):
        own = path.relative_to(root).parts[0]
        for line, module, names in _imports(path):
            parts = module.split(".")
            if parts[0] != "kam" or len(parts) < 2 or parts[1] not in apps or parts[1] == own:
                continue
            where = f"{path.relative_to(root)}:{line} imports {module}"
            if module in GONE or any(p.startswith("_") for p in parts[2:]):
                found.append(where)
            found += [f"{where}.{n}" for n in names if n.startswith("_")]
    return found


def test_no_app_imports_another_apps_private_module():
    assert _private_reaches() == []


def test_the_old_homes_of_the_shared_machinery_are_gone():
    for module in GONE:
        assert not (SRC / (module.removeprefix("kam.").replace(".", "/") + ".py")).exists()


def test_the_check_catches_a_private_reach(tmp_path):
    """The walker itself: imports of another app's private module or name are reported, an
    app's own private modules are not."""
    for app in ("planning", "relationships"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "apps.py").write_text("")
    (tmp_path / "planning" / "services.py").write_text(
        "from kam.relationships.views._common import people_of\n"
        "from kam.relationships.queries import _private_helper\n"
        "from kam.planning._own import fine\n"
        "from kam.relationships.models import Contact\n"
    )
    assert _private_reaches(tmp_path) == [
        "planning/services.py:1 imports kam.relationships.views._common",
        "planning/services.py:2 imports kam.relationships.queries._private_helper",
    ]
