"""Small-cell protection: no count from 1 to 4 is published, and no combination of the
published tables (sums over regions, levels, sectors and moves, and the known orders
between periods) lets one be worked out. The audit here is the test's own linear program
over what a reader sees, not the module's."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sinergi.portal import cube as cubes
from sinergi.portal.suppression import AtMost, Protection, Sum, protect

THRESHOLD = 5
LEVELS = ("IR1", "IR2", "IR3")
REGENCIES = ("33.17", "33.24", "33.25", "61.08", "61.09")
SECTORS = ("makanan-minuman", "kerajinan")


@dataclass(frozen=True)
class Person:
    regency: str
    sector: str
    first: str | None  # level in period 2018, None when not assessed
    second: str | None  # level in period 2019


people = st.lists(
    st.builds(
        Person,
        regency=st.sampled_from(REGENCIES),
        sector=st.sampled_from(SECTORS),
        first=st.none() | st.sampled_from(LEVELS),
        second=st.none() | st.sampled_from(LEVELS),
    ),
    max_size=30,
)


def _up(region: str) -> list[str]:
    province = region.split(".")[0]
    return ["", province, region]


def tally(population: list[Person]) -> cubes.Cube:
    levels: Counter[tuple[str, str, str]] = Counter()
    moves: Counter[tuple[str, str, str, str, str]] = Counter()
    registered: Counter[tuple[str, str]] = Counter()
    for person in population:
        for region in _up(person.regency):
            registered[(region, person.sector)] += 1
            for period, level in (("2018", person.first), ("2019", person.second)):
                if level:
                    levels[(period, region, level)] += 1
            if person.first and person.second:
                moves[("2018", "2019", region, person.first, person.second)] += 1
    return cubes.build(
        levels=levels,
        moves=moves,
        registered=registered,
        level_order=LEVELS,
        periods=["2018", "2019"],
    )


def recoverable(values: dict[Any, int], relations: list[Any], protection: Protection) -> set[Any]:
    """Hidden cells holding a small count whose least and greatest feasible values (over
    everything published, with every hidden count at least 0 and those reading "<5" from 1
    to 4) are one number."""
    hidden = sorted(protection.small | protection.withheld, key=repr)
    index = {key: i for i, key in enumerate(hidden)}
    eq: list[list[float]] = []
    ub: list[list[float]] = []
    eq_b: list[float] = []
    ub_b: list[float] = []
    for relation in relations:
        row = [0.0] * len(hidden)
        constant = 0.0
        terms = (
            [(relation.total, -1.0)] + [(p, 1.0) for p in relation.parts]
            if isinstance(relation, Sum)
            else [(relation.lower, 1.0), (relation.upper, -1.0)]
        )
        for key, sign in terms:
            if key in index:
                row[index[key]] += sign
            else:
                constant -= sign * values[key]
        if not any(row):
            assert constant == 0 if isinstance(relation, Sum) else constant >= 0
            continue
        (eq if isinstance(relation, Sum) else ub).append(row)
        (eq_b if isinstance(relation, Sum) else ub_b).append(constant)
    bounds = [(1, THRESHOLD - 1) if k in protection.small else (0, None) for k in hidden]
    found = set()
    for key in hidden:
        if not 0 < values[key] < THRESHOLD:
            continue
        ends = []
        for sign in (1, -1):
            goal = [0.0] * len(hidden)
            goal[index[key]] = sign
            result = linprog(
                goal,
                A_eq=eq or None,
                b_eq=eq_b or None,
                A_ub=ub or None,
                b_ub=ub_b or None,
                bounds=bounds,
                method="highs",
            )
            assert result.status == 0
            ends.append(sign * result.fun)
        if math.ceil(ends[0] - 1e-6) >= math.floor(ends[1] + 1e-6):
            found.add(key)
    return found


def test_a_lone_small_cell_takes_a_neighbour_with_it() -> None:
    values = {"total": 20, "a": 3, "b": 9, "c": 8}
    protection = protect(values, [Sum("total", ("a", "b", "c"))], THRESHOLD)
    assert protection.small == {"a"}
    assert protection.withheld == {"c"}  # the smallest count that is not small itself


def test_two_small_cells_that_add_up_to_their_bounds_are_not_left_alone() -> None:
    # 4 + 4 = 8: each small count is at most 4, so a published 8 would give both away.
    values = {"total": 18, "a": 4, "b": 4, "c": 10}
    protection = protect(values, [Sum("total", ("a", "b", "c"))], THRESHOLD)
    assert protection.small == {"a", "b"}
    assert protection.withheld == {"c"}
    assert recoverable(values, [Sum("total", ("a", "b", "c"))], protection) == set()


def test_a_known_order_between_tables_is_audited_too() -> None:
    # Assessed in both periods (3) is at most the assessed of each period; were the first
    # period's count hidden alone as 3 with everything else known, nothing more is needed.
    values = {"both": 3, "first": 3, "rest": 7, "all": 10}
    relations: list[Any] = [Sum("all", ("first", "rest")), AtMost("both", "first")]
    protection = protect(values, relations, THRESHOLD)
    assert recoverable(values, relations, protection) == set()
    assert {"both", "first"} <= protection.small


@settings(max_examples=10)
@given(population=people)
def test_no_small_count_can_be_worked_out_from_the_published_tables(
    population: list[Person],
) -> None:
    cube = tally(population)
    protection = protect(cube.values, cube.relations, THRESHOLD)
    published = {k: v for k, v in cube.values.items() if not protection.hidden(k)}
    assert all(v == 0 or v >= THRESHOLD for v in published.values())
    values: dict[Any, int] = dict(cube.values)
    assert all(0 < values[k] < THRESHOLD for k in protection.small)
    assert recoverable(cube.values, cube.relations, protection) == set()


@settings(max_examples=30)
@given(population=people)
def test_the_relations_hold_and_cover_every_table_a_reader_sees(population: list[Person]) -> None:
    cube = tally(population)
    values: dict[Any, int] = dict(cube.values)
    sums: dict[Any, list[tuple[Any, ...]]] = {}
    for relation in cube.relations:
        if isinstance(relation, Sum):
            sums.setdefault(relation.total, []).append(relation.parts)
    for relation in cube.relations:
        if isinstance(relation, Sum):
            assert values[relation.total] == sum(values[p] for p in relation.parts)
        else:
            assert values[relation.lower] <= values[relation.upper]
    for table, period, region, key in cube.values:
        if table == cubes.LEVELS and key == cubes.TOTAL:
            assert any(
                {p[3] for p in parts if p[2] == region} == set(LEVELS)
                for parts in sums[(table, period, region, key)]
            )
        if region and table == cubes.LEVELS:
            parent = cubes.parent_of(region)
            assert any(
                (table, period, region, key) in parts
                for parts in sums[(table, period, parent, key)]
            )
        if table == cubes.MOVES and key == cubes.BOTH:
            orders = {(r.lower, r.upper) for r in cube.relations if isinstance(r, AtMost)}
            for first_or_second in ("2018", "2019"):
                assert (
                    (table, period, region, key),
                    (cubes.LEVELS, first_or_second, region, cubes.TOTAL),
                ) in orders


def test_small_signs_that_would_add_up_to_a_count_are_shown_as_withheld() -> None:
    # A province reading "<5" over four kab/kota reading "<5" would make each exactly 1.
    values = {"province": 4, "a": 1, "b": 1, "c": 1, "d": 1}
    relations: list[Any] = [Sum("province", ("a", "b", "c", "d"))]
    protection = protect(values, relations, THRESHOLD)
    assert protection.withheld
    assert recoverable(values, relations, protection) == set()
