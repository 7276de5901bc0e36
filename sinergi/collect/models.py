"""Spreadsheet import jobs: one row per uploaded file, with its progress and per-row report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.collect.choices import JobKind
from sinergi.lib.jobs import Job


class ImportJob(Job):
    """An uploaded spreadsheet and what became of each of its rows.

    The job runs as the uploading user: every row is checked against her scope at run time,
    not at upload. Messages are [{row, column, reason, level}] with level error or warning.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} ({self.status})"

    def progress(self) -> tuple[int, int]:
        return self.processed_rows, self.total_rows
