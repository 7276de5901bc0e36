"""No channel gives a viewer without the NIK right anything the NIK's serial can be read from.

An NIK is district (6) + birth date with 40 added to the day for women (6) + serial (4). The
record shows the district and (to some) the birth date, so the serial is the one part that
cannot be derived: it must appear nowhere, masked or not, for such a viewer.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.collect.tests.odk import basic
from sinergi.lib.crypto import decrypt
from sinergi.registry.rules import mask_nik
from sinergi.test import PASSWORD, ActorFactory, Personas, make_user, valid_nik

pytestmark = pytest.mark.django_db

BORN = date(1979, 11, 23)
# Serials that no id, count or date of these pages happens to contain.
SERIALS = (8264, 9371)


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def body(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # an .xlsx: its cells, as text
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        return repr(sheet.to_python())
    return str(content.decode("utf-8"))


def actor_nik(actor: Any) -> str:
    return decrypt(actor.nik_encrypted)


def leaks(text: str, nik: str) -> list[str]:
    """The parts of the NIK past the region that the text shows."""
    birth, serial = nik[6:12], nik[12:]
    return [part for part in (serial, birth + serial, nik) if part in text]


def test_the_masked_form_shows_the_region_of_registration_only() -> None:
    nik = valid_nik(born=BORN, serial=SERIALS[0])
    assert mask_nik(nik) == nik[:4] + "•" * 12
    assert nik[12:] not in mask_nik(nik)


def test_no_page_api_export_or_phone_file_shows_the_serial_without_the_nik_right(
    personas: Personas,
) -> None:
    services.load_default_instrument()
    officer = make_user("oki-officer", Role.PROVINCE_OFFICER, "33", may_reveal_nik=False)
    facilitator = make_user("feri-fasil", Role.FACILITATOR, "33.17", may_reveal_nik=False)
    actors = [
        ActorFactory(
            nik=valid_nik(born=BORN, serial=serial), birth_date=BORN, facilitator=facilitator
        )
        for serial in SERIALS
    ]
    # An edit through the API writes the actor's state, masked NIK included, to the audit trail.
    edit = login(personas.rembang.username).patch(
        f"/api/v1/actors/{actors[0].pk}", {"phone": "081234567890"}, content_type="application/json"
    )
    assert edit.status_code == 200
    urls = [
        "/actors/",
        "/actors/?q=Siti",
        "/actors/export.csv",
        "/actors/export.xlsx",
        "/api/v1/actors",
        "/audit/",
        *(f"/actors/{a.pk}/" for a in actors),
        *(f"/api/v1/actors/{a.pk}" for a in actors),
    ]
    for user in (officer, personas.viewer):
        client = login(user.username)
        for url in urls:
            if url == "/audit/" and user is personas.viewer:
                continue
            text = body(client.get(url))
            for actor in actors:
                nik = actor_nik(actor)
                assert not leaks(text, nik), (user.username, url)
                assert str(BORN) not in text, (user.username, url)
                assert "23 November 1979" not in text, (user.username, url)
    phone = Client(HTTP_AUTHORIZATION=basic(facilitator.username, PASSWORD))
    caseload = body(phone.get("/openrosa/forms/ir-default/2026.1/media/actors.csv"))
    for actor in actors:
        assert actor.name in caseload
        assert not leaks(caseload, actor_nik(actor))


def test_those_with_the_nik_right_get_the_birth_date_and_the_clear_nik_on_export(
    personas: Personas,
) -> None:
    actor = ActorFactory(nik=valid_nik(born=BORN, serial=SERIALS[0]), birth_date=BORN)
    client = login(personas.rembang.username)
    assert client.get(f"/api/v1/actors/{actor.pk}").json()["birth_date"] == str(BORN)
    assert actor_nik(actor) in body(client.get("/actors/export.csv"))
    viewer = login(personas.viewer.username).get(f"/api/v1/actors/{actor.pk}").json()
    assert viewer["birth_date"] is None
    assert viewer["birth_year"] == BORN.year
