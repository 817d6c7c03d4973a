"""`kam demo` on a machine with nothing set up, and what each demo login may see."""

from __future__ import annotations

import urllib.request
from datetime import date

import pytest
from django.conf import settings

from kam.accounts.models import Account
from kam.demo.generator import build_company
from kam.demo.loader import NotADemoDatabase, demo_load
from tests.demo.cli import kam

# `kam demo` from the command line always builds the embedded SQLite database (tests.demo.cli
# clears KAM_DATABASE_URL), so the PostgreSQL run of the suite would only repeat these
# minute-long loads: they run once, in the SQLite run.
embedded_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="`kam demo` builds the embedded SQLite database; run in the SQLite run",
)


@embedded_only
def test_kam_demo_sets_up_the_embedded_database_and_says_the_password(tmp_path):
    data_dir = tmp_path / "fresh" / "kam"
    result = kam("demo", "--no-serve", "--data-dir", str(data_dir), data_dir="/nonexistent")
    assert result.returncode == 0, result.stderr
    assert (data_dir / "kam.sqlite3").exists()
    assert "password is 'demo'" in result.stdout
    assert "kam1" in result.stdout and "mentor1" in result.stdout

    again = kam("demo", "--no-serve", data_dir=data_dir)
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout

    reset = kam("demo", "--no-serve", "--reset", data_dir=data_dir)
    assert reset.returncode == 0, reset.stderr
    assert "Loading the demo company" in reset.stdout


@embedded_only
def test_kam_demo_refuses_a_database_with_someone_elses_data(tmp_path):
    assert kam("migrate", data_dir=tmp_path).returncode == 0
    made = kam(
        "shell",
        "-c",
        "from kam.users.models import User; User.objects.create(username='real')",
        data_dir=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    result = kam("demo", "--no-serve", "--reset", data_dir=tmp_path)
    assert result.returncode != 0
    assert "will not touch it" in result.stderr


@embedded_only
def test_kam_demo_serves_the_web_app(served_demo):
    with urllib.request.urlopen(f"http://127.0.0.1:{served_demo.port}/login/", timeout=5) as page:
        body = page.read().decode()
    assert "Log in" in body
    with urllib.request.urlopen(
        f"http://127.0.0.1:{served_demo.port}/static/kam/kam.css", timeout=5
    ) as css:
        assert b".topbar" in css.read()


def test_the_demo_never_loads_over_other_data(db, alice):
    with pytest.raises(NotADemoDatabase):
        demo_load(build_company(today=date(2026, 11, 2)))
    assert not Account.objects.exists()
