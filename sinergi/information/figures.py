"""The yearly figures of information requests the public page shows: counts only, never a
requester."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from sinergi.information import workdays
from sinergi.information.choices import OPEN, RequestStatus
from sinergi.information.models import Holiday, InformationRequest


@dataclass(frozen=True)
class YearFigures:
    year: int
    received: int
    answered: int
    open: int
    answered_late: int
    median_days: float | None  # working days from receipt to answer


def year_figures(year: int) -> YearFigures:
    rows = list(
        InformationRequest.objects.filter(received_at__year=year).values_list(
            "status", "received_at", "answered_at", "due_on", "extended_due_on"
        )
    )
    holidays = frozenset(
        Holiday.objects.filter(date__gte=date(year, 1, 1)).values_list("date", flat=True)
    )
    days, late = [], 0
    for status, received_at, answered_at, due_on, extended_due_on in rows:
        if status != RequestStatus.ANSWERED or answered_at is None:
            continue
        answered_on = timezone.localdate(answered_at)
        days.append(
            workdays.working_days_between(timezone.localdate(received_at), answered_on, holidays)
        )
        late += answered_on > (extended_due_on or due_on)
    return YearFigures(
        year=year,
        received=len(rows),
        answered=len(days),
        open=sum(1 for row in rows if row[0] in OPEN),
        answered_late=late,
        median_days=statistics.median(days) if days else None,
    )
