"""The referral dashboard as .xlsx (one sheet per table) and .csv (one long table).

The same scope, periods, figures and tables as the page (404 outside the scope). Only
aggregates leave: counts of referrals and actors, never a person. Each export is audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from sinergi.analytics.display import TRANSITIONS
from sinergi.analytics.exports import Table, _csv_lines, filename
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE, Sheet, write_workbook
from sinergi.partners.monitoring import Monitoring
from sinergi.partners.monitoring_display import tables
from sinergi.partners.monitoring_views import monitoring_figures

VIEW = "referrals"  # in file names and the audit trail


def _prepare(request: HttpRequest, fmt: str) -> tuple[Monitoring, list[Table]]:
    found, _error = monitoring_figures(request)
    figures = found.figures
    scope = figures.scope
    record(
        request.user,
        Action.EXPORT,
        Subject("dashboard", repr=f"{VIEW} {scope.code or 'ID'}", region=scope.code),
        after={
            "format": fmt,
            "view": VIEW,
            "region": scope.code,
            "period": figures.period.code if figures.period else None,
            "from": figures.previous.code if figures.previous else None,
        },
        note=f"referral dashboard export ({fmt}): aggregates only",
    )
    return found, tables(found)


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    found, found_tables = _prepare(request, "xlsx")
    sheets = [
        Sheet(
            table.name[:31],
            [table.key_header, table.label_header, *(header for _c, header in table.measures)],
            [[key, label, *values] for key, label, values in table.rows],
            widths=[14, 36, *([14] * len(table.measures))],
            text_columns=[0],
        )
        for table in found_tables
    ]
    return FileResponse(
        write_workbook(sheets),
        as_attachment=True,
        filename=filename(found.figures, VIEW, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    found, found_tables = _prepare(request, "csv")
    # The analytics transitions' long table: region, periods, table, key, label, measure.
    response = StreamingHttpResponse(
        _csv_lines(found.figures, TRANSITIONS, found_tables),
        content_type="text/csv; charset=utf-8",
    )
    name = filename(found.figures, VIEW, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
