"""The demo company, generated and loaded once for the whole tests/demo package (rolled back
after it), and the demo served by `kam demo` once per session."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from kam.demo.generator import build_company
from kam.demo.loader import demo_load
from tests.demo.cli import free_port, kam_env

TODAY = date(2026, 11, 2)


def pytest_collection_modifyitems(items):
    """A test reading the loaded demo needs the test database even when run alone: pytest-django
    creates it only for the tests that ask for it (``db`` or the marker), and a test that asks
    only for ``loaded`` and ``client`` failed with "no such table" when picked with -k."""
    for item in items:
        if "loaded" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="package")
def company():
    return build_company(today=TODAY)


@pytest.fixture(scope="package")
def loaded(django_db_setup, django_db_blocker, company):
    """The whole demo company loaded once for the package, rolled back after it: a load takes
    about a minute in CI, and four modules read the same data (each test's own changes are
    rolled back by its savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        package_connection = connections[DEFAULT_DB_ALIAS]
        demo_load(company)
        # Check the deferred foreign keys once, here: else PostgreSQL checks them again at the
        # end of every test, whose savepoint rollback puts them back in the queue.
        connection.check_constraints()
        yield
        # A browser test of the package may have started the session's sync Playwright, whose
        # event loop then runs in this thread: Django looks its connections up per context while
        # a loop runs, and would find a fresh one outside this atomic block. Put it back.
        connections[DEFAULT_DB_ALIAS] = package_connection
        transaction.set_rollback(True)


@dataclass(frozen=True)
class ServedDemo:
    data_dir: Path
    port: int


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory):
    """`kam demo` loading a fresh data directory and serving it, once for the session: the load
    takes seconds, and the tests that need a running app share it."""
    data_dir = tmp_path_factory.mktemp("served-demo")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kam", "demo", "--port", str(port)],
        env=kam_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        yield ServedDemo(data_dir=data_dir, port=port)
    finally:
        server.terminate()
        server.wait(timeout=10)
