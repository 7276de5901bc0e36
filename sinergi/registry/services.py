"""Writes to the actor registry. Each function is atomic and leaves one audit row.

Where an actor is counted (her village, sector and facilitator) and her consents are
announced (registry.events: actors_moved, consent_written) inside the same transaction
whenever they are set or change, so read models stay exact without the registry importing
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from sinergi.accounts.models import User
from sinergi.accounts.scoping import is_facilitator
from sinergi.audit.models import Action
from sinergi.audit.services import Entry, diff, record, record_many
from sinergi.audit.subjects import Subject
from sinergi.lib.bulk import JSONText, insert_rows, json_text
from sinergi.lib.crypto import decrypt, encrypt, lookup_hash
from sinergi.regions.codes import ancestors
from sinergi.regions.models import Region
from sinergi.registry import events
from sinergi.registry.events import ActorMove, ActorPlace
from sinergi.registry.models import RECORD_FIELDS, Actor, LegalityItem
from sinergi.registry.records import ValidActor
from sinergi.registry.rules import mask_nik
from sinergi.registry.validation import actor_ids, name_key

# What a new actor holds where the record says nothing (the model's defaults, choices as
# their plain values, which insert_rows passes on as they are).
_ACTOR_DEFAULTS = {
    f.attname: f.get_default().value if isinstance(f.get_default(), Enum) else f.get_default()
    for f in Actor._meta.concrete_fields
    if f.attname in RECORD_FIELDS
}
# The columns register_actors_bulk writes, in the order of its rows.
_ACTOR_COLUMNS = (
    *RECORD_FIELDS,
    "name_key",
    "nik_hash",
    "nik_encrypted",
    "nik_masked",
    "village_id",
    "province_code",
    "regency_code",
    "district_code",
    "facilitator_id",
)
_LEGALITY_COLUMNS = ("actor_id", "kind", "number", "issued_on", "expires_on")


def place_of(actor: Actor) -> ActorPlace:
    return ActorPlace(actor.village_id, actor.sector, actor.facilitator_id)


def _item(kind: str, number: str, issued_on: Any, expires_on: Any) -> dict[str, Any]:
    return {"kind": kind, "number": number, "issued_on": issued_on, "expires_on": expires_on}


def _state(
    values: Mapping[str, Any], facilitator: Any, items: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Auditable state from column values: never the NIK itself, only its masked form."""
    state: dict[str, Any] = {name: values[name] for name in RECORD_FIELDS}
    for name in ("birth_date", "consent_date"):
        state[name] = state[name].isoformat() if state[name] else None
    state["nik"] = values["nik_masked"]
    state["village_code"] = values["village_id"]
    state["facilitator"] = facilitator.username if facilitator is not None else None
    state["legality"] = [
        {
            "kind": item["kind"],
            "number": item["number"],
            "issued_on": item["issued_on"].isoformat() if item["issued_on"] else None,
            "expires_on": item["expires_on"].isoformat() if item["expires_on"] else None,
        }
        for item in items
    ]
    return state


def snapshot(actor: Actor, items: Iterable[LegalityItem] | None = None) -> dict[str, Any]:
    """Auditable state of an actor: never the NIK itself, only its masked form."""
    values = {name: getattr(actor, name) for name in (*RECORD_FIELDS, "nik_masked", "village_id")}
    return _state(
        values,
        actor.facilitator if actor.facilitator_id else None,
        (
            _item(item.kind, item.number, item.issued_on, item.expires_on)
            for item in (actor.legality_items.all() if items is None else items)
        ),
    )


def _values(data: Mapping[str, Any], village: Region | None) -> dict[str, Any]:
    """Column values a record gives an actor: its own fields, and those its NIK and its
    village decide."""
    values = {name: data[name] for name in RECORD_FIELDS if name in data}
    if data.get("nik"):
        values["nik_hash"] = lookup_hash(data["nik"])
        values["nik_encrypted"] = encrypt(data["nik"])
        values["nik_masked"] = mask_nik(data["nik"])
    if village is not None:
        province, regency, district, _ = ancestors(village.code)
        values.update(
            village_id=village.code,
            province_code=province,
            regency_code=regency,
            district_code=district,
        )
    return values


def _apply(actor: Actor, data: dict[str, Any], village: Region | None, facilitator: Any) -> None:
    for name, value in _values(data, village).items():
        setattr(actor, name, value)
    actor.name_key = name_key(actor.name)
    if village is not None:
        actor.village = village
    if "facilitator" in data:
        actor.facilitator = facilitator


def _replace_legality(actor: Actor, items: list[dict[str, Any]]) -> None:
    actor.legality_items.all().delete()
    LegalityItem.objects.bulk_create(
        LegalityItem(
            actor=actor,
            kind=item["kind"],
            number=item.get("number", ""),
            issued_on=item.get("issued_on"),
            expires_on=item.get("expires_on"),
        )
        for item in items
    )


def register_actor(
    *,
    user: User | AnonymousUser,
    data: dict[str, Any],
    village: Region,
    facilitator: Any = None,
    legality: list[dict[str, Any]] | None = None,
) -> Actor:
    """Create an actor from validated data. A facilitator's own registrations are hers."""
    if facilitator is None and is_facilitator(user):
        facilitator = user
    actor = Actor()
    with transaction.atomic():
        _apply(actor, {**data, "facilitator": facilitator}, village, facilitator)
        actor.save()
        _replace_legality(actor, legality or [])
        events.actors_moved.announce([ActorMove(actor.pk, None, place_of(actor))])
        events.consent_written.announce(user, "register", [(actor.pk, None, snapshot(actor))])
        record(user, Action.CREATE, actor, after=snapshot(actor))
    return actor


@dataclass(frozen=True)
class NewActor:
    """A validated new actor as register_actors_bulk stores her, made without the database
    (an import makes them in its worker process and sends them to the job)."""

    nik_hash: str
    name: str
    row: tuple[Any, ...]  # the values of _ACTOR_COLUMNS
    legality: list[tuple[Any, ...]]  # (kind, number, issued_on, expires_on) each
    audit: str  # her CREATE audit row's `after`, as JSON text
    # Her ActorPlace's values (a plain tuple costs the job less to receive).
    place: tuple[str, str, int | None]


def new_actor(*, user: User | AnonymousUser, valid: ValidActor) -> NewActor:
    """A validated record as register_actor would store her: the same defaults (a
    facilitator's own registrations are hers), columns and audit snapshot."""
    own = user if is_facilitator(user) else None
    data = valid.data
    nik = data["nik"]
    nik_hash = valid.nik_hash or lookup_hash(nik)
    village = valid.village.code  # type: ignore[union-attr] # a new actor has one
    province, regency, district, _ = ancestors(village)
    plain = {name: data.get(name, _ACTOR_DEFAULTS[name]) for name in RECORD_FIELDS}
    masked = mask_nik(nik)
    facilitator = valid.facilitator or own
    facilitator_id = facilitator.pk if facilitator is not None else None
    items = [
        _item(item["kind"], item.get("number", ""), item.get("issued_on"), item.get("expires_on"))
        for item in valid.legality or []
    ]
    row = (
        *plain.values(),
        name_key(plain["name"]),
        nik_hash,
        encrypt(nik),
        masked,
        village,
        province,
        regency,
        district,
        facilitator_id,
    )
    state = _state({**plain, "nik_masked": masked, "village_id": village}, facilitator, items)
    return NewActor(
        nik_hash=nik_hash,
        name=plain["name"],
        row=row,
        legality=[(i["kind"], i["number"], i["issued_on"], i["expires_on"]) for i in items],
        audit=json_text(state),
        place=(village, plain["sector"], facilitator_id),
    )


def register_actors_bulk(*, user: User | AnonymousUser, actors: Sequence[NewActor]) -> None:
    """Create many new actors at once (imports), as register_actor would one by one: the
    same rows and one CREATE audit row per actor, but one prepared INSERT per table instead
    of several per actor. All or none."""
    with transaction.atomic():
        insert_rows(Actor, _ACTOR_COLUMNS, [actor.row for actor in actors])
        ids = actor_ids([actor.nik_hash for actor in actors])
        events.actors_moved.announce(
            [ActorMove(ids[actor.nik_hash], None, ActorPlace(*actor.place)) for actor in actors]
        )
        insert_rows(
            LegalityItem,
            _LEGALITY_COLUMNS,
            [(ids[actor.nik_hash], *item) for actor in actors for item in actor.legality],
        )
        events.consent_written.announce(
            user,
            "import",
            [
                (
                    ids[actor.nik_hash],
                    None,
                    dict(zip(RECORD_FIELDS, actor.row[: len(RECORD_FIELDS)], strict=True)),
                )
                for actor in actors
            ],
        )
        # Each named as Actor.audit_subject names her, from her row (no model instance).
        record_many(
            user,
            Action.CREATE,
            [
                Entry(
                    Subject("actor", ids[actor.nik_hash], actor.name, actor.place[0]),
                    after=JSONText(actor.audit),
                )
                for actor in actors
            ],
        )


def update_actor(
    *,
    user: User | AnonymousUser,
    actor: Actor,
    data: dict[str, Any],
    village: Region | None = None,
    facilitator: Any = None,
    legality: list[dict[str, Any]] | None = None,
) -> Actor:
    """Change an actor; the audit row keeps only the fields that changed."""
    with transaction.atomic():
        before = snapshot(actor)
        was = place_of(actor)
        _apply(actor, data, village, facilitator)
        actor.save()
        if place_of(actor) != was:
            events.actors_moved.announce([ActorMove(actor.pk, was, place_of(actor))])
        if legality is not None:
            _replace_legality(actor, legality)
        old, new = diff(before, snapshot(actor))
        events.consent_written.announce(user, "update", [(actor.pk, before, new)])
        if old or new:
            record(user, Action.UPDATE, actor, before=old, after=new)
    return actor


def reveal_nik(*, user: User | AnonymousUser, actor: Actor, purpose: str = "") -> str:
    """Return the clear NIK; the caller must have checked the right. Always audited."""
    record(user, Action.VIEW_PERSONAL, actor, note=purpose or "reveal NIK")
    return decrypt(actor.nik_encrypted)
