"""Import pages: upload, the job's progress and its per-row report, the blank template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from sinergi.accounts.scoping import may_write
from sinergi.assessments.choices import InstrumentStatus, PeriodStatus
from sinergi.assessments.models import Instrument, Period
from sinergi.assessments.services import current_instrument
from sinergi.collect import actor_sheet, results_sheet, services
from sinergi.collect.choices import JobKind
from sinergi.collect.forms import UploadForm, too_big_message
from sinergi.collect.models import ImportJob
from sinergi.lib.htmx import render_page
from sinergi.lib.scope import Do, Principal
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE, Sheet, write_workbook


def _writer(request: HttpRequest) -> None:
    if not may_write(request.user):
        raise PermissionDenied


def get_job(user: Principal, job_id: int) -> ImportJob:
    """A job is its uploader's (and national admins'); for anyone else it does not exist."""
    if not may_write(user):
        raise PermissionDenied
    job: ImportJob = get_object_or_404(ImportJob.objects.visible_to(user, Do.CHANGE), pk=job_id)
    return job


_UPLOAD_PAGES: dict[str, str] = {
    JobKind.ACTORS: "collect/import_upload.html",
    JobKind.RESULTS: "collect/results_upload.html",
}


def _upload_page(
    request: HttpRequest, form: UploadForm, kind: str, error: str = "", status: int = 200
) -> HttpResponse:
    recent = ImportJob.objects.filter(uploaded_by_id=request.user.pk, kind=kind)[:10]
    context = {"form": form, "error": error, "recent": recent}
    if kind == JobKind.RESULTS:
        context |= _results_template_choices()
    return render(request, _UPLOAD_PAGES[kind], context, status=status)


def _upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Refuse an oversized body before Django reads it, then handle the form as usual."""
    _writer(request)
    if request.method == "POST":
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.IMPORT_MAX_BYTES:
            return _upload_page(request, UploadForm(), kind, too_big_message(declared), 413)
    return _handle_upload(request, kind)


@csrf_protect
def _handle_upload(request: HttpRequest, kind: str) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = services.queue_import(
                user=request.user, upload=form.cleaned_data["file"], kind=kind
            )
            return redirect("collect:job_detail", job_id=job.pk)
        return _upload_page(request, form, kind, status=400)
    return _upload_page(request, UploadForm(), kind)


@csrf_exempt  # checked by csrf_protect in _handle_upload, once the size is known to be acceptable
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, JobKind.ACTORS)


@login_required
@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    _writer(request)
    return FileResponse(
        write_workbook(actor_sheet.template_sheets()),
        as_attachment=True,
        filename="sinergi-actors-template.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_job(request.user, job_id)
    context = {"job": job, "issues": job.messages[:200], "more": max(len(job.messages) - 200, 0)}
    return render_page(
        request, "collect/import_job.html", "collect/partials/_job_progress.html", context
    )


@login_required
@require_GET
def job_report(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = get_job(request.user, job_id)
    if not job.finished:
        raise Http404
    rows = ((m["row"], m["column"], m["reason"], m["level"]) for m in job.messages)
    output = write_workbook(
        [
            Sheet(
                _("Report"),
                [_("Row"), _("Column"), _("Reason"), _("Level")],
                rows,
                widths=[8, 18, 90, 10],
            )
        ]
    )
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"import-{job.pk}-report.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


# --- Mapping results -----------------------------------------------------------------------


def _results_template_choices() -> dict[str, Any]:
    current = current_instrument()
    return {
        "instruments": Instrument.objects.filter(status=InstrumentStatus.PUBLISHED),
        "current": current,
        "open_periods": Period.objects.filter(status=PeriodStatus.OPEN),
    }


@csrf_exempt  # checked by csrf_protect in _handle_upload, once the size is known to be acceptable
@login_required
def results_import_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, JobKind.RESULTS)


@login_required
@require_GET
def results_import_template(request: HttpRequest) -> FileResponse:
    """The template of a published version (the current one unless ?instrument= names
    another), blank or, with ?period=, one row per actor the user may assess."""
    _writer(request)
    wanted = request.GET.get("instrument", "")
    instrument = (
        get_object_or_404(Instrument, pk=wanted, status=InstrumentStatus.PUBLISHED)
        if wanted.isdigit()
        else current_instrument()
    )
    if instrument is None:
        raise Http404
    open_periods = list(Period.objects.filter(status=PeriodStatus.OPEN))
    period = next((p for p in open_periods if p.code == request.GET.get("period")), None)
    rows: Any = ()
    if period is not None:
        rows = results_sheet.prefilled_rows(request.user, instrument, period)
    return FileResponse(
        write_workbook(results_sheet.template_sheets(instrument, open_periods, rows)),
        as_attachment=True,
        filename=f"sinergi-results-{instrument.code}-{instrument.version}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
