"""The referral dashboard: referrals to partners and what came of them in the user's scope,
drilling down region by region, with the naik kelas of the actors referred against the
others. Its exports are in monitoring_exports.py; the PDF report's section in
monitoring_report.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from sinergi.analytics.display import query
from sinergi.analytics.views import dashboard_figures
from sinergi.lib.htmx import render_page
from sinergi.partners import monitoring_display as display
from sinergi.partners.monitoring import REGION, Monitoring, dim_titles, monitoring_of
from sinergi.partners.monitoring_slices import CATEGORY, PARTNER


def monitoring_figures(request: HttpRequest) -> tuple[Monitoring, str]:
    """The figures a request asks for: the analytics scope (404 outside it; partner staff
    have none) and periods (404 for an unknown one), and an error to show when the two
    periods are the same one. The analytics transition itself is not needed: every actor's
    moves are read with the child regions'."""
    figures, error = dashboard_figures(request, dims=[], moves=False)
    return monitoring_of(figures), error


def monitoring_context(request: HttpRequest) -> dict[str, Any]:
    found, error = monitoring_figures(request)
    figures = found.figures
    scope = figures.scope
    period = figures.period.code if figures.period else ""
    previous = figures.previous.code if figures.previous else ""
    top = query(period=period, **{"from": previous})
    page = reverse("partners_monitoring:dashboard")

    def link(code: str) -> str:
        return f"{page}?region={code}&{top}" if code else f"{page}?{top}"

    return {
        "monitoring": found,
        "figures": figures,
        "scope": scope,
        "error": error,
        "top": top,
        "labels": scope.labels,
        "titles": dim_titles(),
        "tables": [
            (dim, *display.page_table(found, dim, top)) for dim in (PARTNER, CATEGORY, REGION)
        ],
        "charts": {
            "moves": display.moves_chart(found),
            PARTNER: display.status_chart(found, PARTNER, link),
            CATEGORY: display.status_chart(found, CATEGORY, link),
        },
        "exports": query(region=scope.code, period=period, **{"from": previous}),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "partners/monitoring.html",
        "partners/partials/_monitoring.html",
        monitoring_context(request),
    )
