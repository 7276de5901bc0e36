"""Which pre-summed counts an actor and her results belong to. Pure: no database.

Every count the dashboards read is kept per *slice*: a region (the nation as "", a province,
a regency, a district or a village) and a breakdown (`dim`, `value`): the whole region
(ALL, ""), one sector, one facilitator, the actors flagged ready to graduate, or the holders
of one legality item. Not every breakdown is kept at every region level: villages only
as a whole (the child-region table of a district), facilitators only within a regency and
a district (above that a list of facilitators is not something anyone reads).

Three kinds of counts use these slices:
- registered actors: per slice (base slices);
- results in a period: per slice and level (base slices plus graduation and legality);
- transitions between two periods: per slice and (level before, level after), for actors
  with a counted result in both (base slices).

An actor is counted where she is registered now, with her current sector and facilitator,
in every period: when those change, her whole history moves with her (see aggregates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

ALL = ""
SECTOR = "sector"
FACILITATOR = "facilitator"
GRADUATE = "graduate"
LEGALITY = "legality"
DIMS = (SECTOR, FACILITATOR, GRADUATE, LEGALITY)
# The registry's legality kinds, in a fixed order: a result keeps the ones it holds as bits.
LEGALITY_KINDS = ("sku", "iumk", "nib", "pirt", "halal", "bpom", "brand")
_BITS = {kind: 1 << i for i, kind in enumerate(LEGALITY_KINDS)}
YES = "yes"

# Region depth (0 the nation, 1 province ... 4 village) at which each breakdown is kept.
DEPTHS = {
    ALL: (0, 1, 2, 3, 4),
    SECTOR: (0, 1, 2, 3),
    FACILITATOR: (2, 3),
    GRADUATE: (0, 1, 2, 3),
    LEGALITY: (0, 1, 2, 3),
}

Slice = tuple[str, str, str]  # region code, dim, value
LevelKey = tuple[int, str, str, str, str]  # period id, region, dim, value, level
PairKey = tuple[int, int, str, str, str, str, str]  # period a < b, region, dim, value, la, lb


class Place(NamedTuple):
    """Where an actor is counted: her village and her current sector and facilitator."""

    village: str
    sector: str
    facilitator_id: int | None


class Standing(NamedTuple):
    """What a counted result contributes: its level, the graduation flag, legality bits."""

    level: str
    graduate: bool
    legality: int


def legality_bits(kinds: Iterable[str] | None) -> int:
    """The legality items a result holds, as bits (unknown kinds are ignored)."""
    bits = 0
    for kind in kinds or ():
        bits |= _BITS.get(kind, 0)
    return bits


def legality_kinds(bits: int) -> list[str]:
    return [kind for kind in LEGALITY_KINDS if bits & _BITS[kind]]


def regions_of(village: str) -> tuple[str, str, str, str, str]:
    """The nation (""), province, regency, district and village of a village code."""
    p, r, d, _v = village.split(".")
    return ("", p, f"{p}.{r}", f"{p}.{r}.{d}", village)


def depth_of(region: str) -> int:
    """0 for the nation, then 1 province ... 4 village."""
    return 0 if not region else region.count(".") + 1


# Both are called for every key a write touches (a re-score chunk: thousands of times for
# the same few places), so their answers are kept.
@lru_cache(maxsize=65_536)
def base_slices(place: Place) -> tuple[Slice, ...]:
    """The slices an actor is registered in (and her transitions are counted in)."""
    regions = regions_of(place.village)
    facilitator = "" if place.facilitator_id is None else str(place.facilitator_id)
    return (
        *((regions[d], ALL, "") for d in DEPTHS[ALL]),
        *((regions[d], SECTOR, place.sector) for d in DEPTHS[SECTOR]),
        *((regions[d], FACILITATOR, facilitator) for d in DEPTHS[FACILITATOR]),
    )


@lru_cache(maxsize=65_536)
def result_slices(place: Place, standing: Standing) -> tuple[Slice, ...]:
    """The slices a counted result is counted in (with its level)."""
    regions = regions_of(place.village)
    extra = [(regions[d], GRADUATE, YES) for d in DEPTHS[GRADUATE] if standing.graduate]
    for kind in legality_kinds(standing.legality):
        extra.extend((regions[d], LEGALITY, kind) for d in DEPTHS[LEGALITY])
    return (*base_slices(place), *extra)


class Tally:
    """Signed changes to the three kinds of counts, summed before anything is written."""

    def __init__(self) -> None:
        self.registered: Counter[Slice] = Counter()
        self.levels: Counter[LevelKey] = Counter()
        self.pairs: Counter[PairKey] = Counter()

    def actor(self, place: Place, sign: int) -> None:
        for key in base_slices(place):
            self.registered[key] += sign

    def result(self, place: Place, period: int, standing: Standing, sign: int) -> None:
        level, levels = standing.level, self.levels
        for region, dim, value in result_slices(place, standing):
            levels[period, region, dim, value, level] += sign

    def pair(
        self, place: Place, first: tuple[int, Standing], second: tuple[int, Standing], sign: int
    ) -> None:
        if first[0] > second[0]:
            first, second = second, first
        (a, sa), (b, sb) = first, second
        pairs = self.pairs
        for region, dim, value in base_slices(place):
            pairs[a, b, region, dim, value, sa.level, sb.level] += sign

    def history(self, place: Place, standings: Mapping[int, Standing], sign: int) -> None:
        """Everything an actor's counted results contribute (levels and every pair)."""
        for period, standing in standings.items():
            self.result(place, period, standing, sign)
        for first, second in combinations(standings.items(), 2):
            self.pair(place, first, second, sign)

    def change(
        self, place: Place, before: Mapping[int, Standing], after: Mapping[int, Standing]
    ) -> None:
        """An actor's results went from `before` to `after` (period -> standing): only the
        periods that changed, and the pairs that include one of them, are counted again."""
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        for period in changed:
            if period in before:
                self.result(place, period, before[period], -1)
            if period in after:
                self.result(place, period, after[period], +1)
        for standings, sign in ((before, -1), (after, +1)):
            for first, second in combinations(standings.items(), 2):
                if first[0] in changed or second[0] in changed:
                    self.pair(place, first, second, sign)

    def __bool__(self) -> bool:
        return (
            any(self.registered.values()) or any(self.levels.values()) or any(self.pairs.values())
        )
