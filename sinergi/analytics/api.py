"""GET /api/v1/analytics/...: levels, transitions, trend and breakdowns of the caller's scope.

Without `region`, the caller's whole scope; a region outside it is 404, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from sinergi.analytics.figures import (
    BadPeriod,
    Levels,
    Transition,
    levels_in,
    period_named,
    registered_in,
    transition_between,
    trend_of,
)
from sinergi.analytics.figures import (
    breakdown as groups_by,
)
from sinergi.analytics.scope import BREAKDOWNS, Scope, resolve_scope
from sinergi.analytics.slices import FACILITATOR
from sinergi.assessments.models import Period
from sinergi.lib.errors import InvalidInput

router = Router(tags=["analytics"])


class LevelsOut(Schema):
    period: str
    region: str | None
    counts: dict[str, int]
    total: int
    registered: int


class Step(Schema):
    from_level: str = Field(..., alias="from")
    to_level: str = Field(..., alias="to")
    actors: int


class TransitionsOut(Schema):
    from_period: str = Field(..., alias="from")
    to_period: str = Field(..., alias="to")
    region: str | None
    matrix: dict[str, dict[str, int]]
    up: int
    down: int
    same: int
    total: int
    naik_kelas: list[Step]


class TrendItem(Schema):
    period: str
    counts: dict[str, int]
    total: int


class TrendOut(Schema):
    region: str | None
    items: list[TrendItem]


class Moves(Schema):
    up: int
    down: int
    same: int
    total: int


class GroupOut(Schema):
    key: str
    label: str
    counts: dict[str, int]
    total: int
    registered: int | None
    transitions: Moves | None


class BreakdownOut(Schema):
    period: str
    from_period: str | None = Field(None, alias="from")
    region: str | None
    by: str
    items: list[GroupOut]


class RegionQuery(Schema):
    region: str | None = None


class LevelsQuery(RegionQuery):
    period: str


class TransitionsQuery(RegionQuery):
    from_period: str = Field(..., alias="from")
    to_period: str = Field(..., alias="to")


class BreakdownQuery(LevelsQuery):
    by: str = "region"
    from_period: str | None = Field(None, alias="from")


def _period(code: str, name: str) -> Any:
    try:
        return period_named(code, name)
    except BadPeriod as exc:
        raise InvalidInput({exc.field: [str(exc)]}) from exc


def _region(scope: Scope) -> str | None:
    return scope.region.code if scope.region is not None else None


def _moves(transition: Transition | None) -> dict[str, int] | None:
    if transition is None:
        return None
    return {
        "up": transition.up,
        "down": transition.down,
        "same": transition.same,
        "total": transition.total,
    }


def _counts(levels: Levels) -> dict[str, Any]:
    return {"counts": levels.counts, "total": levels.total}


@router.get("/analytics/levels", response=LevelsOut, summary="Actors by level in a period")
def levels(request: HttpRequest, query: Query[LevelsQuery]) -> dict[str, Any]:
    scope = resolve_scope(request.user, query.region)
    period = _period(query.period, "period")
    return {
        "period": period.code,
        "region": _region(scope),
        **_counts(levels_in(scope, period)),
        "registered": registered_in(scope),
    }


@router.get(
    "/analytics/transitions",
    response=TransitionsOut,
    by_alias=True,
    summary="From one period to another: the level matrix, up / same / down",
)
def transitions(request: HttpRequest, query: Query[TransitionsQuery]) -> dict[str, Any]:
    scope = resolve_scope(request.user, query.region)
    first = _period(query.from_period, "from")
    second = _period(query.to_period, "to")
    if first.pk == second.pk:
        raise InvalidInput({"to": [_("Choose two different periods.")]})
    result = transition_between(scope, first, second)
    return {
        "from": first.code,
        "to": second.code,
        "region": _region(scope),
        "matrix": result.matrix,
        "up": result.up,
        "down": result.down,
        "same": result.same,
        "total": result.total,
        "naik_kelas": [{"from": a, "to": b, "actors": n} for a, b, n in result.steps],
    }


@router.get("/analytics/trend", response=TrendOut, summary="Actors by level in every period")
def trend(request: HttpRequest, query: Query[RegionQuery]) -> dict[str, Any]:
    scope = resolve_scope(request.user, query.region)
    periods = list(Period.objects.order_by("starts_on", "code"))
    return {
        "region": _region(scope),
        "items": [{"period": p.code, **_counts(levels)} for p, levels in trend_of(scope, periods)],
    }


@router.get(
    "/analytics/breakdown",
    response=BreakdownOut,
    by_alias=True,
    summary="Levels (and moves since `from`) by child region, sector, facilitator, phase, "
    "legality item or graduation flag",
)
def breakdown(request: HttpRequest, query: Query[BreakdownQuery]) -> dict[str, Any]:
    scope = resolve_scope(request.user, query.region)
    if query.by not in BREAKDOWNS:
        choices = ", ".join(BREAKDOWNS)
        raise InvalidInput({"by": [_("Choose one of: %(list)s.") % {"list": choices}]})
    if query.by == FACILITATOR and scope.depth < 2:
        raise InvalidInput({"by": [_("Facilitators are listed from the regency level down.")]})
    period = _period(query.period, "period")
    previous = _period(query.from_period, "from") if query.from_period else None
    if previous is not None and previous.pk == period.pk:
        raise InvalidInput({"from": [_("Choose two different periods.")]})
    groups = groups_by(scope, query.by, period, previous)
    return {
        "period": period.code,
        "from": previous.code if previous else None,
        "region": _region(scope),
        "by": query.by,
        "items": [
            {
                "key": g.code or g.key,
                "label": g.label,
                **_counts(g.levels),
                "registered": g.registered,
                "transitions": _moves(g.transition),
            }
            for g in groups
        ],
    }
