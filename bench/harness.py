"""What every benchmark here shares: a Django set up on a throwaway SQLite database, peak
memory, and running each phase in its own interpreter so that its peak memory is its own."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def django_on(workdir: Path) -> None:
    """Set Django up on `workdir/bench.sqlite3` (demo settings, quiet logs)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SINERGI_DEMO"] = "1"
    os.environ["SINERGI_VAR_DIR"] = str(workdir / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    """Peak resident memory of this process alone (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_mb() -> float:
    """Peak resident memory of the largest worker process this one waited for. A worker is
    a fork: its resident memory counts the pages it still shares with the job."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _pss_kib(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:  # the process ended meanwhile
        pass
    return 0


def _children(pid: int) -> list[str]:
    """Child processes of the process's first thread, the one that forks workers."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return children.read().split()
    except OSError:
        return []


class Listening:
    """Time spent in read-model listeners (analytics) during a run: each listener in the
    given lists is wrapped with a timer while the context is open."""

    def __init__(self, *listener_lists: list[Callable[..., Any]]) -> None:
        self.lists = listener_lists
        self.seconds = 0.0
        self._saved: list[list[Callable[..., Any]]] = []

    def _timed(self, listener: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return listener(*args)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __enter__(self) -> Listening:
        for listeners in self.lists:
            self._saved.append(list(listeners))
            listeners[:] = [self._timed(listener) for listener in listeners]
        return self

    def __exit__(self, *exc: object) -> None:
        for listeners, saved in zip(self.lists, self._saved, strict=True):
            listeners[:] = saved


class TogetherPeak:
    """Peak memory of this process and its worker processes together, by sampling their
    proportional set size (PSS: a page shared by both counts half in each, so the sum is
    what they hold together) every `every` seconds in a thread. Linux only; each sample
    costs the job about a millisecond."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            total = _pss_kib(me) + sum(_pss_kib(child) for child in _children(me))
            self.peak_kib = max(self.peak_kib, total)

    def __enter__(self) -> TogetherPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process, and of the worker processes it waited for:
    on a shared machine, what the run cost whatever else ran beside it."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime


def run_phase(script: str, name: str, workdir: Path, *extra: str) -> dict[str, float]:
    """Run `script --phase name` in a new interpreter; its last stdout line is JSON figures."""
    out = subprocess.run(  # noqa: S603 - a benchmark script of ours, fixed arguments
        [sys.executable, script, "--phase", name, "--workdir", str(workdir), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
