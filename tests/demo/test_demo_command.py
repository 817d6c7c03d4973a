"""`kam demo` on a machine with nothing set up, and what each demo login may see."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date

import pytest

from kam.accounts.models import Account
from kam.demo.generator import build_company
from kam.demo.loader import NotADemoDatabase, demo_load


def kam(*args, data_dir, timeout=120):
    # A clean environment: no KAM_DATABASE_URL, so the embedded SQLite default is used.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "kam", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_kam_demo_serves_the_web_app(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATA_DIR"] = str(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "kam", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                    body = page.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "Log in" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/kam/kam.css", timeout=5
        ) as css:
            assert b".topbar" in css.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_demo_never_loads_over_other_data(db, alice):
    with pytest.raises(NotADemoDatabase):
        demo_load(build_company(today=date(2026, 11, 2)))
    assert not Account.objects.exists()
