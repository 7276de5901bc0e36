"""Instrument definitions: the default loads, round-trips, and every broken rule names its line."""

import json
from pathlib import Path

import pytest

from sinergi.assessments.instrument.definition import Definition
from sinergi.assessments.instrument.reader import (
    DEFAULT_FILE,
    InvalidInstrument,
    default_definition,
    load_definition,
    parse_definition,
)

MADE_UP = Path(__file__).with_name("made_up_instrument.yaml")

BASE = """\
code: tiny
version: "1"
label: {id: Kecil, en: Tiny}
aspects:
  - code: size
    label: {id: Ukuran, en: Size}
    questions:
      - code: workers
        type: integer
        label: {id: Pekerja, en: Workers}
        min: 0
        bands:
          - {min: 0, max: 0, score: 1}
          - {min: 1, max: 2, score: 2}
          - {min: 3, score: 3}
      - code: share
        type: decimal
        label: {id: Porsi, en: Share}
        min: 0
        max: 1
        bands:
          - {min: 0, max: 0.5, score: 0}
          - {min: 0.5, score: 1}
  - code: legality
    label: {id: Legalitas, en: Legality}
    questions:
      - code: permits
        type: any_of
        label: {id: Izin, en: Permits}
        options:
          - {code: nib, label: {id: NIB, en: NIB}}
          - {code: pirt, label: {id: P-IRT, en: P-IRT}}
        rules:
          - {all_of: [nib], any_of: [pirt], score: 3}
          - {min_count: 1, score: 2}
          - {score: 1}
      - code: books
        type: one_of
        label: {id: Pembukuan, en: Books}
        options:
          - {code: none, label: {id: Tidak ada, en: None}, score: 1}
          - {code: simple, label: {id: Sederhana, en: Simple}, score: 2}
levels:
  - {code: L1, label: {id: Satu, en: One}, min_total: 3}
  - code: L2
    label: {id: Dua, en: Two}
    min_total: 6
    gates:
      - {aspect: legality, min_score: 4}
graduation:
  label: {id: Lulus, en: Graduates}
  any_of:
    - {question: workers, op: ">=", value: 5}
"""


def line_of(text: str, needle: str) -> int:
    """The first line containing `needle`; a needle ending in a newline matches a whole line."""
    if needle.endswith("\n"):
        return next(n for n, line in enumerate(text.splitlines(), 1) if line.strip() == needle[:-1])
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(text: str) -> list[str]:
    definition, found = parse_definition(text)
    assert definition is None
    return [str(p) for p in found]


def broken(old: str, new: str) -> tuple[str, list[str]]:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    return text, problems(text)


def test_it_accepts_the_small_base_instrument() -> None:
    definition, found = parse_definition(BASE)
    assert found == []
    assert definition is not None
    assert definition.key == "tiny@1"
    assert (definition.min_total, definition.max_total) == (3, 9)


def test_it_loads_the_default_instrument_with_its_public_codes() -> None:
    d = default_definition()
    assert d.key == "ir-default@2026.1"
    assert [q.code for q in d.questions] == [
        "workers",
        "monthly_turnover",
        "capital",
        "production",
        "equipment",
        "market_reach",
        "bookkeeping",
        "legality",
        "network",
        "digital",
    ]
    assert [a.code for a in d.aspects] == [q.code for q in d.questions]
    assert all(q.required and len(a.questions) == 1 for a in d.aspects for q in a.questions)
    assert [(lv.code, lv.min_total) for lv in d.levels] == [("IR1", 10), ("IR2", 17), ("IR3", 24)]
    assert [(g.aspect, g.min_score) for g in d.levels[2].gates] == [
        ("legality", 2),
        ("bookkeeping", 2),
    ]
    assert (d.min_total, d.max_total) == (10, 30)
    assert d.description is not None
    assert "bukan instrumen resmi" in d.description.id


def test_the_default_instrument_labels_everything_in_both_languages() -> None:
    d = default_definition()
    labels = [d.label, *(a.label for a in d.aspects), *(lv.label for lv in d.levels)]
    for q in d.questions:
        labels += [q.label, *(o.label for o in q.options)]
    assert all(label.id.strip() and label.en.strip() for label in labels)
    assert {o.code for o in d.question("legality").options} == {
        "sku",
        "iumk",
        "nib",
        "pirt",
        "halal",
        "bpom",
        "brand",
    }
    gate_hints = [g.hint for g in d.levels[2].gates]
    assert all(h is not None and h.id and h.en for h in gate_hints)


@pytest.mark.parametrize("path", [DEFAULT_FILE, MADE_UP])
def test_it_round_trips_through_canonical_json(path: Path) -> None:
    d = load_definition(path.read_text(encoding="utf-8"))
    stored = json.loads(json.dumps(d.to_json()))
    assert stored["format"] == 1
    assert Definition.from_json(stored) == d
    assert Definition.from_json(stored).compile().key == d.key


def test_it_reads_a_definition_written_as_json() -> None:
    d = default_definition()
    text = json.dumps(d.to_json(), indent=2)
    assert load_definition(text) == d


def test_it_compiles_once() -> None:
    d = default_definition()
    assert d.compile() is d.compile()


def test_it_raises_with_every_problem_on_load() -> None:
    text = BASE.replace("score: 3}\n          - {min_count", "score: -3}\n          - {min_count")
    with pytest.raises(InvalidInstrument) as caught:
        load_definition(text)
    assert caught.value.problems
    assert "must not be negative" in str(caught.value)


def test_it_refuses_text_that_is_not_yaml() -> None:
    found = problems("code: x\n  label: [unclosed\n")
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert "not valid YAML" in found[0]


def test_it_refuses_a_list_at_the_top() -> None:
    assert problems("- a\n- b\n") == ["line 1: the instrument must be a mapping of keys."]


def test_it_names_a_duplicate_key_and_its_line() -> None:
    text = BASE.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    assert problems(text) == ["line 3: key 'version' appears twice."]


def test_it_asks_for_missing_top_level_keys() -> None:
    text = BASE.replace("label: {id: Kecil, en: Tiny}\n", "")
    assert "line 1: the instrument needs 'label'." in problems(text)


def test_it_asks_for_a_quoted_version() -> None:
    text, found = broken('version: "1"', "version: 2026.1")
    assert found == [
        f"line {line_of(text, 'version')}: 'version' must be text such as \"2026.1\" (in "
        "quotes); got 2026.1."
    ]


def test_it_names_an_unknown_key() -> None:
    text, found = broken("        min: 0\n        max: 1\n", "        min: 0\n        maks: 1\n")
    line = line_of(text, "maks")
    assert any(p.startswith(f"line {line}: unknown key 'maks' in question 'share'") for p in found)


def test_it_refuses_a_question_code_used_twice() -> None:
    text, found = broken("code: books", "code: workers")
    line = [n for n, s in enumerate(text.splitlines(), 1) if "- code: workers" in s][1]
    assert found == [f"line {line}: question code 'workers' is used twice."]


def test_it_refuses_a_label_without_english() -> None:
    text, found = broken("label: {id: Porsi, en: Share}", "label: {id: Porsi}")
    assert found == [
        f"line {line_of(text, 'Porsi')}: 'en' of label of question 'share' must be text."
    ]


def test_it_refuses_an_unknown_question_type() -> None:
    text, found = broken("type: decimal", "type: percent")
    assert found == [
        f"line {line_of(text, 'percent')}: 'type' of question 'share' must be one of integer, "
        "decimal, one_of, any_of."
    ]


def test_it_refuses_a_code_that_yaml_read_as_false() -> None:
    text, found = broken("code: none,", "code: no,")
    assert len(found) == 1
    assert found[0].startswith(f"line {line_of(text, 'code: no,')}: 'code' of option 1")
    assert "quote values such as 'no'" in found[0]


def test_it_wants_a_score_on_every_one_of_option() -> None:
    text, found = broken("en: Simple}, score: 2}", "en: Simple}}")
    line = line_of(text, "en: Simple}}")
    assert found == [f"line {line}: option 'simple' of question 'books' needs 'score'."]


def test_it_refuses_a_score_on_an_any_of_option() -> None:
    text, found = broken(
        "{code: pirt, label: {id: P-IRT, en: P-IRT}}",
        "{code: pirt, label: {id: P-IRT, en: P-IRT}, score: 2}",
    )
    line = line_of(text, "P-IRT}, score: 2")
    assert found == [
        f"line {line}: option 'pirt' of question 'permits' has a score, but any_of options are "
        "scored by the question's rules."
    ]


def test_it_refuses_a_rule_naming_an_unknown_option() -> None:
    text, found = broken("any_of: [pirt]", "any_of: [halal]")
    assert found == [
        f"line {line_of(text, 'halal')}: rule 1 of question 'permits' names 'halal', which is "
        "not an option of this question."
    ]


def test_it_wants_the_last_rule_unconditional() -> None:
    text, found = broken("          - {score: 1}\n", "          - {min_count: 2, score: 1}\n")
    assert found == [
        f"line {line_of(text, 'min_count: 2')}: the last rule of question 'permits' must have no "
        "conditions (only a score), so that every answer gets a score."
    ]


def test_it_refuses_a_rule_after_an_unconditional_one() -> None:
    text, found = broken("          - {min_count: 1, score: 2}\n", "          - {score: 2}\n")
    assert found == [
        f"line {line_of(text, '{score: 1}')}: rule 3 of question 'permits' follows a rule without "
        "conditions, so it is never used."
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "{min: 1, max: 2, score: 2}",
            "{min: 2, max: 2, score: 2}",
            "{min: 2, max: 2",
            "band 2 of question 'workers' leaves a gap: values from 1 to below 2 get no score.",
        ),
        (
            "{min: 1, max: 2, score: 2}",
            "{min: 0, max: 2, score: 2}",
            "{min: 0, max: 2",
            "band 2 of question 'workers' overlaps the band before it: it must start at 1.",
        ),
        (
            "{min: 0, max: 0, score: 1}",
            "{min: 1, max: 0, score: 1}",
            "{min: 1, max: 0",
            "band 1 of question 'workers' ends (0) before it starts (1).",
        ),
        (
            "{min: 0, max: 0, score: 1}\n          - {min: 1, max: 2, score: 2}",
            "{min: 0, max: 0, score: 1}\n          - {min: 1, score: 2}",
            "{min: 1, score: 2}",
            None,
        ),
        (
            "{min: 0.5, score: 1}",
            "{min: 0.6, score: 1}",
            "{min: 0.6",
            "band 2 of question 'share' leaves a gap: values from 0.5 to below 0.6 get no score.",
        ),
        (
            "{min: 0.5, score: 1}",
            "{min: 0.4, score: 1}",
            "{min: 0.4",
            "band 2 of question 'share' overlaps the band before it: it must start at 0.5.",
        ),
        (
            "{min: 0, max: 0.5, score: 0}",
            "{min: 0.1, max: 0.5, score: 0}",
            "{min: 0.1",
            "band 1 of question 'share' leaves a gap: values from 0 to below 0.1 get no score.",
        ),
        (
            "{min: 0.5, score: 1}",
            "{min: 0.5, max: 0.9, score: 1}",
            "max: 0.9",
            "the last band of question 'share' must end at the question's max (1).",
        ),
        (
            "{min: 3, score: 3}",
            "{min: 3, max: 9, score: 3}",
            "max: 9",
            "the last band of question 'workers' ends at 9, so larger values get no score: "
            "leave out its 'max'.",
        ),
        (
            "{min: 1, max: 2, score: 2}",
            "{min: 1, max: 2.5, score: 2}",
            "max: 2.5",
            "'max' of band 2 of question 'workers' must be a whole number.",
        ),
        (
            "{min: 0.5, score: 1}",
            "{min: 0.5, score: -1}",
            "score: -1",
            "the score of band 2 of question 'share' must not be negative.",
        ),
    ],
)
def test_it_refuses_bands_with_gaps_overlaps_or_bad_ends(
    old: str, new: str, needle: str, expected: str | None
) -> None:
    text, found = broken(old, new)
    line = line_of(text, needle)
    if expected is None:  # an open band before another
        assert (
            f"line {line + 1}: band 3 of question 'workers' comes after an open-ended band"
            in (found[0])
        )
    else:
        assert found == [f"line {line}: {expected}"]


def test_it_refuses_a_weight_that_is_not_positive() -> None:
    text, found = broken(
        "    label: {id: Ukuran, en: Size}\n", "    label: {id: Ukuran, en: Size}\n    weight: 0\n"
    )
    assert found == [
        f"line {line_of(text, 'weight: 0')}: 'weight' of aspect 'size' must be more than 0."
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "min_total: 3}",
            "min_total: 4}",
            "min_total: 4",
            "the lowest level starts at 4, but a total can be as low as 3: lower its 'min_total'.",
        ),
        (
            "min_total: 6",
            "min_total: 3",
            "min_total: 3\n",
            "'min_total' of level 'L2' must be more than the level before it (3): list levels "
            "from lowest to highest.",
        ),
        (
            "min_total: 6",
            "min_total: 10",
            "min_total: 10",
            "level 'L2' can never be reached: the highest possible total is 9.",
        ),
        (
            "aspect: legality, min_score: 4",
            "aspect: legal, min_score: 4",
            "aspect: legal,",
            "gate 1 of level 'L2' names aspect 'legal', which this instrument does not have.",
        ),
        (
            "aspect: legality, min_score: 4",
            "aspect: legality, min_score: 6",
            "min_score: 6",
            "gate 1 of level 'L2' can never be met: aspect 'legality' scores at most 5.",
        ),
        (
            "{code: L1, label: {id: Satu, en: One}, min_total: 3}",
            "{code: L1, label: {id: Satu, en: One}, min_total: 3, gates: [{aspect: size, "
            "min_score: 1}]}",
            "code: L1",
            "the lowest level cannot have gates: every answer needs a level.",
        ),
        (
            "code: L2",
            "code: L1",
            "- code: L1\n",
            "level code 'L1' is used twice.",
        ),
    ],
)
def test_it_refuses_levels_that_leave_totals_without_a_level(
    old: str, new: str, needle: str, expected: str
) -> None:
    text, found = broken(old, new)
    line = line_of(text, needle)
    assert found == [f"line {line}: {expected}"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "{question: workers,",
            "{question: staff,",
            "staff",
            "a graduation condition names question 'staff', which this instrument does not have.",
        ),
        (
            'op: ">="',
            'op: "=>"',
            "=>",
            "'op' of a graduation condition must be one of >= > <= < ==.",
        ),
        (
            '{question: workers, op: ">=", value: 5}',
            "{question: books, in: [lots]}",
            "lots",
            "'in' of a graduation condition must list options of question 'books'.",
        ),
    ],
)
def test_it_refuses_graduation_on_unknown_questions_or_operators(
    old: str, new: str, needle: str, expected: str
) -> None:
    text, found = broken(old, new)
    assert found == [f"line {line_of(text, needle)}: {expected}"]


def test_it_wants_one_graduation_mode() -> None:
    text, found = broken(
        "  any_of:\n    - {question: workers", "  all_of: []\n  any_of:\n    - {question: workers"
    )
    line = line_of(text, "label: {id: Lulus")
    assert found == [f"line {line}: graduation needs exactly one of 'any_of' or 'all_of'."]


def test_it_reports_every_problem_in_one_pass() -> None:
    text = BASE.replace("{min: 1, max: 2, score: 2}", "{min: 2, max: 2, score: 2}").replace(
        "en: Simple}, score: 2}", "en: Simple}}"
    )
    found = problems(text)
    assert len(found) == 2
    assert "leaves a gap" in found[0]
    assert "needs 'score'" in found[1]
