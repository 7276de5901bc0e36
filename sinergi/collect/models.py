"""Spreadsheet import jobs (one row per uploaded file, with its progress and per-row report)
and OpenRosa submissions (one row per form instance received from a phone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import audit_region
from sinergi.audit.subjects import Subject
from sinergi.collect.choices import JobKind, SubmissionStatus
from sinergi.lib.jobs import Job
from sinergi.lib.scope import Do, Reach, ScopedQuerySet


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

    # A job is its uploader's (and the national administrators').
    reach = Reach(owner="uploaded_by")
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} ({self.status})"

    @property
    def audit_subject(self) -> Subject:
        """Named by the file, filed where the uploader's officers see it."""
        return Subject("import_job", self.pk, self.original_name, audit_region(self.uploaded_by))

    def progress(self) -> tuple[int, int]:
        return self.processed_rows, self.total_rows


class Submission(models.Model):
    """One OpenRosa submission (ODK Collect, Enketo) exactly as received, and its fate.

    Kept whether accepted or not: an accepted one points at the result it created; a
    rejected one waits in the regency officer's inbox with the reason, until she fixes and
    re-processes it or dismisses it. `instance_id` is the form instance's own id
    (`uuid:...`): a phone that sends the same instance twice gets the first answer again.
    """

    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True)
    deprecated_id = models.CharField(_("replaces instance"), max_length=100, blank=True)
    form_id = models.CharField(_("form"), max_length=100, blank=True)
    form_version = models.CharField(_("form version"), max_length=40, blank=True)
    xml = models.TextField()
    # sha256 of the XML as received: the same instance with the same content is a retry.
    digest = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, db_index=True
    )
    # {field or question code: [reasons]}, in the submitter's language at the time.
    errors = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    # The actor's village code (or the submitter's home region when the actor is unknown), so
    # the inbox is scoped like everything else; blank when neither is known.
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    actor = models.ForeignKey(
        "registry.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Raw answers: the submitter's own, and those filed in the region of an officer who may
    # change data there.
    reach = Reach(code="region_code", owner="submitted_by", reads_need=Do.CHANGE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.instance_id} ({self.status})"

    @property
    def audit_subject(self) -> Subject:
        return Subject("submission", self.pk, self.instance_id, self.region_code)


class SubmissionFile(models.Model):
    """A file sent with a submission (a photo of the product, say), kept with it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="submissions/%Y/%m/")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_subject(self) -> Subject:
        """Its submission, named by the file."""
        submission = self.submission
        return Subject("submission", submission.pk, self.name, submission.region_code)
