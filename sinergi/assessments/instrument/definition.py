"""An instrument definition as frozen dataclasses, and its canonical JSON.

`Definition` is a valid instrument (reader.py builds one from a file and says what is wrong
with a bad one; compiler.py turns one into the form scoring uses). Its parts name the file
format's keys (docs/instrument-format.md). No database here.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from sinergi.assessments.instrument.compiler import Compiled

FORMAT = 1

Number = int | float
Kind = Literal["integer", "decimal", "one_of", "any_of"]
KINDS: tuple[Kind, ...] = ("integer", "decimal", "one_of", "any_of")
LANGUAGES = ("id", "en")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def tidy(value: Number) -> Number:
    """Weighted sums in floats: round away binary noise (0.1 + 0.2); integers stay integers."""
    return value if isinstance(value, int) else round(value, 6)


@dataclass(frozen=True)
class Label:
    """A text in Bahasa Indonesia and English."""

    id: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.id


@dataclass(frozen=True)
class Band:
    """Values from `min` to `max` score `score`: inclusive for integers, [min, max) for decimals.

    `max` None is open-ended (up to the question's max, or without end).
    """

    min: Number
    max: Number | None
    score: Number
    hint: Label | None = None


@dataclass(frozen=True)
class Option:
    code: str
    label: Label
    score: Number | None = None  # None for any_of: its rules score the chosen set
    hint: Label | None = None


@dataclass(frozen=True)
class SetRule:
    """An any_of rule: every `all_of` chosen, at least one of `any_of` (if given), at least
    `min_count` chosen. The first rule that holds gives the score."""

    score: Number
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    min_count: int = 0
    label: Label | None = None
    hint: Label | None = None

    @property
    def unconditional(self) -> bool:
        return not self.all_of and not self.any_of and self.min_count == 0


@dataclass(frozen=True)
class Question:
    code: str
    kind: Kind
    label: Label
    weight: Number = 1
    required: bool = True
    hint: Label | None = None
    min: Number = 0
    max: Number | None = None
    bands: tuple[Band, ...] = ()
    options: tuple[Option, ...] = ()
    rules: tuple[SetRule, ...] = ()

    @property
    def scores(self) -> tuple[Number, ...]:
        """Every score an answer can get (an unanswered optional question scores 0)."""
        if self.kind in ("integer", "decimal"):
            found = [b.score for b in self.bands]
        elif self.kind == "one_of":
            found = [o.score for o in self.options if o.score is not None]
        else:
            found = [r.score for r in self.rules]
        if not self.required:
            found.append(0)
        return tuple(found)


@dataclass(frozen=True)
class Aspect:
    code: str
    label: Label
    questions: tuple[Question, ...]
    weight: Number = 1

    @property
    def min_score(self) -> Number:
        return sum(min(q.scores) * q.weight for q in self.questions)

    @property
    def max_score(self) -> Number:
        return sum(max(q.scores) * q.weight for q in self.questions)


@dataclass(frozen=True)
class Gate:
    """A level also needs this aspect to score at least `min_score`."""

    aspect: str
    min_score: Number
    hint: Label | None = None


@dataclass(frozen=True)
class Level:
    code: str
    name: str  # short name in sentences, "IR 3"
    label: Label
    min_total: Number
    gates: tuple[Gate, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A graduation condition: the answer times `times` compared (`op`) with `value`, or the
    answer is `in` a set of options."""

    question: str
    op: str = ">="
    value: Number = 0
    times: Number = 1
    within: tuple[str, ...] = ()  # "in" in the file: for one_of and any_of questions


@dataclass(frozen=True)
class Graduation:
    label: Label
    mode: Literal["any_of", "all_of"]
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Definition:
    """A valid instrument. `levels` run from lowest to highest."""

    code: str
    version: str
    label: Label
    aspects: tuple[Aspect, ...]
    levels: tuple[Level, ...]
    description: Label | None = None
    graduation: Graduation | None = None

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for a in self.aspects for q in a.questions)

    def question(self, code: str) -> Question:
        return next(q for q in self.questions if q.code == code)

    def aspect(self, code: str) -> Aspect:
        return next(a for a in self.aspects if a.code == code)

    def level(self, code: str) -> Level:
        return next(lv for lv in self.levels if lv.code == code)

    @property
    def min_total(self) -> Number:
        return sum(a.min_score * a.weight for a in self.aspects)

    @property
    def max_total(self) -> Number:
        return sum(a.max_score * a.weight for a in self.aspects)

    def compile(self) -> Compiled:
        """The fast form for scoring, built once per definition."""
        return self._compiled

    @cached_property
    def _compiled(self) -> Compiled:
        # The compiler imports this module for the dataclasses it compiles.
        from sinergi.assessments.instrument.compiler import compile_definition

        return compile_definition(self)

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (for a JSONField); `from_json` reads it back."""
        return {"format": FORMAT, **_to_plain(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Definition:
        # The reader imports this module for the dataclasses it builds.
        from sinergi.assessments.instrument.reader import build_definition

        body = {k: v for k, v in data.items() if k != "format"}
        return build_definition(body)


def _label_plain(label: Label) -> dict[str, str]:
    return {"id": label.id, "en": label.en}


def _to_plain(d: Definition) -> dict[str, Any]:
    def opt(key: str, value: Any, default: Any = None) -> dict[str, Any]:
        return {} if value == default else {key: value}

    def hint(value: Label | None) -> dict[str, Any]:
        return {} if value is None else {"hint": _label_plain(value)}

    def question(q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {"code": q.code, "type": q.kind, "label": _label_plain(q.label)}
        out |= opt("weight", q.weight, 1) | opt("required", q.required, True) | hint(q.hint)
        if q.kind in ("integer", "decimal"):
            out |= {"min": q.min} | opt("max", q.max)
            out["bands"] = [
                {"min": b.min} | opt("max", b.max) | {"score": b.score} | hint(b.hint)
                for b in q.bands
            ]
        else:
            out["options"] = [
                {"code": o.code, "label": _label_plain(o.label)}
                | opt("score", o.score)
                | hint(o.hint)
                for o in q.options
            ]
        if q.kind == "any_of":
            out["rules"] = [
                opt("all_of", list(r.all_of), [])
                | opt("any_of", list(r.any_of), [])
                | opt("min_count", r.min_count, 0)
                | {"score": r.score}
                | ({} if r.label is None else {"label": _label_plain(r.label)})
                | hint(r.hint)
                for r in q.rules
            ]
        return out

    out: dict[str, Any] = {"code": d.code, "version": d.version, "label": _label_plain(d.label)}
    if d.description is not None:
        out["description"] = _label_plain(d.description)
    out["aspects"] = [
        {"code": a.code, "label": _label_plain(a.label)}
        | opt("weight", a.weight, 1)
        | {"questions": [question(q) for q in a.questions]}
        for a in d.aspects
    ]
    out["levels"] = [
        {"code": lv.code}
        | opt("name", lv.name, lv.code)
        | {"label": _label_plain(lv.label), "min_total": lv.min_total}
        | opt(
            "gates",
            [{"aspect": g.aspect, "min_score": g.min_score} | hint(g.hint) for g in lv.gates],
            [],
        )
        for lv in d.levels
    ]
    if d.graduation is not None:
        g = d.graduation
        out["graduation"] = {
            "label": _label_plain(g.label),
            g.mode: [
                {"question": c.question}
                | (
                    {"in": list(c.within)}
                    if c.within
                    else opt("times", c.times, 1) | {"op": c.op, "value": c.value}
                )
                for c in g.conditions
            ],
        }
    return out
