"""What every background job row shares: its status (imports, re-scoring, reports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """The part every background job row shares (abstract: no table of its own).

    A job is queued, runs once (a task takes only its id; running it again is harmless),
    ends done or failed, and keeps its messages and timings for the page that follows it.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    messages = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def progress(self) -> tuple[int, int]:
        """(done, total) units of work, for the progress bar."""
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        done, total = self.progress()
        return min(99, done * 100 // total) if total else 0
