"""One runner for the background jobs that work through many rows a chunk at a time: the
actor import (collect.imports), the results import (collect.results) and re-scoring
(assessments.rescoring).

`run` does what every such job does, once: it claims the queued row (lib.jobs.claim: a job
not queued is left alone, so running a task twice is harmless), sets the job's process up
(SQLite settings, fewer garbage collections, its worker process), hands the chunks from
`read` to `write` one by one, saves the progress after each chunk (which moves the
heartbeat that `recover` watches), fails the job on an error with a reason for the user,
and has the outcome audited; `recover` runs again, or fails, a job whose process died. A
kind of job is a ChunkedJob subclass and only supplies what is its own: how its rows are
read and checked, how a chunk is written, its counters and report, and under which object
its run is audited.

A job has at most one worker process (lib.workers), in one of two roles (Setup.worker):
`ReadsAhead` reads the chunks there (a user's file, parsed under the upload limits while
the job writes the chunk before), `Checks` takes the parts of a chunk the job sends it
(`ChunkedJob.checked`: re-scoring scores a batch while the job writes the one before).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from sinergi.lib.jobs import Job, JobStatus, claim, recover_jobs
from sinergi.lib.sqlite import bulk_write_settings
from sinergi.lib.uploads import parse_failure
from sinergi.lib.workers import ProcessLimits, Worker

log = logging.getLogger(__name__)

J = TypeVar("J", bound=Job)


@dataclass(frozen=True)
class ReadsAhead:
    """The worker process runs `read`, `chunks` chunks ahead of the job's writes, under
    `limits` when it reads a user's file (lib.uploads.parse_limits): a worker past them
    fails the job with lib.uploads.parse_failure's reason."""

    chunks: int
    limits: ProcessLimits | None = None


@dataclass(frozen=True)
class Checks:
    """The job reads its chunks itself; the worker process runs `check` on the parts of a
    chunk that `checked` sends it."""


@dataclass(frozen=True)
class SqliteSettings:
    """The job connection's page cache and checkpoint interval (lib.sqlite)."""

    cache_kib: int
    checkpoint_pages: int
    check_foreign_keys: bool = True


@dataclass(frozen=True)
class Setup:
    """How `run` sets a kind of job up (ChunkedJob.setup)."""

    worker: ReadsAhead | Checks | None = None
    sqlite: SqliteSettings | None = None
    # Fewer cyclic garbage collections (see few_collections): for jobs that make millions
    # of short-lived containers.
    few_collections: bool = False
    # Each chunk read, written and its progress saved in one transaction, so that a job that
    # stops keeps whole chunks and counts exactly those (else `write` takes its own).
    chunk_transaction: bool = False


class ChunkedJob(Generic[J]):
    """One run of a job row of model J; a kind of job overrides the methods that raise.

    `run` calls, in order: setup(); load() (in the job's process, before its worker
    starts: a fork, which has whatever load() read); start() with the first item read()
    yields; write() with each later item, a chunk; summary() and audit() at the end. An
    exception whose type is in `refusals` fails the job with a message the user can act
    on (failed(error)); any other fails it as unexpected (failed(None)), and is logged.
    """

    # The job's fields that write() changes: saved after every chunk and at the end.
    progress_fields: ClassVar[tuple[str, ...]] = ()
    # Failures that are the data's, not the code's: told to the user, not logged as errors.
    refusals: ClassVar[tuple[type[Exception], ...]] = ()
    # What a run started again after its process died begins from (see recover).
    restarted: ClassVar[dict[str, Any]] = {}
    # Why recover gave up on a job: a translatable text formatted with the job's attempts
    # and progress fields, which says what was kept.
    given_up: ClassVar[str | Promise] = ""

    def __init__(self, job: J) -> None:
        self.job = job
        self._worker: Worker[Any, Any] | None = None

    def setup(self) -> Setup:
        return Setup()

    def load(self) -> None:
        """Read what the checks will need before the worker process starts."""

    def read(self) -> Generator[Any, None, None]:
        """What start() takes, then the chunks; in the worker process with ReadsAhead."""
        raise NotImplementedError

    def start(self, head: Any) -> None:
        """Take what read() yields first (the job's total, a file's columns), before any
        chunk; saved at once with the progress."""
        raise NotImplementedError

    def write(self, chunk: Any) -> None:
        """Check and store one chunk, counting what became of its rows."""
        raise NotImplementedError

    def check(self, part: Any) -> Any:
        """Pure work on a part of a chunk (no database), in the worker process (Checks)."""
        raise NotImplementedError

    def failed(self, error: Exception | None) -> None:
        """Put why the job failed in its report: one of `refusals` or a worker past its
        limits (an UploadRefused), or None for an unexpected error (logged)."""

    def summary(self) -> dict[str, Any]:
        """The job's counts, for its audit row."""
        raise NotImplementedError

    def audit(self, after: dict[str, Any]) -> None:
        """Record the run in the audit trail; `after` holds the status, summary() and the
        seconds the run took."""
        raise NotImplementedError

    @classmethod
    def stopped(cls, job: J, reason: str) -> dict[str, Any]:
        """The fields that put `reason` (given_up) in the report of a job recover fails."""
        raise NotImplementedError

    def checked(self, parts: Sequence[Any]) -> Iterator[Any]:
        """What check() made of each part in the worker process, in order: all are sent at
        once, so the worker checks the next while the caller writes this one."""
        worker = self._worker
        if worker is None:
            raise RuntimeError("checked() needs Setup(worker=Checks())")
        for part in parts:
            worker.send(part)
        for _part in parts:
            yield worker.receive()

    def save_progress(self, *fields: str) -> None:
        """Store the progress fields (and `fields`), moving the heartbeat on."""
        self.job.heartbeat_at = timezone.now()
        self.job.save(update_fields=["heartbeat_at", *self.progress_fields, *fields])


def run(
    model: type[J],
    job_id: int,
    kind: Callable[[J], ChunkedJob[J]],
    *,
    related: Sequence[str] = (),
) -> J | None:
    """Run the queued job `job_id` once as `kind` (see the module's docstring); None when it
    is not queued. The job row is read with `related` (select_related) for `kind`."""
    if not claim(model, job_id):
        return None
    job = model._default_manager.select_related(*related).get(pk=job_id)
    task = kind(job)
    setup = task.setup()
    started = time.monotonic()
    try:
        with _set_up(task, setup) as items:
            task.start(next(items))
            task.save_progress()
            _write_all(task, items, setup.chunk_transaction)
        job.status = JobStatus.DONE
    except Exception as exc:  # noqa: BLE001 - every failure fails the job; _reason logs the unexpected
        reason = _reason(exc, task, setup)
        job.status = JobStatus.FAILED
        if setup.chunk_transaction:  # the counts of the chunks kept, not of the one undone
            job.refresh_from_db(fields=task.progress_fields)
        task.failed(reason)
    job.finished_at = timezone.now()
    task.save_progress("status", "finished_at")
    seconds = round(time.monotonic() - started, 2)
    task.audit({"status": job.status, **task.summary(), "seconds": seconds})
    return job


def recover(model: type[J], kind: type[ChunkedJob[J]], enqueue: Callable[[J], None]) -> list[J]:
    """Jobs of `model` whose process died (running, heartbeat stale): queued again from
    `kind.restarted` and handed to enqueue, up to JOB_MAX_ATTEMPTS runs, since a run is
    idempotent; past that, failed saying why (`kind.given_up`). See lib.jobs.recover_jobs."""

    def fail(job: J) -> dict[str, Any]:
        known = {name: getattr(job, name) for name in ("attempts", *kind.progress_fields)}
        return kind.stopped(job, str(kind.given_up) % known)

    return recover_jobs(model, requeue=lambda job: dict(kind.restarted), enqueue=enqueue, fail=fail)


def _reason(error: Exception, task: ChunkedJob[Any], setup: Setup) -> Exception | None:
    """What the user is told of a failure (see ChunkedJob.failed)."""
    if isinstance(error, task.refusals):
        return error
    reads = setup.worker
    refused = parse_failure(error) if isinstance(reads, ReadsAhead) and reads.limits else None
    if refused is None:
        log.exception("%s failed", task.job)
    else:
        log.warning("%s: %s", task.job, refused)
    return refused


@contextmanager
def _set_up(task: ChunkedJob[Any], setup: Setup) -> Iterator[Iterator[Any]]:
    """The job's process as `setup` says, for the run, and read()'s items."""
    with ExitStack() as stack:
        if setup.few_collections:
            stack.enter_context(few_collections())
        if setup.sqlite is not None:
            stack.enter_context(
                bulk_write_settings(
                    cache_kib=setup.sqlite.cache_kib,
                    checkpoint_pages=setup.sqlite.checkpoint_pages,
                    check_foreign_keys=setup.sqlite.check_foreign_keys,
                )
            )
        task.load()
        yield stack.enter_context(_items(task, setup.worker))


@contextmanager
def _items(task: ChunkedJob[Any], worker: ReadsAhead | Checks | None) -> Iterator[Iterator[Any]]:
    """read()'s items, from where the setup says; the worker stops when the run does (at
    once, killed, when the run failed)."""
    if isinstance(worker, ReadsAhead):
        ahead = task.read()
        with Worker[None, Any](lambda _none: next(ahead, None), worker.limits) as reader:
            for _item in range(1 + worker.chunks):  # the head, and the chunks ahead
                reader.send(None)
            yield _received(reader)
        return
    with Worker(task.check) if isinstance(worker, Checks) else nullcontext() as checker:
        task._worker = checker
        items = task.read()
        try:
            yield items
        finally:
            task._worker = None
            items.close()


def _received(reader: Worker[None, Any]) -> Iterator[Any]:
    """The reading worker's items, asking for one more as each arrives (None: no more)."""
    while (item := reader.receive()) is not None:
        reader.send(None)
        yield item


def _write_all(task: ChunkedJob[Any], items: Iterator[Any], chunk_transaction: bool) -> None:
    while True:
        with transaction.atomic() if chunk_transaction else nullcontext():
            chunk = next(items, None)
            if chunk is None:
                return
            task.write(chunk)
            task.save_progress()


class _Collections:
    """The garbage collector's settings outside jobs, and how many jobs are running (a
    consumer may run jobs in several threads; the settings are the process's)."""

    lock = threading.Lock()
    running = 0
    thresholds = gc.get_threshold()


@contextmanager
def few_collections() -> Iterator[None]:
    """Fewer cyclic garbage collections while jobs run. An import allocates millions of
    short-lived containers, each collection of the older generations walks every object
    the process holds (Django, the job's state), and the default thresholds spent about a
    tenth of an import's time there. Objects made before the first job are set aside
    (gc.freeze) and collections run at most a tenth as often; all as before once the last
    running job is done."""
    with _Collections.lock:
        if not _Collections.running:
            _Collections.thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(10_000, 20, 100)
        _Collections.running += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.running -= 1
            if not _Collections.running:
                gc.set_threshold(*_Collections.thresholds)
                gc.unfreeze()
