"""Mapping pages: assess an actor (with a live score), results, periods and instruments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.accounts.scoping import is_national_admin, lockable_regencies
from sinergi.assessments import services
from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus
from sinergi.assessments.forms import (
    InstrumentUploadForm,
    PeriodChoiceForm,
    PeriodForm,
    answer_sections,
    answers_from,
    provisional,
)
from sinergi.assessments.instrument.definition import Definition
from sinergi.assessments.instrument.reader import InvalidInstrument
from sinergi.assessments.models import Assessment, Instrument, Period, PeriodLock
from sinergi.assessments.scoring import Result, render_explanation
from sinergi.lib.problems import Problem
from sinergi.lib.scope import Do, allowed
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.registry.queries import get_actor


def language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def words(problems: Iterable[Problem]) -> list[str]:
    """Problems from the pure modules, translated for the reader."""
    return [_(p.text) % p.params if p.params else _(p.text) for p in problems]


def _actor_to_assess(request: HttpRequest, actor_id: int) -> Actor:
    actor = get_actor(request.user, actor_id)
    if not allowed(request.user, Do.CHANGE, actor):
        raise PermissionDenied
    return actor


def _require_national_admin(request: HttpRequest) -> None:
    """Instruments and periods are the national programme's business; elsewhere they are 404."""
    if not is_national_admin(request.user):
        raise Http404


# --- Assessing an actor --------------------------------------------------------------------


def _current_results(actor: Actor, periods: Iterable[Period]) -> dict[str, Assessment]:
    """The result that counts now, by period code, for the periods offered."""
    rows = Assessment.objects.filter(actor=actor, counted=True, period__in=list(periods))
    return {row.period.code: row for row in rows.select_related("period")}


@login_required
def assessment_create(request: HttpRequest, actor_id: int) -> HttpResponse:
    actor = _actor_to_assess(request, actor_id)
    instrument = services.current_instrument()
    periods = list(Period.objects.filter(status=PeriodStatus.OPEN))
    choice = PeriodChoiceForm(request.POST or None, offered=periods)
    current = _current_results(actor, periods)
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    refusal = ""
    definition = services.compiled(instrument).definition if instrument else None
    if request.method == "POST" and definition is not None:
        answers = answers_from(request.POST, definition)
        if choice.is_valid():
            try:
                submitted = services.submit_assessment(
                    user=request.user,
                    actor=actor,
                    period=choice.cleaned_data["period"],
                    answers=answers,
                    instrument=instrument,
                )
            except services.Refused as exc:
                errors = dict(exc.errors)
                refusal = " ".join(errors.pop("period", []) + errors.pop("instrument", []))
            else:
                if submitted.stored:
                    messages.success(request, _("Result saved."))
                else:
                    messages.info(request, _("These answers are already saved; nothing changed."))
                saved = submitted.assessment
                return redirect("assessments:assessment_detail", assessment_id=saved.pk)
    elif periods:
        wanted = request.GET.get("period", "")
        period = next((p for p in periods if p.code == wanted), periods[-1])
        choice = PeriodChoiceForm(initial={"period": period.code}, offered=periods)
        if period.code in current:
            answers = current[period.code].answers
    context = {
        "actor": actor,
        "instrument": instrument,
        "choice": choice,
        "periods": periods,
        "current": sorted(current.values(), key=lambda a: a.period.starts_on),
        "sections": answer_sections(definition, language(), answers, errors) if definition else [],
        "errors": errors,
        "refusal": refusal,
        "preview": _preview(instrument, answers),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/assessment_form.html", context, status=status)


def _preview(instrument: Instrument | None, answers: dict[str, Any]) -> dict[str, Any]:
    """The live score panel: what is answered so far, scored."""
    if instrument is None:
        return {}
    scoring = services.compiled(instrument)
    definition = scoring.definition
    result, problems, answered = provisional(scoring, answers)
    return {
        "result": result,
        "level": level_of(definition, result.level) if result else None,
        "aspects": _aspect_rows(definition, result) if result else [],
        "problems": [
            (definition.question(code).label.get(language()), words(items))
            for code, items in problems.items()
        ],
        "answered": answered,
        "questions": len(definition.questions),
    }


@login_required
@require_POST
def assessment_preview(request: HttpRequest, actor_id: int) -> HttpResponse:
    """The score so far, for the form's live panel (htmx)."""
    _actor_to_assess(request, actor_id)
    instrument = services.current_instrument()
    definition = services.compiled(instrument).definition if instrument else None
    answers = answers_from(request.POST, definition) if definition else {}
    context = {"preview": _preview(instrument, answers)}
    return render(request, "assessments/partials/_score.html", context)


def level_of(definition: Definition, code: str) -> tuple[str, int]:
    """A level's label in the reader's language, and its rank (1 for the lowest)."""
    level = definition.level(code)
    return level.label.get(language()), definition.levels.index(level) + 1


def _aspect_rows(definition: Definition, result: Result) -> list[dict[str, Any]]:
    return [
        {
            "label": aspect.label.get(language()),
            "score": result.aspects.get(aspect.code, 0),
            "max": aspect.max_score,
        }
        for aspect in definition.aspects
    ]


def _result_in_scope(request: HttpRequest, assessment_id: int) -> tuple[Assessment, Actor]:
    visible = Assessment.objects.visible_to(request.user)
    assessment = get_object_or_404(
        visible.select_related("period", "instrument", "verified_by", "created_by"),
        pk=assessment_id,
    )
    return assessment, get_actor(request.user, assessment.actor_id)


@login_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment, actor = _result_in_scope(request, assessment_id)
    definition = services.compiled(assessment.instrument).definition
    result = services.result_of(assessment)
    context = {
        "assessment": assessment,
        "actor": actor,
        "level": level_of(definition, assessment.level),
        "aspects": _aspect_rows(definition, result),
        "explanation": render_explanation(result, definition, language()),
        "max_total": definition.max_total,
        "may_verify": assessment.counted
        and assessment.status == AssessmentStatus.SUBMITTED
        and allowed(request.user, Do.VERIFY, assessment),
        "may_assess": allowed(request.user, Do.CHANGE, actor),
    }
    return render(request, "assessments/assessment_detail.html", context)


@login_required
@require_POST
def assessment_verify(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment, _actor = _result_in_scope(request, assessment_id)
    if not allowed(request.user, Do.VERIFY, assessment):
        raise PermissionDenied
    try:
        services.verify_assessment(user=request.user, assessment=assessment)
    except services.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Result verified."))
    return redirect("assessments:assessment_detail", assessment_id=assessment.pk)


# --- Periods -------------------------------------------------------------------------------


def _unverified(regencies: list[Region]) -> dict[tuple[int, str], int]:
    """Counted results still waiting for verification, by (period id, regency code)."""
    rows = (
        Assessment.objects.within(*(r.code for r in regencies))
        .filter(counted=True, status=AssessmentStatus.SUBMITTED)
        .values("period_id", "regency_code")
        .annotate(n=Count("id"))
    )
    return {(row["period_id"], row["regency_code"]): row["n"] for row in rows}


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    admin = is_national_admin(request.user)
    regencies = lockable_regencies(request.user)
    if not admin and not regencies:
        raise Http404
    periods = list(Period.objects.all())
    locked = set(
        PeriodLock.objects.filter(regency__in=regencies).values_list("period_id", "regency_id")
    )
    unverified = _unverified(regencies)
    rows = [
        {
            "period": period,
            "regencies": [
                (r, (period.pk, r.code) in locked, unverified.get((period.pk, r.code), 0))
                for r in regencies
            ],
        }
        for period in periods
    ]
    context = {"rows": rows, "admin": admin, "statuses": PeriodStatus}
    return render(request, "assessments/period_list.html", context)


@login_required
def period_create(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.create_period(user=request.user, **form.cleaned_data)
        except services.Refused as exc:
            for field, texts in exc.errors.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(request, _("Period %(code)s created.") % {"code": period.code})
            return redirect("assessments:period_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/period_form.html", {"form": form}, status=status)


@login_required
@require_POST
def period_status(request: HttpRequest, period_id: int) -> HttpResponse:
    _require_national_admin(request)
    period = get_object_or_404(Period, pk=period_id)
    status = request.POST.get("status", "")
    if status not in PeriodStatus.values:
        return HttpResponse(_("Unknown status."), status=400)
    services.set_period_status(user=request.user, period=period, status=status)
    messages.success(
        request,
        _("Period %(code)s is now %(status)s.")
        % {"code": period.code, "status": PeriodStatus(status).label},
    )
    return redirect("assessments:period_list")


def _lock_target(request: HttpRequest, period_id: int) -> tuple[Period, Region]:
    """The period and one of the user's own regencies; anything else does not exist."""
    code = request.POST.get("regency", "")
    regency = next((r for r in lockable_regencies(request.user) if r.code == code), None)
    if regency is None:
        raise Http404
    return get_object_or_404(Period, pk=period_id), regency


@login_required
@require_POST
def period_lock(request: HttpRequest, period_id: int) -> HttpResponse:
    period, regency = _lock_target(request, period_id)
    services.lock_period(user=request.user, period=period, regency=regency)
    messages.success(
        request,
        _("Results of %(regency)s for %(code)s are locked.")
        % {"regency": regency.name, "code": period.code},
    )
    return redirect("assessments:period_list")


@login_required
@require_POST
def period_unlock(request: HttpRequest, period_id: int) -> HttpResponse:
    period, regency = _lock_target(request, period_id)
    services.unlock_period(user=request.user, period=period, regency=regency)
    messages.success(
        request,
        _("Results of %(regency)s for %(code)s are unlocked.")
        % {"regency": regency.name, "code": period.code},
    )
    return redirect("assessments:period_list")


# --- Instruments ---------------------------------------------------------------------------


def _instrument(request: HttpRequest, instrument_id: int) -> Instrument:
    _require_national_admin(request)
    return get_object_or_404(Instrument, pk=instrument_id)


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    current = services.current_instrument()
    context = {
        "instruments": Instrument.objects.select_related("created_by"),
        "current": current.pk if current else None,
    }
    return render(request, "assessments/instrument_list.html", context)


@login_required
def instrument_detail(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = _instrument(request, instrument_id)
    definition = services.compiled(instrument).definition
    lang = language()
    levels = [
        (level, [(definition.aspect(g.aspect).label.get(lang), g) for g in level.gates])
        for level in reversed(definition.levels)
    ]
    context = {
        "instrument": instrument,
        "definition": definition,
        "levels": levels,
        "lang": lang,
        "statuses": InstrumentStatus,
    }
    return render(request, "assessments/instrument_detail.html", context)


@login_required
def instrument_upload(request: HttpRequest) -> HttpResponse:
    _require_national_admin(request)
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.upload_instrument(
                user=request.user, source=form.cleaned_data["source"]
            )
        except InvalidInstrument as exc:
            problems = words(exc.problems)
        else:
            messages.success(
                request, _("Draft %(key)s stored. Check it, then publish.") % {"key": instrument}
            )
            return redirect("assessments:instrument_detail", instrument_id=instrument.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "problems": problems}
    return render(request, "assessments/instrument_upload.html", context, status=status)


def _change_instrument(request: HttpRequest, instrument_id: int, publish: bool) -> HttpResponse:
    instrument = _instrument(request, instrument_id)
    change = services.publish_instrument if publish else services.retire_instrument
    try:
        change(user=request.user, instrument=instrument)
    except services.Refused as exc:
        messages.error(request, str(exc))
    else:
        done = _("%(key)s is published.") if publish else _("%(key)s is retired.")
        messages.success(request, done % {"key": instrument})
    return redirect("assessments:instrument_detail", instrument_id=instrument.pk)


@login_required
@require_POST
def instrument_publish(request: HttpRequest, instrument_id: int) -> HttpResponse:
    return _change_instrument(request, instrument_id, publish=True)


@login_required
@require_POST
def instrument_retire(request: HttpRequest, instrument_id: int) -> HttpResponse:
    return _change_instrument(request, instrument_id, publish=False)
