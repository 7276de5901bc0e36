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

from sinergi.accounts.scoping import is_national_admin, may_write
from sinergi.collect import imports, services
from sinergi.collect.forms import UploadForm, too_big_message
from sinergi.collect.models import ImportJob
from sinergi.lib.htmx import render_page
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE, Sheet, write_workbook


def _writer(request: HttpRequest) -> None:
    if not may_write(request.user):
        raise PermissionDenied


def get_job(user: Any, job_id: int) -> ImportJob:
    """A job is its uploader's (and national admins'); for anyone else it does not exist."""
    if not may_write(user):
        raise PermissionDenied
    jobs = ImportJob.objects.all() if is_national_admin(user) else user.import_jobs.all()
    job: ImportJob = get_object_or_404(jobs, pk=job_id)
    return job


def _upload_page(
    request: HttpRequest, form: UploadForm, error: str = "", status: int = 200
) -> HttpResponse:
    recent = request.user.import_jobs.all()[:10]  # type: ignore[union-attr]
    context = {"form": form, "error": error, "recent": recent}
    return render(request, "collect/import_upload.html", context, status=status)


@csrf_exempt  # checked by csrf_protect below, once the declared size is known to be acceptable
@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Refuse an oversized body before Django reads it, then handle the form as usual."""
    _writer(request)
    if request.method == "POST":
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.IMPORT_MAX_BYTES:
            return _upload_page(request, UploadForm(), too_big_message(declared), status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = services.queue_import(user=request.user, upload=form.cleaned_data["file"])
            return redirect("collect:job_detail", job_id=job.pk)
        return _upload_page(request, form, status=400)
    return _upload_page(request, UploadForm())


@login_required
@require_GET
def import_template(request: HttpRequest) -> FileResponse:
    _writer(request)
    return FileResponse(
        write_workbook(imports.template_sheets()),
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
