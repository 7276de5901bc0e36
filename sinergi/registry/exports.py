"""Exports of the scoped, filtered actor list as .xlsx and .csv; every export is audited."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from sinergi.accounts.models import User
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.crypto import decrypt
from sinergi.lib.scope import Do, allowed
from sinergi.lib.xlsx import XLSX_CONTENT_TYPE, Sheet, neutralise, write_workbook
from sinergi.registry.choices import LegalityKind
from sinergi.registry.events import export_filters
from sinergi.registry.models import Actor
from sinergi.registry.queries import (
    BadFilter,
    audited_filters,
    audited_region,
    filter_actors,
)

# The spreadsheet layout of an actor, shared by exports and the import template: an export
# with clear NIKs can be edited and imported back.
COLUMNS = (
    "nik",
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "village_code",
    "business_name",
    "sector",
    "products",
    "year_started",
    "consent_date",
    "consent_programme",
    "consent_partners",
    "consent_publication",
    "facilitator",
    "status",
    "nib",
    "pirt",
    "halal",
    "other_legality",
)
# Columns an export adds for the reader; an import of the edited export ignores them.
REFERENCE_COLUMNS = ("id", "village_name", "level")
EXPORT_COLUMNS = ("id", *COLUMNS, "village_name", "level")
_NUMBERED = (LegalityKind.NIB, LegalityKind.PIRT, LegalityKind.HALAL)


def _yes_no(value: bool) -> str:
    return "ya" if value else "tidak"


def actor_row(actor: Actor, nik: str | None) -> list[Any]:
    """One exported row, in EXPORT_COLUMNS order (legality items must be prefetched).

    Without the clear NIK (None), the row has its masked form and the birth year alone: with
    the region, a birth date is 12 of the NIK's 16 digits.
    """
    numbers: dict[str, list[str]] = {kind: [] for kind in _NUMBERED}
    others: list[str] = []
    for item in actor.legality_items.all():
        if item.kind in numbers:
            numbers[item.kind].append(item.number)
        else:
            others.append(item.kind)
    return [
        actor.pk,
        actor.nik_masked if nik is None else nik,
        actor.name,
        actor.sex,
        actor.birth_date.year if nik is None else actor.birth_date,
        actor.phone,
        actor.address,
        actor.village_id,
        actor.business_name,
        actor.sector,
        actor.products,
        actor.year_started,
        actor.consent_date,
        _yes_no(actor.consent_programme),
        _yes_no(actor.consent_partners),
        _yes_no(actor.consent_publication),
        actor.facilitator.username if actor.facilitator else "",
        actor.status,
        *(", ".join(numbers[kind]) for kind in _NUMBERED),
        ", ".join(others),
        actor.village.name,
        # The latest counted level, annotated by filter_actors' level source.
        getattr(actor, "level", None) or "",
    ]


def _rows(user: User | AnonymousUser, actors: QuerySet[Actor]) -> Iterator[list[Any]]:
    """Rows of the export; the NIK is clear only where the user may reveal it."""
    for actor in actors.iterator(chunk_size=2000):
        reveal = allowed(user, Do.REVEAL_NIK, actor)
        yield actor_row(actor, decrypt(actor.nik_encrypted) if reveal else None)


def _prepare(request: HttpRequest, fmt: str) -> QuerySet[Actor] | HttpResponse:
    """The scoped, filtered list, and the audit row saying what leaves the system."""
    try:
        actors = filter_actors(Actor.objects.visible_to(request.user), request.GET)
    except BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    for keep in export_filters:
        actors = keep(actors)
    count = actors.count()
    revealable = Actor.objects.visible_to(request.user, Do.REVEAL_NIK)
    clear = actors.filter(pk__in=revealable.values("pk")).count()
    exported = Subject(
        "actor", repr=f"{count} actors", region=audited_region(request.user, request.GET)
    )
    record(
        request.user,
        Action.EXPORT,
        exported,
        after={
            "format": fmt,
            "filters": audited_filters(request.GET),
            "rows": count,
            "nik_clear": clear,
        },
        note=f"actor export ({fmt}), {count} rows, NIK in clear for {clear}",
    )
    return actors.select_related("village", "facilitator").prefetch_related("legality_items")


def _filename(ext: str) -> str:
    return f"actors-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    actors = _prepare(request, "xlsx")
    if isinstance(actors, HttpResponse):
        return actors
    output = write_workbook(
        [
            Sheet(
                "actors",
                EXPORT_COLUMNS,
                _rows(request.user, actors),
                widths=[8, 20, 24, 5, 12, 14, 30, 14, 24, 18, 24, 8, 12, 8, 8, 8, 18, 10],
                text_columns=[EXPORT_COLUMNS.index(c) for c in ("nik", "phone", "village_code")],
            )
        ]
    )
    return FileResponse(
        output, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE
    )


class _Line:
    """A file-like target for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(user: User | AnonymousUser, actors: QuerySet[Actor]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8
    yield writer.writerow(EXPORT_COLUMNS)
    for row in _rows(user, actors):
        yield writer.writerow(
            [
                "" if v is None else neutralise(v if isinstance(v, str | int) else str(v))
                for v in row
            ]
        )


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    actors = _prepare(request, "csv")
    if isinstance(actors, HttpResponse):
        return actors
    response = StreamingHttpResponse(
        _csv_lines(request.user, actors), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response
