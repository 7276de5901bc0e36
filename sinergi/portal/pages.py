"""What a public figures page shows of the latest publication, for the nation, a province
or a kab/kota: never anything the publication does not hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.analytics.display import count
from sinergi.lib.charts import PALETTE, Bar, Series, stacked_bars
from sinergi.partners.models import Partner
from sinergi.portal import cube as cubes
from sinergi.portal.models import Publication
from sinergi.portal.publication import Shown, cells
from sinergi.regions.codes import ancestors
from sinergi.regions.models import ModelRegion, Region
from sinergi.registry.choices import Sector


def shown(cell: Shown | None, threshold: int) -> str:
    """A published count as text: the number, "<5" for a small one, a
    multiplication sign for one withheld."""
    if cell is None:
        return "0"
    if cell.value is not None:
        return count(cell.value)
    return f"<{threshold}" if cell.state == "small" else "×"


@dataclass
class Row:
    label: str
    href: str
    cells: list[str]


@dataclass
class Page:
    publication: Publication
    code: str
    name: str
    trail: list[tuple[str, str]]  # (name, href) from the nation down, the page's own last
    levels: list[tuple[str, str]]  # (code, name), lowest first
    period: tuple[str, str] | None  # the latest published period (code, name)
    summary: list[str] = field(default_factory=list)  # its levels and total, as text
    children: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)
    moves: list[Row] = field(default_factory=list)
    move_heads: list[str] = field(default_factory=list)
    sectors: list[Row] = field(default_factory=list)
    model_regions: list[ModelRegion] = field(default_factory=list)
    partners: int = 0
    national_partners: int = 0
    charts: list[SafeString] = field(default_factory=list)


def _href(code: str) -> str:
    return reverse("portal:region_figures", args=[code]) if code else reverse("portal:figures")


def _names(codes: Sequence[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _level_names(publication: Publication) -> list[tuple[str, str]]:
    language = get_language() or "id"
    return [
        (str(code), str(names.get(language) or names.get("id") or code))
        for code, names in publication.levels
    ]


def _children(region: str, regions: Sequence[str]) -> list[str]:
    return sorted(r for r in regions if r and cubes.parent_of(r) == region)


def _value(cell: Shown | None) -> float:
    return float(cell.value) if cell is not None and cell.value is not None else 0.0


def build_page(publication: Publication, code: str) -> Page | None:
    """The page of a region, or None when the publication holds nothing of it."""
    threshold = publication.threshold
    levels = _level_names(publication)
    keys = [c for c, _name in levels] + [cubes.TOTAL]
    periods = [(str(c), str(n)) for c, n in publication.periods]
    latest = periods[-1] if periods else None
    level_cells = cells(publication, cubes.LEVELS)
    regions = sorted({region for _p, region, _k in level_cells})
    if code and code not in regions:
        return None
    trail_codes = ancestors(code) if code else []
    names = _names([*trail_codes, *_children(code, regions)])
    page = Page(
        publication=publication,
        code=code,
        name=names.get(code, _("Indonesia")) if code else _("Indonesia"),
        trail=[(_("Indonesia"), _href(""))] + [(names.get(c, c), _href(c)) for c in trail_codes],
        levels=levels,
        period=latest,
    )
    if latest is not None:
        page.summary = [shown(level_cells.get((latest[0], code, k)), threshold) for k in keys]
        for child in _children(code, regions):
            page.children.append(
                Row(
                    names.get(child, child),
                    _href(child),
                    [shown(level_cells.get((latest[0], child, k)), threshold) for k in keys],
                )
            )
    for period_code, period_name in periods:
        page.trend.append(
            Row(
                period_name,
                "",
                [shown(level_cells.get((period_code, code, k)), threshold) for k in keys],
            )
        )
    _add_moves(page, publication, periods, code)
    _add_sectors(page, publication, code)
    model = ModelRegion.objects.select_related("region").order_by("region__name")
    page.model_regions = [
        m for m in model if not code or m.region_id.startswith(f"{code}.") or m.region_id == code
    ]
    partners = Partner.objects.exclude(region=None)
    page.national_partners = Partner.objects.filter(region=None).count()
    page.partners = partners.filter(Partner.reach.within(code)).count()
    page.charts = _charts(page, level_cells, latest, regions)
    return page


def _add_moves(
    page: Page, publication: Publication, periods: Sequence[tuple[str, str]], code: str
) -> None:
    order = [c for c, _n in page.levels]
    ups = [
        (cubes.pair_code(a, b), f"{a} → {b}") for i, a in enumerate(order) for b in order[i + 1 :]
    ]
    kinds = [
        *ups,
        (cubes.UP, _("Moved up")),
        (cubes.SAME, _("Stayed")),
        (cubes.DOWN, _("Fell back")),
        (cubes.BOTH, _("Assessed in both")),
    ]
    page.move_heads = [label for _k, label in kinds]
    found = cells(publication, cubes.MOVES, regions=[code])
    for (first, first_name), (second, second_name) in pairwise(periods):
        pair = cubes.pair_code(first, second)
        page.moves.append(
            Row(
                f"{first_name} → {second_name}",
                "",
                [shown(found.get((pair, code, k)), publication.threshold) for k, _l in kinds],
            )
        )


def _add_sectors(page: Page, publication: Publication, code: str) -> None:
    found = cells(publication, cubes.REGISTERED, regions=[code])
    labels = dict(Sector.choices)
    for (_period, _region, key), cell in sorted(found.items(), key=lambda item: item[0][2]):
        if key != cubes.TOTAL:
            page.sectors.append(
                Row(str(labels.get(key, key)), "", [shown(cell, publication.threshold)])
            )
    total = found.get(("", code, cubes.TOTAL))
    if total is not None:
        page.sectors.append(Row(_("All sectors"), "", [shown(total, publication.threshold)]))


def _charts(
    page: Page,
    level_cells: Mapping[tuple[str, str, str], Shown],
    latest: tuple[str, str] | None,
    regions: Sequence[str],
) -> list[SafeString]:
    series = [
        Series(name, PALETTE[min(i, len(PALETTE) - 1)]) for i, (_c, name) in enumerate(page.levels)
    ]
    order = [c for c, _n in page.levels]
    charts = []
    if page.trend:
        charts.append(
            stacked_bars(
                chart_id="public-trend",
                title=_("Actors by level in each period"),
                desc=_("Counts that are not published are left out of the bars."),
                series=series,
                bars=[
                    Bar(name, [_value(level_cells.get((p, page.code, lv))) for lv in order])
                    for p, name in page.publication.periods
                ],
                fmt=count,
            )
        )
    kids = _children(page.code, regions)
    if latest is not None and kids:
        charts.append(
            stacked_bars(
                chart_id="public-children",
                title=_("Actors by level in %(period)s, by region") % {"period": latest[1]},
                desc=_(
                    "Counts that are not published are left out of the bars. "
                    "Click a region to open it."
                ),
                series=series,
                bars=[
                    Bar(
                        row.label,
                        [_value(level_cells.get((latest[0], kid, lv))) for lv in order],
                        row.href,
                    )
                    for kid, row in zip(kids, page.children, strict=True)
                ],
                fmt=count,
            )
        )
    return charts
