"""Mapping pieces other apps' templates show without importing the mapping: an actor's
timeline of results, the level filters of the actor list, the mapping's navigation links."""

from __future__ import annotations

from typing import Any

from django import template

from sinergi.accounts.scoping import is_national_admin, lockable_regencies
from sinergi.assessments import services
from sinergi.assessments.choices import AssessmentStatus
from sinergi.assessments.instrument.definition import Label
from sinergi.assessments.models import Assessment, Period
from sinergi.assessments.views import level_of
from sinergi.lib.scope import Do, allowed
from sinergi.registry.models import Actor

register = template.Library()


@register.filter
def tr(label: Label | None, lang: str) -> str:
    """An instrument's bilingual label in the reader's language."""
    return label.get(lang) if label is not None else ""


@register.simple_tag(takes_context=True)
def mapping_nav(context: Any) -> dict[str, bool]:
    user = context["request"].user
    admin = is_national_admin(user)
    return {"instruments": admin, "periods": admin or bool(lockable_regencies(user))}


@register.inclusion_tag("assessments/partials/_timeline.html", takes_context=True)
def actor_results(context: Any, actor: Actor) -> dict[str, Any]:
    """Every result of the actor, period by period: the one that counts first, superseded
    ones after it."""
    user = context["request"].user
    rows = Assessment.objects.filter(actor=actor).select_related("period", "instrument")
    periods: dict[int, dict[str, Any]] = {}
    verifier = allowed(user, Do.VERIFY, actor)
    for row in rows.order_by("-period__starts_on", "-id"):
        entry = {
            "row": row,
            "level": level_of(services.compiled(row.instrument).definition, row.level),
            "superseded": not row.counted and row.status != AssessmentStatus.DRAFT,
            "may_verify": verifier and row.counted and row.status == AssessmentStatus.SUBMITTED,
        }
        group = periods.setdefault(row.period_id, {"period": row.period, "results": []})
        group["results"].append(entry)
    return {
        "actor": actor,
        "periods": list(periods.values()),
        "may_assess": allowed(user, Do.CHANGE, actor),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assessments/partials/_level_filters.html")
def level_filters(params: Any) -> dict[str, Any]:
    """The period and level inputs of the actor list's filter form."""
    instrument = services.current_instrument()
    return {
        "params": params,
        "periods": Period.objects.values_list("code", "name"),
        "levels": [
            (level.code, level.name)
            for level in (services.compiled(instrument).definition.levels if instrument else ())
        ],
    }
