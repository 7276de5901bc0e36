"""Peak memory of the web process and of the job consumer while each hostile spreadsheet of
the test corpus (sinergi/lib/tests/bombs.py) is handled, beside a normal 4,000-row file.

    .venv/bin/python bench/upload_bombs.py

Each figure comes from its own interpreter (bench/harness.run_phase), so that its peak
(ru_maxrss) is its own: "web" runs the upload form's check (collect.forms.UploadForm, what
the import page calls), "consumer" runs the queued job (collect.imports.run_job, what the
huey task calls) on a throwaway SQLite database. "worker" is the largest process either
forked to read the sheet under lib.uploads.parse_limits. Not run by the test suite.

With --past-checks, every archive and sheet limit is raised out of reach and only the
reading process's memory and time limits are left: what happens to a bomb the checks would
not have recognised.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import ROOT, django_on, peak_mb, run_phase, worker_peak_mb

PAST_CHECKS = {
    "UPLOAD_UNPACKED_MAX_BYTES": 2**40,
    "UPLOAD_UNPACKED_TOTAL_BYTES": 2**40,
    "UPLOAD_ZIP_MAX_RATIO": 10**6,
    "UPLOAD_SHEET_MAX_ROWS": 10**7,
    "UPLOAD_SHEET_MAX_COLUMNS": 10**5,
    "UPLOAD_SHEET_MAX_CELLS": 10**15,
}


def _reference(path: Path, rows: int = 4000) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("actors")
    sheet.write_row(0, 0, ["nik", "name", "sex", "birth_date", "village_code", "business_name",
                           "sector", "phone", "address", "products"])  # fmt: skip
    for n in range(1, rows + 1):
        sheet.write_row(n, 0, [f"3317045203{n:06d}", f"Ibu Bench {n}", "P", "1985-03-12",
                               "33.17.04.2001", f"Usaha {n}", "jasa", "081234567890",
                               f"RT {n % 20:02d}", "keripik"])  # fmt: skip
    workbook.close()
    return path


def _file(workdir: Path, case: str) -> Path:
    from sinergi.lib.tests import bombs

    path = workdir / "upload.xlsx"
    if case == "reference":
        return _reference(path)
    return bombs.BOMBS[case](path)


def prepare(workdir: Path) -> dict[str, Any]:
    django_on(workdir)
    from django.core.management import call_command

    from sinergi.accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.create_user(username="bench", password="bench-password-1")  # noqa: S106
    return {}


def web(workdir: Path, case: str) -> dict[str, Any]:
    django_on(workdir)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from sinergi.collect.forms import UploadForm

    content = _file(workdir, case).read_bytes()
    started = time.perf_counter()
    with translation.override("id"):
        form = UploadForm(files={"file": SimpleUploadedFile("upload.xlsx", content)})
        valid = form.is_valid()
        outcome = "accepted" if valid else " ".join(form.errors["file"])
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": round(peak_mb()),
        "worker_mb": round(worker_peak_mb()),
        "outcome": outcome,
    }


def consumer(workdir: Path, case: str) -> dict[str, Any]:
    django_on(workdir)
    from django.core.files import File
    from django.utils import translation

    from sinergi.accounts.models import User
    from sinergi.collect.imports import run_job
    from sinergi.collect.models import ImportJob

    path = _file(workdir, case)
    job = ImportJob(kind="actors", uploaded_by=User.objects.get(), original_name=path.name)
    with open(path, "rb") as handle:
        job.file.save(path.name, File(handle), save=False)
    job.save()
    started = time.perf_counter()
    with translation.override("id"):
        run_job(job.pk)
    job.refresh_from_db()
    errors = [m["reason"] for m in job.messages if m["row"] <= 1]
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": round(peak_mb()),
        "worker_mb": round(worker_peak_mb()),
        "outcome": f"{job.status}, {job.processed_rows} rows"
        + (f": {errors[0]}" if errors else ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=["prepare", "web", "consumer"])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--case", default="reference")
    parser.add_argument("--past-checks", action="store_true")
    args = parser.parse_args()
    if args.past_checks:  # the phases inherit the environment
        for name, value in PAST_CHECKS.items():
            os.environ[name] = str(value)
    if args.phase:
        phases = {"prepare": prepare, "web": web, "consumer": consumer}
        extra = () if args.phase == "prepare" else (args.case,)
        print(json.dumps(phases[args.phase](args.workdir, *extra)))  # type: ignore[operator]
        return
    sys.path.insert(0, str(ROOT))
    from sinergi.lib.tests.bombs import BOMBS

    base = Path(tempfile.mkdtemp(prefix="upload-bombs-"))
    try:
        run_phase(__file__, "prepare", base)
        print("| File | Web: peak MB | Web: worker MB | Web: s | Consumer: peak MB | "
              "Consumer: worker MB | Consumer: s | Outcome (job) |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for case in ("reference", *BOMBS):
            workdir = base / "case"
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.copytree(base, workdir, ignore=shutil.ignore_patterns("case"))
            w = run_phase(__file__, "web", workdir, "--case", case)
            c = run_phase(__file__, "consumer", workdir, "--case", case)
            web_figures = f"{w['peak_mb']} | {w['worker_mb']} | {w['seconds']}"
            job_figures = f"{c['peak_mb']} | {c['worker_mb']} | {c['seconds']}"
            print(f"| {case} | {web_figures} | {job_figures} | {c['outcome']} |")
            print(f"|  web: {w['outcome']} |", file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
