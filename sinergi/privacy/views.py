"""Privacy pages: an actor's personal-data page (consent and correction history, requests,
erasure), her subject-access report (PDF, JSON), and the record of processing activities.

Only an officer whose scope covers the actor and who holds the NIK right may use them: out of
scope is 404 (as everywhere), in scope without the right is 403.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.scoping import is_national_admin
from sinergi.lib.crypto import decrypt
from sinergi.privacy import services
from sinergi.privacy.choices import ErasureBasis, RequestKind
from sinergi.privacy.forms import DoneForm, ErasureForm, RequestForm
from sinergi.privacy.models import Erasure, SubjectRequest
from sinergi.privacy.processing import activities
from sinergi.privacy.report import corrections, report_pdf, subject_report
from sinergi.registry.models import Actor
from sinergi.registry.queries import get_actor


def _actor(request: HttpRequest, actor_id: int) -> Actor:
    actor = get_actor(request.user, actor_id)
    if not services.may_handle(request.user, actor):
        raise PermissionDenied
    return actor


def _page(
    request: HttpRequest,
    actor: Actor,
    *,
    request_form: RequestForm | None = None,
    erasure_form: ErasureForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "actor": actor,
        "erasure": Erasure.objects.filter(actor=actor).first(),
        "consents": actor.consent_events.all(),
        "corrections": corrections(actor),
        "requests": SubjectRequest.objects.filter(actor=actor),
        "request_form": request_form or RequestForm(),
        "erasure_form": erasure_form or ErasureForm(),
        "done_form": DoneForm(),
        "now": timezone.now(),
    }
    return render(request, "privacy/actor_privacy.html", context, status=status)


@login_required
@require_GET
def actor_privacy(request: HttpRequest, actor_id: int) -> HttpResponse:
    return _page(request, _actor(request, actor_id))


def _report(request: HttpRequest, actor_id: int, fmt: str) -> dict[str, object]:
    actor = _actor(request, actor_id)
    nik = decrypt(actor.nik_encrypted) if actor.nik_encrypted else ""
    services.record_report(user=request.user, actor=actor, fmt=fmt)
    return subject_report(actor, nik=nik)


@login_required
@require_GET
def report_json(request: HttpRequest, actor_id: int) -> HttpResponse:
    report = _report(request, actor_id, "json")
    response = HttpResponse(
        json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="subject-{actor_id}.json"'
    return response


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, actor_id: int) -> HttpResponse:
    report = _report(request, actor_id, "pdf")
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-{actor_id}.pdf"'
    return response


@login_required
@require_POST
def request_create(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = _actor(request, actor_id)
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, request_form=form, status=400)
    services.record_request(
        user=request.user,
        actor=actor,
        kind=RequestKind(form.cleaned_data["kind"]),
        requester=form.cleaned_data["requester"],
        details=form.cleaned_data["details"],
        received_at=form.cleaned_data["received_at"],
    )
    messages.success(request, _("Request recorded."))
    return redirect("privacy:actor_privacy", actor_id=actor.pk)


@login_required
@require_POST
def request_done(request: HttpRequest, request_id: int) -> HttpResponse:
    subject_request = get_object_or_404(SubjectRequest, pk=request_id)
    actor = _actor(request, subject_request.actor_id)
    form = DoneForm(request.POST)
    if form.is_valid():
        services.complete_request(
            user=request.user, request=subject_request, outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, _("Request marked as answered."))
    return redirect("privacy:actor_privacy", actor_id=actor.pk)


@login_required
@require_POST
def actor_erase(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = _actor(request, actor_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, erasure_form=form, status=400)
    services.erase_actor(
        user=request.user,
        actor=actor,
        basis=ErasureBasis(form.cleaned_data["basis"]),
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Her personal data was erased; her results are kept."))
    return redirect("privacy:actor_privacy", actor_id=actor.pk)


@login_required
@require_GET
def processing_list(request: HttpRequest) -> HttpResponse:
    if not is_national_admin(request.user):
        raise Http404
    return render(request, "privacy/processing_list.html", {"activities": activities()})
