"""Benchmark of the actor spreadsheet import against a plain calamine + sqlite3 reference.

    .venv/bin/python bench/import_actors.py [--rows 100000]

Each phase runs in its own interpreter so that its peak memory (ru_maxrss) is its own:
prepare (fresh SQLite database, migrate, load regions, write the .xlsx), import (the
function the huey task calls, as a national admin), reference (calamine rows into one
plain table with executemany), floor (the rows the import stored, inserted again with raw
sqlite3 into a copy of the database as it was before: what storing them costs alone). Not
run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

from harness import (
    Listening,
    TogetherPeak,
    cpu_seconds,
    django_on,
    peak_mb,
    run_phase,
    worker_peak_mb,
)

REGENCIES = ("33.17", "33.24", "33.20", "33.18")  # Rembang, Kendal, Jepara, Pati
SECTORS = ("makanan-minuman", "kerajinan", "fashion-tekstil", "jasa", "pertanian-olahan")


def prepare(workdir: Path, rows: int) -> dict[str, float]:
    django_on(workdir)
    import xlsxwriter
    from django.core.management import call_command

    from sinergi.collect.actor_sheet import column_help
    from sinergi.regions.models import Region
    from sinergi.registry.rules import compose_nik

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    villages = [
        code
        for regency in REGENCIES
        for code in Region.objects.filter(level=4, code__startswith=f"{regency}.").values_list(
            "code", flat=True
        )
    ]
    codes = [c.code for c in column_help()]
    random = Random(20261129)
    serials: dict[str, int] = {}
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(workdir / "actors.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet("actors")
    sheet.write_row(0, 0, codes)
    for n in range(1, rows + 1):
        village = random.choice(villages)
        district = village.rsplit(".", 1)[0]
        serials[district] = serials.get(district, 0) + 1
        born = date(1960, 1, 1) + timedelta(days=random.randrange(40 * 365))
        values = {
            "nik": compose_nik(district, born, female=True, serial=serials[district]),
            "name": f"Ibu Bench {n}",
            "sex": "P",
            "birth_date": born.isoformat(),
            "phone": f"0812{random.randrange(10**7, 10**8)}",
            "address": f"RT {n % 20:02d}",
            "village_code": village,
            "business_name": f"Usaha {n}",
            "sector": random.choice(SECTORS),
            "products": "keripik",
            "year_started": str(random.randrange(2000, 2025)),
            "consent_date": "2024-01-15",
            "consent_programme": "ya",
            "consent_partners": "tidak",
            "consent_publication": "tidak",
            "facilitator": "",
            "status": "active",
            "nib": f"{random.randrange(10**12, 10**13)}" if n % 3 == 0 else "",
            "pirt": "",
            "halal": "",
            "other_legality": "sku" if n % 2 else "",
        }
        sheet.write_row(n, 0, [values[c] for c in codes])
    workbook.close()
    return {"write_seconds": time.perf_counter() - started, "villages": len(villages)}


def run_import(workdir: Path) -> dict[str, float]:
    django_on(workdir)
    from django.conf import settings
    from django.db import connection

    from sinergi.accounts.models import Membership, User
    from sinergi.collect import imports
    from sinergi.collect.models import ImportJob
    from sinergi.registry import events

    user = User.objects.create_user(username="bench-admin", password=None)
    Membership.objects.create(user=user, role="national_admin", region=None)
    target = Path(settings.MEDIA_ROOT) / "imports" / "bench.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workdir / "actors.xlsx", target)
    job = ImportJob.objects.create(
        kind="actors", uploaded_by=user, original_name="bench.xlsx", file="imports/bench.xlsx"
    )
    before = peak_mb()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    with TogetherPeak() as together, Listening(events.actors_moved.listeners) as listening:
        done = imports.run_job(job.pk)
    seconds = time.perf_counter() - started
    cpu = [after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True)]
    assert done is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_actor")
        actors = cursor.fetchone()[0]
    return {
        "seconds": seconds,
        "rows": done.processed_rows,
        "created": done.created_count,
        "failed": done.failed_count,
        "actors": actors,
        "peak_mb_before": before,
        "peak_mb": peak_mb(),
        "worker_peak_mb": worker_peak_mb(),
        "together_peak_mb": together.peak_mb,
        "listeners": listening.seconds,
        "cpu_job": cpu[0],
        "cpu_worker": cpu[1],
    }


def reference(workdir: Path) -> dict[str, float]:
    import sqlite3

    import python_calamine

    started = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_path(str(workdir / "actors.xlsx"))
    rows = sheet.get_sheet_by_index(0).iter_rows()
    header = next(rows)
    db = sqlite3.connect(workdir / "reference.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"CREATE TABLE actor ({', '.join(f'{c} TEXT' for c in header)})")
    placeholders = ", ".join("?" for _ in header)
    count = 0
    batch: list[list[str]] = []
    for row in rows:
        batch.append([str(v) for v in row])
        if len(batch) == 5000:
            db.executemany(f"INSERT INTO actor VALUES ({placeholders})", batch)
            count += len(batch)
            batch = []
    db.executemany(f"INSERT INTO actor VALUES ({placeholders})", batch)
    count += len(batch)
    db.commit()
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_mb()}


def floor(workdir: Path) -> dict[str, float]:
    """The writes an import cannot avoid, alone: the rows the import stored (actors, their
    legality items, their audit rows) inserted again with raw sqlite3 into a copy of the
    database as it was before the import, in the job's chunks of 2,000 and with its pragmas;
    no reading of the sheet, no parsing, checks or encryption, no read models."""
    import sqlite3

    source = sqlite3.connect(workdir / "bench.sqlite3")
    db = sqlite3.connect(workdir / "floor.sqlite3", isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536",
                   "wal_autocheckpoint = 20000", "foreign_keys = ON"):  # fmt: skip
        db.execute(f"PRAGMA {pragma}")
    users = source.execute("SELECT * FROM accounts_user").fetchall()
    db.executemany(f"INSERT OR IGNORE INTO accounts_user VALUES ({', '.join('?' * len(users[0]))})",
                   users)  # fmt: skip
    actors = source.execute("SELECT * FROM registry_actor ORDER BY id").fetchall()
    items: dict[int, list[Any]] = {}
    owner = _column(source, "registry_legalityitem", "actor_id")
    for item in source.execute("SELECT * FROM registry_legalityitem"):
        items.setdefault(item[owner], []).append(item)
    audits: dict[int, list[Any]] = {}
    about = _column(source, "audit_auditevent", "object_id")
    for event in source.execute("SELECT * FROM audit_auditevent WHERE object_type = 'actor'"):
        audits.setdefault(int(event[about]), []).append(event)
    started, count = time.perf_counter(), 0
    for start in range(0, len(actors), 2000):
        chunk = actors[start : start + 2000]
        ids = [actor[0] for actor in chunk]
        db.execute("BEGIN IMMEDIATE")
        _insert(db, "registry_actor", chunk)
        _insert(db, "registry_legalityitem", [i for pk in ids for i in items.get(pk, ())])
        _insert(db, "audit_auditevent", [e for pk in ids for e in audits.get(pk, ())])
        db.execute("COMMIT")
        count += len(chunk)
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_mb()}


def _column(db: Any, table: str, name: str) -> int:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")].index(name)


def _insert(db: Any, table: str, rows: list[Any]) -> None:
    if rows:
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


PHASES = {"import": run_import, "reference": reference, "floor": floor}


def _phase(name: str, workdir: Path, *extra: str) -> dict[str, float]:
    return run_phase(__file__, name, workdir, *extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=["prepare", *PHASES])
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.phase == "prepare":
        print(json.dumps(prepare(args.workdir, args.rows)))
        return
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.workdir)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="sinergi-bench-"))
    try:
        prepared = _phase("prepare", workdir, "--rows", str(args.rows))
        size = (workdir / "actors.xlsx").stat().st_size / 1024 / 1024
        print(f"{args.rows:,} rows over {prepared['villages']:,} villages, .xlsx {size:.1f} MB")
        shutil.copy(workdir / "bench.sqlite3", workdir / "floor.sqlite3")
        ours = _phase("import", workdir)
        ref = _phase("reference", workdir)
        least = _phase("floor", workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    ours_rate = ours["rows"] / ours["seconds"]
    ref_rate = ref["rows"] / ref["seconds"]
    print(
        f"import    {ours['seconds']:8.1f} s {ours_rate:10,.0f} rows/s"
        f"  peak {ours['together_peak_mb']:6.0f} MB"
        f"  (created {ours['created']:,}, failed {ours['failed']:,}, actors {ours['actors']:,};"
        f" {ours['peak_mb_before']:.0f} MB before the run)"
    )
    print(
        f"          cpu: job {ours['cpu_job']:.1f} s, worker {ours['cpu_worker']:.1f} s"
        f" ({ours['cpu_job'] / ours['rows'] * 1e6:.0f} and"
        f" {ours['cpu_worker'] / ours['rows'] * 1e6:.0f} µs a row);"
        f" {ours['listeners']:.1f} s of the job's in read-model listeners"
    )
    print(
        f"          peak: job and worker together {ours['together_peak_mb']:.0f} MB (PSS),"
        f" job alone {ours['peak_mb']:.0f} MB, worker alone {ours['worker_peak_mb']:.0f} MB (RSS)"
    )
    print(
        f"reference {ref['seconds']:8.1f} s {ref_rate:10,.0f} rows/s  peak {ref['peak_mb']:6.0f} MB"
    )
    print(f"ratio     {ref_rate / ours_rate:.1f}x slower than the reference")
    print(
        f"floor     {least['seconds']:8.1f} s {least['rows'] / least['seconds']:10,.0f} rows/s"
        f"  (raw sqlite3: the stored actors, legality items and audit rows inserted again;"
        f" {least['seconds'] / ref['seconds']:.1f}x the reference)"
    )


if __name__ == "__main__":
    main()
