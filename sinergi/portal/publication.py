"""Publishing the public figures: the live counts read once, protected (suppression.py),
stored as a Publication of cells that pages, files and feeds read. Nothing public reads the
live counts, so a figure on a page, in a CSV and in the catalogue is the same number, and a
cell hidden in one is hidden in all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from sinergi.accounts.models import User
from sinergi.analytics.models import LevelCount, RegisteredCount, TransitionCount
from sinergi.analytics.slices import ALL, SECTOR
from sinergi.assessments.choices import PeriodStatus
from sinergi.assessments.models import Period
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.bulk import insert_rows
from sinergi.portal import cube as cubes
from sinergi.portal.caching import bump_public_version
from sinergi.portal.models import Publication, PublicCell
from sinergi.portal.suppression import Protection, protect

_PUBLIC_DEPTH = 2  # the nation, provinces and kab/kota


def _public(region: str) -> bool:
    return region.count(".") < _PUBLIC_DEPTH if region else True


def _levels() -> tuple[list[str], list[list[object]]]:
    """The current instrument's level codes, lowest first, and their names in both languages."""
    from sinergi.assessments.services import compiled, current_instrument

    instrument = current_instrument()
    if instrument is None:
        return [], []
    definition = compiled(instrument)
    names = {level.code: level.label for level in definition.definition.levels}
    order = list(definition.level_order)
    return order, [
        [code, {"id": names[code].get("id"), "en": names[code].get("en")}] for code in order
    ]


def _counts(periods: Sequence[Period]) -> cubes.Cube:
    by_id = {p.pk: p.code for p in periods}
    levels: dict[tuple[str, str, str], int] = {}
    rows = LevelCount.objects.filter(period_id__in=by_id, dim=ALL, value="", actors__gt=0)
    for period_id, region, level, actors in rows.values_list(
        "period_id", "region", "level", "actors"
    ):
        if _public(region):
            levels[(by_id[period_id], region, level)] = actors
    moves: dict[tuple[str, str, str, str, str], int] = {}
    pairs = list(pairwise(periods))
    wanted = Q(pk__in=[])
    for first, second in pairs:
        low, high = sorted((first, second), key=lambda p: p.pk)
        wanted |= Q(period_a_id=low.pk, period_b_id=high.pk)
    for a, b, region, la, lb, actors in TransitionCount.objects.filter(
        wanted, dim=ALL, value="", actors__gt=0
    ).values_list("period_a_id", "period_b_id", "region", "level_a", "level_b", "actors"):
        if not _public(region):
            continue
        if any(first.pk == a and second.pk == b for first, second in pairs):
            moves[(by_id[a], by_id[b], region, la, lb)] = actors
        else:  # stored lower id first: the other direction is the transpose
            moves[(by_id[b], by_id[a], region, lb, la)] = actors
    registered = {
        (region, sector): actors
        for region, sector, actors in RegisteredCount.objects.filter(
            dim=SECTOR, actors__gt=0
        ).values_list("region", "value", "actors")
        if _public(region)
    }
    order, _names = _levels()
    return cubes.build(
        levels=levels,
        moves=moves,
        registered=registered,
        level_order=order,
        periods=[p.code for p in periods],
    )


def _rows(
    publication: Publication, values: Mapping[cubes.Cell, int], protection: Protection
) -> Iterable[tuple[object, ...]]:
    for cell, value in values.items():
        table, period, region, key = cell
        hidden = protection.hidden(cell)
        yield (
            publication.pk,
            table,
            period,
            region,
            key,
            None if hidden else value,
            protection.state(cell),
        )


def publish_figures(*, user: User | None) -> Publication:
    """A new publication of the public figures from the live counts of the closed periods
    (an open period is still being collected), under PUBLIC_COUNT_THRESHOLD. Every public
    page reads it from the next request on."""
    threshold = int(settings.PUBLIC_COUNT_THRESHOLD)
    periods = list(Period.objects.filter(status=PeriodStatus.CLOSED).order_by("starts_on", "code"))
    cube = _counts(periods)
    protection = protect(cube.values, cube.relations, threshold)
    _order, names = _levels()
    with transaction.atomic():
        publication = Publication.objects.create(
            created_by=user,
            threshold=threshold,
            periods=[[p.code, p.name] for p in periods],
            levels=names,
            cells=len(cube.values),
            hidden=len(protection.small) + len(protection.withheld),
        )
        insert_rows(
            PublicCell,
            ["publication_id", "table", "period", "region", "key", "value", "state"],
            _rows(publication, cube.values, protection),
        )
        record(
            user,
            Action.CREATE,
            Subject("publication", publication.pk, str(publication)),
            after={
                "periods": [p.code for p in periods],
                "cells": publication.cells,
                "hidden": publication.hidden,
                "threshold": threshold,
            },
        )
        transaction.on_commit(bump_public_version)
    return publication


def latest() -> Publication | None:
    return Publication.objects.first()


@dataclass(frozen=True)
class Shown:
    """A published cell as a reader sees it: the count, or the sign that stands for it."""

    value: int | None
    state: str

    @property
    def known(self) -> bool:
        return self.value is not None


def cells(
    publication: Publication, table: str, *, period: str | None = None, regions: Iterable[str] = ()
) -> dict[tuple[str, str, str], Shown]:
    """(period, region, key) -> what is published, for some regions of a table."""
    rows = PublicCell.objects.filter(publication=publication, table=table)
    if period is not None:
        rows = rows.filter(period=period)
    chosen = list(regions)
    if chosen:
        rows = rows.filter(region__in=chosen)
    return {
        (period_code, region, key): Shown(value, state)
        for period_code, region, key, value, state in rows.values_list(
            "period", "region", "key", "value", "state"
        )
    }
