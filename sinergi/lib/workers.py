"""A second process for the pure part of a long job, so that it runs beside the database work.

A job that parses, checks or scores in Python and writes with SQLite spends about as long in
each; with two cores, a second process can do the Python part of the next batch while the
job's own process writes this one. The worker is a fork of the job's process: it starts at
once with everything the job has loaded (settings, the active language, compiled
instruments, villages read so far), and it does pure work only. Every database read and
write stays in the job's process, on its own connection: a forked copy of a connection must
not be used (and in tests the data lives in the job's open transaction), so any query the
worker tries fails.

os.fork rather than multiprocessing.Process: huey's process workers are daemonic, and
multiprocessing refuses to start children from a daemonic process.
"""

from __future__ import annotations

import os
import pickle
import queue
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

from django.db import connections

In = TypeVar("In")
Out = TypeVar("Out")


class WorkerFailed(Exception):
    """The worker process raised, or stopped without an answer (then `status` is its exit
    status: negative for the signal that ended it)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProcessLimits:
    """How much more memory (address space, beyond what the fork starts with) and how many
    CPU seconds a worker may take. Past the memory, allocations fail (MemoryError, or a
    native reader aborts); past the CPU time the kernel ends the worker (SIGXCPU, then
    SIGKILL a second later)."""

    memory_bytes: int
    cpu_seconds: int


def _address_space() -> int:
    """The process's virtual memory size now, in bytes (0 where /proc is unknown)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _limit(limits: ProcessLimits) -> None:
    memory = _address_space() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # A forked child's CPU time starts from zero.
    seconds = limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file of a worker ended so


def _refuse_queries(*args: Any) -> Any:
    raise WorkerFailed("a worker process does pure work only; database access stays in the job")


class Worker(Generic[In, Out]):
    """Runs `step` on each item sent to it, in a forked process; answers come back in order.

    send() does not wait (a thread of this process writes to the worker), so a caller can
    send the next items before it needs their answers. An exception in the worker comes back
    from receive(): the same exception when it can be pickled, chained to a WorkerFailed that
    holds the worker's traceback; a worker that dies makes receive() raise WorkerFailed.
    As a context manager, leaving stops the worker, whatever happened. With limits, the
    worker runs under them (a worker that parses an upload: lib.uploads.parse_limits).
    """

    def __init__(self, step: Callable[[In], Out], limits: ProcessLimits | None = None) -> None:
        items_in, self._items = Pipe(duplex=False)
        self._answers, answers_out = Pipe(duplex=False)
        self._pid = os.fork()
        if self._pid == 0:  # the worker: never returns into the caller's code
            status = 1
            try:
                self._items.close()
                self._answers.close()
                if limits is not None:
                    _limit(limits)
                _serve(step, items_in, answers_out)
                status = 0
            finally:
                os._exit(status)
        items_in.close()
        answers_out.close()
        self._queue: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._feeder = threading.Thread(target=self._feed, name="worker-feeder", daemon=True)
        self._feeder.start()
        self._status: int | None = None  # the worker's exit status once it is reaped
        self._closed = False

    def _feed(self) -> None:
        while True:
            more, item = self._queue.get()
            try:
                self._items.send((more, item))
            except OSError:  # the worker is gone; receive() says so
                return
            if not more:
                return

    def send(self, item: In) -> None:
        self._queue.put((True, item))

    def receive(self) -> Out:
        try:
            done, value = self._answers.recv()
        except EOFError:
            status = self._reap()
            raise WorkerFailed(
                f"the worker process stopped (exit status {status})", status
            ) from None
        if done:
            answer: Out = value
            return answer
        error, trace = value
        failed = WorkerFailed(f"the worker process raised:\n{trace}")
        if error is None:
            raise failed
        raise error from failed

    def _reap(self) -> int:
        if self._status is None:
            _pid, status = os.waitpid(self._pid, 0)
            self._status = os.waitstatus_to_exitcode(status)
        return self._status

    def close(self, *, kill: bool = False) -> None:
        """Stop the worker: at once with kill, else once it has done the items sent. Answers
        not received are dropped (the worker stops on the first one nobody reads)."""
        if self._closed:
            return
        self._closed = True
        self._answers.close()
        if kill and self._status is None:
            os.kill(self._pid, signal.SIGKILL)
        self._queue.put((False, None))
        self._feeder.join()
        self._reap()
        self._items.close()

    def __enter__(self) -> Worker[In, Out]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(kill=exc_type is not None)


def _serve(step: Callable[[Any], Any], items: Connection, answers: Connection) -> None:
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_refuse_queries)
    while True:
        more, item = items.recv()
        if not more:
            return
        try:
            answer = step(item)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the job
            try:
                pickle.dumps(exc)
            except Exception:  # noqa: BLE001 - an exception that cannot travel: its text does
                exc = None  # type: ignore[assignment]
            answers.send((False, (exc, traceback.format_exc())))
            return
        answers.send((True, answer))
