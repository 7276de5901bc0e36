"""Names with characters nobody can see are refused on every channel, naming the character."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import actor_row, upload, xlsx_bytes
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, REMBANG_VILLAGE, Personas, valid_nik

pytestmark = pytest.mark.django_db
BORN = date(1980, 5, 17)
# "Siti" shown, with a right-to-left override that displays the rest of the name reversed.
SPOOFED = "Siti \u202eharimA"


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def record(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Ibu Siti",
        "nik": valid_nik(REMBANG_VILLAGE, BORN),
        "sex": "F",
        "birth_date": BORN.isoformat(),
        "village_code": REMBANG_VILLAGE,
        "business_name": "Batik",
        "sector": "fashion-tekstil",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", SPOOFED, "U+202E"),
        ("business_name", "Kerip\u200bik", "U+200B"),
        ("address", "Jl. Melati\ufeff", "U+FEFF"),
        ("products", "Kue\u2066 kering", "U+2066"),
    ],
)
def test_the_api_refuses_invisible_characters_naming_field_and_character(
    personas: Personas, field: str, value: str, code: str
) -> None:
    response = login(personas.rembang.username).post(
        "/api/v1/actors", record(**{field: value}), content_type="application/json"
    )
    assert response.status_code == 422
    [message] = response.json()["errors"][field]
    assert code in message
    assert Actor.objects.count() == 0


def test_the_web_form_and_the_import_refuse_them_too(personas: Personas) -> None:
    client = login(personas.rembang.username)
    page = client.post("/actors/new/", {**record(name=SPOOFED), "status": "active"})
    assert "U+202E" in page.content.decode()
    row = actor_row(SPOOFED)
    client.post("/collect/actors/import/", {"file": upload(xlsx_bytes([row]))})
    job = ImportJob.objects.latest("id")
    [(column, reason)] = [(m["column"], m["reason"]) for m in job.messages]
    assert column == "name"
    assert "U+202E" in reason
    assert Actor.objects.count() == 0
