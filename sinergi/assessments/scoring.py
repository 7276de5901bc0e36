"""Scoring an assessment against a compiled instrument: pure, no database, fast.

`check_answers` turns raw answers (JSON, form fields, ODK XML values) into clean ones or says,
per question code, why not. `score` turns clean answers into a Result: level, total, aspect
scores, graduation flag and what the next level still needs. `render_explanation` words that
in Bahasa Indonesia or English from the instrument's own bilingual labels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from sinergi.assessments.instrument.compiler import Compiled, CompiledLevel, CompiledQuestion
from sinergi.assessments.instrument.definition import (
    Definition,
    Label,
    Number,
    Question,
    SetRule,
    tidy,
)
from sinergi.lib.problems import Problem, _

Answer = int | float | str | frozenset[str]
RiseAnswer = int | float | str | tuple[str, ...]

_WHOLE = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_SEPARATORS = re.compile(r"[\s,]+")


# --- Checking answers --------------------------------------------------------------------


def check_answers(
    compiled: Compiled, answers: Mapping[str, Any]
) -> tuple[dict[str, Answer] | None, dict[str, list[Problem]]]:
    """Clean answers, or None and the reasons keyed by question code. Nothing half-accepted.

    Numbers may come as text ("12" from a form or ODK XML); an any_of answer as a list or as
    codes separated by spaces or commas ("nib pirt", as ODK sends select_multiple). An empty
    any_of answer is a valid "none of these"; an absent one is missing.
    """
    clean: dict[str, Answer] = {}
    errors: dict[str, list[Problem]] = {}
    for code in answers:
        if code not in compiled.questions:
            errors[str(code)] = [
                Problem(
                    _("Unknown question: this instrument has no question '%(code)s'."),
                    {"code": code},
                )
            ]
    get = answers.get
    for code, question in compiled.questions.items():
        raw: Any = get(code)
        kind = question.kind
        # Fast paths for answers that are already clean (stored answers, typed API input).
        if kind == "one_of":
            if type(raw) is str and raw in question.options:
                clean[code] = raw
                continue
        elif kind == "integer":
            if type(raw) is str and raw.isascii() and raw.isdigit():
                raw = int(raw)
            if (
                type(raw) is int
                and question.min <= raw
                and (question.max is None or raw <= question.max)
            ):
                clean[code] = raw
                continue
        elif kind == "any_of":
            if type(raw) is list:  # as JSON stores it
                try:
                    chosen = frozenset(raw)
                except TypeError:  # a list or object among the codes: said below
                    chosen = None
                if chosen is not None and chosen <= question.options:
                    clean[code] = chosen
                    continue
            elif type(raw) is frozenset and raw <= question.options:
                clean[code] = raw
                continue
        if _missing(raw, question):
            if question.required:
                errors[code] = [Problem(_("An answer is required."))]
            continue
        value, problem = _clean(question, raw)
        if problem is not None:
            errors[code] = [problem]
        elif value is not None:
            clean[code] = value
    return (None, errors) if errors else (clean, {})


def _missing(raw: Any, question: CompiledQuestion) -> bool:
    if raw is None:
        return True
    return question.kind != "any_of" and isinstance(raw, str) and not raw.strip()


def _clean(q: CompiledQuestion, raw: Any) -> tuple[Answer | None, Problem | None]:
    if q.kind == "integer" or q.kind == "decimal":
        number, problem = _number(raw, whole=q.kind == "integer")
        if number is None:
            return None, problem
        return _in_range(q, number)
    if q.kind == "one_of":
        if not isinstance(raw, str):
            return None, _not_an_option(q, raw)
        code = raw.strip()
        return (code, None) if code in q.options else (None, _not_an_option(q, code))
    return _chosen(q, raw)


# Whole sentences per kind, so that each translates as a whole (a word slotted into a
# sentence would stay English).
_NOT_YES_NO = {
    True: _("Must be a whole number, not yes/no."),
    False: _("Must be a number, not yes/no."),
}
_NOT_A_NUMBER = {True: _("Must be a whole number."), False: _("Must be a number.")}
_NOT_DIGITS = {
    True: _("Must be a whole number written in digits (got '%(value)s')."),
    False: _("Must be a number written in digits (got '%(value)s')."),
}


def _number(raw: Any, *, whole: bool) -> tuple[Number | None, Problem | None]:
    if isinstance(raw, bool):
        return None, Problem(_NOT_YES_NO[whole])
    if isinstance(raw, Decimal):
        raw = float(raw)
    if isinstance(raw, int):
        return raw, None
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, Problem(_NOT_A_NUMBER[whole])
        if whole and not raw.is_integer():
            return None, Problem(
                _("Must be a whole number, without decimals (got %(value)s)."), {"value": raw}
            )
        return (int(raw) if whole else raw), None
    if not isinstance(raw, str):
        return None, Problem(_NOT_A_NUMBER[whole])
    text = raw.strip()
    if _WHOLE.match(text):
        return int(text), None
    if _DECIMAL.match(text):
        if whole:
            return None, Problem(
                _("Must be a whole number, without decimals (got %(value)s)."), {"value": text}
            )
        return float(text), None
    if _COMMA_DECIMAL.match(text) and not whole:
        return None, Problem(
            _("Write decimals with a dot (1.5), not a comma (got %(value)s)."), {"value": text}
        )
    return None, Problem(_NOT_DIGITS[whole], {"value": text})


def _in_range(q: CompiledQuestion, number: Number) -> tuple[Number | None, Problem | None]:
    if number < q.min:
        if q.min == 0:
            return None, Problem(_("Must not be negative (got %(value)s)."), {"value": number})
        return None, Problem(
            _("Must be at least %(min)s (got %(value)s)."), {"min": q.min, "value": number}
        )
    if q.max is not None and number > q.max:
        return None, Problem(
            _("Must be at most %(max)s (got %(value)s)."), {"max": q.max, "value": number}
        )
    return number, None


def _not_an_option(q: CompiledQuestion, value: Any) -> Problem:
    return Problem(
        _("Unknown option '%(value)s'; choose one of: %(options)s."),
        {"value": value, "options": ", ".join(q.option_order)},
    )


def _chosen(q: CompiledQuestion, raw: Any) -> tuple[Answer | None, Problem | None]:
    if isinstance(raw, str):
        items: Iterable[Any] = _SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple | set | frozenset):
        items = raw
    else:
        return None, Problem(
            _("Must be a list of option codes (any of: %(options)s)."),
            {"options": ", ".join(q.option_order)},
        )
    codes = [item.strip() if isinstance(item, str) else item for item in items]
    codes = [c for c in codes if c != ""]
    unknown = [str(c) for c in codes if c not in q.options]
    if unknown:
        return None, Problem(
            _("Unknown option %(unknown)s; choose any of: %(options)s."),
            {
                "unknown": ", ".join(f"'{u}'" for u in dict.fromkeys(unknown)),
                "options": ", ".join(q.option_order),
            },
        )
    return frozenset(codes), None


# --- Scoring -----------------------------------------------------------------------------
# Results are NamedTuples rather than frozen dataclasses: just as immutable and typed, but
# building one costs a tenth as much, and rescoring history builds millions.


class GateGap(NamedTuple):
    """A gate of the next level that is not met."""

    aspect: str
    required: Number
    current: Number


class Rise(NamedTuple):
    """One answer changed one step up: the aspect's score goes from `current` to `next` and
    the total gains `points`. `answer` is what gets there: the least value (numbers), the
    option code (one_of) or the options to add (any_of); `target` is the index of the band,
    option or rule reached, for its hint."""

    aspect: str
    question: str
    current: Number
    next: Number
    points: Number
    answer: RiseAnswer
    target: int


class Explanation(NamedTuple):
    """What the next level needs. `next_level` None: already at the top."""

    next_level: str | None
    points_missing: Number
    unmet_gates: tuple[GateGap, ...]
    rises: tuple[Rise, ...]  # one step per question: gate-closing first, then most points


class Result(NamedTuple):
    instrument: str  # the definition's key, "ir-default@2026.1"
    level: str
    total: Number
    aspects: dict[str, Number]
    questions: dict[str, Number]
    graduate: bool
    explanation: Explanation | None  # None when scored with explain=False

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for a JSONField; `from_json` reads it back."""
        e = self.explanation
        return {
            "instrument": self.instrument,
            "level": self.level,
            "total": self.total,
            "aspects": dict(self.aspects),
            "questions": dict(self.questions),
            "graduate": self.graduate,
            "explanation": None
            if e is None
            else {
                "next_level": e.next_level,
                "points_missing": e.points_missing,
                "unmet_gates": [g._asdict() for g in e.unmet_gates],
                "rises": [
                    r._asdict() | {"answer": list(r.answer)}
                    if isinstance(r.answer, tuple)
                    else r._asdict()
                    for r in e.rises
                ],
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        e = data["explanation"]
        explanation = (
            None
            if e is None
            else Explanation(
                next_level=e["next_level"],
                points_missing=e["points_missing"],
                unmet_gates=tuple(GateGap(**g) for g in e["unmet_gates"]),
                rises=tuple(
                    Rise(**r | {"answer": tuple(r["answer"])})
                    if isinstance(r["answer"], list)
                    else Rise(**r)
                    for r in e["rises"]
                ),
            )
        )
        return cls(
            instrument=data["instrument"],
            level=data["level"],
            total=data["total"],
            aspects=dict(data["aspects"]),
            questions=dict(data["questions"]),
            graduate=data["graduate"],
            explanation=explanation,
        )


def score(compiled: Compiled, answers: Mapping[str, Answer], *, explain: bool = True) -> Result:
    """Score clean answers (from check_answers). An unanswered optional question scores 0.

    The level is the highest whose min_total and gates are met. `explain=False` skips the
    explanation (rescoring stores level, total and scores; an explanation is rebuilt from the
    stored answers when shown).
    """
    get = answers.get
    questions: dict[str, Number] = {}
    aspects: dict[str, Number] = {}
    total: Number = 0
    if compiled.simple is not None:
        for aspect_code, code, scorer in compiled.simple:
            value = get(code)
            points = 0 if value is None else scorer(value)
            questions[code] = aspects[aspect_code] = points
            total += points
    else:
        for aspect in compiled.aspects:
            subtotal: Number = 0
            for code, scorer, weight in aspect.questions:
                value = get(code)
                points = 0 if value is None else scorer(value)
                questions[code] = points
                subtotal += points * weight
            aspects[aspect.code] = subtotal
            total += subtotal * aspect.weight
        if not compiled.whole:
            total = tidy(total)
            aspects = {code: tidy(s) for code, s in aspects.items()}
    rank = 0
    for rank, level in enumerate(compiled.levels):  # noqa: B007 (rank is used after the loop)
        if total >= level.min_total:
            for aspect_code, minimum in level.gates:
                if aspects[aspect_code] < minimum:
                    break
            else:
                break
    graduate = False
    if compiled.graduation_any:
        for code, test in compiled.graduation:
            value = get(code)
            if value is not None and test(value):
                graduate = True
                break
    else:
        graduate = all(
            get(code) is not None and test(get(code)) for code, test in compiled.graduation
        )
    explanation = None
    if explain:
        if rank == 0:
            explanation = Explanation(None, 0, (), ())
        else:
            goal = compiled.levels[rank - 1]
            explanation = _explain(compiled, answers, questions, aspects, total, goal)
    return Result(compiled.key, level.code, total, aspects, questions, graduate, explanation)


def score_many(
    compiled: Compiled, answer_sets: Iterable[Mapping[str, Answer]], *, explain: bool = False
) -> list[Result]:
    """Score many clean answer sets (rescoring history): without explanations by default."""
    return [score(compiled, answers, explain=explain) for answers in answer_sets]


def _explain(
    compiled: Compiled,
    answers: Mapping[str, Answer],
    questions: Mapping[str, Number],
    aspects: Mapping[str, Number],
    total: Number,
    goal: CompiledLevel,
) -> Explanation:
    missing = goal.min_total - total
    gaps = tuple(GateGap(a, m, aspects[a]) for a, m in goal.gates if aspects[a] < m)
    rises: list[Rise] = []
    for code, q in compiled.questions.items():
        current = questions[code]
        step = q.next_step.get(current)
        if step is None:
            continue
        gain = (step.score - current) * q.weight
        points = (step.score - current) * q.points
        now = aspects[q.aspect]
        answer: RiseAnswer
        if isinstance(step.answer, SetRule):
            answer = _to_add(q, step.answer, answers.get(code))
        else:
            answer = step.answer
        if not compiled.whole:
            points, gain = tidy(points), tidy(gain)
        rises.append(Rise(q.aspect, code, now, now + gain, points, answer, step.target))
    gated = {g.aspect for g in gaps}
    rises.sort(key=lambda r: (r.aspect not in gated, -r.points))
    return Explanation(goal.code, missing if missing > 0 else 0, gaps, tuple(rises))


def _to_add(q: CompiledQuestion, rule: SetRule, chosen: Any) -> tuple[str, ...]:
    """The fewest options to add (in the question's order) so that `rule` holds."""
    have: set[str] = set(chosen or ())
    add = [c for c in rule.all_of if c not in have]
    have.update(add)
    if rule.any_of and have.isdisjoint(rule.any_of):
        add.append(rule.any_of[0])
        have.add(rule.any_of[0])
    for code in q.option_order:
        if len(have) >= rule.min_count:
            break
        if code not in have:
            add.append(code)
            have.add(code)
    return tuple(add)


def assess(
    compiled: Compiled, answers: Mapping[str, Any]
) -> tuple[Result | None, dict[str, list[Problem]]]:
    """check_answers then score: (result, {}) or (None, errors by question code)."""
    clean, errors = check_answers(compiled, answers)
    if clean is None:
        return None, errors
    return score(compiled, clean), {}


# --- Explaining in words -----------------------------------------------------------------

# The instrument carries its own labels in both languages, so the sentences around them are
# chosen here by language too, rather than by the request's active gettext language.
_FRAMES: dict[str, dict[str, str]] = {
    "id": {
        "top": "Sudah di level tertinggi: %(level)s.",
        "missing": "Menuju %(level)s: kurang %(points)s poin (total %(total)s, perlu minimal "
        "%(min)s).",
        "enough": "Total %(total)s sudah cukup untuk %(level)s.",
        "gate": "%(level)s perlu %(aspect)s minimal skor %(min)s",
        "missing_one": "Menuju %(level)s: kurang %(points)s poin (total %(total)s, perlu minimal "
        "%(min)s).",
        "rise": "%(aspect)s %(current)s → %(next)s (+%(points)s poin): %(how)s",
        "rise_one": "%(aspect)s %(current)s → %(next)s (+%(points)s poin): %(how)s",
        "choose": "pilih “%(option)s”",
        "at_least": "%(question)s minimal %(value)s",
        "add": "tambah %(options)s",
        "graduate": "%(label)s.",
    },
    "en": {
        "top": "Already at the highest level: %(level)s.",
        "missing": "To reach %(level)s: %(points)s more points (total %(total)s, needs at least "
        "%(min)s).",
        "enough": "The total of %(total)s is enough for %(level)s.",
        "gate": "%(level)s needs %(aspect)s score ≥ %(min)s",
        "missing_one": "To reach %(level)s: %(points)s more point (total %(total)s, needs at "
        "least %(min)s).",
        "rise": "%(aspect)s %(current)s → %(next)s (+%(points)s points): %(how)s",
        "rise_one": "%(aspect)s %(current)s → %(next)s (+%(points)s point): %(how)s",
        "choose": "choose “%(option)s”",
        "at_least": "%(question)s at least %(value)s",
        "add": "add %(options)s",
        "graduate": "%(label)s.",
    },
}


def format_number(value: Number, language: str) -> str:
    """12,500.5 in English, 12.500,5 in Bahasa Indonesia."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.6f}".rstrip("0").rstrip(".")
    if language == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _lower_first(text: str) -> str:
    """'Legalitas' reads 'legalitas' mid-sentence; 'BPOM' stays as it is."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def render_explanation(
    result: Result, definition: Definition, language: str = "id", *, rises: int = 3
) -> list[str]:
    """Plain sentences for a facilitator: what the next level needs, the easiest steps there,
    and the graduation flag. `rises` caps how many steps are listed."""
    words = _FRAMES["en" if language == "en" else "id"]
    lang = "en" if language == "en" else "id"

    def num(value: Number) -> str:
        return format_number(value, lang)

    lines: list[str] = []
    e = result.explanation
    if e is None:
        raise ValueError("render_explanation needs a result scored with explain=True")
    if e.next_level is None:
        lines.append(words["top"] % {"level": definition.level(result.level).label.get(lang)})
    else:
        goal = definition.level(e.next_level)
        params = {"level": goal.name, "total": num(result.total), "min": num(goal.min_total)}
        if e.points_missing > 0:
            key = "missing_one" if e.points_missing == 1 else "missing"
            lines.append(words[key] % (params | {"points": num(e.points_missing)}))
        else:
            lines.append(words["enough"] % params)
        hints = {g.aspect: g.hint for g in goal.gates}
        for gap in e.unmet_gates:
            text = words["gate"] % {
                "level": goal.name,
                "aspect": _lower_first(definition.aspect(gap.aspect).label.get(lang)),
                "min": num(gap.required),
            }
            hint = hints.get(gap.aspect)
            lines.append(f"{text}: {hint.get(lang)}" if hint else f"{text}.")
        if e.points_missing > 0:
            lines.extend(_rise_line(r, definition, lang, words) for r in e.rises[:rises])
    if result.graduate and definition.graduation is not None:
        lines.append(words["graduate"] % {"label": definition.graduation.label.get(lang)})
    return lines


def _rise_line(rise: Rise, definition: Definition, lang: str, words: Mapping[str, str]) -> str:
    q = definition.question(rise.question)
    return words["rise_one" if rise.points == 1 else "rise"] % {
        "aspect": definition.aspect(rise.aspect).label.get(lang),
        "current": format_number(rise.current, lang),
        "next": format_number(rise.next, lang),
        "points": format_number(rise.points, lang),
        "how": _how(rise, q, lang, words),
    }


def _how(rise: Rise, q: Question, lang: str, words: Mapping[str, str]) -> str:
    """The target's own hint, else the answer that reaches it in words."""
    hint: Label | None
    if q.kind in ("integer", "decimal"):
        hint = q.bands[rise.target].hint
        fallback = words["at_least"] % {
            "question": q.label.get(lang),
            "value": format_number(rise.answer, lang)
            if isinstance(rise.answer, int | float)
            else "",
        }
    elif q.kind == "one_of":
        option = q.options[rise.target]
        hint = option.hint
        fallback = words["choose"] % {"option": option.label.get(lang)}
    else:
        hint = q.rules[rise.target].hint
        names = {o.code: o.label.get(lang) for o in q.options}
        chosen = rise.answer if isinstance(rise.answer, tuple) else ()
        fallback = words["add"] % {"options": ", ".join(names[c] for c in chosen)}
    return hint.get(lang) if hint is not None else fallback
