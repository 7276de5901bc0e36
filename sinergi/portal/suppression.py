"""Small-cell protection of published counts of people. Pure: no database.

A count from 1 to threshold - 1 is never published: a *small* cell, which reads "<5". That
is not enough on its own: a reader who knows a total and all but one of its parts
subtracts, and related tables (a province and its kab/kota, the levels and their total, a
region's registered actors and those assessed in a period) let her combine such sums. So
what is published is audited as an adversary would: every additive relation between cells
(`Sum`: a total equals the sum of its parts) and every known order (`AtMost`: the actors
assessed in two periods are at most those assessed in either) becomes a constraint of a
linear program over the unpublished cells, those reading "<5" bounded to [1, threshold - 1]
and the others to [0, ∞). A cell whose true count is small is *exposed* when the least and
the greatest value it can take are the same whole number. While one is exposed, a further
published cell of one of its sums is withheld (complementary suppression: the smallest
count that is not itself small, so that as little as possible is lost) and the audit runs
again. Where nothing published is left to withhold, the sign itself gives the count away
(four kab/kota reading "<5" under a province reading "<5" are each 1): one of them is then
shown as withheld rather than "<5", which tells the reader nothing of its size. Each turn
hides more, so the loop ends.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

Key = Hashable
SMALL = "small"
WITHHELD = "withheld"
_EPSILON = 1e-6


@dataclass(frozen=True)
class Sum:
    """total = sum(parts)."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class AtMost:
    """value(lower) <= value(upper), a fact any reader knows (a subset's count)."""

    lower: Key
    upper: Key

    @property
    def cells(self) -> tuple[Key, Key]:
        return (self.lower, self.upper)


@dataclass(frozen=True)
class Protection:
    """What is published of each cell: the count, or why it is not: `small` cells read
    "<5"; `withheld` ones read as withheld (counts of any size, small ones among them where
    "<5" would give them away)."""

    small: frozenset[Key]
    withheld: frozenset[Key]

    def hidden(self, key: Key) -> bool:
        return key in self.small or key in self.withheld

    def state(self, key: Key) -> str:
        if key in self.small:
            return SMALL
        return WITHHELD if key in self.withheld else ""


def small_cells(values: Mapping[Any, int], threshold: int) -> frozenset[Key]:
    return frozenset(key for key, value in values.items() if 0 < value < threshold)


def _components(
    hidden: set[Key], relations: Sequence[Sum | AtMost]
) -> list[tuple[set[Key], list[Sum | AtMost]]]:
    """Groups of hidden cells tied together by relations, each with its relations: the
    linear programs are solved per group, which keeps them small."""
    parent = {key: key for key in hidden}

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for relation in relations:
        tied = [key for key in relation.cells if key in hidden]
        for key in tied[1:]:
            parent[find(key)] = find(tied[0])
    groups: dict[Key, tuple[set[Key], list[Sum | AtMost]]] = {}
    for key in hidden:
        groups.setdefault(find(key), (set(), []))[0].add(key)
    for relation in relations:
        tied = [key for key in relation.cells if key in hidden]
        if tied:
            groups[find(tied[0])][1].append(relation)
    return list(groups.values())


def _bounds(
    values: Mapping[Any, int],
    relations: Sequence[Sum | AtMost],
    small: frozenset[Key],
    cells: set[Key],
    at_risk: set[Key],
    threshold: int,
) -> dict[Key, tuple[float, float]]:
    """The least and greatest value each cell at risk of a group can take, given what is
    published."""
    order = sorted(cells, key=repr)
    index = {key: i for i, key in enumerate(order)}
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    a_ub: list[list[float]] = []
    b_ub: list[float] = []
    for relation in relations:
        row = [0.0] * len(order)
        constant = 0.0
        signed = (
            [(relation.total, -1.0), *((part, 1.0) for part in relation.parts)]
            if isinstance(relation, Sum)
            else [(relation.lower, 1.0), (relation.upper, -1.0)]
        )
        for key, sign in signed:
            if key in index:
                row[index[key]] += sign
            else:
                constant -= sign * values.get(key, 0)
        if isinstance(relation, Sum):
            a_eq.append(row)
            b_eq.append(constant)
        else:
            a_ub.append(row)
            b_ub.append(constant)
    limits = [(1.0, threshold - 1.0) if key in small else (0.0, None) for key in order]

    from scipy.optimize import linprog  # only when publishing: scipy is a large import

    def solve(objective: list[float]) -> list[float]:
        solved = linprog(
            objective,
            A_ub=a_ub or None,
            b_ub=b_ub or None,
            A_eq=a_eq or None,
            b_eq=b_eq or None,
            bounds=limits,
            method="highs",
        )
        if solved.status != 0:  # the published figures contradict each other
            raise ValueError(f"the counts around {order[0]!r} do not add up: {solved.message}")
        return [float(x) for x in solved.x]

    # Two solutions pulling every cell at risk down, then up: a cell that differs between
    # them can take two whole values and needs no program of its own (most of them).
    risky = [1.0 if key in at_risk else 0.0 for key in order]
    seen = [solve(risky), solve([-x for x in risky])]
    found: dict[Key, tuple[float, float]] = {}
    for key in sorted(at_risk, key=repr):
        i = index[key]
        low, high = min(x[i] for x in seen), max(x[i] for x in seen)
        if math.ceil(low - _EPSILON) < math.floor(high + _EPSILON):
            found[key] = (low, high)
            continue
        objective = [0.0] * len(order)
        objective[i] = 1.0
        least = solve(objective)
        objective[i] = -1.0
        most = solve(objective)
        seen += [least, most]
        found[key] = (least[i], most[i])
    return found


def exposed(
    values: Mapping[Any, int],
    relations: Sequence[Sum | AtMost],
    protection: Protection,
    threshold: int,
    *,
    known_safe: set[tuple[frozenset[Key], frozenset[Key]]] | None = None,
    first_only: bool = False,
) -> list[Key]:
    """The hidden cells with a small true count whose value the published cells determine.
    `known_safe` remembers groups already audited safe (a group's audit depends only on its
    cells and which of them read "<5"); `first_only` stops at the first exposed cell."""
    hidden = set(protection.small | protection.withheld)
    found: list[Key] = []
    groups = sorted(_components(hidden, relations), key=lambda group: repr(min(group[0], key=repr)))
    for cells, group in groups:
        at_risk = {key for key in cells if 0 < values.get(key, 0) < threshold}
        if not at_risk:
            continue
        signature = (frozenset(cells), frozenset(cells & protection.small))
        if known_safe is not None and signature in known_safe:
            continue
        ranges = _bounds(values, group, protection.small, cells, at_risk, threshold)
        pinned = sorted(
            (
                key
                for key, (low, high) in ranges.items()
                if math.ceil(low - _EPSILON) >= math.floor(high + _EPSILON)
            ),
            key=repr,
        )
        if not pinned and known_safe is not None:
            known_safe.add(signature)
        found.extend(pinned)
        if found and first_only:
            return found
    return found


def _complement(
    key: Key,
    values: Mapping[Any, int],
    relations_of: Mapping[Key, list[Sum | AtMost]],
    hidden: AbstractSet[Key],
    threshold: int,
) -> Key | None:
    """The published cell to withhold for an exposed one: in one of its sums, the smallest
    count that is at least the threshold, else the smallest positive one; parts before
    totals (a total hidden hides more). None when its sums have nothing left to hide."""
    candidates: list[tuple[int, int, str, Key]] = []
    for relation in relations_of.get(key, ()):
        if not isinstance(relation, Sum):
            continue
        for position, cell in enumerate(relation.cells):
            value = values.get(cell, 0)
            if cell in hidden or value <= 0:
                continue
            rank = 0 if value >= threshold else 1
            candidates.append((rank, value + (0 if position else 1_000_000_000), repr(cell), cell))
    return min(candidates)[3] if candidates else None


def _blur(
    key: Key, relations: Sequence[Sum | AtMost], small: set[Key], withheld: set[Key]
) -> Key | None:
    """The cell to show as withheld instead of "<5" for an exposed one: itself, else, in
    the group of hidden cells it is tied to, the "<5" that totals the most sums (an
    aggregate's sign bounds the most cells)."""
    if key in small:
        return key
    for cells, group in _components(small | withheld, relations):
        if key not in cells:
            continue
        totals: Counter[Key] = Counter(
            r.total for r in group if isinstance(r, Sum) and r.total in small
        )
        near = sorted(cells & small, key=lambda cell: (-totals[cell], repr(cell)))
        return near[0] if near else None
    return None


def protect(
    values: Mapping[Any, int],
    relations: Iterable[Sum | AtMost],
    threshold: int,
) -> Protection:
    """Which cells to publish: every small cell hidden, and enough others that no small
    count can be worked out from what is published."""
    relations = list(relations)
    relations_of: dict[Key, list[Sum | AtMost]] = defaultdict(list)
    for relation in relations:
        for cell in relation.cells:
            relations_of[cell].append(relation)
    small = set(small_cells(values, threshold))
    withheld: set[Key] = set()
    # First the cheap rule: no sum may have exactly one hidden cell.
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if not isinstance(relation, Sum):
                continue
            hidden_here = [c for c in relation.cells if c in small or c in withheld]
            if len(hidden_here) == 1:
                only = hidden_here[0]
                extra = _complement(only, values, {only: [relation]}, small | withheld, threshold)
                if extra is not None:
                    withheld.add(extra)
                    changed = True
    # Then the audit, until no small count can be worked out.
    safe: set[tuple[frozenset[Key], frozenset[Key]]] = set()
    while True:
        protection = Protection(frozenset(small), frozenset(withheld))
        open_cells = exposed(
            values, relations, protection, threshold, known_safe=safe, first_only=True
        )
        if not open_cells:
            return protection
        key = open_cells[0]
        extra = _complement(key, values, relations_of, small | withheld, threshold)
        if extra is not None:
            withheld.add(extra)
            continue
        blurred = _blur(key, relations, small, withheld)
        if blurred is None:  # cannot happen: a pinned cell has a sum or reads "<5"
            raise ValueError(f"cannot protect {key!r}")
        small.discard(blurred)
        withheld.add(blurred)
