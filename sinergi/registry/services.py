"""Writes to the actor registry. Each function is atomic and leaves one audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from sinergi.accounts.choices import Role
from sinergi.accounts.scoping import memberships
from sinergi.audit.models import Action, AuditEvent
from sinergi.audit.services import diff, record
from sinergi.lib.crypto import decrypt, encrypt, lookup_hash
from sinergi.regions.codes import ancestors
from sinergi.regions.models import Region
from sinergi.registry.forms import ValidActor, name_key
from sinergi.registry.models import Actor, LegalityItem
from sinergi.registry.rules import mask_nik

# Cleaned fields copied onto the model as they are.
_PLAIN_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "business_name",
    "sector",
    "products",
    "year_started",
    "consent_date",
    "consent_programme",
    "consent_partners",
    "consent_publication",
    "status",
)


def snapshot(actor: Actor, items: Iterable[LegalityItem] | None = None) -> dict[str, Any]:
    """Auditable state of an actor: never the NIK itself, only its masked form."""
    values: dict[str, Any] = {name: getattr(actor, name) for name in _PLAIN_FIELDS}
    for name in ("birth_date", "consent_date"):
        values[name] = values[name].isoformat() if values[name] else None
    values["nik"] = actor.nik_masked
    values["village_code"] = actor.village_id
    values["facilitator"] = actor.facilitator.username if actor.facilitator_id else None
    values["legality"] = [
        {
            "kind": item.kind,
            "number": item.number,
            "issued_on": item.issued_on.isoformat() if item.issued_on else None,
            "expires_on": item.expires_on.isoformat() if item.expires_on else None,
        }
        for item in (actor.legality_items.all() if items is None else items)
    ]
    return values


def _apply(actor: Actor, data: dict[str, Any], village: Region | None, facilitator: Any) -> None:
    for name in _PLAIN_FIELDS:
        if name in data:
            setattr(actor, name, data[name])
    actor.name_key = name_key(actor.name)
    if data.get("nik"):
        actor.nik_hash = lookup_hash(data["nik"])
        actor.nik_encrypted = encrypt(data["nik"])
        actor.nik_masked = mask_nik(data["nik"])
    if village is not None:
        actor.village = village
        province, regency, district, _ = ancestors(village.code)
        actor.province_code, actor.regency_code, actor.district_code = province, regency, district
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
    user: Any,
    data: dict[str, Any],
    village: Region,
    facilitator: Any = None,
    legality: list[dict[str, Any]] | None = None,
) -> Actor:
    """Create an actor from validated data. A facilitator's own registrations are hers."""
    if facilitator is None and any(m.role == Role.FACILITATOR for m in memberships(user)):
        facilitator = user
    actor = Actor()
    with transaction.atomic():
        _apply(actor, {**data, "facilitator": facilitator}, village, facilitator)
        actor.save()
        _replace_legality(actor, legality or [])
        record(
            user=user,
            action=Action.CREATE,
            object_type="actor",
            object_id=actor.pk,
            object_repr=actor.name,
            region_code=actor.village_id,
            after=snapshot(actor),
        )
    return actor


def register_actors_bulk(*, user: Any, actors: Sequence[ValidActor]) -> list[Actor]:
    """Create many validated actors at once (imports), as register_actor would one by one.

    Same defaults (a facilitator's own registrations are hers) and one CREATE audit row per
    actor, but a few INSERTs per batch instead of several per actor. All or none.
    """
    own = user if any(m.role == Role.FACILITATOR for m in memberships(user)) else None
    created: list[Actor] = []
    for valid in actors:
        facilitator = valid.facilitator or own
        actor = Actor()
        _apply(actor, {**valid.data, "facilitator": facilitator}, valid.village, facilitator)
        created.append(actor)
    username = user.get_username()
    with transaction.atomic():
        Actor.objects.bulk_create(created, batch_size=500)
        items_by_actor = [
            [
                LegalityItem(
                    actor=actor,
                    kind=item["kind"],
                    number=item.get("number", ""),
                    issued_on=item.get("issued_on"),
                    expires_on=item.get("expires_on"),
                )
                for item in valid.legality or []
            ]
            for actor, valid in zip(created, actors, strict=True)
        ]
        LegalityItem.objects.bulk_create(
            [item for items in items_by_actor for item in items], batch_size=500
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    user=user,
                    username=username,
                    action=Action.CREATE,
                    object_type="actor",
                    object_id=str(actor.pk),
                    object_repr=actor.name[:200],
                    region_code=actor.village_id,
                    after=snapshot(actor, items),
                )
                for actor, items in zip(created, items_by_actor, strict=True)
            ],
            batch_size=500,
        )
    return created


def update_actor(
    *,
    user: Any,
    actor: Actor,
    data: dict[str, Any],
    village: Region | None = None,
    facilitator: Any = None,
    legality: list[dict[str, Any]] | None = None,
) -> Actor:
    """Change an actor; the audit row keeps only the fields that changed."""
    with transaction.atomic():
        before = snapshot(actor)
        _apply(actor, data, village, facilitator)
        actor.save()
        if legality is not None:
            _replace_legality(actor, legality)
        old, new = diff(before, snapshot(actor))
        if old or new:
            record(
                user=user,
                action=Action.UPDATE,
                object_type="actor",
                object_id=actor.pk,
                object_repr=actor.name,
                region_code=actor.village_id,
                before=old,
                after=new,
            )
    return actor


def reveal_nik(*, user: Any, actor: Actor, purpose: str = "") -> str:
    """Return the clear NIK; the caller must have checked the right. Always audited."""
    record(
        user=user,
        action=Action.VIEW_PERSONAL,
        object_type="actor",
        object_id=actor.pk,
        object_repr=actor.name,
        region_code=actor.village_id,
        note=purpose or "reveal NIK",
    )
    return decrypt(actor.nik_encrypted)
