"""The dashboard as a PDF report: cover, contents, the same SVG charts and tables as the pages
and exports, and a method note naming the instrument versions behind the figures.

Rendered by WeasyPrint from HTML in the request (a few pages take a second or two); nothing
is fetched from anywhere: the charts are inline SVG and the style sheet is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from sinergi.analytics import display
from sinergi.analytics.display import LEVELS, TRANSITIONS, Charts
from sinergi.analytics.exports import Table, filename, tables
from sinergi.analytics.figures import Figures
from sinergi.analytics.views import dashboard_figures
from sinergi.assessments.models import Instrument
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject


@dataclass
class Section:
    """A numbered part of the report: a heading, its charts and its tables."""

    anchor: str
    title: str
    charts: list[SafeString]
    tables: list[Table]


# Sections the apps above analytics add to the report, for its scope and periods (filled at
# start-up: partners.events adds the referrals).
extra_sections: list[Callable[[Figures], list[Section]]] = []


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's fetcher: the report is self-contained, so any fetch is a mistake."""
    raise ValueError(f"the report fetches nothing ({url})")


def instruments_used(figures: Figures) -> list[tuple[Instrument, int]]:
    """The instrument versions of the counted results in the period and scope (for a
    facilitator, her caseload), with counts."""
    if figures.period is None:
        return []
    rows = figures.scope.results().filter(counted=True, period=figures.period)
    grouped = rows.order_by().values("instrument").annotate(n=Count("id"))
    counts = {row["instrument"]: row["n"] for row in grouped}
    return [(i, counts[i.pk]) for i in Instrument.objects.filter(pk__in=counts)]


def sections(figures: Figures) -> list[Section]:
    no_link = lambda code: ""  # noqa: E731 - a PDF has nowhere to drill down to
    levels = Charts(figures, LEVELS, no_link)
    moves = Charts(figures, TRANSITIONS, no_link)
    level_tables = {t.name: t for t in tables(figures, LEVELS)}
    move_tables = {t.name: t for t in tables(figures, TRANSITIONS)} if figures.transition else {}
    titles = display.dim_titles()
    summary = move_tables.get("summary") or level_tables["summary"]
    found = [
        Section("summary", summary.title, [levels.levels()], [summary]),
        Section("trend", level_tables["trend"].title, [levels.trend()], [level_tables["trend"]]),
    ]
    matrix = moves.matrix()
    if matrix is not None:
        found.append(
            Section("transitions", move_tables["matrix"].title, [matrix], [move_tables["matrix"]])
        )
    for dim in figures.groups:
        if dim not in level_tables:
            continue
        charts = [levels.breakdown(dim), moves.breakdown(dim) if dim in move_tables else None]
        found.append(
            Section(
                dim,
                titles[dim],
                [c for c in charts if c is not None],
                [t for t in (level_tables[dim], move_tables.get(dim)) if t is not None],
            )
        )
    for extra in extra_sections:
        found.extend(extra(figures))
    return found


def report_html(request: HttpRequest) -> tuple[Figures, str]:
    """The report as HTML, for the scope and periods the request asks for (404 outside)."""
    figures, _error = dashboard_figures(request)
    context = {
        "figures": figures,
        "scope": figures.scope,
        "sections": sections(figures),
        "instruments": instruments_used(figures),
        "language": get_language() or "id",
        "now": timezone.localtime(),
        "user": request.user,
    }
    return figures, render_to_string("analytics/report.html", context, request)


@login_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    figures, html = report_html(request)
    style = CSS(string=render_to_string("analytics/report.css"), url_fetcher=_refuse)
    pdf = HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[style])
    record(
        request.user,
        Action.EXPORT,
        Subject(
            "dashboard", repr=f"report {figures.scope.code or 'ID'}", region=figures.scope.code
        ),
        after={
            "format": "pdf",
            "region": figures.scope.code,
            "period": figures.period.code if figures.period else None,
            "from": figures.previous.code if figures.previous else None,
        },
        note="dashboard report (pdf): aggregates only",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = filename(figures, "report", "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
