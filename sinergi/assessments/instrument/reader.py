"""Reading an instrument definition file: every problem found, each naming its line.

`parse_definition` never raises on bad content: it returns every problem, so an administrator
can fix an upload in one pass. The format is described in docs/instrument-format.md; the
reader of the whole definition (aspects, levels, gates, graduation) builds on the readers of
questions and of single values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from sinergi.assessments.instrument.definition import (
    FORMAT,
    OPERATORS,
    Aspect,
    Condition,
    Definition,
    Gate,
    Graduation,
    Level,
    Question,
    tidy,
)
from sinergi.assessments.instrument.questions import QuestionReader
from sinergi.assessments.instrument.source import item_line, line_of, load_yaml
from sinergi.assessments.instrument.values import CODE, LEVEL_CODE
from sinergi.lib.problems import Problem, _

INSTRUMENTS_DIR = Path(__file__).resolve().parents[1] / "instruments"
DEFAULT_FILE = INSTRUMENTS_DIR / "ir-default-2026.1.yaml"

_INSTRUMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class InvalidInstrument(ValueError):
    """A definition that cannot be used; `problems` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_definition(text: str) -> tuple[Definition | None, list[Problem]]:
    """Read and validate a definition. Returns (definition, []) or (None, problems)."""
    data, problems = load_yaml(text)
    if problems:
        return None, problems
    reader = DefinitionReader()
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


def build_definition(data: Any) -> Definition:
    """A definition from loaded data (its canonical JSON); InvalidInstrument if it is not one."""
    reader = DefinitionReader()
    definition = reader.definition(data)
    if definition is None or reader.problems:
        raise InvalidInstrument(reader.problems)
    return definition


class DefinitionReader(QuestionReader):
    """Walks loaded data top down, collecting every problem, and builds a Definition when all
    is well."""

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
                line_of(m, "format"),
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
                self.aspect(item, item_line(m["aspects"], i))
                for i, item in enumerate(self.seq(m, "aspects", what))
            ]
            if "aspects" in m
            else []
        )
        self.unique(
            [(a.code if a else None, item_line(m["aspects"], i)) for i, a in enumerate(aspects)],
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
            self.graduation(m["graduation"], line_of(m, "graduation"), by_question)
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
            line_of(m, "version"),
            _(
                "line %(line)s: 'version' must be text such as \"2026.1\" (in quotes); got "
                "%(value)r."
            ),
            value=value,
        )
        return None

    def unique_questions(self, m: Mapping[Any, Any], aspects: list[Aspect | None]) -> None:
        raw = [
            (q.get("code"), item_line(a.get("questions"), j))
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
        code = self.code(m, "code", CODE, "an aspect") if "code" in m else None
        what = f"aspect '{code or '?'}'"
        self.keys(m, what, ("code", "label", "questions"), ("weight",))
        label = self.label(m, "label", what)
        weight = self.number(m, "weight", what, default=1, positive=True)
        questions = (
            [
                self.question(item, item_line(m["questions"], i))
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

    def levels(self, m: Mapping[Any, Any], aspects: tuple[Aspect, ...]) -> tuple[Level, ...] | None:
        by_code = {a.code: a for a in aspects}
        items = self.seq(m, "levels", "the instrument")
        levels: list[Level] = []
        codes: list[tuple[str | None, int]] = []
        lowest = tidy(sum(a.min_score * a.weight for a in aspects))
        highest = tidy(sum(a.max_score * a.weight for a in aspects))
        for i, item in enumerate(items):
            line = item_line(m["levels"], i)
            lm = self.mapping(item, line, f"level {i + 1}")
            if lm is None:
                continue
            code = self.code(lm, "code", LEVEL_CODE, f"level {i + 1}") if "code" in lm else None
            what = f"level '{code or i + 1}'"
            self.keys(lm, what, ("code", "label", "min_total"), ("name", "gates"))
            name = self.text(lm, "name", what) if "name" in lm else code
            label = self.label(lm, "label", what)
            min_total = self.number(lm, "min_total", what) if "min_total" in lm else None
            gates = self.gates(lm, what, by_code) if "gates" in lm else ()
            if i == 0 and gates:
                self.err(
                    line_of(lm, "gates"),
                    _(
                        "line %(line)s: the lowest level cannot have gates: every answer needs a "
                        "level."
                    ),
                )
            if code is None or name is None or label is None or min_total is None or gates is None:
                continue
            if i == 0 and min_total > lowest:
                self.err(
                    line_of(lm, "min_total"),
                    _(
                        "line %(line)s: the lowest level starts at %(min)s, but a total can be as "
                        "low as %(lowest)s: lower its 'min_total'."
                    ),
                    min=min_total,
                    lowest=lowest,
                )
            if levels and min_total <= levels[-1].min_total:
                self.err(
                    line_of(lm, "min_total"),
                    _(
                        "line %(line)s: 'min_total' of %(what)s must be more than the level "
                        "before it (%(before)s): list levels from lowest to highest."
                    ),
                    what=what,
                    before=levels[-1].min_total,
                )
            if min_total > highest:
                self.err(
                    line_of(lm, "min_total"),
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
            line = item_line(lm["gates"], i)
            gw = f"gate {i + 1} of {what}"
            g = self.mapping(item, line, gw)
            if g is None:
                continue
            self.keys(g, gw, ("aspect", "min_score"), ("hint",))
            aspect = g.get("aspect")
            if "aspect" in g and aspect not in aspects:
                self.err(
                    line_of(g, "aspect"),
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
                    line_of(g, "min_score"),
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
                line_of(m),
                _("line %(line)s: graduation needs exactly one of 'any_of' or 'all_of'."),
            )
            return None
        mode: Literal["any_of", "all_of"] = "any_of" if modes[0] == "any_of" else "all_of"
        label = self.label(m, "label", "graduation")
        items = self.seq(m, mode, "graduation")
        conditions = [
            self.condition(item, item_line(m[mode], i), questions) for i, item in enumerate(items)
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
                line_of(c, "question"),
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
                    line_of(c, "in"),
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
                line_of(c, "op"),
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
