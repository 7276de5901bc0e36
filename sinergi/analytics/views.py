"""Dashboard pages: levels and transitions ("naik kelas") of the user's scope, drilling down
region by region. Exports and the PDF report are in exports.py and report.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from sinergi.analytics import display
from sinergi.analytics.display import LEVELS, TRANSITIONS, Charts, query
from sinergi.analytics.figures import BadPeriod, Figures, figures_of
from sinergi.analytics.scope import REGION, Scope, resolve_scope
from sinergi.assessments.models import Period
from sinergi.lib.htmx import is_htmx, render_page


def dashboard_figures(
    request: HttpRequest, *, dims: list[str] | None = None, moves: bool = True
) -> tuple[Figures, str]:
    """The scope and figures a request asks for (404 outside the scope or for an unknown
    period), and an error to show when the two periods are the same one."""
    scope: Scope = resolve_scope(request.user, request.GET.get("region"))
    period = request.GET.get("period") or None
    previous = request.GET.get("from")
    try:
        return figures_of(scope, period, previous, dims=dims, moves=moves), ""
    except BadPeriod as exc:
        if exc.field != "from" or previous not in {p.code for p in Period.objects.all()}:
            raise Http404 from exc
        return figures_of(scope, period, "", dims=dims, moves=moves), str(exc)


def dashboard_context(request: HttpRequest, view: str) -> dict[str, Any]:
    dims = [REGION] if is_htmx(request) else None
    figures, error = dashboard_figures(request, dims=dims, moves=view == TRANSITIONS)
    scope = figures.scope
    period = figures.period.code if figures.period else ""
    previous = figures.previous.code if figures.previous else ""
    page = reverse("analytics:transitions" if view == TRANSITIONS else "analytics:dashboard")

    top = query(period=period, **{"from": previous})

    def link(code: str, target: str = page) -> str:
        # Region codes are digits and dots: nothing to escape (charts link every bar).
        return f"{target}?region={code}&{top}" if code else f"{target}?{top}"

    here = query(region=scope.code, period=period, **{"from": previous})
    sort = request.GET.get("sort", "")
    rows = display.rows_of(figures.groups.get(REGION, []), figures.order)
    return {
        "view": view,
        "figures": figures,
        "scope": scope,
        "error": error,
        "labels": scope.labels,
        "level_names": [scope.labels.get(level, level) for level in figures.order],
        "charts": Charts(figures, view, link),
        "children": display.sorted_rows(rows, sort, figures.order),
        "sort": sort,
        "here": here,
        "top": top,
        "other_view": link(
            scope.code,
            reverse("analytics:dashboard" if view == TRANSITIONS else "analytics:transitions"),
        ),
        "titles": display.dim_titles(),
        "exports": query(view=view, region=scope.code, period=period, **{"from": previous}),
        # The actor list filtered like a figure (a level is added by the template).
        "actors": reverse("registry:actor_list") + "?" + query(region=scope.code, period=period)
        if scope.region is not None or scope.tops == ("",)
        else "",
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, LEVELS)


@login_required
@require_GET
def transitions(request: HttpRequest) -> HttpResponse:
    return _page(request, TRANSITIONS)


def _page(request: HttpRequest, view: str) -> HttpResponse:
    context = dashboard_context(request, view)
    return render_page(
        request, "analytics/dashboard.html", "analytics/partials/_children.html", context
    )
