"""The results spreadsheet of an instrument version: its template (blank or pre-filled with
the actors a user may assess), and how a file is read: which version it was made for, its
header, and how the cells of a row become one actor's answers in one period (parsed once,
by the job: collect.results)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.assessments import services
from sinergi.assessments.choices import InstrumentStatus
from sinergi.assessments.instrument.compiler import CompiledQuestion
from sinergi.assessments.instrument.definition import Definition, Question
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.scoring import format_number
from sinergi.assessments.views import language
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.collect.jobs import HeaderError, column_problems, header_codes
from sinergi.lib.crypto import lookup_hash
from sinergi.lib.scope import Do
from sinergi.lib.xlsx import Sheet, cell_text
from sinergi.registry.models import Actor

# Actors listed in a pre-filled template at most (an Excel sheet holds about a million rows).
PREFILL_LIMIT = 20_000
INSTRUMENT_SHEET = "Instrumen"
NONE_OF_THESE = "-"  # never an option code (codes start with a letter)
IDENTITY = ("id", "nik")
PERIOD = "period"
NAME = "name"  # for the person filling the sheet in; the import never reads it
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


def prefilled_rows(
    user: User | AnonymousUser, instrument: Instrument, period: Period
) -> Iterator[list[Any]]:
    """A row per actor the user may assess (up to PREFILL_LIMIT): her id, name and the period,
    with the answers of her counted result when it was scored by this same version, so that
    a sheet sent back unchanged stores nothing. Names and answers leave Sinergi: recorded."""
    record(
        user,
        Action.EXPORT,
        Subject("assessment", repr=f"{instrument.key} {period.code}"),
        after={"instrument": instrument.key, "period": period.code},
        note="results template pre-filled with the actors the user may assess",
    )
    return _prefill(user, instrument, period)


def _prefill(
    user: User | AnonymousUser, instrument: Instrument, period: Period
) -> Iterator[list[Any]]:
    definition = services.compiled(instrument).definition
    codes = [q.code for q in definition.questions]
    actors = Actor.objects.visible_to(user, Do.CHANGE).order_by("regency_code", "name", "id")
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
    codes = header_codes(cells)
    allowed = columns(definition)
    problems: list[str] = []
    if not set(IDENTITY) & set(codes):
        problems.append(_t("The file needs an id or a nik column to name each actor."))
    required = [PERIOD, *(q.code for q in definition.questions if q.required)]
    missing = [code for code in required if code not in codes]
    unknown = [c for c in codes if c and c not in allowed]
    problems += column_problems(codes, missing=missing, unknown=unknown, allowed=allowed)
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
