"""The open-data tables about people, read from the latest publication only: their cells
are the ones the public pages show, "<5" for a small count and empty for a withheld one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sinergi.opendata.sources import Cell, Field, Table, register
from sinergi.portal import cube as cubes
from sinergi.portal.models import PublicCell
from sinergi.portal.publication import latest
from sinergi.regions.models import Region

_REGION = (
    Field("region_code", _("Region code"), "string", _("Kemendagri code; empty for Indonesia")),
    Field("region_name", _("Region"), "string"),
)


def _shown(value: int | None, state: str, threshold: int) -> Cell:
    if value is not None:
        return value
    return f"<{threshold}" if state == "small" else None


def _table(table: str, fields: tuple[Field, ...]) -> Table:
    publication = latest()
    if publication is None:
        return Table(fields)
    rows = list(
        PublicCell.objects.filter(publication=publication, table=table)
        .order_by("period", "region", "key")
        .values_list("period", "region", "key", "value", "state")
    )
    names = dict(Region.objects.filter(code__in={r[1] for r in rows}).values_list("code", "name"))
    return Table(
        fields,
        [
            (
                period,
                region,
                names.get(region, "Indonesia"),
                key,
                _shown(value, state, publication.threshold),
            )
            for period, region, key, value, state in rows
        ],
        modified=publication.created_at,
    )


def levels() -> Table:
    return _table(
        cubes.LEVELS,
        (
            Field("period", _("Period"), "string", _("Mapping period code")),
            *_REGION,
            Field("level", _("Level"), "string", _("Level code (IR1, IR2, IR3) or total")),
            Field("actors", _("Actors"), "integer", _("Actors with a counted result"), True),
        ),
    )


def transitions() -> Table:
    return _table(
        cubes.MOVES,
        (
            Field("periods", _("Periods"), "string", _("The two periods compared, a>b")),
            *_REGION,
            Field(
                "move",
                _("Move"),
                "string",
                _("An upward pair (IR1>IR2), up, same, down, or both (assessed in both)"),
            ),
            Field("actors", _("Actors"), "integer", _("Actors assessed in both periods"), True),
        ),
    )


def register_sources() -> None:
    register("levels", levels)
    register("transitions", transitions)
