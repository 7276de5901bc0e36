"""Hostile spreadsheets at upload (web) and in the job; jobs whose consumer was killed."""

from __future__ import annotations

import resource
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from sinergi.collect import imports, tasks
from sinergi.collect.choices import JobKind, JobStatus
from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import actor_row, xlsx_bytes
from sinergi.lib.tests import bombs
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db
URL = "/collect/actors/import/"
BOMBS = list(bombs.BOMBS.values())
IDS = list(bombs.BOMBS)


def login(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password=PASSWORD)
    return client


def peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@pytest.mark.parametrize("make", BOMBS, ids=IDS)
def test_a_bomb_is_refused_at_upload_naming_the_reason_and_no_job_is_made(
    make: Callable[[Path], Path], personas: Personas, tmp_path: Path
) -> None:
    content = make(tmp_path / "bomb.xlsx").read_bytes()
    before = peak_mib()
    response = login(personas.pendamping.username).post(
        URL, {"file": SimpleUploadedFile("bomb.xlsx", content)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "bomb.xlsx was refused: " in page or "bomb.xlsx is not a spreadsheet" in page
    assert not ImportJob.objects.exists()
    assert peak_mib() - before < 64  # the web process read a slice at a time


def test_the_refusal_is_in_bahasa_indonesia_by_default(personas: Personas, tmp_path: Path) -> None:
    content = bombs.zip_bomb(tmp_path / "bomb.xlsx").read_bytes()
    response = login(personas.rembang.username, "id").post(
        URL, {"file": SimpleUploadedFile("bomb.xlsx", content)}
    )
    assert "bomb.xlsx ditolak: Berkas terlalu besar setelah dibuka" in response.content.decode()


def queued(user: Any, path: Path, kind: str = JobKind.ACTORS) -> ImportJob:
    """A job for a file that reached the queue without the web form (an older upload, or
    another way in): the job must not trust it either."""
    job = ImportJob(kind=kind, uploaded_by=user, original_name=path.name)
    job.file.save(path.name, SimpleUploadedFile(path.name, path.read_bytes()), save=False)
    job.save()
    return job


def reasons(job: ImportJob) -> str:
    return " ".join(m["reason"] for m in job.messages)


@pytest.mark.parametrize("kind", [JobKind.ACTORS, JobKind.RESULTS])
@pytest.mark.parametrize("make", BOMBS, ids=IDS)
def test_a_bomb_that_reaches_the_queue_fails_its_job_with_the_reason(
    make: Callable[[Path], Path], kind: str, personas: Personas, tmp_path: Path
) -> None:
    job = queued(personas.rembang, make(tmp_path / "bomb.xlsx"), kind)
    before = peak_mib()
    tasks.enqueue(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.finished_at is not None
    assert reasons(job).startswith(("Berkas ", "Lembar sheet1 "))  # the default language
    assert peak_mib() - before < 64


LIMITS_OFF = {
    "UPLOAD_SHEET_MAX_ROWS": 2_000_000,
    "UPLOAD_SHEET_MAX_COLUMNS": 20_000,
    "UPLOAD_SHEET_MAX_CELLS": 10**12,
    "UPLOAD_PARSE_MEMORY_MB": 96,
}


@override_settings(**LIMITS_OFF)
@pytest.mark.parametrize("make", [bombs.far_cells, bombs.huge_extent], ids=["far", "huge"])
def test_past_the_checks_the_memory_limit_of_the_reading_process_fails_the_job(
    make: Callable[[Path], Path], personas: Personas, tmp_path: Path
) -> None:
    job = queued(personas.rembang, make(tmp_path / "bomb.xlsx"))
    before = peak_mib()
    tasks.enqueue(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Berkas terlalu besar setelah dibuka: membacanya memerlukan lebih dari" in reasons(job)
    assert peak_mib() - before < 64  # the worker took it, not the consumer


# --- Jobs after a crash ----------------------------------------------------------------------


class Killed(BaseException):
    """What a consumer killed mid-run looks like from the job: it stops where it is."""


def crashed_import(personas: Personas, monkeypatch: pytest.MonkeyPatch, rows: int) -> ImportJob:
    """An import killed after its first chunk (two rows) was committed: left running."""
    content = xlsx_bytes([actor_row(f"Ibu {n}", born=date(1980 + n, 1, 1)) for n in range(rows)])
    job = ImportJob(kind=JobKind.ACTORS, uploaded_by=personas.rembang, original_name="a.xlsx")
    job.file.save("a.xlsx", SimpleUploadedFile("a.xlsx", content), save=False)
    job.save()
    write = imports.ActorImport.write
    chunks: list[Any] = []

    def dies(self: imports.ActorImport, chunk: Any) -> None:
        if chunks:
            raise Killed
        chunks.append(chunk)
        write(self, chunk)

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    with monkeypatch.context() as patch:
        patch.setattr(imports.ActorImport, "write", dies)
        with pytest.raises(Killed):
            imports.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (JobStatus.RUNNING, 2, 2)
    assert Actor.objects.count() == 2
    return job


def stale(job: ImportJob, attempts: int | None = None) -> None:
    old = timezone.now() - timedelta(minutes=10)
    fields: dict[str, Any] = {"heartbeat_at": old}
    if attempts is not None:
        fields["attempts"] = attempts
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def test_a_crashed_import_is_resumed_and_stores_no_row_twice(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = crashed_import(personas, monkeypatch, rows=6)
    tasks.recover_stalled_imports()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # its heartbeat is fresh: maybe still alive
    stale(job)
    tasks.recover_stalled_imports()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.messages
    assert job.attempts == 2
    assert (job.processed_rows, job.created_count, job.skipped_count, job.failed_count) == (
        6,
        4,
        2,
        0,
    )
    assert Actor.objects.count() == 6
    assert Actor.objects.values("nik_hash").distinct().count() == 6
    assert "Impor dijalankan ulang (percobaan ke-2 dari 3)" in reasons(job)


def test_a_job_out_of_attempts_is_failed_saying_what_was_kept(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = crashed_import(personas, monkeypatch, rows=6)
    stale(job, attempts=3)
    tasks.recover_stalled_imports()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.finished_at is not None
    assert "Impor berhenti: prosesnya dihentikan paksa 3 kali." in reasons(job)
    assert "2 baris pertama berkas sudah diproses" in reasons(job)
    assert Actor.objects.count() == 2
    page = login(personas.rembang.username).get(f"/collect/imports/{job.pk}/").content.decode()
    assert "The rows stored before then are kept" in page or "tetap ada" in page


def test_the_consumer_recovers_stalled_jobs_when_it_starts(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = crashed_import(personas, monkeypatch, rows=4)
    stale(job)
    tasks.recover_imports_at_start()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Actor.objects.count() == 4
