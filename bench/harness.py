"""What every benchmark here shares: a Django set up on a throwaway SQLite database, peak
memory, and running each phase in its own interpreter so that its peak memory is its own."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

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
    """Peak memory of this process and, on top, of the largest worker process it waited for
    (a job's worker is a fork of it: their sum bounds what both held at once)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


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
