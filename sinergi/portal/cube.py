"""The public figures as one set of cells and the relations a reader knows between them.
Pure: no database (publication.py reads the counts and stores what protection allows).

Cells are keyed (table, period, region, key):
- ("levels", period, region, level or TOTAL): actors with a counted result in a period;
- ("moves", "a>b", region, kind): actors with a result in both periods a and b, by how their
  level moved: each upward pair "IR1>IR2", UP (their sum), SAME, DOWN and BOTH (all three);
- ("registered", "", region, sector or TOTAL): registered actors by sector.
Regions are the nation (""), provinces and kab/kota: public pages go no lower.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from sinergi.portal.suppression import AtMost, Sum

LEVELS, MOVES, REGISTERED = "levels", "moves", "registered"
TOTAL, UP, SAME, DOWN, BOTH = "total", "up", "same", "down", "both"
Cell = tuple[str, str, str, str]


def parent_of(region: str) -> str | None:
    """The region a region's counts add up into (None for the nation)."""
    if not region:
        return None
    return region.rpartition(".")[0] if "." in region else ""


def pair_code(first: str, second: str) -> str:
    return f"{first}>{second}"


@dataclass
class Cube:
    values: dict[Cell, int] = field(default_factory=dict)
    relations: list[Sum | AtMost] = field(default_factory=list)

    def add(self, cell: Cell, count: int) -> None:
        self.values[cell] = self.values.get(cell, 0) + count


def _regions(cells: Iterable[Cell]) -> set[str]:
    return {cell[2] for cell in cells}


def _hierarchy(cube: Cube, table: str, period: str, keys: Iterable[str], regions: set[str]) -> None:
    """Each region's count is the sum of its children's, for every key."""
    children: dict[str, list[str]] = defaultdict(list)
    for region in regions:
        parent = parent_of(region)
        if parent is not None:
            children[parent].append(region)
    for parent, kids in children.items():
        for key in keys:
            cube.relations.append(
                Sum(
                    (table, period, parent, key),
                    tuple((table, period, k, key) for k in sorted(kids)),
                )
            )


def _totals(cube: Cube, table: str, period: str, regions: set[str], parts: Sequence[str]) -> None:
    for region in regions:
        whole = (table, period, region, TOTAL)
        cube.relations.append(Sum(whole, tuple((table, period, region, p) for p in parts)))


def _at_most(cube: Cube, lower: Cell, upper: Cell) -> None:
    """A known order, kept only where the counts keep it (a reader can rely only on that)."""
    if cube.values.get(lower, 0) <= cube.values.get(upper, 0):
        cube.relations.append(AtMost(lower, upper))


def build(
    *,
    levels: Mapping[tuple[str, str, str], int],
    moves: Mapping[tuple[str, str, str, str, str], int],
    registered: Mapping[tuple[str, str], int],
    level_order: Sequence[str],
    periods: Sequence[str],
) -> Cube:
    """levels: (period, region, level) -> actors; moves: (period a, period b, region, level
    a, level b) -> actors, for consecutive periods; registered: (region, sector) -> actors.
    Every region must come with its ancestors (the counts are kept at every level)."""
    cube = Cube()
    rank = {level: i for i, level in enumerate(level_order)}
    for (period, region, level), count in levels.items():
        cube.add((LEVELS, period, region, level), count)
        cube.add((LEVELS, period, region, TOTAL), count)
    for period in periods:
        regions = _regions(c for c in cube.values if c[0] == LEVELS and c[1] == period)
        for region in regions:
            for level in level_order:
                cube.values.setdefault((LEVELS, period, region, level), 0)
        _totals(cube, LEVELS, period, regions, level_order)
        _hierarchy(cube, LEVELS, period, [*level_order, TOTAL], regions)
    ups = [pair_code(a, b) for a in level_order for b in level_order if rank[a] < rank[b]]
    for (first, second, region, a, b), count in moves.items():
        pair = pair_code(first, second)
        move = UP if rank[a] < rank[b] else SAME if a == b else DOWN
        if move == UP:
            cube.add((MOVES, pair, region, pair_code(a, b)), count)
        cube.add((MOVES, pair, region, move), count)
        cube.add((MOVES, pair, region, BOTH), count)
    for first, second in pairwise(periods):
        pair = pair_code(first, second)
        regions = _regions(c for c in cube.values if c[0] == MOVES and c[1] == pair)
        kinds = [*ups, UP, SAME, DOWN, BOTH]
        for region in regions:
            for kind in kinds:
                cube.values.setdefault((MOVES, pair, region, kind), 0)
            cell = (MOVES, pair, region)
            cube.relations.append(Sum((*cell, UP), tuple((*cell, u) for u in ups)))
            cube.relations.append(Sum((*cell, BOTH), ((*cell, UP), (*cell, SAME), (*cell, DOWN))))
            for period in (first, second):
                _at_most(cube, (*cell, BOTH), (LEVELS, period, region, TOTAL))
        _hierarchy(cube, MOVES, pair, kinds, regions)
    sectors = sorted({sector for _region, sector in registered})
    for (region, sector), count in registered.items():
        cube.add((REGISTERED, "", region, sector), count)
        cube.add((REGISTERED, "", region, TOTAL), count)
    regions = _regions(c for c in cube.values if c[0] == REGISTERED)
    for region in regions:
        for sector in sectors:
            cube.values.setdefault((REGISTERED, "", region, sector), 0)
        for period in periods:
            if (LEVELS, period, region, TOTAL) in cube.values:
                _at_most(cube, (LEVELS, period, region, TOTAL), (REGISTERED, "", region, TOTAL))
    _totals(cube, REGISTERED, "", regions, sectors)
    _hierarchy(cube, REGISTERED, "", [*sectors, TOTAL], regions)
    return cube
