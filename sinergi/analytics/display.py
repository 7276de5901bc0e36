"""What a dashboard shows, built once from its figures: chart SVGs, table rows, labels.

Shared by the pages, the exports and the PDF report, so that all three say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.utils.formats import get_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.analytics.figures import Figures, Group, Levels, Transition
from sinergi.analytics.scope import PHASE, REGION
from sinergi.analytics.slices import FACILITATOR, GRADUATE, LEGALITY, SECTOR
from sinergi.lib import charts
from sinergi.lib.charts import DOWN, PALETTE, SAME, UP, Bar, Series

LEVELS, TRANSITIONS = "levels", "transitions"
VIEWS = (LEVELS, TRANSITIONS)
# Sort keys of the child-region table, besides the level codes.
SORTS = ("name", "registered", "total", "coverage", "up", "same", "down", "up_share")


_SEPARATORS: dict[str, str] = {}


def count(value: float) -> str:
    """A whole number as the reader's language groups it (83.762 / 83,762).

    Django's number_format does the same at ten times the cost, and a page prints a few
    thousand numbers (tables, charts and their tooltips).
    """
    language = get_language() or "id"
    separator = _SEPARATORS.get(language)
    if separator is None:
        separator = _SEPARATORS[language] = str(get_format("THOUSAND_SEPARATOR"))
    return f"{round(value):,}".replace(",", separator)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{number_format(share * 100, 1)}%"


def dim_titles() -> dict[str, str]:
    return {
        REGION: _("By region"),
        SECTOR: _("By sector"),
        FACILITATOR: _("By facilitator"),
        PHASE: _("Model and replication regions"),
        LEGALITY: _("Legality items held"),
        GRADUATE: _("Ready to graduate to a small enterprise"),
    }


@dataclass
class Row:
    """One row of a breakdown table (a child region, a sector, ...), ready to print."""

    key: str
    label: str
    code: str
    registered: int | None
    total: int
    coverage: float | None
    counts: list[int]
    shares: list[float]
    moves: Transition | None

    def value(self, sort: str) -> Any:
        if sort == "name":
            return self.label.lower()
        if sort == "coverage":
            return self.coverage or 0.0
        if sort in ("up", "same", "down"):
            return getattr(self.moves, sort, 0) if self.moves else 0
        if sort == "up_share":
            return self.moves.up_share if self.moves else 0.0
        if sort in ("registered", "total"):
            return getattr(self, sort) or 0
        return 0


def rows_of(groups: Sequence[Group], order: Sequence[str]) -> list[Row]:
    return [
        Row(
            key=g.key,
            label=g.label,
            code=g.code,
            registered=g.registered,
            total=g.levels.total,
            coverage=g.coverage,
            counts=[g.levels.counts.get(level, 0) for level in order],
            shares=[g.levels.share(level) for level in order],
            moves=g.transition,
        )
        for g in groups
    ]


def sorted_rows(rows: list[Row], sort: str, order: Sequence[str]) -> list[Row]:
    """Rows by a column; "-" first for descending. Unknown keys keep the region order."""
    key = sort.lstrip("-")
    if key in order:
        index = list(order).index(key)
        found = sorted(rows, key=lambda r: r.counts[index])
    elif key in SORTS:
        found = sorted(rows, key=lambda r: r.value(key))
    else:
        return rows
    return found[::-1] if sort.startswith("-") else found


def level_series(order: Sequence[str], labels: dict[str, str]) -> list[Series]:
    return [
        Series(labels.get(level, level), PALETTE[min(i, len(PALETTE) - 1)])
        for i, level in enumerate(order)
    ]


def move_series() -> list[Series]:
    return [Series(_("Moved up"), UP), Series(_("Stayed"), SAME), Series(_("Fell back"), DOWN)]


def _moves(transition: Transition | None) -> list[float]:
    if transition is None:
        return [0, 0, 0]
    return [transition.up, transition.same, transition.down]


class Charts:
    """The SVG charts of one dashboard view."""

    def __init__(self, figures: Figures, view: str, link: Callable[[str], str]) -> None:
        self.figures = figures
        self.view = view
        self.link = link  # a child region's code -> its dashboard's URL
        self.order = figures.order
        self.labels = figures.scope.labels
        self.series = level_series(self.order, self.labels)

    def _name(self, level: str) -> str:
        return self.labels.get(level, level)

    def levels(self) -> SafeString:
        figures = self.figures
        levels = figures.levels
        bars = [
            Bar(self._name(level), [levels.counts.get(level, 0) if lv == level else 0
                                    for lv in self.order])
            for level in self.order
        ]  # fmt: skip
        period = figures.period.name if figures.period else ""
        return charts.stacked_bars(
            chart_id="chart-levels",
            title=_("Actors by level, %(period)s") % {"period": period},
            desc=self._level_desc(levels),
            series=self.series,
            bars=bars,
            fmt=count,
        )

    def _level_desc(self, levels: Levels) -> str:
        parts = [
            f"{self._name(level)}: {count(levels.counts.get(level, 0))} "
            f"({percent(levels.share(level))})"
            for level in self.order
        ]
        return _("%(total)s actors assessed. ") % {"total": count(levels.total)} + "; ".join(parts)

    def trend(self) -> SafeString:
        bars = [
            Bar(period.code, [levels.counts.get(level, 0) for level in self.order])
            for period, levels in self.figures.trend
        ]
        desc = "; ".join(f"{bar.label}: {count(bar.total)}" for bar in bars)
        return charts.columns(
            chart_id="chart-trend",
            title=_("Levels in every period"),
            desc=desc,
            series=self.series,
            bars=bars,
            fmt=count,
        )

    def matrix(self) -> SafeString | None:
        figures = self.figures
        moves = figures.transition
        if moves is None or figures.previous is None or figures.period is None:
            return None
        levels = list(moves.matrix)
        rank = {level: i for i, level in enumerate(self.order)}

        def tone(i: int, j: int) -> str:
            a, b = rank.get(levels[i], -1), rank.get(levels[j], -1)
            return SAME if a == b or a < 0 or b < 0 else (UP if b > a else DOWN)

        names = {"from": figures.previous.code, "to": figures.period.code}
        return charts.heatmap(
            chart_id="chart-matrix",
            title=_("From %(from)s to %(to)s: actors by level in both periods") % names,
            desc=_(
                "%(total)s actors with a result in both periods: %(up)s moved up, %(same)s "
                "stayed, %(down)s fell back."
            )
            % {
                "total": count(moves.total),
                "up": count(moves.up),
                "same": count(moves.same),
                "down": count(moves.down),
            },
            rows=[self._name(level) for level in levels],
            cols=[self._name(level) for level in levels],
            cells=[[moves.matrix[a][b] for b in levels] for a in levels],
            fmt=count,
            row_title=_("Level in %(from)s") % names,
            col_title=_("Level in %(to)s") % names,
            tone=tone,
        )

    def breakdown(self, dim: str) -> SafeString | None:
        groups = self.figures.groups.get(dim) or []
        if not groups:
            return None
        title = dim_titles()[dim]
        chart_id = f"chart-{dim}-{self.view}"
        link = self.link if dim == REGION else (lambda code: "")
        if self.view == TRANSITIONS and dim not in (LEGALITY, GRADUATE):
            bars = [Bar(g.label, _moves(g.transition), link(g.code) if g.code else "")
                    for g in groups if g.transition and g.transition.total]  # fmt: skip
            return charts.stacked_bars(
                chart_id=chart_id,
                title=title,
                desc=_("Share of actors who moved up, stayed or fell back, per row."),
                series=move_series(),
                bars=bars,
                fmt=count,
                percent=True,
            )
        bars = [
            Bar(g.label, [g.levels.counts.get(level, 0) for level in self.order],
                link(g.code) if g.code else "")
            for g in groups
            if g.levels.total or g.registered
        ]  # fmt: skip
        return charts.stacked_bars(
            chart_id=chart_id,
            title=title,
            desc="; ".join(f"{bar.label}: {count(bar.total)}" for bar in bars),
            series=self.series,
            bars=bars,
            fmt=count,
        )


def query(**params: str | None) -> str:
    """A query string of the non-empty parameters."""
    return urlencode({k: v for k, v in params.items() if v})
