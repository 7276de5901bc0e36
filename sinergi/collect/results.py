"""The run of a results import (an ImportJob of kind `results`), on lib.runner.

A row is one actor's answers in one period (collect.results_sheet). Every row that is not
refused here goes through assessments.services.submit_assessment with source import, the
service behind the web form, the API and ODK: the same checks, scoring, audit and
announcement to read models. A row whose answers are exactly the actor's counted result in
that period under the same instrument is counted as unchanged and stored no second time,
so a file imported twice stores nothing the second time; other answers store a correction
that supersedes the old result.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Mapping
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _t

from sinergi.assessments import services
from sinergi.assessments.choices import PeriodStatus, Source
from sinergi.assessments.models import Assessment, Period
from sinergi.assessments.services import Checked
from sinergi.collect.choices import Level
from sinergi.collect.jobs import HeaderError, Line, SpreadsheetImport, run_import
from sinergi.collect.models import ImportJob
from sinergi.collect.results_sheet import (
    INSTRUMENT_SHEET,
    NONE_OF_THESE,
    PERIOD,
    Row,
    file_instrument,
    parse_row,
    read_header,
)
from sinergi.lib.runner import ReadsAhead, Setup
from sinergi.lib.scope import Do
from sinergi.lib.storage import local_copy
from sinergi.lib.uploads import parse_limits
from sinergi.lib.xlsx import named_sheet_rows, open_first_sheet
from sinergi.registry.models import Actor

log = logging.getLogger(__name__)

# Rows looked up and written together: one query for their actors, one for their counted
# results, one transaction for their writes (short enough not to keep the site waiting).
CHUNK_ROWS = 200
_IN_BATCH = 500  # parameters per IN (...): below every backend's limit
# The head of a file: its first sheet's height, its header row (None when the sheet is
# empty) and the first rows of its Instrumen sheet.
Head = tuple[int, list[Any] | None, list[list[Any]]]


class ResultsImport(SpreadsheetImport):
    """One pass over a results spreadsheet as the uploading user (her scope, her name on
    every result). Its worker process reads the sheet, a chunk of rows ahead of the job; the
    job parses and writes them, since which version and columns the rows are read with is
    only known once the job has read the head of the file."""

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        self.seen: dict[tuple[int, int], int] = {}  # (actor, period) -> first row
        self.number = 1  # the header's row

    def setup(self) -> Setup:
        return Setup(worker=ReadsAhead(chunks=1, limits=parse_limits()))

    def load(self) -> None:
        self.periods = {p.code: p for p in Period.objects.all()}
        self.open = [p.code for p in self.periods.values() if p.status == PeriodStatus.OPEN]

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "kind": job.kind,
            "created": job.created_count,
            "corrected": job.updated_count,
            "unchanged": job.skipped_count,
            "failed": job.failed_count,
        }

    def read(self) -> Generator[Head | list[list[Any]], None, None]:
        """The worker's part: the head of the file, then its rows, CHUNK_ROWS at a time."""
        with local_copy(self.job.file) as path:
            reader = open_first_sheet(path)
            header = next(reader.rows, None)
            yield reader.height, header, named_sheet_rows(path, INSTRUMENT_SHEET, limit=5) or []
            chunk: list[list[Any]] = []
            for cells in reader.rows:
                chunk.append(cells)
                if len(chunk) >= CHUNK_ROWS:
                    yield chunk
                    chunk = []
            yield chunk

    def start(self, head: Head) -> None:
        height, header, instrument_rows = head
        self.job.total_rows = max(height - 1, 0)
        if header is None:
            raise HeaderError(_t("The first sheet is empty: it needs a header row."))
        self.instrument, warning = file_instrument(instrument_rows)
        self.questions = services.compiled(self.instrument).questions
        self.codes = read_header(header, self.instrument)
        if warning:
            self.report.add(Line(1, "", warning, Level.WARNING.value))

    def write(self, chunk: list[list[Any]]) -> None:
        rows = []
        for cells in chunk:
            self.number += 1
            self.job.processed_rows += 1
            row = parse_row(self.number, self.codes, cells, self.questions)
            if row is not None:
                rows.append(row)
        self._import_chunk(rows)

    def _import_chunk(self, rows: list[Row]) -> None:
        if not rows:
            return
        by_id, by_hash = self._actors(rows)
        ready: list[tuple[Row, Actor, Period, Checked]] = []
        for row in rows:
            actor = self._identify(row, by_id, by_hash)
            period = self._period(row)
            clean = self._clean(row)
            if actor is not None and period is not None:
                first = self.seen.setdefault((actor.pk, period.pk), row.number)
                if first != row.number:
                    row.refuse(
                        row.identity,
                        _t("Same actor and period as row %(row)s of this file.") % {"row": first},
                    )
            if row.errors or actor is None or period is None or clean is None:
                self._fail(row, row.errors)
            else:
                ready.append((row, actor, period, clean))
        counted = self._counted([(actor.pk, period.pk) for _row, actor, period, _c in ready])
        with transaction.atomic():
            for row, actor, period, clean in ready:
                self._submit(row, actor, period, clean, counted.get((actor.pk, period.pk)))

    def _actors(self, rows: list[Row]) -> tuple[dict[int, Actor], dict[str, Actor]]:
        """The chunk's actors within the user's scope, by id and by NIK hash: one question
        for the chunk. An actor outside her scope is not found, exactly like a missing one."""
        ids = sorted({row.actor_id for row in rows if row.actor_id is not None})
        hashes = sorted({row.nik_hash for row in rows if row.nik_hash})
        scoped = Actor.objects.visible_to(self.user, Do.CHANGE)
        found: list[Actor] = []
        for start in range(0, max(len(ids), len(hashes)), _IN_BATCH):
            end = start + _IN_BATCH
            found += scoped.filter(Q(pk__in=ids[start:end]) | Q(nik_hash__in=hashes[start:end]))
        return {a.pk: a for a in found}, {a.nik_hash: a for a in found}

    def _identify(
        self, row: Row, by_id: Mapping[int, Actor], by_hash: Mapping[str, Actor]
    ) -> Actor | None:
        named = None if row.actor_id is None else by_id.get(row.actor_id)
        nik_of = by_hash.get(row.nik_hash) if row.nik_hash else None
        if row.actor_id is not None and row.nik_hash:
            if named is not None and nik_of is not None and named.pk == nik_of.pk:
                return named
            row.refuse(
                "nik",
                _t("The id and the NIK do not name the same actor in your region or caseload."),
            )
            return None
        if row.actor_id is not None:
            if named is None:
                row.refuse(
                    "id",
                    _t("No actor with id %(id)s in your region or caseload.")
                    % {"id": row.actor_id},
                )
            return named
        if row.nik_hash:
            if nik_of is None:
                row.refuse("nik", _t("No actor with this NIK in your region or caseload."))
            return nik_of
        return None

    def _period(self, row: Row) -> Period | None:
        period = self.periods.get(row.period)
        if period is None and row.period:
            row.refuse(
                PERIOD,
                _t("Unknown period '%(code)s'. Periods open now: %(open)s.")
                % {"code": row.period, "open": ", ".join(self.open) or "—"},
            )
        return period

    def _clean(self, row: Row) -> Checked | None:
        clean, problems = services.check(self.instrument, row.answers)
        for code, reasons in services.explain_problems(problems).items():
            question = self.questions.get(code)
            if question is not None and question.kind == "any_of" and code not in row.answers:
                reasons = [
                    _t("An answer is required; write %(none)s when none of the options applies.")
                    % {"none": NONE_OF_THESE}
                ]
            for reason in reasons:
                row.refuse(code, reason)
        return clean

    def _counted(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], Assessment]:
        """The counted results of the chunk's actors and periods (one question)."""
        if not keys:
            return {}
        rows = Assessment.objects.filter(
            counted=True,
            actor_id__in={actor for actor, _period in keys},
            period_id__in={period for _actor, period in keys},
        ).only("actor_id", "period_id", "instrument_id", "answers")
        return {(a.actor_id, a.period_id): a for a in rows}

    def _submit(
        self, row: Row, actor: Actor, period: Period, clean: Checked, counted: Assessment | None
    ) -> None:
        try:
            submitted = services.submit_assessment(
                user=self.user,
                actor=actor,
                period=period,
                answers=clean,
                source=Source.IMPORT,
                counted=counted,
            )
        except services.Refused as exc:
            self._fail(row, {"" if k == "instrument" else k: v for k, v in exc.errors.items()})
        except DatabaseError as exc:
            log.warning("results import row %s not stored: %s", row.number, exc)
            self._fail(row, {"": [_t("The row could not be saved; try again.")]})
        else:
            if not submitted.stored:
                self.job.skipped_count += 1
            elif submitted.assessment.supersedes_id is not None:
                self.job.updated_count += 1
            else:
                self.job.created_count += 1

    def _fail(self, row: Row, errors: Mapping[str, list[str]]) -> None:
        self.report.refuse(
            row.number,
            [(column, reason) for column, reasons in errors.items() for reason in reasons],
        )


def run_job(job_id: int) -> ImportJob | None:
    """Run a queued results import once (lib.runner.run)."""
    return run_import(job_id, ResultsImport)
