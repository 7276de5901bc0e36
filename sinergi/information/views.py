"""The public pages of public information: the periodic information (cached, no form), the
request form, the status lookup and the objection (not cached: they carry a CSRF token)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.information import choices, services, spam
from sinergi.information.figures import year_figures
from sinergi.information.forms import ObjectionForm, RequestForm, StatusForm, refused_into
from sinergi.information.models import InformationRequest, PeriodicInformation
from sinergi.portal.caching import public_page
from sinergi.regions.models import ModelRegion

REQUESTS_PER_HOUR = 5
LOOKUPS_PER_HOUR = 20

_DEADLINES = {
    "answer_days": choices.ANSWER_DAYS,
    "extension_days": choices.EXTENSION_DAYS,
    "objection_days": choices.OBJECTION_DAYS,
}


@require_GET
@public_page
def information_index(request: HttpRequest) -> HttpResponse:
    labels = dict(choices.Category.choices)
    order = list(labels)  # the order of Pasal 9
    entries = sorted(PeriodicInformation.objects.all(), key=lambda e: order.index(e.category))
    year = timezone.localdate().year
    context = {
        "categories": [
            (labels[key], list(group)) for key, group in groupby(entries, lambda e: e.category)
        ],
        "model_regions": ModelRegion.objects.select_related("region__parent"),
        "figures": [year_figures(year), year_figures(year - 1)],
        **_DEADLINES,
    }
    return render(request, "information/information_index.html", context)


@require_GET
def entry_document(request: HttpRequest, entry_id: int) -> FileResponse:
    entry = get_object_or_404(PeriodicInformation, pk=entry_id)
    if not entry.document:
        raise Http404
    return FileResponse(
        entry.document.open("rb"),
        filename=f"{entry.title[:80]}.pdf".replace("/", "-"),
        content_type="application/pdf",
    )


def _request_page(request: HttpRequest, form: RequestForm, problem: str | None) -> HttpResponse:
    context = {"form": form, "problem": problem, "token": spam.issue_token(), **_DEADLINES}
    return render(request, "information/request_form.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _request_page(request, RequestForm(), None)
    form = RequestForm(request.POST)
    problem = spam.refusal(request, "request", REQUESTS_PER_HOUR)
    if problem is not None:
        return _request_page(request, form, problem)
    if not form.is_valid():
        return _request_page(request, form, None)
    created = services.submit_request(user=None, data=form.data_for_service())
    spam.count_rate(request, "request")
    return render(request, "information/request_done.html", {"info_request": created, **_DEADLINES})


def _lookup(request: HttpRequest, form: StatusForm) -> tuple[InformationRequest | None, str]:
    """The request a tracking number and email name together, or why none is shown: a wrong
    pair of the two answers exactly as an unknown number does."""
    try:
        spam.check_rate(request, "status", LOOKUPS_PER_HOUR)
    except spam.Spam as refused:
        return None, str(refused)
    spam.count_rate(request, "status")
    if not form.is_valid():
        return None, ""
    found = InformationRequest.objects.filter(
        tracking_number__iexact=form.cleaned_data["tracking_number"].strip(),
        email__iexact=form.cleaned_data["email"],
    ).first()
    if found is None:
        return None, _(
            "No request matches this tracking number and email. Check both and try again."
        )
    return found, ""


def _status_page(
    request: HttpRequest,
    form: StatusForm,
    found: InformationRequest | None,
    problem: str,
    objection_form: ObjectionForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "found": found, "problem": problem, **_DEADLINES}
    if found is not None:
        today = timezone.localdate()
        context["overdue"] = found.is_overdue(today)
        context["objection_until"] = services.objection_window(found, today)
        context["objection"] = getattr(found, "objection", None)
        if services.may_object(found, today):
            context["objection_form"] = objection_form or ObjectionForm(
                initial={"tracking_number": found.tracking_number, "email": found.email}
            )
    return render(request, "information/request_status.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def request_status(request: HttpRequest) -> HttpResponse:
    """A requester's own request, by its tracking number and her email."""
    form = StatusForm(request.POST if request.method == "POST" else None)
    found, problem = _lookup(request, form) if form.is_bound else (None, "")
    return _status_page(request, form, found, problem)


@never_cache
@require_POST
def objection_create(request: HttpRequest) -> HttpResponse:
    """The requester's objection, from the status page (tracking number and email again)."""
    status_form = StatusForm(request.POST)
    found, problem = _lookup(request, status_form)
    if found is None:
        return _status_page(request, status_form, None, problem)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _status_page(request, status_form, found, "", form)
    try:
        services.file_objection(
            user=None,
            request=found,
            reason=form.cleaned_data["reason"],
            statement=form.cleaned_data["statement"],
        )
    except services.Refused as refused:
        refused_into(form, refused)
        return _status_page(request, status_form, found, "", form)
    found.refresh_from_db()
    return _status_page(request, status_form, found, "")
