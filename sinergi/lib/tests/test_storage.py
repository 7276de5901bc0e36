from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import actor_row, upload, xlsx_bytes
from sinergi.lib.jobs import JobStatus
from sinergi.lib.storage import local_copy
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db


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
