"""Scoring: every band edge of the default instrument, a made-up instrument, bad answers, and
properties checked against a plain reference scorer written from the definition."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.assessments.instrument.definition import Definition, Question
from sinergi.assessments.instrument.reader import default_definition, load_definition
from sinergi.assessments.scoring import (
    Answer,
    Result,
    check_answers,
    render_explanation,
    score,
    score_many,
)

DEFAULT = default_definition()
COMPILED = DEFAULT.compile()
MADE_UP = load_definition(
    Path(__file__).with_name("made_up_instrument.yaml").read_text(encoding="utf-8")
)

# One answer per score for each default question: score 1, 2, 3.
LADDER: dict[str, tuple[Any, Any, Any]] = {
    "workers": (0, 1, 3),
    "monthly_turnover": (0, 3_000_000, 15_000_000),
    "capital": (0, 5_000_000, 50_000_000),
    "production": ("irregular", "weekly", "daily"),
    "equipment": ("manual", "semi", "machine"),
    "market_reach": ("village", "regency", "wider"),
    "bookkeeping": ("none", "simple", "separate"),
    "legality": (frozenset(), frozenset({"sku"}), frozenset({"nib", "pirt"})),
    "network": ("none", "group", "partner"),
    "digital": ("none", "chat", "marketplace"),
}


def answers_scoring(**scores: int) -> dict[str, Answer]:
    """Default answers with the given aspect scores (1 for any not named)."""
    return {code: LADDER[code][scores.get(code, 1) - 1] for code in LADDER}


def with_total(total: int, **fixed: int) -> dict[str, Answer]:
    """Answers adding up to `total`, keeping the `fixed` aspect scores."""
    scores = {code: fixed.get(code, 1) for code in LADDER}
    extra = total - sum(scores.values())
    for code in LADDER:
        if code in fixed:
            continue
        rise = min(2, extra)
        scores[code] += rise
        extra -= rise
    assert extra == 0
    return answers_scoring(**scores)


def clean(answers: dict[str, Any], definition: Definition = DEFAULT) -> dict[str, Answer]:
    checked, errors = check_answers(definition.compile(), answers)
    assert errors == {}
    assert checked is not None
    return checked


def reasons(answers: dict[str, Any]) -> dict[str, list[str]]:
    checked, errors = check_answers(COMPILED, answers)
    assert checked is None
    return {code: [str(p) for p in found] for code, found in errors.items()}


def one_score(code: str, value: Any) -> Any:
    return score(COMPILED, clean(answers_scoring() | {code: value})).aspects[code]


# --- Band edges of the default instrument ------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("workers", 0, 1),
        ("workers", 1, 2),
        ("workers", 2, 2),
        ("workers", 3, 3),
        ("workers", 400, 3),
        ("monthly_turnover", 0, 1),
        ("monthly_turnover", 2_999_999, 1),
        ("monthly_turnover", 3_000_000, 2),
        ("monthly_turnover", 14_999_999, 2),
        ("monthly_turnover", 15_000_000, 3),
        ("capital", 0, 1),
        ("capital", 4_999_999, 1),
        ("capital", 5_000_000, 2),
        ("capital", 49_999_999, 2),
        ("capital", 50_000_000, 3),
    ],
)
def test_it_scores_every_number_band_edge(code: str, value: int, expected: int) -> None:
    assert one_score(code, value) == expected
    assert one_score(code, str(value)) == expected


@pytest.mark.parametrize(
    ("code", "option", "expected"),
    [
        (code, option, n)
        for code, options in LADDER.items()
        for n, option in enumerate(options, 1)
        if isinstance(option, str)
    ],
)
def test_it_scores_each_option(code: str, option: str, expected: int) -> None:
    assert one_score(code, option) == expected


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ("", 1),
        ("sku", 2),
        ("brand", 2),
        ("nib", 2),
        ("nib pirt", 3),
        ("nib halal", 3),
        ("bpom nib", 3),
        ("pirt halal", 2),
        ("sku iumk brand", 2),
        ("nib sku iumk brand", 2),
    ],
)
def test_it_scores_legality_by_its_set_rules(chosen: str, expected: int) -> None:
    assert one_score("legality", chosen) == expected
    assert one_score("legality", chosen.split()) == expected


# --- Levels, gates, graduation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "fixed", "level"),
    [
        (10, {}, "IR1"),
        (16, {}, "IR1"),
        (17, {}, "IR2"),
        (23, {"legality": 2, "bookkeeping": 2}, "IR2"),
        (24, {"legality": 2, "bookkeeping": 2}, "IR3"),
        (24, {"legality": 1, "bookkeeping": 3}, "IR2"),
        (24, {"legality": 3, "bookkeeping": 1}, "IR2"),
        (26, {"legality": 1, "bookkeeping": 1}, "IR2"),
        (30, {}, "IR3"),
    ],
)
def test_it_sets_the_level_at_each_threshold_and_gate(
    total: int, fixed: dict[str, int], level: str
) -> None:
    result = score(COMPILED, with_total(total, **fixed))
    assert (result.total, result.level) == (total, level)


@pytest.mark.parametrize(
    ("workers", "turnover", "graduate"),
    [
        (4, 0, False),
        (5, 0, True),
        (0, 166_666_666, False),  # * 12 = 1,999,999,992
        (0, 166_666_667, True),  # * 12 = 2,000,000,004
    ],
)
def test_it_flags_graduation_at_its_edges(workers: int, turnover: int, graduate: bool) -> None:
    answers = answers_scoring() | {"workers": workers, "monthly_turnover": turnover}
    assert score(COMPILED, answers).graduate is graduate


def test_graduation_is_a_flag_beside_the_level() -> None:
    result = score(COMPILED, answers_scoring() | {"workers": 9})
    assert (result.level, result.graduate) == ("IR1", True)


# --- Explanations ------------------------------------------------------------------------


def test_it_explains_an_unmet_gate_in_both_languages() -> None:
    result = score(COMPILED, with_total(25, legality=1, bookkeeping=2))
    assert result.level == "IR2"
    e = result.explanation
    assert e is not None
    assert (e.next_level, e.points_missing) == ("IR3", 0)
    assert [(g.aspect, g.required, g.current) for g in e.unmet_gates] == [("legality", 2, 1)]
    assert render_explanation(result, DEFAULT, "id") == [
        "Total 25 sudah cukup untuk IR 3.",
        "IR 3 perlu legalitas minimal skor 2: urus NIB atau P-IRT",
    ]
    assert render_explanation(result, DEFAULT, "en") == [
        "The total of 25 is enough for IR 3.",
        "IR 3 needs legality score ≥ 2: get an NIB or P-IRT",
    ]


def test_it_explains_missing_points_and_the_easiest_steps() -> None:
    result = score(
        COMPILED, answers_scoring(workers=2, capital=3) | {"monthly_turnover": 2_999_999}
    )
    e = result.explanation
    assert e is not None
    assert (result.level, result.total, e.next_level, e.points_missing) == ("IR1", 13, "IR2", 4)
    first = e.rises[0]
    assert (first.aspect, first.current, first.next, first.points) == ("workers", 2, 3, 1)
    assert first.answer == 3
    turnover = next(r for r in e.rises if r.question == "monthly_turnover")
    assert turnover.answer == 3_000_000
    assert "capital" not in {r.aspect for r in e.rises}  # already at the top score
    lines = render_explanation(result, DEFAULT, "id")
    assert lines[0] == "Menuju IR 2: kurang 4 poin (total 13, perlu minimal 17)."
    assert lines[1] == "Tenaga kerja 2 → 3 (+1 poin): pekerjakan minimal 3 orang"
    assert "Omzet 1 → 2 (+1 poin): naikkan omzet ke Rp3.000.000 per bulan" in lines
    assert len(lines) == 4
    assert render_explanation(result, DEFAULT, "en", rises=1)[1] == (
        "Workers 2 → 3 (+1 point): employ at least 3 people"
    )


def test_it_puts_the_step_that_opens_a_gate_first() -> None:
    result = score(COMPILED, with_total(22, legality=1, bookkeeping=2))
    assert result.explanation is not None
    assert result.explanation.rises[0].aspect == "legality"


@pytest.mark.parametrize(
    ("chosen", "to_add"),
    [
        (frozenset(), ("sku",)),
        (frozenset({"nib"}), ("pirt",)),
        (frozenset({"pirt", "halal"}), ("nib",)),
        (frozenset({"sku"}), ("nib", "pirt")),
    ],
)
def test_it_names_the_permits_to_add(chosen: frozenset[str], to_add: tuple[str, ...]) -> None:
    result = score(COMPILED, answers_scoring() | {"legality": chosen})
    assert result.explanation is not None
    rise = next(r for r in result.explanation.rises if r.aspect == "legality")
    assert rise.answer == to_add


def test_it_says_when_the_top_level_is_reached() -> None:
    result = score(COMPILED, with_total(30) | {"workers": 5})
    assert result.explanation is not None
    assert result.explanation.next_level is None
    assert render_explanation(result, DEFAULT, "id") == [
        "Sudah di level tertinggi: IR 3 Maju.",
        "Siap naik ke usaha kecil.",
    ]
    assert render_explanation(result, DEFAULT, "en")[0] == (
        "Already at the highest level: IR 3 Advanced."
    )


def test_it_can_skip_the_explanation_for_rescoring() -> None:
    sets = [with_total(t) for t in range(10, 31)]
    many = score_many(COMPILED, sets)
    assert [r.explanation for r in many] == [None] * len(sets)
    assert [r._replace(explanation=None) for r in (score(COMPILED, s) for s in sets)] == many
    with pytest.raises(ValueError, match="explain=True"):
        render_explanation(many[0], DEFAULT)


def test_a_result_round_trips_through_json() -> None:
    result = score(COMPILED, answers_scoring(legality=2, workers=2))
    stored = json.loads(json.dumps(result.to_json()))
    assert Result.from_json(stored) == result


def test_answers_read_back_from_json_score_the_same() -> None:
    answers = answers_scoring(legality=3, workers=2)
    stored = json.loads(
        json.dumps({k: sorted(v) if isinstance(v, frozenset) else v for k, v in answers.items()})
    )
    assert score(COMPILED, stored) == score(COMPILED, answers)


# --- Bad answers ---------------------------------------------------------------------------


def test_it_refuses_bad_answers_with_a_reason_per_question() -> None:
    found = reasons(
        {
            "workers": "1.5",
            "monthly_turnover": -1,
            "capital": True,
            "production": "sometimes",
            "equipment": 2,
            "market_reach": "",
            "legality": "nib siup",
            "network": None,
            "digital": "chat",
            "bookkeeping": "simple",
            "colour": "blue",
        }
    )
    assert found == {
        "colour": ["Unknown question: this instrument has no question 'colour'."],
        "workers": ["Must be a whole number, without decimals (got 1.5)."],
        "monthly_turnover": ["Must not be negative (got -1)."],
        "capital": ["Must be a whole number, not yes/no."],
        "production": ["Unknown option 'sometimes'; choose one of: irregular, weekly, daily."],
        "equipment": ["Unknown option '2'; choose one of: manual, semi, machine."],
        "market_reach": ["An answer is required."],
        "legality": [
            "Unknown option 'siup'; choose any of: sku, iumk, nib, pirt, halal, bpom, brand."
        ],
        "network": ["An answer is required."],
    }


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "Must be a whole number written in digits (got 'abc')."),
        ("3.000.000", "Must be a whole number written in digits (got '3.000.000')."),
        ("-5", "Must not be negative (got -5)."),
        (float("nan"), "Must be a whole number."),
        (2.5, "Must be a whole number, without decimals (got 2.5)."),
        ([1], "Must be a whole number."),
    ],
)
def test_it_refuses_numbers_a_facilitator_would_mistype(value: Any, reason: str) -> None:
    assert reasons(answers_scoring() | {"workers": value}) == {"workers": [reason]}


def test_it_refuses_every_missing_required_answer() -> None:
    found = reasons({})
    assert found == {code: ["An answer is required."] for code in LADDER}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 12 ", 12),
        ("+3", 3),
        (7.0, 7),
        (Decimal(4), 4),
    ],
)
def test_it_accepts_numbers_as_forms_and_odk_send_them(value: Any, expected: int) -> None:
    assert clean(answers_scoring() | {"workers": value})["workers"] == expected


@pytest.mark.parametrize(
    "value",
    ["nib pirt", "nib,pirt", " nib  pirt nib ", ["nib", "pirt", "nib"], ("pirt", "nib")],
)
def test_it_accepts_select_multiple_as_text_or_list(value: Any) -> None:
    assert clean(answers_scoring() | {"legality": value})["legality"] == frozenset({"nib", "pirt"})


def test_an_empty_select_multiple_means_none_chosen() -> None:
    assert clean(answers_scoring() | {"legality": ""})["legality"] == frozenset()
    assert clean(answers_scoring() | {"legality": []})["legality"] == frozenset()


# --- A made-up instrument ------------------------------------------------------------------


def made_up(**answers: Any) -> Result:
    base: dict[str, Any] = {"staff": 0, "margin": "0", "channels": "", "plan": "none"}
    return score(MADE_UP.compile(), clean(base | answers, MADE_UP))


def test_a_made_up_instrument_weights_questions_and_aspects() -> None:
    result = made_up(
        staff="20", trained_share="0.3", margin="-0.5", channels="shop online", plan="audited"
    )
    # people: (2 * 2 + 0.5) = 4.5, * 2 = 9; market: 0 + 2 + 2.5 * 0.5 = 3.25, * 1.5 = 4.875
    assert result.aspects == {"people": 4.5, "market": 3.25}
    assert result.questions == {
        "staff": 2,
        "trained_share": 0.5,
        "margin": 0,
        "channels": 2,
        "plan": 2.5,
    }
    assert (result.total, result.level, result.graduate) == (13.875, "L2", False)
    e = result.explanation
    assert e is not None
    assert (e.next_level, e.points_missing) == ("L3", 6.125)
    assert [(g.aspect, g.required, g.current) for g in e.unmet_gates] == [("people", 6, 4.5)]
    staff = e.rises[0]
    assert (staff.question, staff.current, staff.next, staff.points, staff.answer) == (
        "staff",
        4.5,
        8.5,
        8,
        50,
    )
    channels = next(r for r in e.rises if r.question == "channels")
    assert channels.answer == ("export",)
    assert render_explanation(result, MADE_UP, "en")[:2] == [
        "To reach L3: 6.125 more points (total 13.875, needs at least 20).",
        "L3 needs people score ≥ 6: hire more staff",
    ]
    assert render_explanation(result, MADE_UP, "id")[0] == (
        "Menuju L3: kurang 6,125 poin (total 13,875, perlu minimal 20)."
    )


@pytest.mark.parametrize(
    ("share", "expected"),
    [("0", 0), ("0.2499", 0), ("0.25", 0.5), ("0.4999", 0.5), ("0.5", 1.5), ("1", 1.5)],
)
def test_decimal_bands_are_half_open(share: str, expected: float) -> None:
    assert made_up(trained_share=share).questions["trained_share"] == expected


def test_an_unanswered_optional_question_scores_zero() -> None:
    result = made_up()
    assert "trained_share" not in clean(
        {"staff": 0, "margin": 0, "channels": "", "plan": "none"}, MADE_UP
    )
    assert result.questions["trained_share"] == 0
    assert (result.total, result.level) == (1.5, "L0")


def test_a_made_up_instrument_checks_its_own_ranges() -> None:
    checked, errors = check_answers(
        MADE_UP.compile(),
        {"staff": 101, "margin": "-2", "trained_share": "1,5", "channels": "shop", "plan": "none"},
    )
    assert checked is None
    assert {k: [str(p) for p in v] for k, v in errors.items()} == {
        "staff": ["Must be at most 100 (got 101)."],
        "margin": ["Must be at least -1 (got -2)."],
        "trained_share": ["Write decimals with a dot (1.5), not a comma (got 1,5)."],
    }


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (
            {
                "staff": 50,
                "trained_share": 1,
                "margin": 0.2,
                "channels": "online export",
                "plan": "audited",
            },
            "L3",
        ),
        # total 22 but market 2 < 3: L3's gate keeps it at L2
        (
            {"staff": 50, "trained_share": 1, "margin": 0.2, "channels": "shop", "plan": "none"},
            "L2",
        ),
        # total 20.5 but market 1 < 2: L2's gate keeps it at L1
        ({"staff": 50, "trained_share": 1, "margin": 0, "channels": "shop", "plan": "none"}, "L1"),
    ],
)
def test_a_made_up_instrument_has_four_levels_with_gates(
    answers: dict[str, Any], level: str
) -> None:
    assert made_up(**answers).level == level


def test_a_made_up_instrument_graduates_only_when_all_conditions_hold() -> None:
    assert made_up(staff=50, channels="export").graduate is True
    assert made_up(staff=49, channels="export").graduate is False
    assert made_up(staff=50, channels="online").graduate is False


# --- Properties, against a reference scorer written from the definition --------------------


def reference_question(q: Question, value: Any) -> float:
    if value is None:
        return 0
    if q.kind in ("integer", "decimal"):
        for b in q.bands:
            top_ok = b.max is None or (value <= b.max if q.kind == "integer" else value < b.max)
            if b.max == q.max and b.max is not None:
                top_ok = value <= b.max
            if b.min <= value and top_ok:
                return b.score
        raise AssertionError(value)
    if q.kind == "one_of":
        return next(o.score for o in q.options if o.code == value)  # type: ignore[return-value]
    for r in q.rules:
        if (
            set(r.all_of) <= value
            and (not r.any_of or set(r.any_of) & value)
            and len(value) >= r.min_count
        ):
            return r.score
    raise AssertionError(value)


def reference(d: Definition, answers: dict[str, Any]) -> tuple[str, float, dict[str, float]]:
    aspects = {
        a.code: sum(reference_question(q, answers.get(q.code)) * q.weight for q in a.questions)
        for a in d.aspects
    }
    total = sum(aspects[a.code] * a.weight for a in d.aspects)
    level = [
        lv.code
        for lv in d.levels
        if total >= lv.min_total - 1e-9 and all(aspects[g.aspect] >= g.min_score for g in lv.gates)
    ][-1]
    return level, total, aspects


def question_answer(q: Question) -> st.SearchStrategy[Any]:
    if q.kind == "integer":
        top = int(q.max) if q.max is not None else int(q.bands[-1].min) * 3 + 10
        edges = [int(b.min) for b in q.bands] + [int(b.min) - 1 for b in q.bands[1:]]
        return st.one_of(st.sampled_from(edges), st.integers(int(q.min), top))
    if q.kind == "decimal":
        high = float(q.max) if q.max is not None else float(q.bands[-1].min) * 3 + 10
        points = [float(b.min) for b in q.bands]
        return st.one_of(st.sampled_from(points), st.floats(float(q.min), high))
    codes = [o.code for o in q.options]
    if q.kind == "one_of":
        return st.sampled_from(codes)
    return st.frozensets(st.sampled_from(codes))


def answers_for(d: Definition) -> st.SearchStrategy[dict[str, Any]]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for q in d.questions:
        strategy = question_answer(q)
        parts[q.code] = strategy if q.required else st.one_of(st.none(), strategy)
    return st.fixed_dictionaries(parts).map(lambda a: {k: v for k, v in a.items() if v is not None})


INSTRUMENTS = [DEFAULT, MADE_UP]


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.key)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_it_agrees_with_the_reference_scorer(definition: Definition, data: st.DataObject) -> None:
    answers = data.draw(answers_for(definition))
    result = score(definition.compile(), answers)
    level, total, aspects = reference(definition, answers)
    assert result.level == level
    assert result.total == pytest.approx(total)
    assert result.aspects == pytest.approx(aspects)


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.key)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_total_is_the_weighted_sum_of_aspect_scores(
    definition: Definition, data: st.DataObject
) -> None:
    result = score(definition.compile(), data.draw(answers_for(definition)))
    weights = {a.code: a.weight for a in definition.aspects}
    assert result.total == pytest.approx(sum(s * weights[a] for a, s in result.aspects.items()))
    if definition is DEFAULT:
        assert isinstance(result.total, int)
        assert result.total == sum(result.aspects.values())


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.key)
@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_raising_one_answer_never_lowers_the_level(
    definition: Definition, data: st.DataObject
) -> None:
    compiled = definition.compile()
    answers = data.draw(answers_for(definition))
    q = data.draw(st.sampled_from(definition.questions))
    other = data.draw(question_answer(q))
    before = score(compiled, answers)
    after = score(compiled, answers | {q.code: other})
    order = [lv.code for lv in definition.levels]
    if after.questions[q.code] >= before.questions[q.code]:
        assert order.index(after.level) >= order.index(before.level)
        assert after.total >= before.total


@pytest.mark.parametrize("definition", INSTRUMENTS, ids=lambda d: d.key)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_taking_every_suggested_step_reaches_the_next_level_or_the_top_score(
    definition: Definition, data: st.DataObject
) -> None:
    """The explanation's numbers are consistent: missing points and gates match the levels."""
    compiled = definition.compile()
    result = score(compiled, data.draw(answers_for(definition)))
    e = result.explanation
    assert e is not None
    order = [lv.code for lv in definition.levels]
    if e.next_level is None:
        assert result.level == order[-1]
        return
    assert order.index(e.next_level) == order.index(result.level) + 1
    goal = definition.level(e.next_level)
    assert e.points_missing == pytest.approx(max(0, goal.min_total - result.total))
    assert e.points_missing > 0 or e.unmet_gates
    assert all(r.points > 0 and r.next > r.current for r in e.rises)


@settings(max_examples=200, deadline=None)
@given(answers=answers_for(DEFAULT))
def test_checking_text_answers_gives_back_the_same_answers(answers: dict[str, Any]) -> None:
    as_text = {
        k: " ".join(sorted(v)) if isinstance(v, frozenset) else str(v) for k, v in answers.items()
    }
    assert clean(as_text) == answers
