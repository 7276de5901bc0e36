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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
