"""The worker process: answers in order, its failures come back to the job, no database."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest

from sinergi.lib.workers import Worker, WorkerFailed
from sinergi.regions.models import Region


def square(n: int) -> int:
    return n * n


def plus_one(items: list[int]) -> list[int]:
    return [n + 1 for n in items]


def same(items: list[int]) -> list[int]:
    return items


def nap(seconds: int) -> None:
    time.sleep(seconds)


def die(n: int) -> None:
    os._exit(3)


class Unpicklable(Exception):
    def __init__(self, lock: Any) -> None:
        super().__init__("holds a lock")
        self.lock = lock


def test_it_answers_in_order_with_items_sent_ahead() -> None:
    with Worker(square) as worker:
        for n in range(5):
            worker.send(n)
        assert [worker.receive() for _ in range(5)] == [0, 1, 4, 9, 16]


def test_large_items_sent_ahead_do_not_block_either_side() -> None:
    big = list(range(200_000))  # far more than a pipe holds, both ways
    with Worker(plus_one) as worker:
        for _ in range(3):
            worker.send(big)
        for _ in range(3):
            assert worker.receive()[-1] == 200_000


def test_the_workers_own_state_lasts_across_items() -> None:
    seen: list[int] = []

    def step(n: int) -> int:
        seen.append(n)
        return len(seen)

    with Worker(step) as worker:
        worker.send(7)
        worker.send(8)
        assert (worker.receive(), worker.receive()) == (1, 2)
    assert seen == []  # the worker's copy, not the job's


def test_an_exception_in_the_worker_comes_back_as_itself() -> None:
    def step(n: int) -> int:
        raise ValueError(f"bad item {n}")

    with Worker(step) as worker:
        worker.send(3)
        with pytest.raises(ValueError, match="bad item 3") as raised:
            worker.receive()
    assert isinstance(raised.value.__cause__, WorkerFailed)
    assert "in step" in str(raised.value.__cause__)  # the worker's traceback


def test_an_exception_that_cannot_travel_comes_back_as_worker_failed() -> None:
    def step(n: int) -> int:
        raise Unpicklable(threading.Lock())

    with Worker(step) as worker:
        worker.send(1)
        with pytest.raises(WorkerFailed, match="Unpicklable: holds a lock"):
            worker.receive()


def test_a_worker_that_dies_makes_receive_fail() -> None:
    with Worker(die) as worker:
        worker.send(1)
        with pytest.raises(WorkerFailed, match="stopped \\(exit status 3\\)"):
            worker.receive()


def _fail_while_busy() -> None:
    with Worker(nap) as worker:
        worker.send(60)
        raise RuntimeError("the job failed")


def test_leaving_on_an_error_stops_a_busy_worker_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(RuntimeError):
        _fail_while_busy()
    assert time.monotonic() - started < 10


def test_closing_drops_answers_nobody_received() -> None:
    worker = Worker(same)
    for _ in range(3):
        worker.send(list(range(100_000)))
    worker.close()  # returns although the worker had answers to give


@pytest.mark.django_db
def test_the_worker_may_not_use_the_database() -> None:
    assert Region.objects.exists()

    def count(n: int) -> int:
        return Region.objects.count()

    with Worker(count) as worker:
        worker.send(1)
        with pytest.raises(WorkerFailed, match="pure work only"):
            worker.receive()
    assert Region.objects.exists()  # the job's connection still works
