"""Benchmark of re-scoring stored assessments under a new instrument version.

    .venv/bin/python bench/rescore.py [--rows 1000000]

Each phase runs in its own interpreter so that its peak memory (ru_maxrss) is its own:
prepare (fresh SQLite database, migrate, a few region rows, actors, two periods and the
stored assessments under the default instrument, all by raw executemany; then a second
version with a higher IR 3 threshold is published, and the dashboards' counts are built
from the rows, as a database in use has them), rescore (`rescoring.run_rescore`, the
function the huey task calls, over every period and the whole country), pure (check_answers
and score alone over the same stored answers, parsed outside the timing), floor (on a copy
of the prepared database, only the writes a re-score cannot avoid, with raw sqlite3: each
row read, marked superseded and inserted again), floor_in_place (the same for a model that
Sinergi does not have: each row's scores updated in place, its old scores kept in a narrow
history table). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
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

VILLAGES = ("33.17.04.2001", "33.17.01.2001", "33.24.01.2001", "33.20.01.2001")
PERIODS = ("2024", "2025")
DISTINCT_ANSWERS = 20_000
CHUNK = 20_000
FLOOR_CHUNK = 5_000  # the job's RESCORE_CHUNK


def _answers(random: Random) -> dict[str, Any]:
    """Valid answers under the default instrument, spread over every band and option."""
    return {
        "workers": random.choice((0, 1, 2, 3, 4, 6)),
        "monthly_turnover": random.choice((1_000_000, 5_000_000, 20_000_000, 200_000_000)),
        "capital": random.choice((2_000_000, 10_000_000, 80_000_000)),
        "production": random.choice(("irregular", "weekly", "daily")),
        "equipment": random.choice(("manual", "semi", "machine")),
        "market_reach": random.choice(("village", "regency", "wider")),
        "bookkeeping": random.choice(("none", "simple", "separate")),
        "legality": sorted(
            random.sample(("sku", "iumk", "nib", "pirt", "halal"), random.randint(0, 3))
        ),
        "network": random.choice(("none", "group", "partner")),
        "digital": random.choice(("none", "chat", "marketplace")),
    }


def _insert(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor.executemany(sql, rows)


def prepare(workdir: Path, rows: int) -> dict[str, float]:
    django_on(workdir)
    from datetime import date

    from django.core.management import call_command
    from django.db import connection, transaction

    from sinergi.accounts.models import Membership, User
    from sinergi.assessments import services
    from sinergi.assessments.instrument.reader import DEFAULT_FILE
    from sinergi.assessments.scoring import check_answers, score

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    admin = User.objects.create_user(username="bench-admin", password=None)
    Membership.objects.create(user=admin, role="national_admin", region=None)
    default, _created = services.load_default_instrument()
    scoring = services.compiled(default)
    periods = [
        services.create_period(
            user=None,
            code=code,
            name=code,
            starts_on=date(int(code), 1, 1),
            ends_on=date(int(code), 12, 31),
        ).pk
        for code in PERIODS
    ]
    random = Random(20261129)
    stored = []
    for _ in range(DISTINCT_ANSWERS):
        answers = _answers(random)
        clean, _problems = check_answers(scoring, answers)
        assert clean is not None
        result = score(scoring, clean, explain=False)
        stored.append(
            (
                json.dumps(answers),
                result.level,
                result.total,
                json.dumps(result.aspects),
                result.graduate,
            )
        )
    actors = (rows + len(PERIODS) - 1) // len(PERIODS)
    raw = connection.connection
    with transaction.atomic(), connection.cursor() as cursor:
        regions = {}
        for village in VILLAGES:
            parts = village.split(".")
            for level in range(1, 5):
                code = ".".join(parts[:level])
                regions[code] = (
                    code,
                    f"Bench {code}",
                    level,
                    ".".join(parts[: level - 1]) or None,
                    "bench",
                )
        _insert(
            cursor,
            "regions_region",
            ["code", "name", "level", "parent_id", "release"],
            sorted(regions.values(), key=lambda r: r[2]),
        )
        now = "2026-11-29 00:00:00"
        actor_rows = []
        for n in range(1, actors + 1):
            village = VILLAGES[n % len(VILLAGES)]
            province, regency, district, _v = (
                ".".join(village.split(".")[: i + 1]) for i in range(4)
            )
            actor_rows.append(
                (
                    n,
                    f"{n:064d}",
                    "x",
                    "33**************",
                    f"Ibu Bench {n}",
                    f"ibu bench {n}",
                    "F",
                    "1985-03-12",
                    "",
                    "",
                    village,
                    district,
                    regency,
                    province,
                    f"Usaha {n}",
                    "jasa",
                    "",
                    None,
                    None,
                    False,
                    False,
                    False,
                    None,
                    "active",
                    now,
                    now,
                )
            )
        _insert(
            raw,
            "registry_actor",
            [
                "id",
                "nik_hash",
                "nik_encrypted",
                "nik_masked",
                "name",
                "name_key",
                "sex",
                "birth_date",
                "phone",
                "address",
                "village_id",
                "district_code",
                "regency_code",
                "province_code",
                "business_name",
                "sector",
                "products",
                "year_started",
                "consent_date",
                "consent_programme",
                "consent_partners",
                "consent_publication",
                "facilitator_id",
                "status",
                "created_at",
                "updated_at",
            ],
            actor_rows,
        )
        del actor_rows
        columns = [
            "actor_id",
            "period_id",
            "instrument_id",
            "answers",
            "level",
            "total_score",
            "aspects",
            "graduate",
            "status",
            "counted",
            "source",
            "regency_code",
            "province_code",
            "created_at",
        ]
        batch = []
        count = 0
        for n in range(1, actors + 1):
            village = VILLAGES[n % len(VILLAGES)]
            for period in periods:
                if count == rows:
                    break
                answers, level, total, aspects, graduate = stored[
                    random.randrange(DISTINCT_ANSWERS)
                ]
                batch.append(
                    (
                        n,
                        period,
                        default.pk,
                        answers,
                        level,
                        total,
                        aspects,
                        graduate,
                        "submitted",
                        True,
                        "import",
                        village[:5],
                        village[:2],
                        now,
                    )
                )
                count += 1
            if len(batch) >= CHUNK:
                _insert(raw, "assessments_assessment", columns, batch)
                batch = []
        _insert(raw, "assessments_assessment", columns, batch)
    source = DEFAULT_FILE.read_text(encoding="utf-8")
    source = source.replace('version: "2026.1"', 'version: "2026.2"').replace(
        "min_total: 24", "min_total: 26"
    )
    services.publish_instrument(
        user=admin, instrument=services.upload_instrument(user=admin, source=source)
    )
    # The dashboards' counts, as a database in use has them (the rows above went in raw):
    # without them every re-scored result would look new to the analytics listener.
    from sinergi.analytics import aggregates

    aggregates.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": time.perf_counter() - started, "rows": count, "actors": actors}


def run_rescore(workdir: Path) -> dict[str, float]:
    django_on(workdir)
    from django.db import connection

    from sinergi.accounts.models import User
    from sinergi.assessments import events, rescoring
    from sinergi.assessments.models import Instrument, Period, RescoreJob

    admin = User.objects.get(username="bench-admin")
    target = Instrument.objects.get(version="2026.2")
    job = RescoreJob.objects.create(instrument=target, created_by=admin)
    job.periods.set(Period.objects.all())
    before = peak_mb()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    listeners = (events.results_moved.listeners, events.result_changed.listeners)
    with TogetherPeak() as together, Listening(*listeners) as listening:
        done = rescoring.run_rescore(job.pk)
    seconds = time.perf_counter() - started
    cpu = [after - before for after, before in zip(cpu_seconds(), cpu_before, strict=True)]
    assert done is not None
    assert done.status == "done", done.status
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM assessments_assessment WHERE counted AND instrument_id = %s",
            [target.pk],
        )
        counted_new = cursor.fetchone()[0]
    return {
        "seconds": seconds,
        "rows": done.processed,
        "rescored": done.rescored,
        "changed": done.changed,
        "invalid": done.invalid,
        "counted_new": counted_new,
        "peak_mb_before": before,
        "peak_mb": peak_mb(),
        "worker_peak_mb": worker_peak_mb(),
        "together_peak_mb": together.peak_mb,
        "listeners": listening.seconds,
        "cpu_job": cpu[0],
        "cpu_worker": cpu[1],
    }


def pure(workdir: Path) -> dict[str, float]:
    """check_answers and score over the same stored answers, parsed outside the timing."""
    django_on(workdir)
    from django.db import connection

    from sinergi.assessments import services
    from sinergi.assessments.models import Instrument
    from sinergi.assessments.scoring import check_answers, score

    scoring = services.compiled(Instrument.objects.get(version="2026.2"))
    seconds = 0.0
    count = 0
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, answers FROM assessments_assessment WHERE source = 'import' AND id > %s"
                " ORDER BY id LIMIT %s",
                [after, CHUNK],
            )
            fetched = cursor.fetchall()
            if not fetched:
                break
            after = fetched[-1][0]
            answer_sets = [json.loads(text) for _id, text in fetched]
            started = time.perf_counter()
            for answers in answer_sets:
                clean, _problems = check_answers(scoring, answers)
                assert clean is not None
                score(scoring, clean, explain=False)
            seconds += time.perf_counter() - started
            count += len(answer_sets)
    return {"seconds": seconds, "rows": count, "peak_mb": peak_mb()}


def _floor_db(path: Path) -> sqlite3.Connection:
    """A copy of the prepared database, with the job's pragmas."""
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -131072",
                   "wal_autocheckpoint = 16384", "foreign_keys = OFF"):  # fmt: skip
        db.execute(f"PRAGMA {pragma}")
    return db


def _in_chunks(
    db: sqlite3.Connection, select: str, write: Callable[[list[Any]], None]
) -> dict[str, float]:
    """Time `write` over the rows `select` reads (by id, after the last), FLOOR_CHUNK rows
    at a time, one transaction each."""
    started, count, after = time.perf_counter(), 0, 0
    while True:
        db.execute("BEGIN IMMEDIATE")
        rows = db.execute(select, (after, FLOOR_CHUNK)).fetchall()
        if not rows:
            db.execute("COMMIT")
            break
        after = rows[-1][0]
        write(rows)
        db.execute("COMMIT")
        count += len(rows)
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_mb()}


def floor(workdir: Path) -> dict[str, float]:
    """The writes a re-score cannot avoid, alone: on a copy of the prepared database, with the
    job's pragmas and chunks, each counted row read, marked superseded and inserted again as
    it is (raw sqlite3; no scoring, no JSON written anew, no read models)."""
    db = _floor_db(workdir / "floor.sqlite3")
    table = "assessments_assessment"
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    written = [c for c in columns if c != "id"]
    supersedes, instrument = written.index("supersedes_id"), written.index("instrument_id")
    insert = f"INSERT INTO {table} ({', '.join(written)}) VALUES ({', '.join('?' * len(written))})"
    select = (
        f"SELECT {', '.join(columns)} FROM {table} "
        "WHERE counted = 1 AND instrument_id = 1 AND id > ? ORDER BY id LIMIT ?"
    )

    def write(rows: list[Any]) -> None:
        ids = [row[0] for row in rows]
        db.execute(
            f"UPDATE {table} SET counted = 0 WHERE id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        copies = []
        for row in rows:
            values = list(row[1:])
            values[supersedes], values[instrument] = row[0], 2
            copies.append(values)
        db.executemany(insert, copies)

    return _in_chunks(db, select, write)


def floor_in_place(workdir: Path) -> dict[str, float]:
    """The same floor for another model of a re-score, not Sinergi's: the result row keeps
    its id and takes the new scores in place, its old scores going to a narrow history table
    (result, instrument, level, total, aspects, flag). Same copy, pragmas and chunks; the
    history table is made before the timing."""
    db = _floor_db(workdir / "in_place.sqlite3")
    table = "assessments_assessment"
    db.execute(
        "CREATE TABLE bench_score (id INTEGER PRIMARY KEY, assessment_id INTEGER NOT NULL,"
        " instrument_id INTEGER NOT NULL, level TEXT NOT NULL, total_score REAL NOT NULL,"
        " aspects TEXT NOT NULL, graduate INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX bench_score_assessment ON bench_score (assessment_id)")
    select = (
        f"SELECT id, instrument_id, level, total_score, aspects, graduate, answers FROM {table}"
        " WHERE counted = 1 AND instrument_id = 1 AND id > ? ORDER BY id LIMIT ?"
    )
    history = (
        "INSERT INTO bench_score (assessment_id, instrument_id, level, total_score, aspects,"
        " graduate) VALUES (?, ?, ?, ?, ?, ?)"
    )
    update = (
        f"UPDATE {table} SET instrument_id = 2, level = ?, total_score = ?, aspects = ?,"
        " graduate = ? WHERE id = ?"
    )

    def write(rows: list[Any]) -> None:
        db.executemany(history, [row[:6] for row in rows])
        db.executemany(update, [(*row[2:6], row[0]) for row in rows])

    return _in_chunks(db, select, write)


PHASES = {
    "rescore": run_rescore,
    "pure": pure,
    "floor": floor,
    "floor_in_place": floor_in_place,
}


def _phase(name: str, workdir: Path, *extra: str) -> dict[str, float]:
    return run_phase(__file__, name, workdir, *extra)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=["prepare", *PHASES])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the database (profiling)")
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
        size = (workdir / "bench.sqlite3").stat().st_size / 1024 / 1024
        print(
            f"{prepared['rows']:,.0f} assessments of {prepared['actors']:,.0f} actors in"
            f" {len(PERIODS)} periods, database {size:.0f} MB (prepared in"
            f" {prepared['seconds']:.0f} s)"
        )
        shutil.copy(workdir / "bench.sqlite3", workdir / "floor.sqlite3")
        shutil.copy(workdir / "bench.sqlite3", workdir / "in_place.sqlite3")
        ours = _phase("rescore", workdir)
        ref = _phase("pure", workdir)
        least = _phase("floor", workdir)
        narrow = _phase("floor_in_place", workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    ours_rate = ours["rows"] / ours["seconds"]
    ref_rate = ref["rows"] / ref["seconds"]
    print(
        f"rescore {ours['seconds']:8.1f} s {ours_rate:10,.0f} assessments/s"
        f"  peak {ours['together_peak_mb']:6.0f} MB"
        f"  (re-scored {ours['rescored']:,.0f}, changed level {ours['changed']:,.0f},"
        f" invalid {ours['invalid']:,.0f}, counted under the new version"
        f" {ours['counted_new']:,.0f}; {ours['peak_mb_before']:.0f} MB before the run)"
    )
    print(
        f"        cpu: job {ours['cpu_job']:.1f} s, worker {ours['cpu_worker']:.1f} s"
        f" ({ours['cpu_job'] / ours['rows'] * 1e6:.0f} and"
        f" {ours['cpu_worker'] / ours['rows'] * 1e6:.0f} µs an assessment);"
        f" {ours['listeners']:.1f} s of the job's in read-model listeners"
    )
    print(
        f"        peak: job and worker together {ours['together_peak_mb']:.0f} MB (PSS),"
        f" job alone {ours['peak_mb']:.0f} MB, worker alone {ours['worker_peak_mb']:.0f} MB (RSS)"
    )
    print(
        f"pure    {ref['seconds']:8.1f} s {ref_rate:10,.0f} assessments/s"
        f"  peak {ref['peak_mb']:6.0f} MB  (check_answers + score only)"
    )
    print(f"ratio   {ref_rate / ours_rate:.1f}x slower than pure scoring")
    print(
        f"floor   {least['seconds']:8.1f} s {least['rows'] / least['seconds']:10,.0f} rows/s"
        f"  (raw sqlite3: read, mark superseded, insert a copy;"
        f" {least['seconds'] / ref['seconds']:.1f}x pure scoring with nothing scored)"
    )
    print(
        f"in place{narrow['seconds']:8.1f} s {narrow['rows'] / narrow['seconds']:10,.0f} rows/s"
        f"  (the same floor if a re-score updated the row and kept its old scores in a"
        f" narrow table: {narrow['seconds'] / ref['seconds']:.1f}x pure scoring)"
    )


if __name__ == "__main__":
    main()
