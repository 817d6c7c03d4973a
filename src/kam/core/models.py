"""Background jobs: long work (an import, a rescore) with the progress a page can show."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.core.versions import Versioned


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobFailure(models.TextChoices):
    """Why a job failed when the work itself did not get to say: its sentence is shown."""

    WORKER_LOST = (
        "worker_lost",
        _(
            "The worker stopped while running this job (killed, out of memory or restarted); "
            "nothing it did was kept."
        ),
    )
    DATABASE_LOST = (
        "database_lost",
        _(
            "The connection to the database was lost while running this job; "
            "nothing it did was kept."
        ),
    )


class Job(models.Model):
    """One run of a long piece of work, started from the web app and run in the background."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    failure = models.CharField(max_length=20, choices=JobFailure.choices, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it ("host/pid-namespace/pid", see kam.core.liveness) and when it last said it
    # was alive: a job whose process is gone, or whose heartbeat stopped, is failed.
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def reason(self) -> str:
        """What to tell a person about the outcome, in their language where kam knows why. A
        job runs outside any request, so its progress messages are stored in English (the
        message ids) and translated here, for whoever reads them."""
        if self.failure:
            return self.get_failure_display()
        return gettext(self.message) if self.message else ""

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(self.progress_done * 100 / self.progress_total))


class Period(Versioned):
    """A named span of time the programme plans and allocates by ("FY2027", "2027 H1"): account
    plans (one per account and period) and time allocations refer to it, so that everyone
    means the same dates by the same name."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on
