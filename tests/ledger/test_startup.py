"""The fixed start-up cost of a command (issue 10, item 11): `kam --help` and a small CSV
`kam import ledger` load only what they use. The slow libraries (numpy, polars, Celery, the
PostgreSQL driver, openpyxl, the graph libraries) and the URL configuration with every view and
API behind it cost seconds before the first row is read; a command that does not need them must
not import them. Figures: benchmarks/bench_startup.py (no timing here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection

from kam.core.management.base import DataCommand
from kam.ledger.models import Invoice, InvoiceLine

# What the commands below never need. A CSV import reads its file with polars and loads it
# with numpy; PostgreSQL's driver is the database's own, loaded on PostgreSQL only.
SLOW = {"numpy", "polars", "celery", "psycopg", "openpyxl", "networkx", "rustworkx"}
# Loaded by the system checks (they walk every URL): a data command skips them.
URLS = {"kam.urls", "kam.api.api"}

# Runs `kam ARGS...` in this process and writes the names of the modules it imported to OUT.
WRAPPER = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
from kam.cli import main
try:
    main(["kam", *args])
finally:
    with open(out, "w") as f:
        json.dump(sorted(sys.modules), f)
"""

# kam's own commands that are not data commands: they set up or serve, and run the checks.
NOT_DATA = {"demo", "compile_translations"}


def kam(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """`kam ARGS` in a process of its own on the test database: its outcome and its modules."""
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(WRAPPER)
    modules = tmp_path / "modules.json"
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kam.settings",
        "KAM_DATABASE_URL": url,
        "KAM_DATA_DIR": str(tmp_path / "data"),
        "KAM_BROKER_URL": "",
    }
    done = subprocess.run(
        [sys.executable, str(wrapper), str(modules), *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done, set(json.loads(modules.read_text()))


def loaded(modules: set[str], names: set[str]) -> set[str]:
    """Which of ``names`` (packages) were imported."""
    return {name for name in names if name in modules}


def test_help_loads_none_of_the_slow_libraries(db, tmp_path):
    done, modules = kam(tmp_path, "--help")

    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout and "score" in done.stdout  # kam's commands are listed
    slow = SLOW - ({"psycopg"} if connection.vendor == "postgresql" else set())
    assert loaded(modules, slow | URLS) == set()


def test_a_small_csv_import_skips_the_checks_and_what_it_does_not_use(
    transactional_db, buyers, catalogue, ledger_csv, tmp_path
):
    path = ledger_csv(
        [
            ("INV1", 1, "2024-03-01", "A1", "USD", "HINGE", 2, "5", "1"),
            ("INV1", 2, "2024-03-01", "A1", "USD", "RAIL", 1, "7", "3"),
        ]
    )

    done, modules = kam(tmp_path, "import", "ledger", str(path))

    assert done.returncode == 0, done.stderr
    assert "read 2, applied 2, rejected 0" in done.stdout
    assert InvoiceLine.objects.count() == 2
    assert Invoice.objects.get(number="INV1").total == 17
    unused = SLOW - {"numpy", "polars"}  # the import's own tools
    if connection.vendor == "postgresql":
        unused -= {"psycopg"}
    assert loaded(modules, unused | URLS) == set()


def test_kam_check_still_runs_the_checks(db, tmp_path):
    done, modules = kam(tmp_path, "check")

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert modules >= URLS  # the checks walked every URL, the API's among them


def test_every_data_command_skips_the_checks():
    """A new kam command is a data command (``DataCommand``) unless it sets up or serves."""
    ours = {name for name, app in get_commands().items() if app.startswith("kam.")}
    assert ours >= NOT_DATA and {"import", "score", "report", "import-contacts"} <= ours
    for name in sorted(ours - NOT_DATA):
        command = load_command_class(get_commands()[name], name)
        assert isinstance(command, DataCommand), f"kam {name} runs Django's system checks"
        assert command.requires_system_checks == []


@pytest.mark.parametrize("name", sorted(NOT_DATA))
def test_set_up_commands_keep_the_checks(name):
    command = load_command_class(get_commands()[name], name)
    assert not isinstance(command, DataCommand)
