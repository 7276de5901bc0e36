"""What every persona reads, not just whether she may: the contents of every export (PDF,
.xlsx, .csv), the API's answers and a sample of pages hold only figures and people of her
scope. The expected scope is recounted here by hand from where the actors live and who
follows them, independently of sinergi.accounts.scoping."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from sinergi.accounts.models import User
from sinergi.analytics.tests.recount import register
from sinergi.assessments.models import Assessment
from sinergi.assessments.services import create_period, load_default_instrument, submit_assessment
from sinergi.assessments.tests.test_results import BEGINNER
from sinergi.registry.models import Actor
from sinergi.test import (
    KENDAL_VILLAGE,
    LANDAK_VILLAGE,
    REMBANG_VILLAGE,
    REMBANG_VILLAGE_2,
    Personas,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "jateng", "rembang", "kendal", "pendamping", "viewer")


@pytest.fixture
def world(personas: Personas) -> dict[str, Actor]:
    """Four women, each with a counted result in 2019: one in the facilitator's caseload in
    Rembang, one elsewhere in Rembang, one in Kendal (same province), one in West Kalimantan."""
    load_default_instrument()
    period = create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    actors = {
        "caseload": register(
            name="Ibu Kasus", village_code=REMBANG_VILLAGE, facilitator=personas.pendamping
        ),
        "rembang": register(name="Ibu Rembang", village_code=REMBANG_VILLAGE_2),
        "kendal": register(name="Ibu Kendal", village_code=KENDAL_VILLAGE),
        "landak": register(name="Ibu Landak", village_code=LANDAK_VILLAGE),
    }
    for actor in actors.values():
        submit_assessment(user=personas.admin, actor=actor, period=period, answers=BEGINNER)
    return actors


def expected(persona: str, actors: dict[str, Actor]) -> set[str]:
    """The names a persona should meet, from the personas' definitions in sinergi.test."""
    keys = {
        "admin": {"caseload", "rembang", "kendal", "landak"},
        "jateng": {"caseload", "rembang", "kendal"},
        "rembang": {"caseload", "rembang"},
        "kendal": {"kendal"},
        "pendamping": {"caseload"},
        "viewer": {"caseload", "rembang"},
    }[persona]
    return {actors[key].name for key in keys}


def client_of(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def names_in(text: str, actors: dict[str, Actor]) -> set[str]:
    return {actor.name for actor in actors.values() if actor.name in text}


@pytest.mark.parametrize("persona", PERSONAS)
def test_actor_lists_exports_and_api_hold_only_her_actors(
    persona: str, personas: Personas, world: dict[str, Actor]
) -> None:
    client, mine = client_of(getattr(personas, persona)), expected(persona, world)
    assert names_in(body(client.get("/actors/")).decode(), world) == mine
    assert names_in(body(client.get("/actors/export.csv")).decode("utf-8-sig"), world) == mine
    book = CalamineWorkbook.from_filelike(io.BytesIO(body(client.get("/actors/export.xlsx"))))
    cells = " ".join(
        str(cell) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
        for cell in row
    )  # fmt: skip
    assert names_in(cells, world) == mine
    listed = client.get("/api/v1/actors?limit=100").json()
    assert {item["name"] for item in listed["items"]} == mine
    for actor in world.values():
        found = actor.name in mine
        assert client.get(f"/api/v1/actors/{actor.pk}").status_code == (200 if found else 404)
        assert client.get(f"/actors/{actor.pk}/").status_code == (200 if found else 404)
        results = client.get(f"/api/v1/assessments?actor={actor.pk}")
        assert results.status_code == (200 if found else 404)


def _summary(rows: list[dict[str, str]]) -> dict[str, str]:
    return {
        r["key"]: r["value"] for r in rows if r["table"] == "summary" and r["measure"] == "value"
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_dashboard_exports_report_and_api_count_only_her_results(
    persona: str, personas: Personas, world: dict[str, Actor]
) -> None:
    client, count = client_of(getattr(personas, persona)), len(expected(persona, world))
    text = body(client.get("/analytics/export.csv?period=2019")).decode("utf-8-sig")
    summary = _summary(list(csv.DictReader(io.StringIO(text))))
    assert (summary["registered"], summary["assessed"]) == (str(count), str(count))
    book = CalamineWorkbook.from_filelike(io.BytesIO(body(client.get("/analytics/export.xlsx"))))
    sheet = {row[0]: row[2] for row in book.get_sheet_by_name("summary").to_python()[1:]}
    assert (sheet["registered"], sheet["assessed"]) == (count, count)
    levels = client.get("/api/v1/analytics/levels?period=2019").json()
    assert (levels["registered"], levels["total"]) == (count, count)
    trend = client.get("/api/v1/analytics/trend").json()
    assert [item["total"] for item in trend["items"]] == [count]
    by_sector = client.get("/api/v1/analytics/breakdown?period=2019&by=sector").json()
    assert sum(item["total"] for item in by_sector["items"]) == count
    pdf = PdfReader(io.BytesIO(body(client.get("/analytics/report.pdf"))))
    words = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert re.findall(r"ir-default@2026\.1 — .*?\((\d+) results?\)", words) == [str(count)]
    assert not names_in(words, world)  # aggregates only, never a person


def test_the_audit_page_shows_only_rows_of_her_regions(
    personas: Personas, world: dict[str, Actor]
) -> None:
    for persona in ("admin", "jateng"):
        page = body(client_of(getattr(personas, persona)).get("/audit/?object_type=assessment"))
        shown = {pk.decode() for pk in re.findall(rb"assessment #(\d+)", page)}
        mine = expected(persona, world)
        results = Assessment.objects.filter(actor__name__in=mine)
        assert shown == {str(pk) for pk in results.values_list("pk", flat=True)}
