"""POST /api/v1/assessments (score and store a result) and GET /api/v1/assessments?actor=ID."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sinergi.assessments import services
from sinergi.assessments.choices import Source
from sinergi.assessments.models import Assessment, Period
from sinergi.assessments.scoring import Result, render_explanation
from sinergi.lib.errors import InvalidInput
from sinergi.lib.pagination import cursor_page
from sinergi.lib.scope import Do, allowed
from sinergi.registry.queries import get_actor

router = Router(tags=["assessments"])


class AssessmentIn(Schema):
    actor: int
    period: str
    answers: dict[str, Any]


class AssessmentOut(Schema):
    id: int
    actor: int
    period: str
    level: str
    total_score: float
    aspects: dict[str, float]
    graduate: bool
    instrument: str
    status: str
    counted: bool
    superseded: bool
    answers: dict[str, Any]
    explanation: list[str]
    created_at: datetime


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]
    next: str | None


def serialize(
    rows: list[Assessment], results: dict[int, Result] | None = None
) -> list[dict[str, Any]]:
    language = get_language() or "id"
    items = []
    for row in rows:
        compiled = services.compiled(row.instrument)
        result = (results or {}).get(row.pk) or services.result_of(row)
        items.append(
            {
                "id": row.pk,
                "actor": row.actor_id,
                "period": row.period.code,
                "level": row.level,
                "total_score": row.total_score,
                "aspects": row.aspects,
                "graduate": row.graduate,
                "instrument": row.instrument.key,
                "status": row.status,
                "counted": row.counted,
                "superseded": not row.counted and row.status != "draft",
                "answers": row.answers,
                "explanation": render_explanation(result, compiled.definition, language),
                "created_at": row.created_at,
            }
        )
    return items


@router.post(
    "/assessments",
    response={200: AssessmentOut, 201: AssessmentOut},
    summary="Score and store a result (200: the same answers were already stored)",
)
def create_assessment(request: HttpRequest, body: AssessmentIn) -> Status[dict[str, Any]]:
    actor = get_actor(request.user, body.actor)
    if not allowed(request.user, Do.CHANGE, actor):
        raise HttpError(403, _("Your role may not record results for this actor."))
    period = Period.objects.filter(code=body.period).first()
    if period is None:
        raise InvalidInput(
            {"period": [_("Period %(code)s does not exist.") % {"code": body.period}]}
        )
    try:
        submitted = services.submit_assessment(
            user=request.user, actor=actor, period=period, answers=body.answers, source=Source.API
        )
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    assessment = submitted.assessment
    # 200: a retry after a lost answer, nothing new.
    return Status(
        201 if submitted.stored else 200,
        serialize([assessment], {assessment.pk: submitted.result})[0],
    )


@router.get("/assessments", response=AssessmentPage, summary="An actor's results, superseded too")
def list_assessments(request: HttpRequest, actor: int) -> dict[str, Any]:
    owner = get_actor(request.user, actor)
    rows = Assessment.objects.filter(actor=owner).select_related("period", "instrument")
    return cursor_page(request, rows, serialize)
