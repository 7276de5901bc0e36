"""Dashboard figures for a scope (analytics.scope), read from its counts: levels, "naik
kelas" transitions, trends and breakdowns, the same for every page, export, report and API
call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.analytics.scope import OTHER, PHASE, REGION, Counts, Scope
from sinergi.analytics.slices import (
    ALL,
    FACILITATOR,
    GRADUATE,
    LEGALITY,
    LEGALITY_KINDS,
    SECTOR,
    depth_of,
)
from sinergi.assessments.models import Period
from sinergi.regions.choices import Phase
from sinergi.regions.models import ModelRegion
from sinergi.registry.choices import LegalityKind, Sector


@dataclass
class Levels:
    """Actors with a counted result in a period, by level."""

    counts: dict[str, int]
    total: int

    def share(self, level: str) -> float:
        return self.counts.get(level, 0) / self.total if self.total else 0.0


@dataclass
class Transition:
    """From one period to another, over actors with a counted result in both."""

    matrix: dict[str, dict[str, int]]
    up: int
    same: int
    down: int
    total: int
    steps: list[tuple[str, str, int]]  # "naik kelas": each level to the next one up

    @property
    def up_share(self) -> float:
        return self.up / self.total if self.total else 0.0


@dataclass
class Group:
    """One row of a breakdown: a child region, a sector, a facilitator, a phase..."""

    key: str
    label: str
    levels: Levels
    registered: int | None = None
    transition: Transition | None = None
    code: str = ""  # a child region's code (for drilling down)

    @property
    def coverage(self) -> float | None:
        if not self.registered:
            return None
        return self.levels.total / self.registered


@dataclass
class Figures:
    """Everything a dashboard, its exports and its report show for one scope."""

    scope: Scope
    periods: list[Period]
    order: list[str]
    period: Period | None
    previous: Period | None
    levels: Levels
    registered: int
    trend: list[tuple[Period, Levels]]
    transition: Transition | None
    groups: dict[str, list[Group]] = field(default_factory=dict)

    @property
    def coverage(self) -> float:
        return self.levels.total / self.registered if self.registered else 0.0

    @property
    def graduates(self) -> int:
        return sum(g.levels.total for g in self.groups.get(GRADUATE, []))


def _order(order: Sequence[str], seen: Iterable[str]) -> list[str]:
    """The instrument's levels, then any other level met (a re-score into a retired one)."""
    return [*order, *sorted(set(seen) - set(order))]


def _levels(order: Sequence[str], counts: Mapping[str, int]) -> Levels:
    full = {level: counts.get(level, 0) for level in _order(order, counts)}
    return Levels(full, sum(full.values()))


def _transition(order: Sequence[str], cells: Mapping[tuple[str, str], int]) -> Transition:
    levels = _order(order, {x for cell in cells for x in cell})
    matrix = {a: {b: cells.get((a, b), 0) for b in levels} for a in levels}
    rank = {level: i for i, level in enumerate(order)}
    up = same = down = 0
    for (a, b), n in cells.items():
        if a == b:
            same += n
        elif a in rank and b in rank:  # a level the instrument does not know is neither
            if rank[b] > rank[a]:
                up += n
            else:
                down += n
    steps = [(a, b, cells.get((a, b), 0)) for a, b in pairwise(order)]
    return Transition(matrix, up, same, down, sum(cells.values()), steps)


def _pair_cells(
    counts: Counts, first: Period, second: Period, regions: Sequence[str], dim: str
) -> dict[tuple[str, str], Counter[tuple[str, str]]]:
    """(region, value) -> {(level in first, level in second): actors}."""
    flip = first.pk > second.pk
    a, b = (second, first) if flip else (first, second)
    cells: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for (region, value, la, lb), n in counts.pairs(a.pk, b.pk, regions, dim).items():
        cells.setdefault((region, value), Counter())[(lb, la) if flip else (la, lb)] += n
    return cells


def _sum(groups: Iterable[Mapping[Any, int]]) -> Counter[Any]:
    total: Counter[Any] = Counter()
    for group in groups:
        total.update(group)
    return total


def levels_in(scope: Scope, period: Period) -> Levels:
    rows = scope.counts.levels([period.pk], scope.roots, ALL)
    return _levels(scope.order, _sum([{lv: n} for (_p, _r, _v, lv), n in rows.items()]))


def transition_between(scope: Scope, first: Period, second: Period) -> Transition:
    cells = _pair_cells(scope.counts, first, second, scope.roots, ALL)
    return _transition(scope.order, _sum(cells.values()))


def trend_of(scope: Scope, periods: Sequence[Period]) -> list[tuple[Period, Levels]]:
    order = scope.order
    rows = scope.counts.levels([p.pk for p in periods], scope.roots, ALL)
    by_period: dict[int, Counter[str]] = {p.pk: Counter() for p in periods}
    for (period, _r, _v, level), n in rows.items():
        by_period[period][level] += n
    return [(p, _levels(order, by_period[p.pk])) for p in periods]


def registered_in(scope: Scope) -> int:
    return sum(scope.counts.registered(scope.roots, ALL).values())


def _label(dim: str, value: str, names: Mapping[str, str]) -> str:
    if dim == SECTOR:
        return str(dict(Sector.choices).get(value, value))
    if dim == LEGALITY:
        return str(dict(LegalityKind.choices).get(value, value))
    if dim == GRADUATE:
        return _("Ready to graduate to a small enterprise")
    if dim == PHASE:
        return str(dict(Phase.choices).get(value, _("Not a model region")))
    if dim == FACILITATOR:
        return names.get(value) or value or _("No facilitator")
    return value


def _facilitator_names(ids: Iterable[str]) -> dict[str, str]:
    wanted = [int(v) for v in ids if v.isdigit()]
    return {
        str(user.pk): user.get_full_name() or user.username
        for user in User.objects.filter(pk__in=wanted)
    }


def breakdown(
    scope: Scope, dim: str, period: Period, previous: Period | None = None
) -> list[Group]:
    """The scope's figures split by one breakdown (REGION: by child region)."""
    if dim == REGION:
        return _by_region(scope, period, previous)
    if dim == PHASE:
        return _by_phase(scope, period, previous)
    order = scope.order
    counts = scope.counts
    by_value: dict[str, Counter[str]] = {}
    for (_p, _r, value, level), n in counts.levels([period.pk], scope.roots, dim).items():
        by_value.setdefault(value, Counter())[level] += n
    registered: Counter[str] | None = None
    if dim in (SECTOR, FACILITATOR):
        registered = Counter()
        for (_r, value), n in counts.registered(scope.roots, dim).items():
            registered[value] += n
            by_value.setdefault(value, Counter())
    cells: dict[str, Counter[tuple[str, str]]] = {}
    if previous is not None and dim in (SECTOR, FACILITATOR):
        for (_r, value), moves in _pair_cells(counts, previous, period, scope.roots, dim).items():
            cells.setdefault(value, Counter()).update(moves)
    names = _facilitator_names(by_value) if dim == FACILITATOR else {}
    if dim == SECTOR:
        keys = [v for v in Sector.values if v in by_value] + sorted(
            set(by_value) - set(Sector.values)
        )
    elif dim == LEGALITY:
        keys = [k for k in LEGALITY_KINDS if k in by_value]
    else:
        keys = sorted(by_value, key=lambda v: (_label(dim, v, names).lower(), v))
    # Rows left at zero once everyone has moved out of them are not shown.
    keys = [
        v for v in keys if sum(by_value[v].values()) or (registered is not None and registered[v])
    ]
    return [
        Group(
            key=value,
            label=_label(dim, value, names),
            levels=_levels(order, by_value[value]),
            registered=None if registered is None else registered[value],
            transition=_transition(order, cells.get(value, Counter()))
            if previous is not None and registered is not None
            else None,
        )
        for value in keys
    ]


def _region_groups(
    scope: Scope,
    period: Period,
    previous: Period | None,
    members: Mapping[str, Sequence[str]],
    labels: Mapping[str, str],
) -> list[Group]:
    """Groups made of whole regions: {group key: region codes summed into it}."""
    order = scope.order
    regions = sorted({code for codes in members.values() for code in codes})
    counts = scope.counts
    levels = counts.levels([period.pk], regions, ALL)
    registered = counts.registered(regions, ALL)
    cells = _pair_cells(counts, previous, period, regions, ALL) if previous else {}
    groups = []
    for key, codes in members.items():
        wanted = set(codes)
        by_level: Counter[str] = Counter()
        for (_p, region, _v, level), n in levels.items():
            if region in wanted:
                by_level[level] += n
        moves = _sum(cells.get((code, ""), Counter()) for code in wanted)
        groups.append(
            Group(
                key=key,
                label=labels[key],
                levels=_levels(order, by_level),
                registered=sum(registered[(code, "")] for code in wanted),
                transition=_transition(order, moves) if previous is not None else None,
                code=key if len(codes) == 1 and codes[0] == key else "",
            )
        )
    return groups


def _by_region(scope: Scope, period: Period, previous: Period | None) -> list[Group]:
    members = {child.code: [child.code] for child in scope.children}
    labels = {child.code: child.name for child in scope.children}
    return _region_groups(scope, period, previous, members, labels)


def _by_phase(scope: Scope, period: Period, previous: Period | None) -> list[Group]:
    """Model and replication regencies, and the rest of the scope (not a model region).

    Phases are read from the model-region list at the time of asking, so a regency that
    moves from the model phase to replication moves its whole history with it.
    """
    members: dict[str, list[str]] = {Phase.MODEL: [], Phase.REPLICATION: []}
    rest: list[str] = []
    phases = dict(ModelRegion.objects.values_list("region_id", "phase"))
    for root in scope.roots:
        if depth_of(root) >= 2:  # inside one regency: all of it has that regency's phase
            members.setdefault(phases.get(root[:5], OTHER), []).append(root)
            continue
        rest.append(root)
        for regency, phase in phases.items():
            if not root or regency.startswith(root + "."):
                members[phase].append(regency)
    groups = {
        g.key: g
        for g in _region_groups(
            scope,
            period,
            previous,
            {key: codes for key, codes in members.items() if codes},
            {key: _label(PHASE, key, {}) for key in members},
        )
    }
    if rest:
        whole = _region_groups(scope, period, previous, {OTHER: rest}, {OTHER: ""})[0]
        groups[OTHER] = _minus(scope.order, whole, [g for k, g in groups.items() if k != OTHER])
    return [
        groups[key]
        for key in (Phase.MODEL, Phase.REPLICATION, OTHER)
        if key in groups and (groups[key].registered or groups[key].levels.total)
    ]


def _minus(order: Sequence[str], whole: Group, parts: Sequence[Group]) -> Group:
    """The part of `whole` outside every one of `parts` (the regions not in the programme)."""
    counts = Counter(whole.levels.counts)
    for part in parts:
        counts.subtract(part.levels.counts)
    transition = None
    if whole.transition is not None:
        cells = Counter(
            {(a, b): n for a, row in whole.transition.matrix.items() for b, n in row.items()}
        )
        for part in parts:
            if part.transition is not None:
                cells.subtract(
                    {(a, b): n for a, row in part.transition.matrix.items() for b, n in row.items()}
                )
        transition = _transition(order, +cells)
    return Group(
        key=OTHER,
        label=_label(PHASE, OTHER, {}),
        levels=_levels(order, +counts),
        registered=(whole.registered or 0) - sum(p.registered or 0 for p in parts),
        transition=transition,
    )


# --- The whole dashboard ---------------------------------------------------------------------


class BadPeriod(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def period_named(code: str, name: str = "period") -> Period:
    period = Period.objects.filter(code=code).first()
    if period is None:
        raise BadPeriod(name, _("Period %(code)s does not exist.") % {"code": code})
    return period


def figures_of(
    scope: Scope,
    period_code: str | None = None,
    previous_code: str | None = None,
    *,
    dims: Sequence[str] | None = None,
    moves: bool = True,
) -> Figures:
    """The figures of a dashboard. Without a period: the latest one with results in the scope;
    without a previous period (None): the earliest one with results before it, if any; ""
    compares with none. `moves=False` leaves the transitions out (a levels page)."""
    periods = list(Period.objects.order_by("starts_on", "code"))
    order = scope.order
    trend = trend_of(scope, periods)
    with_results = [p for p, levels in trend if levels.total]
    if period_code:
        period: Period | None = period_named(period_code)
    else:
        period = with_results[-1] if with_results else (periods[-1] if periods else None)
    previous: Period | None = None
    if previous_code:
        previous = period_named(previous_code, "from")
    elif period is not None and previous_code is None:
        earlier = [p for p in with_results if p.starts_on < period.starts_on]
        previous = earlier[0] if earlier else None
    if previous is not None and period is not None and previous.pk == period.pk:
        raise BadPeriod("from", _("Choose two different periods."))
    levels = {p.pk: lv for p, lv in trend}.get(period.pk) if period else None
    result = Figures(
        scope=scope,
        periods=periods,
        order=order,
        period=period,
        previous=previous,
        levels=levels or _levels(order, {}),
        registered=registered_in(scope),
        trend=trend,
        transition=transition_between(scope, previous, period)
        if previous and period and moves
        else None,
    )
    if period is not None:
        for dim in dims if dims is not None else scope.breakdowns():
            result.groups[dim] = breakdown(scope, dim, period, previous if moves else None)
    return result
