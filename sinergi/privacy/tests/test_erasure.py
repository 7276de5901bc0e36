"""Erasure: her identifiers leave every table and file, the programme's figures stay."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from sinergi.assessments.models import Assessment
from sinergi.audit.models import AuditEvent
from sinergi.collect.models import ImportJob, Submission, SubmissionFile
from sinergi.privacy.choices import ErasureBasis, RequestKind
from sinergi.privacy.models import Erasure
from sinergi.privacy.services import erase_actor, record_request
from sinergi.privacy.tests.conftest import NAME, Subject, client_for
from sinergi.test import ActorFactory, Personas

pytestmark = pytest.mark.django_db


def figures(user: Any) -> list[Any]:
    client = client_for(user)
    paths = [
        "/api/v1/analytics/levels?period=2019&region=33.17",
        "/api/v1/analytics/levels?period=2020&region=33.17",
        "/api/v1/analytics/transitions?from=2019&to=2020&region=33.17",
        "/api/v1/analytics/breakdown?period=2020&region=33.17&by=sector",
    ]
    answers = [client.get(path) for path in paths]
    assert [a.status_code for a in answers] == [200] * len(paths)
    return [a.json() for a in answers]


def database_text() -> str:
    """Every text-like value of every table, one line per row."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            lines += [" ".join(map(str, row)) for row in cursor.fetchall()]
    return "\n".join(lines).lower()


def media_text(root: Path) -> str:
    texts = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(m).decode("utf-8", "replace") for m in archive.namelist()]
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts).lower()


def test_it_leaves_no_identifier_of_her_in_the_database_or_media(
    subject: Subject, personas: Personas, settings: Any
) -> None:
    assert NAME.lower() in database_text()  # the scan sees her before
    assert subject.nik in media_text(Path(settings.MEDIA_ROOT))
    erase_actor(user=personas.rembang, actor=subject.actor, basis=ErasureBasis.SUBJECT_REQUEST)
    text = database_text()
    media = media_text(Path(settings.MEDIA_ROOT))
    for identifier in subject.identifiers:
        assert identifier.lower() not in text, identifier
        assert identifier.lower() not in media, identifier
    assert "•" + subject.nik[-4:] not in text  # no masked form ending in her serial either


def test_it_keeps_the_dashboard_figures_of_her_region(subject: Subject, personas: Personas) -> None:
    before = figures(personas.admin)
    erase_actor(user=personas.rembang, actor=subject.actor, basis=ErasureBasis.END_OF_RETENTION)
    assert figures(personas.admin) == before
    results = Assessment.objects.filter(actor=subject.actor, counted=True)
    assert sorted(results.values_list("period__code", "level")) == [
        ("2019", "IR1"),
        ("2020", "IR3"),
    ]


def test_it_replaces_her_record_by_a_pseudonym_with_the_birth_year_only(
    subject: Subject, personas: Personas
) -> None:
    erasure = erase_actor(
        user=personas.rembang,
        actor=subject.actor,
        basis=ErasureBasis.OTHER,
        note=f"Court order about {NAME}",
    )
    actor = erasure.actor
    actor.refresh_from_db()
    assert actor.name == erasure.pseudonym == actor.business_name
    assert (actor.phone, actor.address, actor.nik_encrypted, actor.nik_masked) == ("", "", "", "")
    assert (actor.birth_date.year, actor.birth_date.month, actor.birth_date.day) == (1985, 1, 1)
    assert (actor.village_id, actor.sector, actor.status) == (
        "33.17.04.2001",
        "kerajinan",
        "active",
    )
    assert erasure.note == f"Court order about {erasure.pseudonym}"
    assert list(actor.legality_items.values_list("kind", "number")) == [("nib", "")]


def test_it_cleans_submissions_and_deletes_files_that_name_her(
    subject: Subject, personas: Personas
) -> None:
    photo = SubmissionFile.objects.get().file
    erasure = erase_actor(
        user=personas.rembang, actor=subject.actor, basis=ErasureBasis.SUBJECT_REQUEST
    )
    submission = Submission.objects.get()
    assert erasure.pseudonym in submission.xml
    assert subject.nik not in submission.xml
    assert not SubmissionFile.objects.exists()
    assert not photo.storage.exists(photo.name)
    named, other = ImportJob.objects.order_by("pk")
    assert not named.file  # only the spreadsheet naming her is deleted
    assert other.file
    assert other.file.storage.exists(other.file.name)
    assert len(erasure.removed["files_deleted"]) == 2


def test_it_is_audited_with_the_legal_basis_and_harmless_twice(
    subject: Subject, personas: Personas
) -> None:
    asked = record_request(
        user=personas.rembang, actor=subject.actor, kind=RequestKind.ERASURE, requester="Ibu"
    )
    first = erase_actor(
        user=personas.rembang, actor=subject.actor, basis=ErasureBasis.CONSENT_WITHDRAWN
    )
    again = erase_actor(user=personas.admin, actor=subject.actor, basis=ErasureBasis.OTHER)
    assert again.pk == first.pk
    assert Erasure.objects.count() == 1
    event = AuditEvent.objects.get(action="delete", object_type="actor")
    assert event.username == personas.rembang.username
    assert event.after is not None
    assert event.after["basis"] == "consent_withdrawn"
    assert event.object_repr == first.pseudonym
    asked.refresh_from_db()
    assert asked.done_at is not None  # her request is answered by the erasure


def test_a_short_name_is_removed_too(personas: Personas) -> None:
    actor = ActorFactory(name="Ani")
    Submission.objects.create(
        instance_id="uuid:ani",
        xml="<data><nama>Ani</nama></data>",
        digest="1" * 64,
        status="rejected",
        region_code=actor.village_id,
    )
    erasure = erase_actor(user=personas.rembang, actor=actor, basis=ErasureBasis.SUBJECT_REQUEST)
    assert Submission.objects.get().xml == f"<data><nama>{erasure.pseudonym}</nama></data>"
