"""The pages of the staff who answer information requests (the national admin, for the
PPID): requests with their deadlines, each read audited; the periodic information and the
holidays the deadlines skip. To anyone else these pages do not exist (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sinergi.information import services
from sinergi.information.choices import OPEN, RequestStatus
from sinergi.information.forms import (
    AnswerForm,
    EntryForm,
    ExtendForm,
    HolidayForm,
    ObjectionAnswerForm,
    WithdrawForm,
    refused_into,
)
from sinergi.information.models import (
    Holiday,
    InformationRequest,
    Objection,
    PeriodicInformation,
)

View = Callable[..., HttpResponse]


def staff_page(view: View) -> View:
    """Signed in, and one of the staff who handle requests; to anyone else, not found."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.may_handle(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@staff_page
@require_http_methods(["GET"])
def request_list(request: HttpRequest) -> HttpResponse:
    rows = InformationRequest.objects.only(
        "tracking_number", "received_at", "status", "outcome", "due_on", "extended_due_on"
    )
    status = request.GET.get("status", "")
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status in RequestStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    objected = set(
        Objection.objects.filter(
            request__in=[row.pk for row in page], answered_at__isnull=True
        ).values_list("request_id", flat=True)
    )
    context = {
        "page": page,
        "rows": [(row, row.is_overdue(today), row.pk in objected) for row in page],
        "status": status,
        "statuses": [("open", _("Open")), *RequestStatus.choices],
    }
    return render(request, "information/request_list.html", context)


def _detail(request: HttpRequest, item: InformationRequest, **bound: forms.Form) -> HttpResponse:
    services.view_request(user=request.user, request=item)
    context = {
        "item": item,
        "steps": item.steps.select_related("by"),
        "overdue": item.is_overdue(timezone.localdate()),
        "is_open": item.status in OPEN,
        "extend_form": bound.get("extend") or ExtendForm(),
        "answer_form": bound.get("answer") or AnswerForm(),
        "withdraw_form": bound.get("withdraw") or WithdrawForm(),
        "process_form": bound.get("process"),
        "objection": getattr(item, "objection", None),
        "objection_form": bound.get("objection") or ObjectionAnswerForm(),
    }
    return render(request, "information/request_detail.html", context, status=400 if bound else 200)


@staff_page
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, info_request_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(InformationRequest, pk=info_request_id))


Step = Callable[[Any, InformationRequest, dict[str, Any]], object]

# Each step of a request: the form that validates it and the service that takes it.
_STEPS: dict[str, tuple[type[forms.Form], Step]] = {
    "process": (
        forms.Form,
        lambda user, item, _data: services.start_processing(user=user, request=item),
    ),
    "extend": (
        ExtendForm,
        lambda user, item, data: services.extend_request(user=user, request=item, **data),
    ),
    "answer": (
        AnswerForm,
        lambda user, item, data: services.answer_request(user=user, request=item, **data),
    ),
    "objection": (
        ObjectionAnswerForm,
        lambda user, item, data: services.answer_objection(user=user, request=item, **data),
    ),
    "withdraw": (
        WithdrawForm,
        lambda user, item, data: services.withdraw_request(user=user, request=item, **data),
    ),
}


@staff_page
@require_POST
def request_action(request: HttpRequest, info_request_id: int, action: str) -> HttpResponse:
    """One step of a request: process, extend, answer or withdraw; a refusal shows the
    detail again with the errors on the fields they concern."""
    if action not in _STEPS:
        raise Http404
    item = get_object_or_404(InformationRequest, pk=info_request_id)
    form_class, step = _STEPS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            step(request.user, item, form.cleaned_data)
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            return redirect("information:request_detail", item.pk)
    return _detail(request, item, **{action: form})


@staff_page
@require_http_methods(["GET", "POST"])
def entry_list(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        try:
            services.publish_entry(user=request.user, data=form.data_for_service())
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            return redirect("information:entry_list")
    context = {"form": form, "entries": PeriodicInformation.objects.all()}
    return render(
        request, "information/entry_list.html", context, status=400 if form.errors else 200
    )


@staff_page
@require_POST
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(PeriodicInformation, pk=entry_id)
    services.remove_entry(user=request.user, entry=entry)
    return redirect("information:entry_list")


@staff_page
@require_http_methods(["GET", "POST"])
def holiday_list(request: HttpRequest) -> HttpResponse:
    form = HolidayForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.add_holiday(user=request.user, **form.cleaned_data)
        except services.Refused as refused:
            refused_into(form, refused)
        else:
            return redirect("information:holiday_list")
    context = {"form": form, "holidays": Holiday.objects.all()}
    return render(
        request, "information/holiday_list.html", context, status=400 if form.errors else 200
    )


@staff_page
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_object_or_404(Holiday, pk=holiday_id)
    services.remove_holiday(user=request.user, holiday=holiday)
    return redirect("information:holiday_list")
