"""Each published instrument version as an XLSForm and, through pyxform, an XForm.

ODK Collect, KoboCollect and Enketo fill the XForm offline. The form carries the instrument's
own question codes, so a submission's answers go to the same scoring as the web form. Two
lists change more often than the form and come as media files listed in the manifest:
`periods.csv` (the open periods) and `actors.csv` (the caseload of the person downloading,
so a phone only ever holds her own actors, with the NIK masked).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from pyxform.xls2xform import convert

from sinergi.accounts.models import User
from sinergi.assessments.choices import InstrumentStatus, PeriodStatus
from sinergi.assessments.instrument.definition import Definition, Label, Question
from sinergi.assessments.models import Instrument, Period
from sinergi.lib.scope import Do
from sinergi.lib.xlsx import Sheet, write_workbook
from sinergi.registry.models import Actor

# Column suffixes of XLSForm's multilingual columns; the first is the form's default.
LANGUAGES = (("id", "Bahasa Indonesia (id)"), ("en", "English (en)"))
ACTORS_FILE = "actors.csv"
PERIODS_FILE = "periods.csv"
MEDIA_FILES = (ACTORS_FILE, PERIODS_FILE)
# Optional photo of the business or its products, sent with the submission.
PHOTO = "photo"
# The root element of every instance: fixed, so submissions are recognised by its attributes.
ROOT = "data"


@dataclass(frozen=True)
class _Text:
    """A text in both form languages."""

    id: str
    en: str

    @classmethod
    def of(cls, label: Label) -> _Text:
        return cls(label.id, label.en)


def form_id(instrument: Instrument) -> str:
    """The XForm id: the instrument code, so a new version replaces the old on the phone."""
    return instrument.code


def fillable_instruments() -> QuerySet[Instrument]:
    """Forms a phone may fill: published versions (the newest first)."""
    return Instrument.objects.filter(status=InstrumentStatus.PUBLISHED).order_by("-published_at")


def _columns(name: str, text: _Text | None) -> dict[str, str]:
    if text is None:
        return {}
    return {f"{name}::{lang}": getattr(text, code) for code, lang in LANGUAGES}


def _number_constraint(q: Question) -> tuple[str, _Text]:
    low = f"{q.min:g}"
    if q.max is None:
        return f". >= {low}", _Text(
            f"Isi angka {low} atau lebih, tanpa titik atau koma ribuan.",
            f"Enter a number of {low} or more, without thousands separators.",
        )
    high = f"{q.max:g}"
    return f". >= {low} and . <= {high}", _Text(
        f"Isi angka antara {low} dan {high}.", f"Enter a number between {low} and {high}."
    )


def _survey_rows(definition: Definition) -> Iterator[dict[str, str]]:
    yield {
        "type": f"select_one_from_file {PERIODS_FILE}",
        "name": "period",
        "required": "yes",
        **_columns("label", _Text("Periode pemetaan", "Mapping period")),
    }
    yield {
        "type": f"select_one_from_file {ACTORS_FILE}",
        "name": "actor",
        "required": "yes",
        "appearance": "autocomplete",
        **_columns("label", _Text("Pelaku IR dampingan Anda", "Actor in your caseload")),
        **_columns("hint", _Text("Ketik sebagian nama untuk mencari.", "Type part of the name.")),
    }
    for aspect in definition.aspects:
        yield {
            "type": "begin_group",
            "name": f"aspect_{aspect.code}",
            "appearance": "field-list",
            **_columns("label", _Text.of(aspect.label)),
        }
        for q in aspect.questions:
            row = {
                "name": q.code,
                **_columns("label", _Text.of(q.label)),
                **_columns("hint", None if q.hint is None else _Text.of(q.hint)),
            }
            if q.kind in ("integer", "decimal"):
                constraint, message = _number_constraint(q)
                row |= {
                    "type": q.kind,
                    "constraint": constraint,
                    **_columns("constraint_message", message),
                    "required": "yes" if q.required else "",
                }
            elif q.kind == "one_of":
                row |= {"type": f"select_one {q.code}", "required": "yes" if q.required else ""}
            else:
                # "None of these" is a valid any_of answer (an empty selection), so the
                # question is never required on the phone; the server still scores it.
                row |= {"type": f"select_multiple {q.code}"}
            yield row
        yield {"type": "end_group", "name": ""}
    yield {
        "type": "image",
        "name": PHOTO,
        "parameters": "max-pixels=1280",
        **_columns("label", _Text("Foto usaha atau produk (boleh kosong)", "Photo (optional)")),
    }


def _choice_rows(definition: Definition) -> Iterator[dict[str, str]]:
    for q in definition.questions:
        for option in q.options:
            yield {
                "list_name": q.code,
                "name": option.code,
                **_columns("label", _Text.of(option.label)),
            }


def _sheet(name: str, rows: Sequence[dict[str, str]], first: Sequence[str]) -> Sheet:
    header = list(first)
    for row in rows:
        header.extend(key for key in row if key not in header)
    return Sheet(
        name=name,
        header=header,
        rows=[[row.get(key, "") for key in header] for row in rows],
        widths=[28] * len(header),
    )


def xlsform_sheets(instrument: Instrument) -> list[Sheet]:
    """The XLSForm of an instrument version: survey, choices and settings sheets."""
    definition = Definition.from_json(instrument.definition)
    survey = list(_survey_rows(definition))
    choices = list(_choice_rows(definition))
    settings_row = {
        "form_id": form_id(instrument),
        "version": instrument.version,
        "form_title": f"{definition.label.id} ({instrument.key})",
        "default_language": LANGUAGES[0][1],
        "instance_name": "concat('Pelaku ', ${actor}, ' - ', ${period})",
    }
    return [
        _sheet("survey", survey, ["type", "name"]),
        _sheet("choices", choices, ["list_name", "name"]),
        _sheet("settings", [settings_row], list(settings_row)),
    ]


def xlsform_stream(instrument: Instrument) -> IO[bytes]:
    """The XLSForm as an .xlsx file, rewound."""
    return write_workbook(xlsform_sheets(instrument))


# An instrument version never changes once published, so its XForm is built once per process.
_xforms: dict[tuple[int, object], bytes] = {}


def xform(instrument: Instrument) -> bytes:
    """The XForm XML of an instrument version, converted by pyxform from its XLSForm."""
    key = (instrument.pk, instrument.created_at)
    found = _xforms.get(key)
    if found is None:
        with xlsform_stream(instrument) as stream:
            result = convert(stream.read(), file_type=".xlsx", form_name=ROOT)
        found = _xforms[key] = result.xform.encode()
    return found


def md5(content: bytes) -> str:
    """The hash OpenRosa lists for forms and media files."""
    return "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def caseload(user: User | AnonymousUser) -> QuerySet[Actor]:
    """The actors a user may send results for, as the phone lists them."""
    return Actor.objects.visible_to(user, Do.CHANGE).order_by("name", "pk")


def actors_csv(user: User | AnonymousUser) -> bytes:
    """The user's caseload: id, and a label with name, village and masked NIK."""
    rows = caseload(user).values_list("pk", "name", "village__name", "nik_masked")
    return _csv(
        ["name", "label"],
        ((pk, f"{name} - {village.title()} - {nik}") for pk, name, village, nik in rows.iterator()),
    )


def periods_csv() -> bytes:
    rows = Period.objects.filter(status=PeriodStatus.OPEN).values_list("code", "name")
    return _csv(["name", "label"], rows)


def media(user: User | AnonymousUser, filename: str) -> bytes:
    if filename == ACTORS_FILE:
        return actors_csv(user)
    if filename == PERIODS_FILE:
        return periods_csv()
    raise KeyError(filename)
