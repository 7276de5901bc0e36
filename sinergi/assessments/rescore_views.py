"""Re-scoring pages (national admin only; anyone else gets 404): ask for a run, follow it,
read its before/after report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from sinergi.accounts.scoping import is_national_admin
from sinergi.assessments import rescoring, services
from sinergi.assessments.choices import InstrumentStatus
from sinergi.assessments.models import Instrument, RescoreJob
from sinergi.assessments.rescore_forms import RescoreForm
from sinergi.lib.htmx import render_page
from sinergi.regions.models import Region

SHOWN_PROBLEMS = 200


def _admin_only(request: HttpRequest) -> None:
    if not is_national_admin(request.user):
        raise Http404


def _target(instrument_id: str | None) -> Instrument:
    """The version asked for (?instrument=, published), else the current one."""
    if instrument_id is None:
        current = services.current_instrument()
        if current is None:
            raise Http404
        return current
    if not instrument_id.isdigit():
        raise Http404
    instrument: Instrument = get_object_or_404(
        Instrument, pk=int(instrument_id), status=InstrumentStatus.PUBLISHED
    )
    return instrument


@login_required
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    instrument = _target(request.GET.get("instrument"))
    form = RescoreForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            job = rescoring.queue_rescore(
                user=request.user, instrument=instrument, **form.as_service_arguments()
            )
        except services.Refused as refused:
            for field, messages in refused.errors.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("rescore:job_detail", rescore_id=job.pk)
    context = {"form": form, "instrument": instrument}
    status = 400 if form.errors else 200
    return render(request, "assessments/rescore/job_new.html", context, status=status)


@dataclass(frozen=True)
class ReportRow:
    code: str
    name: str
    rescored: int
    up: int
    same: int
    down: int
    invalid: int
    moves: list[tuple[str, int]]  # (column label, count) per column of `ReportTable.moves`


@dataclass(frozen=True)
class ReportTable:
    moves: list[str]  # "IR1 → IR2": the level changes that occur, lowest first
    rows: list[ReportRow]
    total: ReportRow | None


def report_table(job: RescoreJob) -> ReportTable:
    """The job's report by regency, with a column for every level change that happened."""
    regencies: dict[str, dict[str, Any]] = job.report.get("regencies", {})
    order = {code: i for i, code in enumerate(job.report.get("levels", []))}
    pairs = sorted(
        {
            (old, new)
            for counts in regencies.values()
            for old, to in counts["moves"].items()
            for new in to
            if old != new
        },
        key=lambda p: (order.get(p[0], len(order)), p[0], order.get(p[1], len(order)), p[1]),
    )
    labels = [f"{old} → {new}" for old, new in pairs]
    names = dict(Region.objects.filter(code__in=regencies).values_list("code", "name"))
    rows = [
        ReportRow(
            code=code,
            name=names.get(code, ""),
            rescored=counts["rescored"],
            up=counts["up"],
            same=counts["same"],
            down=counts["down"],
            invalid=counts["invalid"],
            moves=[
                (label, counts["moves"].get(old, {}).get(new, 0))
                for label, (old, new) in zip(labels, pairs, strict=True)
            ],
        )
        for code, counts in sorted(regencies.items())
    ]
    total = None
    if len(rows) > 1:
        total = ReportRow(
            code="",
            name="",
            rescored=sum(r.rescored for r in rows),
            up=sum(r.up for r in rows),
            same=sum(r.same for r in rows),
            down=sum(r.down for r in rows),
            invalid=sum(r.invalid for r in rows),
            moves=[(label, sum(r.moves[i][1] for r in rows)) for i, label in enumerate(labels)],
        )
    return ReportTable(labels, rows, total)


def _problems(job: RescoreJob) -> list[dict[str, Any]]:
    periods = dict(job.periods.values_list("pk", "code"))
    return [
        {
            "actor": message["actor"],
            "period": periods.get(message["period"], message["period"]),
            "regency": message["regency"],
            "problems": rescoring.rescore_problems(message),
        }
        for message in job.messages[:SHOWN_PROBLEMS]
    ]


@login_required
@require_GET
def job_detail(request: HttpRequest, rescore_id: int) -> HttpResponse:
    _admin_only(request)
    job = get_object_or_404(RescoreJob.objects.select_related("instrument"), pk=rescore_id)
    context: dict[str, Any] = {"job": job}
    if job.finished:
        context["table"] = report_table(job)
        context["problems"] = _problems(job)
        context["more"] = max(job.invalid - SHOWN_PROBLEMS, 0)
    return render_page(
        request,
        "assessments/rescore/job_detail.html",
        "assessments/rescore/partials/_job_progress.html",
        context,
    )
