"""Run the `kam` command as a user would: in its own process, on the embedded database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def kam_env(data_dir, **extra: str) -> dict[str, str]:
    # A clean environment: no KAM_DATABASE_URL, so the embedded SQLite default is used.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env["KAM_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def kam(*args, data_dir, timeout=600, **extra_env: str):
    return subprocess.run(
        [sys.executable, "-m", "kam", *args],
        env=kam_env(data_dir, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
