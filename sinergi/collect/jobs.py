"""What the two spreadsheet imports share: the actor import (collect.imports) and the results
import (collect.results) are runs of an ImportJob (lib.runner) with the same report, the
same failures told the same way, the same audit row, and the same recovery when their
process dies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect.choices import Level
from sinergi.collect.models import ImportJob
from sinergi.lib.runner import ChunkedJob, recover, run
from sinergi.lib.uploads import UploadRefused
from sinergi.lib.xlsx import NotASpreadsheet, cell_text
from sinergi.registry.conflicts import TooManyConflicts

MAX_MESSAGES = 100_000

# Problems of a row refused: (column, reason) each.
Problems = list[tuple[str, str]]


class HeaderError(ValueError):
    """The file's header (or its sheet naming a version) does not fit: the job fails."""


def header_codes(cells: Sequence[Any]) -> list[str]:
    """A header row as column codes: a template's "Business name *" reads business_name."""
    return [cell_text(c).rstrip("*").strip().lower().replace(" ", "_") for c in cells]


def column_problems(
    codes: Sequence[str], *, missing: Sequence[str], unknown: Sequence[str], allowed: Sequence[str]
) -> list[str]:
    """What is wrong with a header's columns: required ones missing, unknown ones (naming
    the `allowed`), and any given more than once."""
    problems: list[str] = []
    if missing:
        problems.append(_t("Missing required columns: %s.") % ", ".join(missing))
    if unknown:
        problems.append(
            _t("Unknown columns: %(unknown)s. Allowed columns: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    if repeated:
        problems.append(_t("Columns given more than once: %s.") % ", ".join(repeated))
    return problems


@dataclass(frozen=True)
class Line:
    """One line of an import's report: a row (0: the file as a whole), a column, why."""

    row: int
    column: str
    reason: str
    level: str = Level.ERROR.value

    def as_message(self) -> dict[str, Any]:
        """As the job's messages keep it."""
        return {"row": self.row, "column": self.column, "reason": self.reason, "level": self.level}


class Report:
    """The job's per-row messages (the first MAX_MESSAGES) and its count of rows refused."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        job.messages = []
        if job.attempts > 1:
            self.add(Line(0, "", resumed_message(job), Level.WARNING.value))

    def add(self, line: Line) -> None:
        if len(self.job.messages) < MAX_MESSAGES:
            self.job.messages.append(line.as_message())

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
    # A run again is idempotent: a row already stored is found by its NIK and left
    # unchanged, a result already counted is a repeat, so nothing is doubled.
    restarted = dict.fromkeys(
        ("processed_rows", "created_count", "updated_count", "skipped_count", "failed_count"),
        0,
    )
    given_up = _(
        "The import stopped: its process was killed %(attempts)s times. The rows stored "
        "before then are kept (the first %(processed_rows)s rows of the file were "
        "processed); upload the file again to import the rest: rows already stored are left "
        "unchanged."
    )

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

    @classmethod
    def stopped(cls, job: ImportJob, reason: str) -> dict[str, Any]:
        return {"messages": [*job.messages, Line(0, "", reason).as_message()]}

    def audit(self, after: dict[str, Any]) -> None:
        record(self.user, Action.IMPORT, self.job, after=after)


def run_import(job_id: int, kind: Callable[[ImportJob], SpreadsheetImport]) -> ImportJob | None:
    """Run a queued import once as `kind` (lib.runner.run); None when it is not queued."""
    return run(ImportJob, job_id, kind, related=("uploaded_by",))


def resumed_message(job: ImportJob) -> str:
    return _t(
        "The import was started again (run %(attempt)s of %(attempts)s) after its process "
        "stopped; rows stored before then are counted as unchanged."
    ) % {"attempt": job.attempts, "attempts": settings.JOB_MAX_ATTEMPTS}


def recover_imports(enqueue: Callable[[ImportJob], None]) -> list[ImportJob]:
    """Imports whose process died run again from the first row, or fail saying which rows
    were kept (lib.runner.recover)."""
    return recover(ImportJob, SpreadsheetImport, enqueue)
