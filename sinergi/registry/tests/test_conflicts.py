"""Registering an NIK held outside one's scope: told only for a valid record, audited, paused.

Before, any NIK with an invalid sector answered "already registered in another region" when it
was someone's: anyone who may register actors could test any NIK in the country, unaudited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from sinergi.audit.models import Action, AuditEvent
from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import actor_row, upload, xlsx_bytes
from sinergi.registry.models import Actor
from sinergi.test import (
    KENDAL_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE,
    ActorFactory,
    Personas,
    valid_nik,
)

pytestmark = pytest.mark.django_db
BORN = date(1980, 5, 17)


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def record(nik: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Ibu Coba",
        "nik": nik,
        "sex": "F",
        "birth_date": BORN.isoformat(),
        "village_code": REMBANG_VILLAGE,
        "business_name": "Batik",
        "sector": "fashion-tekstil",
        **overrides,
    }


def post(client: Client, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/actors", data, content_type="application/json")


def kendal_actor() -> Actor:
    actor: Actor = ActorFactory(
        nik=valid_nik(KENDAL_VILLAGE, BORN), birth_date=BORN, village_code=KENDAL_VILLAGE
    )
    return actor


def conflicts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=Action.NIK_CONFLICT))


def test_an_invalid_record_says_nothing_of_an_nik_registered_elsewhere(
    personas: Personas,
) -> None:
    theirs = kendal_actor()
    client = login(personas.rembang.username)
    registered = post(
        client, record(valid_nik(KENDAL_VILLAGE, BORN, serial=theirs_serial(theirs)), sector="x")
    )
    free = post(client, record(valid_nik(KENDAL_VILLAGE, BORN), sector="x"))
    assert registered.status_code == free.status_code == 422
    assert registered.json()["errors"].keys() == free.json()["errors"].keys() == {"sector"}
    assert conflicts() == []


def test_a_valid_record_is_refused_and_the_refusal_is_audited_on_her_region(
    personas: Personas,
) -> None:
    theirs = kendal_actor()
    response = post(login(personas.rembang.username), record(nik_of(theirs)))
    assert response.status_code == 422
    assert "already registered in another region" in response.json()["errors"]["nik"][0]
    [event] = conflicts()
    assert (event.user_id, event.object_id, event.region_code) == (
        personas.rembang.pk,
        str(theirs.pk),
        KENDAL_VILLAGE,
    )
    assert nik_of(theirs) not in str(event.before) + str(event.after) + event.note
    assert Actor.objects.count() == 1


def test_after_the_daily_limit_the_user_may_register_nobody(
    personas: Personas, settings: Any
) -> None:
    settings.NIK_CONFLICT_DAILY_LIMIT = 2
    client = login(personas.rembang.username)
    for _ in range(2):
        assert post(client, record(nik_of(kendal_actor()))).status_code == 422
    paused = post(client, record(valid_nik(REMBANG_VILLAGE, BORN)))
    assert paused.status_code == 429
    assert "registering is paused" in paused.json()["errors"]["nik"][0]
    page = client.post(
        "/actors/new/", {**record(valid_nik(REMBANG_VILLAGE, BORN)), "status": "active"}
    )
    assert "registering is paused" in page.content.decode()
    assert Actor.objects.count() == 2
    other = post(login(personas.jateng.username), record(valid_nik(REMBANG_VILLAGE, BORN)))
    assert other.status_code == 201


def test_an_import_refuses_an_invalid_row_as_new_and_stops_at_the_limit(
    personas: Personas, settings: Any
) -> None:
    settings.NIK_CONFLICT_DAILY_LIMIT = 1
    invalid, valid, third = (actor_row(f"Ibu {n}", village=KENDAL_VILLAGE) for n in range(3))
    for row in (invalid, valid, third):
        ActorFactory(nik=row[0], village_code=KENDAL_VILLAGE, birth_date=date(1985, 3, 12))
        row[4] = REMBANG_VILLAGE
    invalid[6] = "bukan-sektor"
    client = login(personas.rembang.username)
    client.post("/collect/actors/import/", {"file": upload(xlsx_bytes([invalid, valid]))})
    job = ImportJob.objects.latest("id")
    errors = [(m["row"], m["column"]) for m in job.messages if m["level"] == "error"]
    assert errors == [(2, "sector"), (3, "nik")]
    assert len(conflicts()) == 1
    client.post("/collect/actors/import/", {"file": upload(xlsx_bytes([third]))})
    stopped = ImportJob.objects.latest("id")
    assert stopped.status == "failed"
    assert any("registering is paused" in m["reason"] for m in stopped.messages)
    assert len(conflicts()) == 1


def nik_of(actor: Actor) -> str:
    from sinergi.lib.crypto import decrypt

    return decrypt(actor.nik_encrypted)


def theirs_serial(actor: Actor) -> int:
    return int(nik_of(actor)[-4:])
