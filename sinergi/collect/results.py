"""Mapping results from a spreadsheet: the template of an instrument version, and the run of
one ImportJob of kind `results`.

A row is one actor's answers in one period. Every row that is not refused here goes through
assessments.services.submit_assessment with source import, the service behind the web form,
the API and ODK: the same checks, scoring, audit and announcement to read models. A row whose
answers are exactly the actor's counted result in that period under the same instrument is
counted as unchanged and stored no second time, so a file imported twice stores nothing the
second time; other answers store a correction that supersedes the old result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import restrict_actors
from sinergi.assessments import services
from sinergi.assessments.choices import InstrumentStatus, PeriodStatus, Source
from sinergi.assessments.instrument.compiler import CompiledQuestion
from sinergi.assessments.instrument.definition import Definition, Question
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.scoring import format_number
from sinergi.assessments.services import Checked
from sinergi.assessments.views import language
from sinergi.audit.models import Action
from sinergi.audit.services import record_legacy
from sinergi.collect.choices import Level
from sinergi.collect.imports import HeaderError, Report, run_importer
from sinergi.collect.models import ImportJob
from sinergi.lib.crypto import lookup_hash
from sinergi.lib.scope import Do
from sinergi.lib.storage import local_copy
from sinergi.lib.uploads import parse_limits
from sinergi.lib.workers import Worker
from sinergi.lib.xlsx import Sheet, cell_text, named_sheet_rows, open_first_sheet
from sinergi.registry.models import Actor

log = logging.getLogger(__name__)

# Rows looked up and written together: one query for their actors, one for their counted
# results, one transaction for their writes (short enough not to keep the site waiting).
CHUNK_ROWS = 200
# Rows the worker reading the sheet sends at a time.
READ_ROWS = 2000
# Actors listed in a pre-filled template at most (an Excel sheet holds about a million rows).
PREFILL_LIMIT = 20_000
INSTRUMENT_SHEET = "Instrumen"
NONE_OF_THESE = "-"  # never an option code (codes start with a letter)
IDENTITY = ("id", "nik")
PERIOD = "period"
NAME = "name"  # for the person filling the sheet in; the import never reads it
_IN_BATCH = 500  # parameters per IN (...): below every backend's limit
_CODE_SEPARATORS = re.compile(r"[\s,;]+")
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 1.250.000, as Indonesians write Rupiah
_NIK = re.compile(r"^\d{16}$")
_KEEP_VERSION = _("The import reads the instrument version from this sheet: leave it unchanged.")


def columns(definition: Definition) -> list[str]:
    """The template's header: who, when, then one column per question of the version."""
    return [*IDENTITY, NAME, PERIOD, *(q.code for q in definition.questions)]


# --- The template --------------------------------------------------------------------------


def _both(text: str | Promise) -> tuple[str, str]:
    """A translatable text in Bahasa Indonesia and in English, for the help sheet."""
    with translation.override("id"):
        in_id = str(text)
    with translation.override("en"):
        in_en = str(text)
    return in_id, in_en


def _format(question: Question) -> str:
    lang = language()
    if question.kind in ("integer", "decimal"):
        kind = (
            _t("whole number") if question.kind == "integer" else _t("number, decimals after a dot")
        )
        text = _t("%(kind)s, at least %(min)s") % {
            "kind": kind,
            "min": format_number(question.min, lang),
        }
        if question.max is not None:
            text += _t(", at most %(max)s") % {"max": format_number(question.max, lang)}
        return text
    if question.kind == "one_of":
        return _t("one option code")
    return _t("option codes separated by commas; %(none)s when none applies") % {
        "none": NONE_OF_THESE
    }


def _allowed(question: Question) -> str:
    lang = language()
    return "; ".join(f"{o.code} = {o.label.get(lang)}" for o in question.options)


def help_rows(definition: Definition, open_periods: Sequence[Period]) -> list[tuple[str, ...]]:
    """The help sheet: every column, whether it is required, its labels, format and values."""
    id_or_nik = _t("id or NIK")
    fixed: list[tuple[str, str, str | Promise, str, str]] = [
        ("id", id_or_nik, _("The actor's number in Sinergi (on her page and in the actor "
                             "export)"), _t("whole number"), ""),
        ("nik", id_or_nik, _("The actor's NIK, when her id is not at hand"),
         _t("16 digits, as text"), ""),
        (NAME, _t("not read"), _("Her name, for your own reference; the import does not read "
                                 "it"), _t("text"), ""),
        (PERIOD, _t("required"), _("Mapping period"), _t("period code"),
         ", ".join(p.code for p in open_periods) or _t("no period is open now")),
    ]  # fmt: skip
    rows: list[tuple[str, ...]] = [
        (code, required, *_both(label), form, allowed)
        for code, required, label, form, allowed in fixed
    ]
    rows += [
        (
            q.code,
            _t("required") if q.required else _t("optional"),
            q.label.id,
            q.label.en,
            _format(q),
            _allowed(q),
        )
        for q in definition.questions
    ]
    return rows


def template_sheets(
    instrument: Instrument,
    open_periods: Sequence[Period],
    rows: Iterable[Sequence[Any]] = (),
) -> list[Sheet]:
    """The template of one instrument version: the results sheet (blank, or pre-filled
    rows), the 'Petunjuk' help sheet, and the sheet naming the version, which the import
    reads."""
    definition = services.compiled(instrument).definition
    header = columns(definition)
    return [
        Sheet(
            "results",
            header,
            rows,
            widths=[10, 18, 24, 10] + [16] * len(definition.questions),
            text_columns=[header.index("nik"), header.index(PERIOD)],
        ),
        Sheet(
            "Petunjuk",
            [
                _t("Column"),
                _t("Required"),
                _t("Label (Bahasa Indonesia)"),
                _t("Label (English)"),
                _t("Format"),
                _t("Allowed values"),
            ],
            help_rows(definition, open_periods),
            widths=[18, 12, 45, 45, 40, 70],
        ),
        Sheet(
            INSTRUMENT_SHEET,
            ["instrument", instrument.key],
            [["title", instrument.title], ["note", str(_KEEP_VERSION)]],
            widths=[12, 60],
        ),
    ]


def prefilled_rows(user: Any, instrument: Instrument, period: Period) -> Iterator[list[Any]]:
    """A row per actor the user may assess (up to PREFILL_LIMIT): her id, name and the period,
    with the answers of her counted result when it was scored by this same version, so that
    a sheet sent back unchanged stores nothing. Names and answers leave Sinergi: recorded."""
    record_legacy(
        user=user,
        action=Action.EXPORT,
        object_type="assessment",
        object_repr=f"{instrument.key} {period.code}",
        after={"instrument": instrument.key, "period": period.code},
        note="results template pre-filled with the actors the user may assess",
    )
    return _prefill(user, instrument, period)


def _prefill(user: Any, instrument: Instrument, period: Period) -> Iterator[list[Any]]:
    definition = services.compiled(instrument).definition
    codes = [q.code for q in definition.questions]
    actors = restrict_actors(Actor.objects.all(), user, Do.CHANGE).order_by(
        "regency_code", "name", "id"
    )
    batch: list[tuple[int, str]] = []
    for pk, name in actors.values_list("pk", "name")[:PREFILL_LIMIT].iterator(chunk_size=2000):
        batch.append((pk, name))
        if len(batch) >= 2000:
            yield from _prefill_batch(batch, instrument, period, codes)
            batch = []
    yield from _prefill_batch(batch, instrument, period, codes)


def _prefill_batch(
    batch: list[tuple[int, str]], instrument: Instrument, period: Period, codes: list[str]
) -> Iterator[list[Any]]:
    answers = dict(
        Assessment.objects.filter(
            period=period,
            counted=True,
            instrument=instrument,
            actor_id__in=[pk for pk, _name in batch],
        ).values_list("actor_id", "answers")
    )
    for pk, name in batch:
        given = answers.get(pk, {})
        yield [pk, "", name, period.code, *(_cell(given.get(code)) for code in codes)]


def _cell(answer: Any) -> Any:
    if isinstance(answer, list):
        return ", ".join(answer) if answer else NONE_OF_THESE
    return answer


# --- Reading a file --------------------------------------------------------------------------


def file_instrument(rows: list[list[Any]]) -> tuple[Instrument, str]:
    """The version a file was made for (read from the first rows of its 'Instrumen' sheet,
    empty without one), and a warning.

    A file without that sheet (answers copied into a workbook of one's own) is read with the
    current version, with a warning. A version that is unknown, a draft or retired fails
    the job: its answers would be scored by rules no one can check.
    """
    key = next(
        (cell_text(row[1]) for row in rows if len(row) > 1 and cell_text(row[0]) == "instrument"),
        "",
    )
    current = services.current_instrument()
    if not key:
        if current is None:
            raise HeaderError(_t("No instrument is published yet."))
        return current, _t(
            "The file does not say which instrument version it was made for (it has no "
            "sheet %(sheet)s); its answers are scored with the current version, %(key)s."
        ) % {"sheet": INSTRUMENT_SHEET, "key": current.key}
    code, _at, version = key.partition("@")
    instrument = Instrument.objects.filter(code=code, version=version).first()
    if instrument is None or instrument.status == InstrumentStatus.DRAFT:
        raise HeaderError(
            _t(
                "The file was made for instrument version %(key)s, which is not published in "
                "Sinergi. Download the template again."
            )
            % {"key": key}
        )
    if instrument.status == InstrumentStatus.RETIRED:
        raise HeaderError(
            _t(
                "The file was made for instrument version %(key)s, which is retired and scores "
                "no new results. Download the template of the current version and copy the "
                "answers into it."
            )
            % {"key": key}
        )
    if current is not None and current.pk != instrument.pk:
        return instrument, _t(
            "The file was made for instrument version %(key)s, not the current %(current)s; "
            "its answers are scored with %(key)s."
        ) % {"key": key, "current": current.key}
    return instrument, ""


def read_header(cells: Sequence[Any], instrument: Instrument) -> list[str]:
    """Column codes of the header row ("" for columns not read); a header that does not fit
    the instrument version fails the job, naming the columns."""
    definition = services.compiled(instrument).definition
    codes = [cell_text(c).rstrip("*").strip().lower().replace(" ", "_") for c in cells]
    allowed = columns(definition)
    problems: list[str] = []
    if not set(IDENTITY) & set(codes):
        problems.append(_t("The file needs an id or a nik column to name each actor."))
    required = [PERIOD, *(q.code for q in definition.questions if q.required)]
    missing = [code for code in required if code not in codes]
    if missing:
        problems.append(_t("Missing required columns: %s.") % ", ".join(missing))
    unknown = [c for c in codes if c and c not in allowed]
    if unknown:
        problems.append(
            _t("Unknown columns: %(unknown)s. Allowed columns: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    if repeated:
        problems.append(_t("Columns given more than once: %s.") % ", ".join(repeated))
    if missing or unknown:
        problems.append(
            _t("Is it the template of another instrument version? This file is read as %(key)s.")
            % {"key": instrument.key}
        )
    if problems:
        raise HeaderError(" ".join(problems))
    return ["" if c == NAME else c for c in codes]


@dataclass
class Row:
    """One data row: who, when, and the answers as the scoring expects them."""

    number: int
    period: str
    answers: dict[str, Any]
    actor_id: int | None = None
    nik_hash: str = ""  # the NIK itself is never kept
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """The column that names the actor, for messages about her."""
        return "id" if self.actor_id is not None else "nik"

    def refuse(self, column: str, reason: str) -> None:
        self.errors.setdefault(column, []).append(reason)


def _answer(question: CompiledQuestion, value: Any) -> Any:
    """A cell as check_answers reads it; None when empty. Numbers may be typed as text
    ("Rp1.250.000" included); option codes in any case, several separated by commas."""
    if value is None:
        return None
    if question.kind in ("integer", "decimal"):
        if not isinstance(value, str):
            return value  # a number, date or yes/no cell: check_answers says what is wrong
        text = value.replace(" ", "")
        if text[:2].lower() == "rp":
            text = text[2:].lstrip(".")
        if question.kind == "integer" and _THOUSANDS.match(text):
            text = text.replace(".", "")
        return text or None
    text = cell_text(value).lower()
    if not text:
        return None
    if question.kind == "one_of":
        return text
    return [] if text == NONE_OF_THESE else [c for c in _CODE_SEPARATORS.split(text) if c]


def parse_row(
    number: int,
    codes: Sequence[str],
    cells: Sequence[Any],
    questions: Mapping[str, CompiledQuestion],
) -> Row | None:
    """Cells to a Row; None when the row holds no answer (blank, or an actor of a pre-filled
    template left as it was)."""
    values = {code: cells[i] if i < len(cells) else None for i, code in enumerate(codes) if code}
    answers = {}
    for code, question in questions.items():
        answer = _answer(question, values.get(code))
        if answer is not None:
            answers[code] = answer
    if not answers:
        return None
    row = Row(number, cell_text(values.get(PERIOD)), answers)
    actor_id = cell_text(values.get("id"))
    nik = cell_text(values.get("nik")).replace(" ", "")
    if actor_id.isdigit():
        row.actor_id = int(actor_id)
    elif actor_id:
        row.refuse(
            "id",
            _t("'%(value)s' is not an actor id: her number in Sinergi, in digits.")
            % {"value": actor_id},
        )
    if _NIK.match(nik):
        row.nik_hash = lookup_hash(nik)
    elif nik:
        row.refuse("nik", _t("A NIK has 16 digits."))
    if not actor_id and not nik:
        row.refuse("id", _t("Give the actor's id or her NIK."))
    if not row.period:
        row.refuse(PERIOD, _t("The period code is required."))
    return row


# --- Running a job ---------------------------------------------------------------------------


class ResultsImport:
    """One pass over a results spreadsheet as the uploading user (her scope, her name on
    every result)."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.user = job.uploaded_by
        self.report = Report(job)
        self.seen: dict[tuple[int, int], int] = {}  # (actor, period) -> first row
        self.periods = {p.code: p for p in Period.objects.all()}
        self.open = [p.code for p in self.periods.values() if p.status == PeriodStatus.OPEN]

    def settings(self) -> AbstractContextManager[None]:
        return nullcontext()

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "kind": job.kind,
            "created": job.created_count,
            "corrected": job.updated_count,
            "unchanged": job.skipped_count,
            "failed": job.failed_count,
        }

    def run(self) -> None:
        with local_copy(self.job.file) as path:
            self._run(path)

    def _run(self, path: str) -> None:
        # The sheet is read in a worker process under the upload limits (lib.uploads), a
        # batch of rows ahead of the job; parsing and writing stay here.
        ahead = _read(path)
        with Worker[None, Any](lambda _none: next(ahead, None), parse_limits()) as worker:
            worker.send(None)  # the head of the file
            worker.send(None)  # the first rows
            height, header, instrument_rows = worker.receive()
            self.job.total_rows = max(height - 1, 0)
            if header is None:
                raise HeaderError(_t("The first sheet is empty: it needs a header row."))
            self.instrument, warning = file_instrument(instrument_rows)
            self.questions = services.compiled(self.instrument).questions
            codes = read_header(header, self.instrument)
            if warning:
                self.report.add(1, "", warning, Level.WARNING)
            self.report.save("total_rows")
            chunk: list[Row] = []
            number = 1
            while (read := worker.receive()) is not None:
                worker.send(None)
                for cells in read:
                    number += 1
                    self.job.processed_rows += 1
                    row = parse_row(number, codes, cells, self.questions)
                    if row is not None:
                        chunk.append(row)
                    if len(chunk) >= CHUNK_ROWS:
                        self._import_chunk(chunk)
                        chunk = []
                        self.report.save()
            self._import_chunk(chunk)

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
        scoped = restrict_actors(Actor.objects.all(), self.user, Do.CHANGE)
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
        for column, reasons in errors.items():
            for reason in reasons:
                self.report.add(row.number, column, reason)
        self.job.failed_count += 1


def _read(path: str) -> Iterator[Any]:
    """The worker's part: the first sheet's height, its header row (None when empty) and the
    first rows of the Instrumen sheet; then the rows in batches of READ_ROWS."""
    reader = open_first_sheet(path)
    header = next(reader.rows, None)
    yield reader.height, header, named_sheet_rows(path, INSTRUMENT_SHEET, limit=5) or []
    batch: list[list[Any]] = []
    for cells in reader.rows:
        batch.append(cells)
        if len(batch) >= READ_ROWS:
            yield batch
            batch = []
    yield batch


def run_job(job_id: int) -> ImportJob | None:
    """Run a queued results import once (see imports.run_importer)."""
    return run_importer(job_id, ResultsImport)
