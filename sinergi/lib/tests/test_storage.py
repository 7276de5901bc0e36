from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.assessments.models import Period
from sinergi.collect.models import ImportJob, Submission
from sinergi.collect.tests.odk import fill_instance
from sinergi.collect.tests.sheets import actor_row, upload, xlsx_bytes
from sinergi.collect.tests.test_openrosa import (
    actor,
    answers,
    instrument,
    period,
    phone,
    send,
    xform,
)
from sinergi.lib.jobs import JobStatus
from sinergi.lib.storage import local_copy
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db
__all__ = ["actor", "instrument", "period"]  # fixtures of the OpenRosa tests, used here


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_import_uploaded_through_the_page_is_stored_in_the_bucket_and_read_from_it(
    personas: Personas, settings: Any, bucket_factory: Any
) -> None:
    bucket = bucket_factory()
    settings.STORAGES = bucket.storages(settings.STORAGES)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=personas.rembang.username, password=PASSWORD)

    response = client.post(
        "/collect/actors/import/",
        {"file": upload(xlsx_bytes([actor_row("Ibu Awan"), actor_row("Ibu Ember")]))},
    )

    assert response.status_code == 302, response.content
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE, job.messages
    assert job.created_count == 2
    assert sorted(Actor.objects.values_list("name", flat=True)) == ["Ibu Awan", "Ibu Ember"]
    assert bucket.keys() == [job.file.name]
    assert job.file.name.startswith("imports/")
    assert not Path(settings.MEDIA_ROOT).exists()


def test_a_local_copy_of_a_stored_file_is_private_and_removed_afterwards(
    settings: Any, bucket_factory: Any
) -> None:
    settings.STORAGES = bucket_factory().storages(settings.STORAGES)
    job = ImportJob(original_name="a.xlsx")
    job.file.save("a.xlsx", ContentFile(b"PK\x03\x04 sheet"), save=False)
    with local_copy(job.file) as path:
        assert Path(path).read_bytes() == b"PK\x03\x04 sheet"
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert not Path(path).exists()


def test_a_local_file_is_read_in_place_and_stored_private(settings: Any) -> None:
    job = ImportJob(original_name="a.xlsx")
    job.file.save("a.xlsx", ContentFile(b"PK\x03\x04 sheet"), save=False)
    with local_copy(job.file) as path:
        assert path == job.file.path
    assert Path(path).exists()
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(path).parent.stat().st_mode) == 0o700


def test_a_photo_sent_from_a_phone_is_kept_in_the_bucket_and_served_from_it(
    personas: Personas, actor: Actor, period: Period, settings: Any, bucket_factory: Any
) -> None:
    bucket = bucket_factory()
    settings.STORAGES = bucket.storages(settings.STORAGES)
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor, photo="1700000000.jpg"))
    photo = SimpleUploadedFile("1700000000.jpg", b"\xff\xd8jpeg", "image/jpeg")

    assert send(client, xml, {"1700000000.jpg": photo}).status_code == 201

    submission = Submission.objects.get()
    kept = submission.files.get()
    assert bucket.keys() == [kept.file.name]
    officer = Client()
    assert officer.login(username=personas.rembang.username, password=PASSWORD)
    response = officer.get(f"/collect/submissions/{submission.pk}/files/{kept.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"  # type: ignore[attr-defined]
