"""A definition compiled into plain lookup structures: everything scoring needs, fast.

`Definition.compile()` builds this once per definition; scoring.py reads it. Band, option
and rule scores become plain functions of a clean answer, and each question gets the ladder
of the next score it can reach (what the explanation of a result names). No database here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sinergi.assessments.instrument.definition import (
    OPERATORS,
    Band,
    Condition,
    Definition,
    Kind,
    Number,
    Question,
    SetRule,
)


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


def compile_definition(d: Definition) -> Compiled:
    """The compiled form of a valid definition (Definition.compile caches it)."""
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
