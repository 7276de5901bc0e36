"""Consent is kept as history wherever it is written, and a withdrawal stops exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from sinergi.collect.tests.sheets import HEADER, actor_row, xlsx_bytes
from sinergi.collect.tests.test_imports import import_file, login
from sinergi.privacy.models import ConsentEvent
from sinergi.privacy.tests.conftest import NAME, client_for, register
from sinergi.registry import services as registry
from sinergi.test import ActorFactory, Personas, valid_nik

pytestmark = pytest.mark.django_db


def history(actor: Any) -> list[tuple[str, bool, str, str]]:
    return list(
        ConsentEvent.objects.filter(actor=actor).values_list("kind", "given", "source", "username")
    )


def exported_names(user: Any) -> list[str]:
    response = client_for(user).get("/actors/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return [row["name"] for row in csv.DictReader(io.StringIO(text))]


def test_registration_records_the_consents_given(personas: Personas) -> None:
    actor = register(personas.rembang, valid_nik())
    assert history(actor) == [
        ("programme", True, "register", "rani-rembang"),
        ("partners", True, "register", "rani-rembang"),
    ]


def test_a_change_records_only_what_moved_and_who_moved_it(personas: Personas) -> None:
    actor = register(personas.rembang, valid_nik())
    registry.update_actor(user=personas.jateng, actor=actor, data={"phone": "0811111111"})
    registry.update_actor(
        user=personas.jateng,
        actor=actor,
        data={"consent_partners": False, "consent_publication": True},
    )
    assert history(actor)[2:] == [
        ("partners", False, "update", "jane-jateng"),
        ("publication", True, "update", "jane-jateng"),
    ]


def test_an_import_records_consent_as_history(personas: Personas) -> None:
    rows = [[*actor_row("Ibu Ani"), "ya"], [*actor_row("Ibu Budi"), "tidak"]]
    job = import_file(
        login(personas.rembang.username), xlsx_bytes(rows, [*HEADER, "consent_programme"])
    )
    assert job.created_count == 2, job.messages
    events = ConsentEvent.objects.values_list("actor__name", "kind", "given", "source")
    assert list(events) == [("Ibu Ani", "programme", True, "import")]


def test_an_actor_who_withdrew_programme_consent_is_left_out_of_exports(
    personas: Personas,
) -> None:
    actor = register(personas.rembang, valid_nik())
    ActorFactory(name="Ibu Tanpa Riwayat")  # never asked in Sinergi: still exported
    assert sorted(exported_names(personas.rembang)) == ["Ibu Tanpa Riwayat", NAME]
    registry.update_actor(user=personas.rembang, actor=actor, data={"consent_programme": False})
    assert exported_names(personas.rembang) == ["Ibu Tanpa Riwayat"]
    registry.update_actor(user=personas.rembang, actor=actor, data={"consent_programme": True})
    assert sorted(exported_names(personas.rembang)) == ["Ibu Tanpa Riwayat", NAME]


def test_the_actor_page_shows_the_consent_history(personas: Personas) -> None:
    actor = register(personas.rembang, valid_nik())
    registry.update_actor(user=personas.rembang, actor=actor, data={"consent_partners": False})
    page = client_for(personas.rembang).get(f"/actors/{actor.pk}/").content.decode()
    assert 'id="consent-history"' in page
    assert "withdrawn" in page
    assert f'href="/privacy/actors/{actor.pk}/"' in page
    viewer = client_for(personas.viewer).get(f"/actors/{actor.pk}/").content.decode()
    assert 'id="consent-history"' in viewer
    assert "/privacy/actors/" not in viewer  # the personal-data page is for officers with the right
