"""The chunked-job runner: claiming, progress, failures, the worker in both its roles, the
one transaction per chunk, the process's settings, and the audit of the outcome."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Generator
from typing import Any, ClassVar

import pytest
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.collect.models import ImportJob
from sinergi.lib.jobs import JobStatus
from sinergi.lib.runner import Checks, ChunkedJob, ReadsAhead, Setup, run
from sinergi.lib.uploads import parse_limits
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


class Refusal(ValueError):
    pass


class Counting(ChunkedJob[ImportJob]):
    """A kind of job that counts the numbers it reads, a chunk at a time: the total first,
    then CHUNKS; a chunk holding 0 raises REFUSAL, one holding -1 an unexpected error."""

    CHUNKS: list[list[int]] = [[1, 2], [3]]
    REFUSAL: Exception = Refusal("a row the user can fix")
    progress_fields = ("total_rows", "processed_rows", "created_count", "messages")
    refusals = (Refusal,)
    audited: ClassVar[list[dict[str, Any]]] = []
    pids: ClassVar[set[int]] = set()  # of the processes that read or checked

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        job.messages = []

    def read(self) -> Generator[Any, None, None]:
        yield sum(len(chunk) for chunk in self.CHUNKS)
        yield from self.CHUNKS

    def start(self, head: int) -> None:
        self.job.total_rows = head

    def write(self, chunk: list[int]) -> None:
        for number in chunk:
            if number == 0:
                raise self.REFUSAL
            if number < 0:
                raise RuntimeError("a bug")
            self.job.processed_rows += 1
            self.job.created_count += number

    def failed(self, error: Exception | None) -> None:
        self.job.messages.append("unexpected" if error is None else str(error))

    def summary(self) -> dict[str, Any]:
        return {"created": self.job.created_count}

    def audit(self, after: dict[str, Any]) -> None:
        self.audited.append(after)


class ReadInWorker(Counting):
    def setup(self) -> Setup:
        return Setup(worker=ReadsAhead(chunks=1))

    def read(self) -> Generator[Any, None, None]:
        yield os.getpid()
        yield from self.CHUNKS

    def start(self, head: int) -> None:
        self.pids.add(head)


class InOneTransaction(Counting):
    def setup(self) -> Setup:
        return Setup(chunk_transaction=True)

    def write(self, chunk: list[int]) -> None:
        ImportJob.objects.filter(pk=self.job.pk).update(original_name=f"chunk {chunk}")
        super().write(chunk)


class CheckedInWorker(Counting):
    def setup(self) -> Setup:
        return Setup(worker=Checks())

    def check(self, part: int) -> tuple[int, int]:
        return part * 10, os.getpid()

    def write(self, chunk: list[int]) -> None:
        for part, (tenfold, pid) in zip(chunk, self.checked(chunk), strict=True):
            assert tenfold == part * 10
            self.pids.add(pid)
        super().write(chunk)


def queued(user: User) -> ImportJob:
    return ImportJob.objects.create(kind="actors", uploaded_by=user, original_name="a.xlsx")


@pytest.fixture(autouse=True)
def audited() -> list[dict[str, Any]]:
    Counting.audited = []
    Counting.pids = set()
    return Counting.audited


def test_it_runs_a_queued_job_once_saving_its_progress_and_auditing_it(
    personas: Personas, audited: list[dict[str, Any]]
) -> None:
    job = queued(personas.rembang)
    before = timezone.now()
    done = run(ImportJob, job.pk, Counting)
    assert done is not None
    assert run(ImportJob, job.pk, Counting) is None  # done: left alone
    job.refresh_from_db()
    assert (job.status, job.attempts, job.total_rows, job.processed_rows) == ("done", 1, 3, 3)
    assert job.created_count == 6
    assert job.heartbeat_at is not None
    assert job.heartbeat_at >= before
    assert job.finished_at is not None
    (after,) = audited
    assert (after["status"], after["created"]) == (JobStatus.DONE, 6)
    assert list(after) == ["status", "created", "seconds"]


def test_a_refusal_fails_the_job_with_its_reason_and_no_error_logged(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Counting, "CHUNKS", [[1, 2], [0]])
    job = queued(personas.rembang)
    with caplog.at_level(logging.ERROR):
        done = run(ImportJob, job.pk, Counting)
    assert done is not None
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.messages) == (
        "failed",
        2,
        ["a row the user can fix"],
    )
    assert not caplog.records


def test_an_unexpected_error_fails_the_job_and_is_logged(
    personas: Personas,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    audited: list[dict[str, Any]],
) -> None:
    monkeypatch.setattr(Counting, "CHUNKS", [[-1]])
    job = queued(personas.rembang)
    with caplog.at_level(logging.ERROR):
        run(ImportJob, job.pk, Counting)
    job.refresh_from_db()
    assert (job.status, job.messages) == ("failed", ["unexpected"])
    assert "failed" in caplog.text
    assert audited[0]["status"] == JobStatus.FAILED


def test_chunks_read_in_the_worker_arrive_in_order(personas: Personas) -> None:
    job = queued(personas.rembang)
    run(ImportJob, job.pk, ReadInWorker)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == ("done", 3, 6)
    assert len(Counting.pids) == 1
    assert os.getpid() not in Counting.pids


def test_a_worker_past_its_limits_fails_the_job_with_the_reason(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.UPLOAD_PARSE_SECONDS = 1

    def limited(self: ReadInWorker) -> Setup:
        return Setup(worker=ReadsAhead(chunks=1, limits=parse_limits()))

    def spin(self: ReadInWorker) -> Generator[Any, None, None]:
        while True:  # past its one second of CPU, the kernel ends it
            pass
        yield

    monkeypatch.setattr(ReadInWorker, "setup", limited)
    monkeypatch.setattr(ReadInWorker, "read", spin)
    job = queued(personas.rembang)
    run(ImportJob, job.pk, ReadInWorker)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "1 seconds" in job.messages[0] or "1 detik" in job.messages[0]


def test_parts_checked_in_the_worker_come_back_in_order(personas: Personas) -> None:
    job = queued(personas.rembang)
    run(ImportJob, job.pk, CheckedInWorker)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 6)
    assert len(Counting.pids) == 1
    assert os.getpid() not in Counting.pids


def test_with_one_transaction_per_chunk_a_failure_keeps_whole_chunks_and_their_counts(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Counting, "CHUNKS", [[1, 2], [3, 0]])
    job = queued(personas.rembang)
    done = run(ImportJob, job.pk, InOneTransaction)
    assert done is not None
    assert (done.processed_rows, done.created_count) == (2, 3)  # not the 3 of the chunk undone
    job.refresh_from_db()
    assert (job.status, job.original_name) == ("failed", "chunk [1, 2]")
    assert (job.processed_rows, job.created_count) == (2, 3)


def test_the_collectors_settings_come_back_after_a_run(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Counting, "setup", lambda self: Setup(few_collections=True))
    before = (gc.get_threshold(), gc.get_freeze_count())
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(Counting, "start", lambda self, head: seen.append(gc.get_threshold()))
    run(ImportJob, queued(personas.rembang).pk, Counting)
    assert seen == [(10_000, 20, 100)]
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
