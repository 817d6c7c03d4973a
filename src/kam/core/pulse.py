"""A running job's heartbeat and progress, written from a thread of its own.

The work runs inside one long transaction (an import is all or nothing), so whatever it
writes to its job row stays invisible until the end and keeps the row locked. The pulse
writes on its own database connection instead, in autocommit: the page sees the progress
while the work runs, and a heartbeat that stops tells that the process has gone."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from kam.core.models import Job, JobStatus

log = logging.getLogger(__name__)


def beat_interval() -> float:
    """Seconds between heartbeats: several within the timeout, so one slow write is no death."""
    return max(0.25, min(15.0, settings.JOB_HEARTBEAT_TIMEOUT / 4))


class Pulse(threading.Thread):
    """Writes the latest progress and the time on the job row until stopped."""

    def __init__(self, job_id: int) -> None:
        super().__init__(name=f"kam-job-{job_id}-pulse", daemon=True)
        self.job_id = job_id
        self._fields: dict = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._changed = threading.Event()

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        with self._lock:
            self._fields.update(progress_done=done, progress_total=total)
            if message:
                self._fields["message"] = message
        self._changed.set()

    def run(self) -> None:
        try:
            while not self._stopped.is_set():
                # New progress is shown soon, but at most twice a second; no progress, a
                # heartbeat all the same.
                self._changed.wait(beat_interval())
                self._changed.clear()
                self._write()
                self._stopped.wait(min(0.5, beat_interval()))
            self._write()  # the last progress, before the job's outcome is recorded
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stopped.set()
        self._changed.set()
        self.join(timeout=30)

    def _write(self) -> None:
        with self._lock:
            fields, self._fields = self._fields, {}
        try:
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                heartbeat_at=timezone.now(), **fields
            )
        except DatabaseError:
            # The database is away for a moment: try again at the next beat on a new
            # connection. A heartbeat that stays away long enough fails the job.
            log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
            connection.close()
            with self._lock:
                self._fields = {**fields, **self._fields}
