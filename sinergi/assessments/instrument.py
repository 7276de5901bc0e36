"""Instrument definitions as data: parse, validate (every message names its line) and compile.

A definition is YAML (or JSON, which the same loader reads) in the format described in
docs/instrument-format.md. Parsing never raises on bad content: it returns every problem found,
each naming the line, so an administrator can fix an upload in one pass. No database here.
"""

from __future__ import annotations

import bisect
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml

from sinergi.lib.problems import Problem as Problem  # re-exported for callers
from sinergi.lib.problems import _

FORMAT = 1
INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DEFAULT_FILE = INSTRUMENTS_DIR / "ir-default-2026.1.yaml"

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

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")  # question, aspect and option codes: XLSForm names
_LEVEL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_INSTRUMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class InvalidInstrument(ValueError):
    """A definition that cannot be used; `problems` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# --- The definition ------------------------------------------------------------------------


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
        return _compile(self)

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (for a JSONField); `from_json` reads it back."""
        return {"format": FORMAT, **_to_plain(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Definition:
        body = {k: v for k, v in data.items() if k != "format"}
        return _build(body)


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


# --- Loading with line numbers -----------------------------------------------------------


class _Map(dict[Any, Any]):
    """A mapping that remembers its line and the line of each key."""

    line = 0
    key_lines: dict[Any, int]


class _Seq(list[Any]):
    line = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and reports duplicate keys (YAML keeps the last)."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            loader.duplicates.append((line, str(key)))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [n.start_mark.line + 1 for n in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def _load(text: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "syntax error"
        return None, [
            Problem(_("line %(line)s: this is not valid YAML (%(reason)s)."), _at(line, reason))
        ]
    except (yaml.YAMLError, TypeError) as exc:  # TypeError: a list or mapping used as a key
        return None, [
            Problem(_("line %(line)s: this is not valid YAML (%(reason)s)."), _at(1, exc))
        ]
    finally:
        loader.dispose()
    problems = [
        Problem(_("line %(line)s: key '%(key)s' appears twice."), {"line": line, "key": key})
        for line, key in loader.duplicates
    ]
    return data, problems


def _at(line: int, reason: object) -> dict[str, object]:
    return {"line": line, "reason": str(reason)}


def parse_definition(text: str) -> tuple[Definition | None, list[Problem]]:
    """Read and validate a definition. Returns (definition, []) or (None, problems)."""
    data, problems = _load(text)
    if problems:
        return None, problems
    reader = _Reader()
    definition = reader.definition(data)
    if reader.problems:
        return None, reader.problems
    return definition, []


def load_definition(text: str) -> Definition:
    """Like parse_definition, raising InvalidInstrument on any problem."""
    definition, problems = parse_definition(text)
    if definition is None:
        raise InvalidInstrument(problems)
    return definition


def default_definition() -> Definition:
    """The shipped default instrument, ir-default@2026.1 (cached)."""
    return _default()


_default_cache: list[Definition] = []


def _default() -> Definition:
    if not _default_cache:
        _default_cache.append(load_definition(DEFAULT_FILE.read_text(encoding="utf-8")))
    return _default_cache[0]


def _build(data: Any) -> Definition:
    reader = _Reader()
    definition = reader.definition(data)
    if definition is None or reader.problems:
        raise InvalidInstrument(reader.problems)
    return definition


# --- Validation --------------------------------------------------------------------------


def _line(obj: Any, key: Any = None) -> int:
    if key is not None and isinstance(obj, _Map):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", 0)


def _item_line(seq: Any, index: int) -> int:
    if isinstance(seq, _Seq) and index < len(seq.item_lines):
        return seq.item_lines[index]
    return _line(seq)


def tidy(value: Number) -> Number:
    """Weighted sums in floats: round away binary noise (0.1 + 0.2); integers stay integers."""
    return value if isinstance(value, int) else round(value, 6)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    """Walks loaded data, collecting every problem, and builds a Definition when all is well."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def err(self, line: int, text: str, **params: object) -> None:
        self.problems.append(Problem(text, {"line": line, **params}))

    def mapping(self, value: Any, line: int, what: str) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.err(line, _("line %(line)s: %(what)s must be a mapping of keys."), what=what)
            return None
        return value

    def keys(
        self, m: Mapping[Any, Any], what: str, required: Sequence[str], optional: Sequence[str]
    ) -> bool:
        ok = True
        for key in required:
            if key not in m:
                self.err(
                    _line(m), _("line %(line)s: %(what)s needs '%(key)s'."), what=what, key=key
                )
                ok = False
        known = set(required) | set(optional)
        for key in m:
            if key not in known:
                self.err(
                    _line(m, key),
                    _("line %(line)s: unknown key '%(key)s' in %(what)s (allowed: %(allowed)s)."),
                    key=key,
                    what=what,
                    allowed=", ".join(list(required) + list(optional)),
                )
        return ok

    def seq(
        self, m: Mapping[Any, Any], key: str, what: str, *, empty_ok: bool = False
    ) -> list[Any]:
        value = m.get(key)
        if not isinstance(value, list) or (not value and not empty_ok):
            self.err(
                _line(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be a non-empty list."),
                key=key,
                what=what,
            )
            return []
        return value

    def code(
        self, m: Mapping[Any, Any], key: str, pattern: re.Pattern[str], what: str
    ) -> str | None:
        value = m.get(key)
        if isinstance(value, str) and pattern.match(value):
            return value
        self.err(
            _line(m, key),
            _(
                "line %(line)s: '%(key)s' of %(what)s must be a code such as %(example)s "
                "(got %(value)r; quote values such as 'no' or '2026.1')."
            ),
            key=key,
            what=what,
            example={_CODE: "monthly_turnover", _LEVEL_CODE: "IR3"}.get(pattern, "ir-default"),
            value=value,
        )
        return None

    def text(self, m: Mapping[Any, Any], key: str, what: str) -> str | None:
        value = m.get(key)
        if isinstance(value, str) and value.strip():
            return value
        self.err(
            _line(m, key),
            _("line %(line)s: '%(key)s' of %(what)s must be text."),
            key=key,
            what=what,
        )
        return None

    def label(self, m: Mapping[Any, Any], key: str, what: str) -> Label | None:
        if key not in m:
            return None
        value = m[key]
        line = _line(m, key)
        if not isinstance(value, Mapping):
            self.err(
                line,
                _("line %(line)s: '%(key)s' of %(what)s needs a text in 'id' and in 'en'."),
                key=key,
                what=what,
            )
            return None
        texts = [self.text(value, lang, f"{key} of {what}") for lang in LANGUAGES]
        self.keys(value, f"{key} of {what}", (), LANGUAGES)
        if texts[0] is None or texts[1] is None:
            return None
        return Label(id=texts[0], en=texts[1])

    def number(
        self,
        m: Mapping[Any, Any],
        key: str,
        what: str,
        *,
        default: Number | None = None,
        positive: bool = False,
        whole: bool = False,
    ) -> Number | None:
        if key not in m and default is not None:
            return default
        value = m.get(key)
        if not _is_number(value) or (whole and not isinstance(value, int)):
            self.err(
                _line(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be a %(kind)s."),
                key=key,
                what=what,
                kind="whole number" if whole else "number",
            )
            return None
        assert isinstance(value, int | float)
        if positive and value <= 0:
            self.err(
                _line(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be more than 0."),
                key=key,
                what=what,
            )
            return None
        return value

    def score(self, m: Mapping[Any, Any], what: str) -> Number | None:
        value = self.number(m, "score", what)
        if value is not None and value < 0:
            self.err(
                _line(m, "score"),
                _("line %(line)s: the score of %(what)s must not be negative."),
                what=what,
            )
            return None
        return value

    def flag(self, m: Mapping[Any, Any], key: str, what: str, default: bool) -> bool:
        value = m.get(key, default)
        if not isinstance(value, bool):
            self.err(
                _line(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be true or false."),
                key=key,
                what=what,
            )
            return default
        return value

    def unique(self, items: list[tuple[str | None, int]], what: str) -> None:
        seen: set[str] = set()
        for code, line in items:
            if code is None:
                continue
            if code in seen:
                self.err(
                    line,
                    _("line %(line)s: %(what)s code '%(code)s' is used twice."),
                    what=what,
                    code=code,
                )
            seen.add(code)

    # The definition, top down.

    def definition(self, data: Any) -> Definition | None:
        m = self.mapping(data, 1, "the instrument")
        if m is None:
            return None
        what = "the instrument"
        self.keys(
            m,
            what,
            ("code", "version", "label", "aspects", "levels"),
            ("format", "description", "graduation"),
        )
        if m.get("format", FORMAT) != FORMAT:
            self.err(
                _line(m, "format"),
                _("line %(line)s: this is format %(format)s; Sinergi reads format %(known)s."),
                format=m["format"],
                known=FORMAT,
            )
        code = self.code(m, "code", _INSTRUMENT_CODE, what) if "code" in m else None
        version = self.version(m) if "version" in m else None
        label = self.label(m, "label", what)
        description = self.label(m, "description", what)
        aspects = (
            [
                self.aspect(item, _item_line(m["aspects"], i))
                for i, item in enumerate(self.seq(m, "aspects", what))
            ]
            if "aspects" in m
            else []
        )
        self.unique(
            [(a.code if a else None, _item_line(m["aspects"], i)) for i, a in enumerate(aspects)],
            "aspect",
        )
        before = len(self.problems)
        self.unique_questions(m, aspects)
        if None in aspects or not aspects or len(self.problems) > before:
            return None  # levels and graduation are checked against whole, distinct questions
        good_aspects = tuple(a for a in aspects if a is not None)
        by_question = {q.code: q for a in good_aspects for q in a.questions}
        levels = self.levels(m, good_aspects) if "levels" in m else None
        graduation = (
            self.graduation(m["graduation"], _line(m, "graduation"), by_question)
            if "graduation" in m
            else None
        )
        if self.problems or code is None or version is None or label is None or levels is None:
            return None
        return Definition(
            code=code,
            version=version,
            label=label,
            aspects=good_aspects,
            levels=levels,
            description=description,
            graduation=graduation,
        )

    def version(self, m: Mapping[Any, Any]) -> str | None:
        value = m["version"]
        if isinstance(value, str) and _VERSION.match(value):
            return value
        self.err(
            _line(m, "version"),
            _(
                "line %(line)s: 'version' must be text such as \"2026.1\" (in quotes); got "
                "%(value)r."
            ),
            value=value,
        )
        return None

    def unique_questions(self, m: Mapping[Any, Any], aspects: list[Aspect | None]) -> None:
        raw = [
            (q.get("code"), _item_line(a.get("questions"), j))
            for a in m.get("aspects") or []
            if isinstance(a, Mapping) and isinstance(a.get("questions"), list)
            for j, q in enumerate(a["questions"])
            if isinstance(q, Mapping) and isinstance(q.get("code"), str)
        ]
        self.unique(raw, "question")

    def aspect(self, data: Any, line: int) -> Aspect | None:
        m = self.mapping(data, line, "an aspect")
        if m is None:
            return None
        code = self.code(m, "code", _CODE, "an aspect") if "code" in m else None
        what = f"aspect '{code or '?'}'"
        self.keys(m, what, ("code", "label", "questions"), ("weight",))
        label = self.label(m, "label", what)
        weight = self.number(m, "weight", what, default=1, positive=True)
        questions = (
            [
                self.question(item, _item_line(m["questions"], i))
                for i, item in enumerate(self.seq(m, "questions", what))
            ]
            if "questions" in m
            else []
        )
        if code is None or label is None or weight is None or not questions or None in questions:
            return None
        return Aspect(
            code=code,
            label=label,
            weight=weight,
            questions=tuple(q for q in questions if q is not None),
        )

    def question(self, data: Any, line: int) -> Question | None:
        m = self.mapping(data, line, "a question")
        if m is None:
            return None
        code = self.code(m, "code", _CODE, "a question") if "code" in m else None
        what = f"question '{code or '?'}'"
        kind = m.get("type")
        if kind not in KINDS:
            self.err(
                _line(m, "type"),
                _("line %(line)s: 'type' of %(what)s must be one of %(kinds)s."),
                what=what,
                kinds=", ".join(KINDS),
            )
            self.keys(
                m,
                what,
                ("code", "type", "label"),
                ("weight", "required", "hint", "min", "max", "bands", "options", "rules"),
            )
            return None
        numeric = kind in ("integer", "decimal")
        common = ("weight", "required", "hint")
        if numeric:
            self.keys(m, what, ("code", "type", "label", "bands"), (*common, "min", "max"))
        elif kind == "one_of":
            self.keys(m, what, ("code", "type", "label", "options"), common)
        else:
            self.keys(m, what, ("code", "type", "label", "options", "rules"), common)
        label = self.label(m, "label", what)
        hint = self.label(m, "hint", what)
        weight = self.number(m, "weight", what, default=1, positive=True)
        required = self.flag(m, "required", what, True)
        before = len(self.problems)
        fields: dict[str, Any] = {}
        if numeric:
            fields = self.numeric(m, what, whole=kind == "integer")
        elif "options" in m:
            fields["options"] = self.options(m, what, scored=kind == "one_of")
            if kind == "any_of" and "rules" in m:
                fields["rules"] = self.rules(m, what, fields["options"])
        if code is None or label is None or weight is None or len(self.problems) > before:
            return None
        return Question(
            code=code, kind=kind, label=label, weight=weight, required=required, hint=hint, **fields
        )

    def numeric(self, m: Mapping[Any, Any], what: str, *, whole: bool) -> dict[str, Any]:
        low = self.number(m, "min", what, default=0, whole=whole)
        high = self.number(m, "max", what, whole=whole) if "max" in m else None
        if low is not None and high is not None and high <= low:
            self.err(
                _line(m, "max"),
                _("line %(line)s: 'max' of %(what)s must be more than 'min'."),
                what=what,
            )
            return {}
        items = self.seq(m, "bands", what) if "bands" in m else []
        first = low if low is not None else 0
        bands: list[Band] = []
        for i, item in enumerate(items):
            line = _item_line(m["bands"], i)
            bw = f"band {i + 1} of {what}"
            b = self.mapping(item, line, bw)
            if b is None:
                continue
            self.keys(b, bw, ("min", "score"), ("max", "hint"))
            bmin = self.number(b, "min", bw, whole=whole) if "min" in b else None
            bmax = self.number(b, "max", bw, whole=whole) if "max" in b else None
            score = self.score(b, bw) if "score" in b else None
            hint = self.label(b, "hint", bw)
            if bmin is None or score is None or ("max" in b and bmax is None):
                low = None  # no join checks past a broken band: they would only echo it
                continue
            if bmax is not None and (bmax < bmin if whole else bmax <= bmin):
                self.err(
                    _line(b, "max"),
                    _("line %(line)s: %(what)s ends (%(max)s) before it starts (%(min)s)."),
                    what=bw,
                    max=bmax,
                    min=bmin,
                )
                low = None
                continue
            bands.append(Band(min=bmin, max=bmax, score=score, hint=hint))
            if low is None:
                continue
            self.band_joins(bands, line, bw, low, whole=whole)
        if bands and low is not None and len(bands) == len(items):  # every band read
            self.band_end(bands[-1], _item_line(m["bands"], len(items) - 1), what, high)
        return {"min": first, "max": high, "bands": tuple(bands)}

    def band_joins(
        self, bands: list[Band], line: int, what: str, low: Number, *, whole: bool
    ) -> None:
        """Each band starts where the previous one ended: no gap, no overlap."""
        band = bands[-1]
        if len(bands) == 1:
            expected: Number = low
        else:
            prev = bands[-2]
            if prev.max is None:
                self.err(
                    line,
                    _(
                        "line %(line)s: %(what)s comes after an open-ended band (no 'max'), so it "
                        "is never used."
                    ),
                    what=what,
                )
                return
            expected = prev.max + 1 if whole else prev.max
        if band.min > expected:
            self.err(
                line,
                _(
                    "line %(line)s: %(what)s leaves a gap: values from %(expected)s to below "
                    "%(min)s get no score."
                ),
                what=what,
                expected=expected,
                min=band.min,
            )
        elif band.min < expected:
            self.err(
                line,
                _(
                    "line %(line)s: %(what)s overlaps the band before it: it must start at "
                    "%(expected)s."
                ),
                what=what,
                expected=expected,
            )

    def band_end(self, last: Band, line: int, what: str, high: Number | None) -> None:
        if last.max is None or last.max == high:
            return
        if high is None:
            self.err(
                line,
                _(
                    "line %(line)s: the last band of %(what)s ends at %(max)s, so larger values "
                    "get "
                    "no score: leave out its 'max'."
                ),
                what=what,
                max=last.max,
            )
        else:
            self.err(
                line,
                _(
                    "line %(line)s: the last band of %(what)s must end at the question's max "
                    "(%(high)s)."
                ),
                what=what,
                high=high,
            )

    def options(self, m: Mapping[Any, Any], what: str, *, scored: bool) -> tuple[Option, ...]:
        out: list[Option] = []
        codes: list[tuple[str | None, int]] = []
        for i, item in enumerate(self.seq(m, "options", what)):
            line = _item_line(m["options"], i)
            o = self.mapping(item, line, f"option {i + 1} of {what}")
            if o is None:
                continue
            code = self.code(o, "code", _CODE, f"option {i + 1} of {what}") if "code" in o else None
            ow = f"option '{code or i + 1}' of {what}"
            if scored:
                self.keys(o, ow, ("code", "label", "score"), ("hint",))
            else:
                self.keys(o, ow, ("code", "label"), ("hint", "score"))  # score: see below
                if "score" in o:
                    self.err(
                        _line(o, "score"),
                        _(
                            "line %(line)s: %(what)s has a score, but any_of options are scored "
                            "by the question's rules."
                        ),
                        what=ow,
                    )
            codes.append((code, line))
            label = self.label(o, "label", ow)
            hint = self.label(o, "hint", ow)
            score = self.score(o, ow) if scored and "score" in o else None
            if code is not None and label is not None and (score is not None or not scored):
                out.append(Option(code=code, label=label, score=score, hint=hint))
        self.unique(codes, f"option of {what}")
        return tuple(out)

    def rules(
        self, m: Mapping[Any, Any], what: str, options: tuple[Option, ...]
    ) -> tuple[SetRule, ...]:
        known = {o.code for o in options}
        items = self.seq(m, "rules", what)
        out: list[SetRule] = []
        for i, item in enumerate(items):
            line = _item_line(m["rules"], i)
            rw = f"rule {i + 1} of {what}"
            r = self.mapping(item, line, rw)
            if r is None:
                continue
            self.keys(r, rw, ("score",), ("all_of", "any_of", "min_count", "label", "hint"))
            sets: dict[str, tuple[str, ...]] = {}
            for key in ("all_of", "any_of"):
                value = r.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.err(
                        _line(r, key),
                        _("line %(line)s: '%(key)s' of %(what)s must be a list of option codes."),
                        key=key,
                        what=rw,
                    )
                    continue
                for unknown in [v for v in value if v not in known]:
                    self.err(
                        _line(r, key),
                        _(
                            "line %(line)s: %(what)s names '%(code)s', which is not an option of "
                            "this question."
                        ),
                        what=rw,
                        code=unknown,
                    )
                sets[key] = tuple(dict.fromkeys(value))
            min_count = self.number(r, "min_count", rw, default=0, whole=True)
            if min_count is not None and not 0 <= min_count <= len(options):
                self.err(
                    _line(r, "min_count"),
                    _(
                        "line %(line)s: 'min_count' of %(what)s must be from 0 to the number of "
                        "options (%(count)s)."
                    ),
                    what=rw,
                    count=len(options),
                )
            score = self.score(r, rw) if "score" in r else None
            label = self.label(r, "label", rw)
            hint = self.label(r, "hint", rw)
            if score is None or min_count is None or len(sets) < 2:
                continue
            rule = SetRule(
                score=score,
                all_of=sets["all_of"],
                any_of=sets["any_of"],
                min_count=int(min_count),
                label=label,
                hint=hint,
            )
            if out and out[-1].unconditional:
                self.err(
                    line,
                    _(
                        "line %(line)s: %(what)s follows a rule without conditions, so it is "
                        "never used."
                    ),
                    what=rw,
                )
            out.append(rule)
        if out and len(out) == len(items) and not out[-1].unconditional:
            self.err(
                _item_line(m["rules"], len(items) - 1),
                _(
                    "line %(line)s: the last rule of %(what)s must have no conditions (only a "
                    "score), so that every answer gets a score."
                ),
                what=what,
            )
        return tuple(out)

    def levels(self, m: Mapping[Any, Any], aspects: tuple[Aspect, ...]) -> tuple[Level, ...] | None:
        by_code = {a.code: a for a in aspects}
        items = self.seq(m, "levels", "the instrument")
        levels: list[Level] = []
        codes: list[tuple[str | None, int]] = []
        lowest = tidy(sum(a.min_score * a.weight for a in aspects))
        highest = tidy(sum(a.max_score * a.weight for a in aspects))
        for i, item in enumerate(items):
            line = _item_line(m["levels"], i)
            lm = self.mapping(item, line, f"level {i + 1}")
            if lm is None:
                continue
            code = self.code(lm, "code", _LEVEL_CODE, f"level {i + 1}") if "code" in lm else None
            what = f"level '{code or i + 1}'"
            self.keys(lm, what, ("code", "label", "min_total"), ("name", "gates"))
            name = self.text(lm, "name", what) if "name" in lm else code
            label = self.label(lm, "label", what)
            min_total = self.number(lm, "min_total", what) if "min_total" in lm else None
            gates = self.gates(lm, what, by_code) if "gates" in lm else ()
            if i == 0 and gates:
                self.err(
                    _line(lm, "gates"),
                    _(
                        "line %(line)s: the lowest level cannot have gates: every answer needs a "
                        "level."
                    ),
                )
            if code is None or name is None or label is None or min_total is None or gates is None:
                continue
            if i == 0 and min_total > lowest:
                self.err(
                    _line(lm, "min_total"),
                    _(
                        "line %(line)s: the lowest level starts at %(min)s, but a total can be as "
                        "low as %(lowest)s: lower its 'min_total'."
                    ),
                    min=min_total,
                    lowest=lowest,
                )
            if levels and min_total <= levels[-1].min_total:
                self.err(
                    _line(lm, "min_total"),
                    _(
                        "line %(line)s: 'min_total' of %(what)s must be more than the level "
                        "before it (%(before)s): list levels from lowest to highest."
                    ),
                    what=what,
                    before=levels[-1].min_total,
                )
            if min_total > highest:
                self.err(
                    _line(lm, "min_total"),
                    _(
                        "line %(line)s: %(what)s can never be reached: the highest possible total "
                        "is %(highest)s."
                    ),
                    what=what,
                    highest=highest,
                )
            levels.append(
                Level(code=code, name=name, label=label, min_total=min_total, gates=gates)
            )
            codes.append((code, line))
        self.unique(codes, "level")
        return tuple(levels) if len(levels) == len(items) and items else None

    def gates(
        self, lm: Mapping[Any, Any], what: str, aspects: Mapping[str, Aspect]
    ) -> tuple[Gate, ...] | None:
        out: list[Gate] = []
        items = self.seq(lm, "gates", what)
        for i, item in enumerate(items):
            line = _item_line(lm["gates"], i)
            gw = f"gate {i + 1} of {what}"
            g = self.mapping(item, line, gw)
            if g is None:
                continue
            self.keys(g, gw, ("aspect", "min_score"), ("hint",))
            aspect = g.get("aspect")
            if "aspect" in g and aspect not in aspects:
                self.err(
                    _line(g, "aspect"),
                    _(
                        "line %(line)s: %(what)s names aspect '%(aspect)s', which this instrument "
                        "does not have."
                    ),
                    what=gw,
                    aspect=aspect,
                )
                continue
            min_score = self.number(g, "min_score", gw) if "min_score" in g else None
            hint = self.label(g, "hint", gw)
            if not isinstance(aspect, str) or min_score is None:
                continue
            top = aspects[aspect].max_score
            if min_score > top:
                self.err(
                    _line(g, "min_score"),
                    _(
                        "line %(line)s: %(what)s can never be met: aspect '%(aspect)s' scores at "
                        "most %(top)s."
                    ),
                    what=gw,
                    aspect=aspect,
                    top=top,
                )
                continue
            out.append(Gate(aspect=aspect, min_score=min_score, hint=hint))
        return tuple(out) if len(out) == len(items) else None

    def graduation(
        self, data: Any, line: int, questions: Mapping[str, Question]
    ) -> Graduation | None:
        m = self.mapping(data, line, "graduation")
        if m is None:
            return None
        modes = [k for k in ("any_of", "all_of") if k in m]
        self.keys(m, "graduation", ("label",), ("any_of", "all_of"))
        if len(modes) != 1:
            self.err(
                _line(m), _("line %(line)s: graduation needs exactly one of 'any_of' or 'all_of'.")
            )
            return None
        mode: Literal["any_of", "all_of"] = "any_of" if modes[0] == "any_of" else "all_of"
        label = self.label(m, "label", "graduation")
        items = self.seq(m, mode, "graduation")
        conditions = [
            self.condition(item, _item_line(m[mode], i), questions) for i, item in enumerate(items)
        ]
        if label is None or not conditions or None in conditions:
            return None
        return Graduation(label=label, mode=mode, conditions=tuple(c for c in conditions if c))

    def condition(
        self, data: Any, line: int, questions: Mapping[str, Question]
    ) -> Condition | None:
        what = "a graduation condition"
        c = self.mapping(data, line, what)
        if c is None:
            return None
        code = c.get("question")
        question = questions.get(code) if isinstance(code, str) else None
        if question is None:
            self.err(
                _line(c, "question"),
                _(
                    "line %(line)s: %(what)s names question '%(code)s', which this instrument "
                    "does not have."
                ),
                what=what,
                code=code,
            )
            return None
        if question.kind in ("one_of", "any_of"):
            self.keys(c, what, ("question", "in"), ())
            within = c.get("in")
            known = {o.code for o in question.options}
            if not isinstance(within, list) or not within or any(v not in known for v in within):
                self.err(
                    _line(c, "in"),
                    _("line %(line)s: 'in' of %(what)s must list options of question '%(code)s'."),
                    what=what,
                    code=code,
                )
                return None
            return Condition(question=question.code, within=tuple(within))
        self.keys(c, what, ("question", "op", "value"), ("times",))
        op = c.get("op")
        if op not in OPERATORS:
            self.err(
                _line(c, "op"),
                _("line %(line)s: 'op' of %(what)s must be one of %(ops)s."),
                what=what,
                ops=" ".join(OPERATORS),
            )
            return None
        value = self.number(c, "value", what)
        times = self.number(c, "times", what, default=1, positive=True)
        if value is None or times is None:
            return None
        return Condition(question=question.code, op=op, value=value, times=times)


# --- The compiled form ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """The next score a question can reach, and the least answer that reaches it."""

    score: Number
    answer: Number | str | SetRule  # a value's threshold, an option code, or an any_of rule
    target: int  # index of that band, option or rule in the question


@dataclass(frozen=True, slots=True)
class CompiledQuestion:
    code: str
    kind: Kind
    aspect: str
    weight: Number
    points: Number  # weight by aspect weight: what one score point adds to the total
    required: bool
    min: Number
    max: Number | None
    options: frozenset[str]
    option_order: tuple[str, ...]
    score: Callable[[Any], Number]  # clean answer -> score
    next_step: Mapping[Number, Step]  # current score -> the next higher score


@dataclass(frozen=True, slots=True)
class CompiledAspect:
    code: str
    weight: Number
    questions: tuple[tuple[str, Callable[[Any], Number], Number], ...]  # code, score, weight


@dataclass(frozen=True, slots=True)
class CompiledLevel:
    code: str
    min_total: Number
    gates: tuple[tuple[str, Number], ...]


@dataclass(frozen=True)
class Compiled:
    """A definition as plain lookup structures; everything `score` needs and nothing more."""

    definition: Definition
    key: str
    questions: Mapping[str, CompiledQuestion]
    aspects: tuple[CompiledAspect, ...]
    levels: tuple[CompiledLevel, ...]  # highest first
    level_order: tuple[str, ...]  # lowest first
    graduation_any: bool
    graduation: tuple[tuple[str, Callable[[Any], bool]], ...]  # question code, test
    whole: bool  # every weight and score is an integer: totals stay integers
    # One question per aspect and every weight 1 (the default instrument): aspect code,
    # question code and scorer, so scoring skips the weighting.
    simple: tuple[tuple[str, str, Callable[[Any], Number]], ...] | None


def _band_scorer(bands: tuple[Band, ...]) -> Callable[[Any], Number]:
    """Bands are contiguous, so a value's band is the last whose lower bound it reaches.

    Up to three bands (the usual case) get a plain comparison chain: twice as fast as bisect.
    """
    lows = tuple(b.min for b in bands)
    scores = tuple(b.score for b in bands)
    if len(bands) == 1:
        only = scores[0]
        return lambda value: only
    if len(bands) == 2:
        low2, (s1, s2) = lows[1], scores
        return lambda value: s2 if value >= low2 else s1
    if len(bands) == 3:
        low2, low3, (s1, s2, s3) = lows[1], lows[2], scores
        return lambda value: s3 if value >= low3 else (s2 if value >= low2 else s1)
    right = bisect.bisect_right
    return lambda value: scores[right(lows, value) - 1]


def _set_scorer(rules: tuple[SetRule, ...]) -> Callable[[Any], Number]:
    conditional = tuple(
        (frozenset(r.all_of), frozenset(r.any_of), r.min_count, r.score) for r in rules[:-1]
    )
    otherwise = rules[-1].score  # validation makes the last rule unconditional

    def scorer(chosen: Any) -> Number:
        # issubset and isdisjoint take any iterable: a list read back from JSON scores too
        for all_of, any_of, min_count, s in conditional:
            if (
                all_of.issubset(chosen)
                and (not any_of or not any_of.isdisjoint(chosen))
                and len(chosen) >= min_count
            ):
                return s
        return otherwise

    return scorer


def _ladder(q: Question) -> dict[Number, Step]:
    """For each score, the next higher one and the least answer that reaches it."""
    steps: dict[Number, Step] = {}
    candidates: list[Step]
    if q.kind in ("integer", "decimal"):
        candidates = [Step(b.score, b.min, i) for i, b in enumerate(q.bands)]
    elif q.kind == "one_of":
        candidates = [Step(o.score or 0, o.code, i) for i, o in enumerate(q.options)]
    else:
        candidates = [Step(r.score, r, i) for i, r in enumerate(q.rules)]
    for current in {*q.scores, 0}:
        higher = [c for c in candidates if c.score > current]
        if higher:
            steps[current] = min(higher, key=lambda c: c.score)  # the first of the smallest rise
    return steps


def _condition(c: Condition, q: Question) -> Callable[[Any], bool]:
    if c.within:
        within = frozenset(c.within)
        if q.kind == "any_of":
            return lambda chosen: not within.isdisjoint(chosen)
        return lambda answer: answer in within
    compare, times, value = OPERATORS[c.op], c.times, c.value
    if times == 1 and c.op == ">=":  # the usual shape, without the indirection
        return lambda answer: answer >= value
    if times == 1:
        return lambda answer: compare(answer, value)
    return lambda answer: compare(answer * times, value)


def _compile(d: Definition) -> Compiled:
    questions: dict[str, CompiledQuestion] = {}
    aspects: list[CompiledAspect] = []
    whole = True
    for a in d.aspects:
        whole = whole and isinstance(a.weight, int)
        parts: list[tuple[str, Callable[[Any], Number], Number]] = []
        for q in a.questions:
            whole = (
                whole and isinstance(q.weight, int) and all(isinstance(s, int) for s in q.scores)
            )
            if q.kind in ("integer", "decimal"):
                scorer = _band_scorer(q.bands)
            elif q.kind == "one_of":
                scorer = {o.code: o.score or 0 for o in q.options}.__getitem__
            else:
                scorer = _set_scorer(q.rules)
            questions[q.code] = CompiledQuestion(
                code=q.code,
                kind=q.kind,
                aspect=a.code,
                weight=q.weight,
                points=q.weight * a.weight,
                required=q.required,
                min=q.min,
                max=q.max,
                options=frozenset(o.code for o in q.options),
                option_order=tuple(o.code for o in q.options),
                score=scorer,
                next_step=_ladder(q),
            )
            parts.append((q.code, scorer, q.weight))
        aspects.append(CompiledAspect(code=a.code, weight=a.weight, questions=tuple(parts)))
    by_code = {q.code: q for q in d.questions}
    graduation = (
        tuple((c.question, _condition(c, by_code[c.question])) for c in d.graduation.conditions)
        if d.graduation
        else ()
    )
    return Compiled(
        definition=d,
        key=d.key,
        questions=questions,
        aspects=tuple(aspects),
        levels=tuple(
            CompiledLevel(lv.code, lv.min_total, tuple((g.aspect, g.min_score) for g in lv.gates))
            for lv in reversed(d.levels)
        ),
        level_order=tuple(lv.code for lv in d.levels),
        graduation_any=d.graduation is None or d.graduation.mode == "any_of",
        graduation=graduation,
        whole=whole,
        simple=tuple(
            (a.code, a.questions[0].code, questions[a.questions[0].code].score) for a in d.aspects
        )
        if all(
            a.weight == 1 and len(a.questions) == 1 and a.questions[0].weight == 1
            for a in d.aspects
        )
        else None,
    )
