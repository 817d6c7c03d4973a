"""Is the process that runs a job still there? Answered exactly on the same machine (the
process id), and by the job's heartbeat elsewhere (see kam.core.pulse)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _pid_namespace() -> str:
    # Two containers can share a host name (host networking) but not a process table: the
    # namespace tells whether a process id of the other one means anything here.
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def this_process() -> str:
    """How a job row names the process running it: ``host/pid-namespace/pid``."""
    return f"{socket.gethostname()}/{_pid_namespace()}/{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: there, but not ours to signal
    # A killed process stays in the table as a zombie until its parent collects it.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: signal 0 has answered
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def process_gone(name: str) -> bool | None:
    """True if the named process has ended, False if it runs, None when it cannot be told
    from here (another machine or container, or no name)."""
    host, _, rest = name.partition("/")
    namespace, _, pid = rest.partition("/")
    if not pid.isdigit() or host != socket.gethostname() or namespace != _pid_namespace():
        return None
    return not _pid_alive(int(pid))


def is_this_process(name: str) -> bool:
    return name == this_process()
