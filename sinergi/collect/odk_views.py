"""Field collection pages: setting up ODK Collect, the forms as files, and the inbox of
submissions the server could not accept (fix and process again, or dismiss)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.scoping import may_write
from sinergi.assessments.choices import InstrumentStatus
from sinergi.assessments.models import Instrument
from sinergi.assessments.services import Refused
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect import submissions, xforms
from sinergi.collect.choices import SubmissionStatus
from sinergi.collect.forms import SubmissionFixForm
from sinergi.collect.models import Submission, SubmissionFile
from sinergi.lib.scope import Principal
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE

PAGE_SIZE = 50
# Photos come from phones with whatever type they claim; only these are served as such.
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _writer(request: HttpRequest) -> None:
    if not may_write(request.user):
        raise PermissionDenied


def get_submission(user: Principal, pk: int) -> Submission:
    found: Submission = get_object_or_404(
        Submission.objects.visible_to(user).select_related("submitted_by", "actor", "assessment"),
        pk=pk,
    )
    return found


@login_required
@require_GET
def odk_setup(request: HttpRequest) -> HttpResponse:
    """What to type into ODK Collect, and the current forms as files."""
    _writer(request)
    forms = xforms.fillable_instruments()
    server = request.build_absolute_uri(reverse("openrosa:form_list")).removesuffix("formList")
    context = {
        "server": server.rstrip("/"),
        "forms": forms,
        "username": request.user.get_username(),
    }
    return render(request, "collect/odk_setup.html", context)


def _published(pk: int) -> Instrument:
    found: Instrument = get_object_or_404(
        Instrument, pk=pk, status__in=[InstrumentStatus.PUBLISHED, InstrumentStatus.RETIRED]
    )
    return found


@login_required
@require_GET
def form_xlsform(request: HttpRequest, instrument_id: int) -> FileResponse:
    _writer(request)
    instrument = _published(instrument_id)
    return FileResponse(
        xforms.xlsform_stream(instrument),
        as_attachment=True,
        filename=f"{instrument.code}-{instrument.version}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
def form_xform(request: HttpRequest, instrument_id: int) -> HttpResponse:
    _writer(request)
    instrument = _published(instrument_id)
    response = HttpResponse(xforms.xform(instrument), content_type="text/xml; charset=utf-8")
    filename = f"{instrument.code}-{instrument.version}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    """The inbox: rejected submissions first; accepted and dismissed ones on request."""
    status = request.GET.get("status") or SubmissionStatus.REJECTED
    if status not in SubmissionStatus.values:
        status = SubmissionStatus.REJECTED
    rows = (
        Submission.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("submitted_by", "actor")
        .order_by("-received_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": SubmissionStatus.choices}
    return render(request, "collect/submission_list.html", context)


def _may_fix(user: Principal, submission: Submission) -> bool:
    return submission.status == SubmissionStatus.REJECTED and may_write(user)


def _detail(
    request: HttpRequest, submission: Submission, form: SubmissionFixForm, status: int = 200
) -> HttpResponse:
    context = {
        "submission": submission,
        "form": form,
        "may_fix": _may_fix(request.user, submission),
        "files": submission.files.all(),
    }
    return render(request, "collect/submission_detail.html", context, status=status)


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission(request.user, pk)
    record(request.user, Action.VIEW_PERSONAL, submission)
    return _detail(request, submission, SubmissionFixForm(initial={"xml": submission.xml}))


@login_required
@require_POST
def submission_reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission(request.user, pk)
    if not _may_fix(request.user, submission):
        raise PermissionDenied
    form = SubmissionFixForm(request.POST)
    if not form.is_valid():
        return _detail(request, submission, form, status=400)
    try:
        outcome = submissions.reprocess_submission(
            user=request.user, submission=submission, xml=form.cleaned_data["xml"]
        )
    except submissions.Unreadable as exc:
        form.add_error("xml", str(exc))
        return _detail(request, submission, form, status=400)
    if outcome.status >= 400:
        form.add_error(None, outcome.message)
        submission.refresh_from_db()
        return _detail(request, submission, form, status=422)
    return redirect("collect:submission_detail", pk=submission.pk)


@login_required
@require_POST
def submission_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission(request.user, pk)
    if not _may_fix(request.user, submission):
        raise PermissionDenied
    try:
        submissions.dismiss_submission(user=request.user, submission=submission)
    except Refused:
        raise PermissionDenied from None
    return redirect("collect:submission_list")


@login_required
@require_GET
def submission_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    submission = get_submission(request.user, pk)
    attached: SubmissionFile = get_object_or_404(submission.files, pk=file_id)
    record(request.user, Action.VIEW_PERSONAL, attached, note="photo")
    kind = attached.content_type if attached.content_type in _IMAGE_TYPES else None
    return FileResponse(
        attached.file.open("rb"),
        filename=attached.name,
        content_type=kind or "application/octet-stream",
        as_attachment=True,
    )
