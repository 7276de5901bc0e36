"""GET|POST /api/v1/actors and GET|PATCH /api/v1/actors/{id}."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sinergi.accounts.models import User
from sinergi.accounts.scoping import may_write
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.errors import ErrorOut, InvalidInput
from sinergi.lib.pagination import cursor_page
from sinergi.lib.scope import Do, allowed
from sinergi.registry import conflicts, services
from sinergi.registry.models import RECORD_FIELDS, Actor
from sinergi.registry.queries import (
    BadFilter,
    audited_filters,
    audited_region,
    filter_actors,
    get_actor,
)
from sinergi.registry.records import validate_actor

router = Router(tags=["actors"])


class LegalityIO(Schema):
    kind: str
    number: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


class ActorOut(Schema):
    id: int
    name: str
    nik_masked: str
    sex: str
    # Only for callers who may reveal the actor's NIK: with the region, the birth date is 12
    # of its 16 digits. Everyone in scope gets the year.
    birth_date: date | None
    birth_year: int
    phone: str
    address: str
    village_code: str
    district_code: str
    regency_code: str
    province_code: str
    business_name: str
    sector: str
    products: str
    year_started: int | None
    consent_date: date | None
    consent_programme: bool
    consent_partners: bool
    consent_publication: bool
    facilitator: str | None
    status: str
    legality: list[LegalityIO]
    level: str | None
    created_at: datetime
    updated_at: datetime


class ActorSaved(ActorOut):
    warnings: list[str]


class ActorPage(Schema):
    count: int
    items: list[ActorOut]
    next: str | None


class ActorIn(Schema):
    nik: str | None = None
    name: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    address: str | None = None
    village_code: str | None = None
    business_name: str | None = None
    sector: str | None = None
    products: str | None = None
    year_started: int | None = None
    consent_date: str | None = None
    consent_programme: bool | None = None
    consent_partners: bool | None = None
    consent_publication: bool | None = None
    facilitator: str | None = None
    status: str | None = None
    legality: list[dict[str, Any]] | None = None


def serialize(user: User | AnonymousUser, actors: list[Actor]) -> list[dict[str, Any]]:
    return [
        {
            **{
                f: getattr(a, f)
                for f in (
                    "id",
                    "nik_masked",
                    *RECORD_FIELDS,
                    "district_code",
                    "regency_code",
                    "province_code",
                    "created_at",
                    "updated_at",
                )
            },
            "birth_date": a.birth_date if allowed(user, Do.REVEAL_NIK, a) else None,
            "birth_year": a.birth_date.year,
            "village_code": a.village_id,
            # Annotated by the list's level filter: in ?period=, else the latest counted level.
            "level": getattr(a, "level", None),
            "facilitator": a.facilitator.username if a.facilitator else None,
            "legality": [
                {
                    "kind": i.kind,
                    "number": i.number,
                    "issued_on": i.issued_on,
                    "expires_on": i.expires_on,
                }
                for i in a.legality_items.all()
            ],
        }
        for a in actors
    ]


def _payload(
    request: HttpRequest, body: ActorIn
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """The record as validation takes it; a user paused by registry.conflicts gives no NIK."""
    data = body.dict(exclude_unset=True)
    legality = data.pop("legality", None)
    if data.get("nik"):
        try:
            conflicts.check_allowance(request.user)
        except conflicts.TooManyConflicts as exc:
            raise InvalidInput({"nik": [str(exc)]}, status=429, detail=str(exc)) from exc
    return {k: ("" if v is None else v) for k, v in data.items()}, legality


@router.get("/actors", response=ActorPage, summary="List actors in your scope")
def list_actors(request: HttpRequest) -> dict[str, Any]:
    try:
        actors = filter_actors(Actor.objects.visible_to(request.user), request.GET)
    except BadFilter as exc:
        raise InvalidInput({exc.field: [str(exc)]}) from exc
    actors = actors.select_related("facilitator").prefetch_related("legality_items")
    page = cursor_page(request, actors, functools.partial(serialize, request.user))
    # Personal data read: one row for the page, naming who was read, like the web pages.
    read = Subject(
        "actor",
        repr=f"{len(page['items'])} actors",
        region=audited_region(request.user, request.GET),
    )
    record(
        request.user,
        Action.VIEW_PERSONAL,
        read,
        after={
            "filters": audited_filters(request.GET),
            "count": page["count"],
            "ids": [item["id"] for item in page["items"]],
        },
        note="api list",
    )
    return page


@router.get("/actors/{actor_id}", response=ActorOut, summary="One actor")
def read_actor(request: HttpRequest, actor_id: int) -> dict[str, Any]:
    actor = get_actor(request.user, actor_id)
    record(request.user, Action.VIEW_PERSONAL, actor, note="api detail")
    return serialize(request.user, [actor])[0]


@router.post("/actors", response={201: ActorSaved, 429: ErrorOut}, summary="Register an actor")
def create_actor(request: HttpRequest, body: ActorIn) -> Status[dict[str, Any]]:
    if not may_write(request.user):
        raise HttpError(403, _("Your role is read-only."))
    data, legality = _payload(request, body)
    valid, errors = validate_actor(user=request.user, data=data, legality=legality)
    if valid is None:
        raise InvalidInput(errors)
    actor = services.register_actor(
        user=request.user,
        data=valid.data,
        village=valid.village,  # type: ignore[arg-type]
        facilitator=valid.facilitator,
        legality=valid.legality,
    )
    return Status(201, {**serialize(request.user, [actor])[0], "warnings": valid.warnings})


@router.patch(
    "/actors/{actor_id}", response={200: ActorSaved, 429: ErrorOut}, summary="Change an actor"
)
def change_actor(request: HttpRequest, actor_id: int, body: ActorIn) -> dict[str, Any]:
    actor = get_actor(request.user, actor_id)
    if not allowed(request.user, Do.CHANGE, actor):
        raise HttpError(403, _("You may view this actor but not change it."))
    data, legality = _payload(request, body)
    valid, errors = validate_actor(user=request.user, data=data, legality=legality, instance=actor)
    if valid is None:
        raise InvalidInput(errors)
    services.update_actor(
        user=request.user,
        actor=actor,
        data=valid.data,
        village=valid.village,
        facilitator=valid.facilitator,
        legality=valid.legality,
    )
    return {**serialize(request.user, [actor])[0], "warnings": valid.warnings}
