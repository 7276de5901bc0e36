"""What a dashboard covers and where its counts come from.

The scope of a dashboard is resolved here first, from the rules in accounts.scoping (out of
scope is 404); its figures (analytics.figures) then read a handful of count rows, whatever
the number of actors. A facilitator's scope is her caseload: a few dozen actors, counted
directly from the rows she may see (`visible_to`) with the same rules (slices.Tally), so the
figures she sees are built exactly like everyone else's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.accounts.scoping import dashboard_roots
from sinergi.analytics.models import LevelCount, RegisteredCount, TransitionCount
from sinergi.analytics.slices import (
    FACILITATOR,
    GRADUATE,
    LEGALITY,
    SECTOR,
    Place,
    Standing,
    Tally,
    depth_of,
    legality_bits,
)
from sinergi.assessments.models import Assessment, Instrument
from sinergi.lib.scope import Principal
from sinergi.regions.codes import ancestors, normalise
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

# Breakdowns a dashboard offers; facilitators only from the regency level down.
REGION = "region"
PHASE = "phase"
BREAKDOWNS = (REGION, SECTOR, FACILITATOR, PHASE, LEGALITY, GRADUATE)
OTHER = "other"


# --- Where the counts come from ------------------------------------------------------------


class Counts(Protocol):
    """Pre-summed counts, filtered to some regions and one breakdown."""

    def registered(self, regions: Sequence[str], dim: str) -> Counter[tuple[str, str]]:
        """(region, value) -> actors registered."""
        ...

    def levels(
        self, periods: Sequence[int], regions: Sequence[str], dim: str
    ) -> Counter[tuple[int, str, str, str]]:
        """(period, region, value, level) -> actors with a counted result."""
        ...

    def pairs(
        self, a: int, b: int, regions: Sequence[str], dim: str
    ) -> Counter[tuple[str, str, str, str]]:
        """(region, value, level in a, level in b) -> actors, for period ids a < b."""
        ...


class TableCounts:
    """The counts kept by analytics.aggregates, read with plain SQL on the driver's cursor: a
    dashboard asks for a dozen small sets of rows, and the ORM's query compiler would take
    longer than the database to answer them."""

    def _rows(self, model: type[Any], columns: str, where: str, *lists: Sequence[Any]) -> Any:
        if not all(lists):
            return []
        mark = "?" if connection.vendor == "sqlite" else "%s"
        table = connection.ops.quote_name(model._meta.db_table)
        params: list[Any] = []
        for values in lists:
            where = where.replace("(*)", "(" + ", ".join([mark] * len(values)) + ")", 1)
            params.extend(values)
        with connection.cursor() as wrapper:
            wrapper.cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {where}",  # noqa: S608
                params,
            )
            return wrapper.cursor.fetchall()

    def registered(self, regions: Sequence[str], dim: str) -> Counter[tuple[str, str]]:
        rows = self._rows(
            RegisteredCount, "region, value, actors", "region IN (*) AND dim IN (*)", regions, [dim]
        )
        return Counter({(r, v): n for r, v, n in rows})

    def levels(
        self, periods: Sequence[int], regions: Sequence[str], dim: str
    ) -> Counter[tuple[int, str, str, str]]:
        rows = self._rows(
            LevelCount,
            "period_id, region, value, level, actors",
            "period_id IN (*) AND region IN (*) AND dim IN (*)",
            periods,
            regions,
            [dim],
        )
        return Counter({(p, r, v, lv): n for p, r, v, lv, n in rows})

    def pairs(
        self, a: int, b: int, regions: Sequence[str], dim: str
    ) -> Counter[tuple[str, str, str, str]]:
        rows = self._rows(
            TransitionCount,
            "region, value, level_a, level_b, actors",
            "period_a_id IN (*) AND period_b_id IN (*) AND region IN (*) AND dim IN (*)",
            [a],
            [b],
            regions,
            [dim],
        )
        return Counter({(r, v, la, lb): n for r, v, la, lb, n in rows})


class CaseloadCounts:
    """A facilitator's caseload (the actors she may see) counted directly from the raw rows,
    with the same slices."""

    def __init__(self, user: Principal) -> None:
        actors = Actor.objects.visible_to(user)
        places = {
            pk: Place(village, sector, facilitator)
            for pk, village, sector, facilitator in actors.values_list(
                "pk", "village_id", "sector", "facilitator_id"
            )
        }
        histories: dict[int, dict[int, Standing]] = {pk: {} for pk in places}
        results = (
            Assessment.objects.visible_to(user)
            .filter(counted=True)
            .values_list("actor_id", "period_id", "level", "graduate", "answers__legality")
        )
        for actor, period, level, graduate, legality in results:
            kinds = legality if isinstance(legality, list) else []
            histories[actor][period] = Standing(level, graduate, legality_bits(kinds))
        self.tally = Tally()
        for pk, place in places.items():
            self.tally.actor(place, +1)
            self.tally.history(place, histories[pk], +1)

    def registered(self, regions: Sequence[str], dim: str) -> Counter[tuple[str, str]]:
        wanted = set(regions)
        return Counter(
            {
                (r, v): n
                for (r, d, v), n in self.tally.registered.items()
                if d == dim and r in wanted
            }
        )

    def levels(
        self, periods: Sequence[int], regions: Sequence[str], dim: str
    ) -> Counter[tuple[int, str, str, str]]:
        ps, rs = set(periods), set(regions)
        return Counter(
            {
                (p, r, v, lv): n
                for (p, r, d, v, lv), n in self.tally.levels.items()
                if d == dim and p in ps and r in rs
            }
        )

    def pairs(
        self, a: int, b: int, regions: Sequence[str], dim: str
    ) -> Counter[tuple[str, str, str, str]]:
        rs = set(regions)
        return Counter(
            {
                (r, v, la, lb): n
                for (pa, pb, r, d, v, la, lb), n in self.tally.pairs.items()
                if (pa, pb) == (a, b) and d == dim and r in rs
            }
        )


# --- Scope -----------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a dashboard covers: the regions summed (`roots`, "" for the nation), the region
    asked for (None: the user's whole scope), its child regions, and the breadcrumb trail
    from the top of the user's scope."""

    user: Principal
    roots: tuple[str, ...]
    region: Region | None
    tops: tuple[str, ...]
    counts: Counts
    caseload: bool = False

    @property
    def code(self) -> str:
        return self.region.code if self.region is not None else ""

    @cached_property
    def children(self) -> list[Region]:
        """The rows of the region table: the region's children, the provinces for the
        nation, or the user's own regions when she has several."""
        if self.region is not None:
            found = Region.objects.filter(parent=self.region)
        elif self.tops == ("",):
            found = Region.objects.filter(parent__isnull=True)
        else:
            found = Region.objects.filter(code__in=self.tops)
        return list(found.order_by("code"))

    @cached_property
    def trail(self) -> list[Region]:
        """The breadcrumb: the region and those above it, up to the top of the user's scope."""
        if self.region is None:
            return []
        above = [a for a in ancestors(self.region.code) if _covered(self.tops, a)]
        return list(Region.objects.filter(code__in=above).order_by("level"))

    @cached_property
    def instrument(self) -> Instrument | None:
        """The instrument new results are scored with (read once per scope, that is per
        request): it names the levels and orders them."""
        from sinergi.assessments.services import current_instrument

        return current_instrument()

    @cached_property
    def order(self) -> list[str]:
        """Level codes, lowest first."""
        from sinergi.assessments.services import compiled

        return list(compiled(self.instrument).level_order) if self.instrument else []

    @cached_property
    def labels(self) -> dict[str, str]:
        """Level code -> its name in the reader's language ("IR 2 Berkembang")."""
        from sinergi.assessments.services import compiled

        if self.instrument is None:
            return {}
        language = get_language() or "id"
        levels = compiled(self.instrument).definition.levels
        return {level.code: level.label.get(language) for level in levels}

    @property
    def depth(self) -> int:
        """Depth of the regions summed: 0 nation ... 4 village."""
        return min(depth_of(r) for r in self.roots)

    @property
    def name(self) -> str:
        if self.region is not None:
            return self.region.name
        return _("Indonesia") if self.roots == ("",) else _("My regions")

    def results(self) -> QuerySet[Assessment]:
        """The results behind the figures: those the user may see, in the regions summed."""
        return Assessment.objects.visible_to(self.user).within(*self.roots)

    def breakdowns(self) -> list[str]:
        """Breakdowns that make sense here: facilitators from the regency level down."""
        found = [b for b in BREAKDOWNS if b != FACILITATOR or self.depth >= 2]
        return [b for b in found if b != REGION or self.children]


def _covered(tops: Sequence[str], code: str) -> bool:
    return any(top == "" or top in ancestors(code) for top in tops)


def resolve_scope(user: Principal, raw_code: str | None = None) -> Scope:
    """The scope of a dashboard: the user's whole scope, or one region within it (else 404)."""
    found = dashboard_roots(user)
    if found is None:
        raise Http404
    tops, caseload = found
    counts: Counts = CaseloadCounts(user) if caseload else TableCounts()
    code = normalise(raw_code or "")
    if raw_code and not code:
        raise Http404
    if not code and len(tops) == 1 and tops[0]:
        code = tops[0]
    if not code:
        return Scope(user, tops, None, tops, counts, caseload)
    if not _covered(tops, code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return Scope(user, (code,), region, tops, counts, caseload)
