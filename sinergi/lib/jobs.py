"""What every background job row shares: its status (imports, re-scoring, reports), and
what becomes of a job whose process died while it ran."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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
    A run whose process was killed is queued again or failed by recover_jobs.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    messages = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moved on as the job's work is committed: a running job silent for JOB_STALE_SECONDS
    # lost its process (see recover_jobs).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started

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


J = TypeVar("J", bound=Job)


def claim(model: type[Job], pk: int) -> bool:
    """Mark a queued job running (one more attempt, heartbeat now); False when it is not
    queued (running elsewhere, or finished): the caller then leaves it alone."""
    now = timezone.now()
    return bool(
        model._default_manager.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def stalled(model: type[J]) -> list[J]:
    """Running jobs whose heartbeat is older than JOB_STALE_SECONDS: their process died."""
    before = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    return list(
        model._default_manager.filter(status=JobStatus.RUNNING).filter(
            Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, started_at__lt=before)
        )
    )


def recover_jobs(
    model: type[J],
    *,
    requeue: Callable[[J], dict[str, Any]],
    enqueue: Callable[[J], None],
    fail: Callable[[J], dict[str, Any]],
) -> list[J]:
    """Queue again, or fail, every stalled job of `model`; returns them.

    A job with attempts left is set queued with the fields requeue(job) gives (its counters
    started again) and handed to enqueue; one out of attempts (JOB_MAX_ATTEMPTS) is failed
    with the fields fail(job) gives (a message saying what was kept). Each change is made only
    if the job is still as it was read (running, same heartbeat), so two consumers starting
    at once recover a job once.
    """
    recovered = []
    for job in stalled(model):
        again = job.attempts < settings.JOB_MAX_ATTEMPTS
        fields = requeue(job) if again else fail(job)
        if again:
            fields["status"] = JobStatus.QUEUED
        else:
            fields.update(status=JobStatus.FAILED, finished_at=timezone.now())
        changed = model._default_manager.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(**fields)
        if not changed:
            continue
        for name, value in fields.items():
            setattr(job, name, value)
        recovered.append(job)
        if again:
            enqueue(job)
    return recovered
