"""Every dashboard view as .xlsx (one sheet per table) and .csv (one long table).

The same scope, figures and tables as the page (404 outside the scope). Only aggregates
leave: counts of actors, never a person. Each export is audited all the same.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sinergi.analytics import display
from sinergi.analytics.display import LEVELS, TRANSITIONS, VIEWS
from sinergi.analytics.figures import Figures, Group
from sinergi.analytics.scope import REGION
from sinergi.analytics.slices import GRADUATE, LEGALITY
from sinergi.analytics.views import dashboard_figures
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE, Sheet, neutralise, write_workbook


@dataclass
class Table:
    """One table of a dashboard: rows of (key, label, values), one value per measure."""

    name: str  # machine name: the CSV's `table` column and the sheet's name
    title: str
    key_header: str
    label_header: str
    measures: list[tuple[str, str]]  # (code, header)
    rows: list[tuple[str, str, list[Any]]]


def _level_measures(figures: Figures, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(level, labels.get(level, level)) for level in figures.order]


def _move_measures() -> list[tuple[str, str]]:
    return [
        ("both_periods", _("In both periods")),
        ("up", _("Moved up")),
        ("same", _("Stayed")),
        ("down", _("Fell back")),
    ]


def _group_rows(groups: Sequence[Group], figures: Figures, view: str) -> list[Any]:
    rows = []
    for g in groups:
        if view == TRANSITIONS:
            m = g.transition
            values: list[Any] = [m.total, m.up, m.same, m.down] if m else [0, 0, 0, 0]
        else:
            values = [g.registered, g.levels.total]
            values += [g.levels.counts.get(level, 0) for level in figures.order]
        rows.append((g.code or g.key, g.label, values))
    return rows


def tables(figures: Figures, view: str) -> list[Table]:
    """The tables of a dashboard view, in the order the page shows them."""
    labels = figures.scope.labels
    levels = figures.levels
    level_measures = _level_measures(figures, labels)
    found = [
        Table(
            "summary",
            _("Summary"),
            _("Figure"),
            _("Name"),
            [("value", _("Value"))],
            [
                ("registered", _("Registered actors"), [figures.registered]),
                ("assessed", _("Assessed in the period"), [levels.total]),
                *((lv, labels.get(lv, lv), [n]) for lv, n in levels.counts.items()),
                ("graduate", _("Ready to graduate to a small enterprise"), [figures.graduates]),
            ],
        ),
        Table(
            "trend",
            _("Trend across periods"),
            _("Period"),
            _("Name"),
            [*level_measures, ("total", _("Total"))],
            [
                (p.code, p.name, [*(lv.counts.get(x, 0) for x in figures.order), lv.total])
                for p, lv in figures.trend
            ],
        ),
    ]
    moves = figures.transition
    if view == TRANSITIONS and moves is not None:
        found.append(
            Table(
                "matrix",
                _("Actors by level in the first period (rows) and the second (columns)"),
                _("Level"),
                _("Name"),
                [(b, labels.get(b, b)) for b in moves.matrix],
                [(a, labels.get(a, a), list(row.values())) for a, row in moves.matrix.items()],
            )
        )
        found[0].rows += [
            ("both_periods", _("Assessed in both periods"), [moves.total]),
            ("up", _("Moved up"), [moves.up]),
            ("same", _("Stayed"), [moves.same]),
            ("down", _("Fell back"), [moves.down]),
            *(
                (f"{a}>{b}", f"{labels.get(a, a)} → {labels.get(b, b)}", [n])
                for a, b, n in moves.steps
            ),
        ]
    titles = display.dim_titles()
    for dim, groups in figures.groups.items():
        if dim == GRADUATE or (view == TRANSITIONS and dim == LEGALITY):
            continue
        measures = (
            _move_measures()
            if view == TRANSITIONS
            else [("registered", _("Registered")), ("assessed", _("Assessed")), *level_measures]
        )
        found.append(
            Table(
                dim,
                titles[dim],
                _("Code") if dim == REGION else _("Key"),
                _("Name"),
                measures,
                _group_rows(groups, figures, view),
            )
        )
    return found


def _view(request: HttpRequest) -> str:
    view = request.GET.get("view", LEVELS)
    return view if view in VIEWS else LEVELS


def _prepare(request: HttpRequest, fmt: str) -> tuple[Figures, str, list[Table]]:
    view = _view(request)
    figures, _error = dashboard_figures(request, moves=view == TRANSITIONS)
    scope = figures.scope
    record(
        request.user,
        Action.EXPORT,
        Subject("dashboard", repr=f"{view} {scope.code or 'ID'}", region=scope.code),
        after={
            "format": fmt,
            "view": view,
            "region": scope.code,
            "period": figures.period.code if figures.period else None,
            "from": figures.previous.code if figures.previous else None,
        },
        note=f"dashboard export ({fmt}): aggregates only",
    )
    return figures, view, tables(figures, view)


def filename(figures: Figures, view: str, ext: str) -> str:
    parts = [
        "sinergi",
        view,
        slugify(figures.scope.code.replace(".", "-") or "indonesia"),
        figures.previous.code if figures.previous and view != LEVELS else "",
        figures.period.code if figures.period else "",
    ]
    return "-".join(p for p in parts if p) + f"-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    figures, view, found = _prepare(request, "xlsx")
    sheets = [
        Sheet(
            table.name[:31],
            [table.key_header, table.label_header, *(header for _c, header in table.measures)],
            [[key, label, *values] for key, label, values in table.rows],
            widths=[14, 36, *([14] * len(table.measures))],
            text_columns=[0],
        )
        for table in found
    ]
    return FileResponse(
        write_workbook(sheets),
        as_attachment=True,
        filename=filename(figures, view, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


class _Line:
    """A file-like target for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = (
    "region_code",
    "region_name",
    "period",
    "from_period",
    "table",
    "key",
    "label",
    "measure",
    "value",
)


def csv_rows(figures: Figures, view: str, found: Sequence[Table]) -> Iterator[list[Any]]:
    """Every figure of the view as one long (tidy) table."""
    scope = figures.scope
    period = figures.period.code if figures.period else ""
    previous = figures.previous.code if figures.previous and view == TRANSITIONS else ""
    for table in found:
        for key, label, values in table.rows:
            for (measure, _header), value in zip(table.measures, values, strict=True):
                fields = [scope.code, scope.name, period, previous, table.name, key, label]
                yield [*fields, measure, "" if value is None else value]


def _csv_lines(figures: Figures, view: str, found: Sequence[Table]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(CSV_HEADER)
    for row in csv_rows(figures, view, found):
        yield writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    figures, view, found = _prepare(request, "csv")
    response = StreamingHttpResponse(
        _csv_lines(figures, view, found), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(figures, view, "csv")}"'
    return response
