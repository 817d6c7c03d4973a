"""`kam report` in a shell pipeline, as people use it: `kam report key-accounts | head`."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from tests.demo.cli import kam_env


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the served demo is the embedded SQLite one; run in the SQLite run",
)
def test_the_report_piped_into_head_stops_quietly(served_demo):
    # A small pipe (one page) makes the report outgrow it whatever the machine's speed: the
    # report must still be writing when head has read its 3 lines and gone.
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    report = subprocess.Popen(
        [sys.executable, "-m", "kam", "report", "key-accounts", "--all", "--limit", "1000"],
        env=kam_env(served_demo.data_dir),
        stdout=write_end,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    head = subprocess.Popen(
        [shutil.which("head") or "head", "-n", "3"],
        stdin=read_end,
        stdout=subprocess.PIPE,
        text=True,
    )
    os.close(read_end)
    os.close(write_end)
    lines = head.communicate(timeout=120)[0].splitlines()
    errors = report.communicate(timeout=120)[1].decode()
    assert len(lines) == 3
    assert lines[0].startswith("Key accounts as of")
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
    assert errors == ""
    assert report.returncode in (0, 141)
