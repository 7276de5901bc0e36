"""Actors' levels for the registry's lists: the counted result in a period, or the latest."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from sinergi.assessments.models import Assessment, Period
from sinergi.registry.models import Actor


class AssessmentLevels:
    """The registry's LevelSource, backed by counted assessments."""

    def level_codes(self) -> list[str]:
        from sinergi.assessments.services import compiled, current_instrument

        instrument = current_instrument()
        return list(compiled(instrument).level_order) if instrument else []

    def period_exists(self, code: str) -> bool:
        return Period.objects.filter(code=code).exists()

    def with_levels(self, queryset: QuerySet[Actor], period: str | None) -> QuerySet[Actor]:
        counted = Assessment.objects.filter(actor=OuterRef("pk"), counted=True)
        if period is None:
            latest = counted.order_by("-period__starts_on").values("level")[:1]
            return queryset.annotate(level=Subquery(latest))
        in_period = counted.filter(period__code=period).values("level")[:1]
        return queryset.annotate(level=Subquery(in_period)).filter(level__isnull=False)
