"""Forms for the mapping pages: the answers of an assessment, periods and instrument uploads.

The answers form is built from the instrument itself (its questions, kinds and bilingual
labels), so a new instrument version needs no code. Answers go to `check_answers` as the
raw text a browser sends; it is the one place that decides what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from sinergi.assessments.instrument.compiler import Compiled, CompiledQuestion
from sinergi.assessments.instrument.definition import Definition, Question
from sinergi.assessments.models import Period
from sinergi.assessments.scoring import Result, check_answers, score


def answers_from(data: QueryDict, definition: Definition) -> dict[str, Any]:
    """The answers posted for each question; an unanswered question is left out.

    An any_of question has a "none of these" checkbox with an empty value, so "none of these"
    (present, empty) differs from "not answered" (nothing ticked, absent).
    """
    answers: dict[str, Any] = {}
    for question in definition.questions:
        if question.code not in data:
            continue
        if question.kind == "any_of":
            answers[question.code] = [v for v in data.getlist(question.code) if v]
        elif data.get(question.code, "").strip():
            answers[question.code] = data[question.code]
    return answers


def _lowest(question: CompiledQuestion) -> Any:
    """An answer that is always valid for a compiled question (its stand-in while unanswered)."""
    if question.kind == "one_of":
        return question.option_order[0]
    if question.kind == "any_of":
        return frozenset()
    return question.min


def provisional(
    compiled: Compiled, answers: Mapping[str, Any]
) -> tuple[Result | None, dict[str, list[Any]], int]:
    """Score what is answered so far (unanswered questions count 0), for the live preview.

    (result, problems of the answered questions, how many questions are answered). With a
    problem there is no result: a wrong answer is shown rather than a misleading total.
    """
    complete = {code: answers.get(code, _lowest(q)) for code, q in compiled.questions.items()}
    clean, problems = check_answers(compiled, complete)
    answered = [code for code in compiled.questions if code in answers]
    if clean is None:
        return None, problems, len(answered)
    return score(compiled, {c: clean[c] for c in answered}), {}, len(answered)


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str
    checked: bool


@dataclass(frozen=True)
class Field:
    """One question as the form shows it, in one language, with its answer and errors."""

    code: str
    kind: str
    label: str
    hint: str
    required: bool
    value: str
    minimum: Any
    maximum: Any
    choices: tuple[Choice, ...]
    none_checked: bool  # any_of: "none of these" ticked
    errors: tuple[str, ...]

    @property
    def inputmode(self) -> str:
        return "numeric" if self.kind == "integer" else "decimal"

    @property
    def step(self) -> str:
        return "1" if self.kind == "integer" else "any"


@dataclass(frozen=True)
class Section:
    code: str
    label: str
    fields: tuple[Field, ...]


def _field(q: Question, lang: str, raw: Any, errors: list[str]) -> Field:
    chosen = set(raw) if isinstance(raw, list) else {raw}
    return Field(
        code=q.code,
        kind=q.kind,
        label=q.label.get(lang),
        hint=q.hint.get(lang) if q.hint else "",
        required=q.required,
        value="" if raw is None or isinstance(raw, list) else str(raw),
        minimum=q.min,
        maximum=q.max,
        choices=tuple(
            Choice(o.code, o.label.get(lang), o.hint.get(lang) if o.hint else "", o.code in chosen)
            for o in q.options
        ),
        none_checked=raw == [],
        errors=tuple(errors),
    )


def answer_sections(
    definition: Definition,
    language: str,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
) -> list[Section]:
    """The form, aspect by aspect, in the instrument's own words for `language`."""
    return [
        Section(
            aspect.code,
            aspect.label.get(language),
            tuple(
                _field(q, language, answers.get(q.code), errors.get(q.code, []))
                for q in aspect.questions
            ),
        )
        for aspect in definition.aspects
    ]


class PeriodChoiceForm(forms.Form):
    """The period a result is for. Only open periods are offered, but any period validates:
    one closed while she was answering gets the service's clear refusal, not a bare
    "invalid choice"."""

    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=Period.objects.all(),
        to_field_name="code",
        empty_label=None,
    )

    def __init__(self, *args: Any, offered: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.choices = [(p.code, p.name) for p in offered]


class PeriodForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        max_length=20,
        regex=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        help_text=_("For example 2019. Letters, digits, dots and dashes."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date is before the start date."))
        code = data.get("code")
        if code and Period.objects.filter(code=code).exists():
            self.add_error("code", _("A period with this code already exists."))
        return data


class InstrumentUploadForm(forms.Form):
    source = forms.CharField(
        label=_("Definition (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(
        label=_("Or a .yaml file"),
        required=False,
        help_text=_("The format is described in docs/instrument-format.md."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["source"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        if not (data.get("source") or "").strip() and not self.errors:
            raise forms.ValidationError(_("Paste a definition or choose a file."))
        return data
