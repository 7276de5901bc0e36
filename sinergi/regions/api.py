"""GET /api/v1/regions: the region tree (reference data, readable by every signed-in user)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from sinergi.lib.errors import invalid
from sinergi.lib.pagination import cursor_page
from sinergi.regions.choices import LEVEL_NAMES
from sinergi.regions.codes import normalise
from sinergi.regions.models import Region

router = Router(tags=["regions"])
_LEVEL_LABELS: dict[int, str] = {int(value): name for name, value in LEVEL_NAMES.items()}


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class RegionPage(Schema):
    count: int
    items: list[RegionOut]
    next: str | None


def _serialize(rows: list[Region]) -> list[dict[str, Any]]:
    return [
        {"code": r.code, "name": r.name, "level": _LEVEL_LABELS[r.level], "parent": r.parent_id}
        for r in rows
    ]


@router.get("/regions", response=RegionPage, summary="List regions")
def list_regions(
    request: HttpRequest, level: str | None = None, parent: str | None = None, q: str | None = None
) -> dict[str, Any]:
    regions = Region.objects.all()
    if level is not None:
        if level not in LEVEL_NAMES:
            raise invalid("level", _("level must be one of province, regency, district, village."))
        regions = regions.filter(level=LEVEL_NAMES[level])
    if parent is not None:
        if not Region.objects.filter(code=parent).exists():
            raise HttpError(404, _("Region %(code)s does not exist.") % {"code": parent})
        regions = regions.filter(parent_id=parent)
    if q:
        # Plain digits (3317) are read as the dotted code (33.17) people also type.
        code = normalise(q) or q
        regions = regions.filter(Q(name__icontains=q) | Q(code__startswith=code))
    return cursor_page(request, regions, _serialize, key="code")
