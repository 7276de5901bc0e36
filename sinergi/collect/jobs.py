"""What the two spreadsheet imports share: the actor import (collect.imports) and the results
import (collect.results) are runs of an ImportJob (lib.runner) with the same report, the
same failures told the same way, the same audit row, and the same recovery when their
process dies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _t

from sinergi.accounts.scoping import audit_region
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect.choices import Level
from sinergi.collect.models import ImportJob
from sinergi.lib.jobs import recover_jobs
from sinergi.lib.runner import ChunkedJob, run
from sinergi.lib.uploads import UploadRefused
from sinergi.lib.xlsx import NotASpreadsheet
from sinergi.registry.conflicts import TooManyConflicts

MAX_MESSAGES = 100_000

# Problems of a row refused: (column, reason) each.
Problems = list[tuple[str, str]]


class HeaderError(ValueError):
    """The file's header (or its sheet naming a version) does not fit: the job fails."""


@dataclass(frozen=True)
class Line:
    """One line of an import's report: a row (0: the file as a whole), a column, why."""

    row: int
    column: str
    reason: str
    level: str = Level.ERROR.value


class Report:
    """The job's per-row messages (the first MAX_MESSAGES) and its count of rows refused."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        job.messages = []
        if job.attempts > 1:
            self.add(Line(0, "", resumed_message(job), Level.WARNING.value))

    def add(self, line: Line) -> None:
        if len(self.job.messages) < MAX_MESSAGES:
            self.job.messages.append(
                {"row": line.row, "column": line.column, "reason": line.reason, "level": line.level}
            )

    def refuse(self, row: int, problems: Problems) -> None:
        for column, reason in problems:
            self.add(Line(row, column, reason))
        self.job.failed_count += 1


class SpreadsheetImport(ChunkedJob[ImportJob]):
    """A run of an ImportJob as the uploading user: her scope, her name on every row.

    A file that cannot be read as the template (its header, its type, the upload checks and
    limits) fails the job with the reason on row 1; too many NIKs registered outside her
    scope (registry.conflicts) fail it on row 0.
    """

    progress_fields = (
        "total_rows",
        "processed_rows",
        "created_count",
        "updated_count",
        "skipped_count",
        "failed_count",
        "messages",
    )
    refusals = (HeaderError, NotASpreadsheet, UploadRefused, TooManyConflicts)

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        self.user = job.uploaded_by
        self.report = Report(job)

    def failed(self, error: Exception | None) -> None:
        if error is None:
            self.report.add(Line(0, "", _t("The import stopped on an unexpected error.")))
        elif isinstance(error, TooManyConflicts):
            self.report.add(Line(0, "nik", str(error)))
        else:
            self.report.add(Line(1, "", str(error)))

    def audit(self, after: dict[str, Any]) -> None:
        record(
            user=self.user,
            action=Action.IMPORT,
            object_type="import_job",
            object_id=self.job.pk,
            object_repr=self.job.original_name,
            region_code=audit_region(self.user),
            after=after,
        )


def run_import(job_id: int, kind: Callable[[ImportJob], SpreadsheetImport]) -> ImportJob | None:
    """Run a queued import once as `kind` (lib.runner.run); None when it is not queued."""
    return run(ImportJob, job_id, kind, related=("uploaded_by",))


def resumed_message(job: ImportJob) -> str:
    return _t(
        "The import was started again (run %(attempt)s of %(attempts)s) after its process "
        "stopped; rows stored before then are counted as unchanged."
    ) % {"attempt": job.attempts, "attempts": settings.JOB_MAX_ATTEMPTS}


def recover_imports(enqueue: Callable[[ImportJob], None]) -> list[ImportJob]:
    """Imports whose process died (running, heartbeat stale) run again from the first row,
    up to JOB_MAX_ATTEMPTS runs: a run is idempotent (a row already stored is found by its
    NIK and left unchanged, a result already counted is a repeat), so nothing is doubled.
    Past that, the job fails saying which rows were kept. See lib.jobs.recover_jobs."""

    def requeue(job: ImportJob) -> dict[str, Any]:
        return {
            "processed_rows": 0,
            "created_count": 0,
            "updated_count": 0,
            "skipped_count": 0,
            "failed_count": 0,
        }

    def fail(job: ImportJob) -> dict[str, Any]:
        reason = _t(
            "The import stopped: its process was killed %(attempts)s times. The rows stored "
            "before then are kept (the first %(rows)s rows of the file were processed); "
            "upload the file again to import the rest: rows already stored are left unchanged."
        ) % {"attempts": job.attempts, "rows": job.processed_rows}
        line = {"row": 0, "column": "", "reason": reason, "level": str(Level.ERROR)}
        return {"messages": [*job.messages, line]}

    return recover_jobs(ImportJob, requeue=requeue, enqueue=enqueue, fail=fail)
