"""Synthetic national-scale data for the dashboard benchmark: N actors over all 514 kab/kota,
three mapping periods of results.

    .venv/bin/python bench/generate.py --actors 100000 [--database URL] [--seed 7]

Into the (migrated, empty) database that DATABASE_URL or --database names; without one, a
fresh SQLite file under bench/var/. The real Kemendagri regions are loaded; actors are
spread over every kab/kota and a random village in each, with a sector and a facilitator
(one per 35 actors of a kab/kota). Results: a pool of random answer sets, each checked and
scored once by the instrument's pure engine (check_answers, score), ranked by total; every
actor follows a trajectory through that ranking (mostly upwards, some fall back) and, in
each period she is mapped in, gets the answers found there, with exactly the level, total,
aspects and graduation flag the engine gave them. Periods 2022 (the baseline, 85% mapped),
2023 (re-mapping 60%), 2024 (92%, still open for new results). Rows go in by executemany
(SQLite) or COPY (PostgreSQL); the analytics counts are then built by
`aggregates.rebuild`, the bulk path. Prints its figures as JSON on the last line.

Logins for the benchmark (password bench-password-1): bench-admin (national),
bench-jateng (province 33), bench-rembang (kab/kota 33.17).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway benchmark database
PERIODS = (("2022", 0.85), ("2023", 0.60), ("2024", 0.92))  # code, share of actors mapped
POOL = 6000
CASELOAD = 35
CHUNK = 50_000
LOGINS = (
    ("bench-admin", "national_admin", None),
    ("bench-jateng", "province_officer", "33"),
    ("bench-rembang", "regency_officer", "33.17"),
)


def setup(database: str | None, workdir: Path) -> None:
    """Django on the given database (default: a new SQLite file in workdir), migrated."""
    if database:
        os.environ["DATABASE_URL"] = database
    elif "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("SINERGI_DEMO", "1")
    os.environ.setdefault("SINERGI_VAR_DIR", str(workdir / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bulk(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain rows into a table: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            connection.connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", rows
            )


def _chunks(rows: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Each question's options, lowest score first (numbers at a point inside each band).
OPTIONS: dict[str, tuple[Any, ...]] = {
    "workers": (0, 2, 4),
    "monthly_turnover": (1_500_000, 6_000_000, 25_000_000),
    "capital": (3_000_000, 15_000_000, 80_000_000),
    "production": ("irregular", "weekly", "daily"),
    "equipment": ("manual", "semi", "machine"),
    "market_reach": ("village", "regency", "wider"),
    "bookkeeping": ("none", "simple", "separate"),
    "legality": ((), ("sku",), ("nib", "pirt")),
    "network": ("none", "group", "partner"),
    "digital": ("none", "chat", "marketplace"),
}


def random_answers(random: Random, skill: float) -> dict[str, Any]:
    """Answers a facilitator could write down under the default instrument: each question's
    option drawn around `skill` (0 a beginner, 1 an advanced business)."""
    answers: dict[str, Any] = {}
    for code, options in OPTIONS.items():
        index = min(max(round(skill * 2 + random.gauss(0, 0.6)), 0), 2)
        answers[code] = options[index]
    answers["legality"] = sorted({*answers["legality"], *random.sample(("iumk", "halal"), 1)})
    if random.random() < 0.03:  # a few employ five or more: ready to graduate
        answers["workers"] = 6
    return answers


def scored_pool(random: Random) -> list[tuple[str, str, float, str, bool]]:
    """Answer sets scored by the pure engine, lowest total first: (answers JSON, level,
    total, aspects JSON, graduate)."""
    from sinergi.assessments import services
    from sinergi.assessments.scoring import check_answers, score

    instrument, _created = services.load_default_instrument()
    scoring = services.compiled(instrument)
    pool = []
    for k in range(POOL):
        clean, problems = check_answers(scoring, random_answers(random, k / POOL))
        assert clean is not None, problems
        result = score(scoring, clean, explain=False)
        pool.append(
            (
                json.dumps(services.stored_answers(clean)),
                result.level,
                result.total,
                json.dumps(dict(result.aspects)),
                result.graduate,
            )
        )
    return sorted(pool, key=lambda entry: entry[2])


def generate(actors: int, seed: int) -> dict[str, Any]:
    from datetime import date

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from sinergi.accounts.models import Membership, User
    from sinergi.analytics import aggregates
    from sinergi.assessments import services
    from sinergi.assessments.choices import PeriodStatus
    from sinergi.assessments.models import Assessment
    from sinergi.demo.data import MODEL_REGIONS
    from sinergi.lib.sqlite import bulk_write_settings
    from sinergi.regions.choices import Level, Phase
    from sinergi.regions.models import ModelRegion, Region
    from sinergi.registry.choices import Sector
    from sinergi.registry.models import Actor

    figures: dict[str, Any] = {"actors": actors, "engine": connection.vendor}
    started = time.perf_counter()
    if not Region.objects.exists():
        call_command("load_regions", verbosity=0)
    figures["regions_s"] = round(time.perf_counter() - started, 1)
    random = Random(seed)
    villages: dict[str, list[str]] = {}
    for code in Region.objects.filter(level=Level.VILLAGE).values_list("code", flat=True):
        villages.setdefault(code[:5], []).append(code)
    regencies = sorted(villages)
    figures["regencies"] = len(regencies)

    started = time.perf_counter()
    pool = scored_pool(random)
    instrument = services.current_instrument()
    assert instrument is not None
    periods = []
    for code, _share in PERIODS:
        year = int(code)
        periods.append(
            services.create_period(
                user=None,
                code=code,
                name=f"Pemetaan {code}",
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                status=PeriodStatus.CLOSED if code != PERIODS[-1][0] else PeriodStatus.OPEN,
            )
        )
    for username, role, region in LOGINS:
        user = User.objects.create_user(username=username, password=PASSWORD)
        Membership.objects.create(user=user, role=role, region_id=region, may_reveal_nik=False)
    model = {code for code, _illustrative in MODEL_REGIONS}
    ModelRegion.objects.bulk_create(
        [ModelRegion(region_id=code, start_year=2016, phase=Phase.MODEL) for code in sorted(model)]
        + [
            ModelRegion(region_id=code, start_year=2020, phase=Phase.REPLICATION)
            for code in regencies[::10]
            if code not in model
        ]
    )
    figures["pool_s"] = round(time.perf_counter() - started, 1)

    # Where each actor lives, then one facilitator per CASELOAD actors of a kab/kota.
    started = time.perf_counter()
    homes = [random.choice(regencies) for _ in range(actors)]
    per_regency: dict[str, int] = {}
    for regency in homes:
        per_regency[regency] = per_regency.get(regency, 0) + 1
    unusable = make_password(None)
    users = [
        User(username=f"pendamping-{regency}-{i}", password=unusable, first_name="Pendamping")
        for regency, n in sorted(per_regency.items())
        for i in range(1, math.ceil(n / CASELOAD) + 1)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    facilitators: dict[str, list[int]] = {}
    for pk, username in User.objects.filter(username__startswith="pendamping-").values_list(
        "pk", "username"
    ):
        facilitators.setdefault(username.split("-")[1], []).append(pk)
    Membership.objects.bulk_create(
        [
            Membership(user_id=pk, role="facilitator", region_id=regency)
            for regency, pks in facilitators.items()
            for pk in pks
        ],
        batch_size=5000,
    )
    figures["facilitators"] = len(users)

    now = "2026-11-29 00:00:00+00:00"
    sectors = list(Sector.values)
    actor_columns = (
        "id", "nik_hash", "nik_encrypted", "nik_masked", "name", "name_key", "sex",
        "birth_date", "phone", "address", "village_id", "district_code", "regency_code",
        "province_code", "business_name", "sector", "products", "consent_programme",
        "consent_partners", "consent_publication", "facilitator_id", "status", "created_at",
        "updated_at",
    )  # fmt: skip

    def actor_rows() -> Iterable[tuple[Any, ...]]:
        for n, regency in enumerate(homes, start=1):
            village = random.choice(villages[regency])
            yield (
                n, f"bench{n:059d}", "-", "33**************", f"Ibu Bench {n}",
                f"ibu bench {n}", "F", "1985-03-12", "", "", village, village[:8], regency,
                regency[:2], f"Usaha {n}", random.choice(sectors), "", False, False, False,
                random.choice(facilitators[regency]), "active", now, now,
            )  # fmt: skip

    result_columns = (
        "actor_id", "period_id", "instrument_id", "answers", "level", "total_score",
        "aspects", "graduate", "status", "counted", "source", "regency_code",
        "province_code", "created_at",
    )  # fmt: skip

    def result_rows() -> Iterable[tuple[Any, ...]]:
        for n, regency in enumerate(homes, start=1):
            # A place in the ranking of answer sets, drifting upwards round after round.
            place = random.betavariate(1.3, 2.6)
            for period, (_code, share) in zip(periods, PERIODS, strict=True):
                if random.random() < share:
                    answers, level, total, aspects, graduate = pool[int(place * (POOL - 1))]
                    yield (
                        n, period.pk, instrument.pk, answers, level, total, aspects, graduate,
                        "verified", True, "import", regency, regency[:2], now,
                    )  # fmt: skip
                place = min(max(place + random.gauss(0.07, 0.12), 0.0), 0.999)

    with bulk_write_settings(cache_kib=262_144, checkpoint_pages=65_536, check_foreign_keys=False):
        with transaction.atomic():
            for chunk in _chunks(actor_rows()):
                bulk(Actor._meta.db_table, actor_columns, chunk)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Actor]):
                    cursor.execute(sql)
        figures["actors_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with transaction.atomic():
            for chunk in _chunks(result_rows()):
                bulk(Assessment._meta.db_table, result_columns, chunk)
        figures["results"] = Assessment.objects.count()
        figures["results_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        aggregates.rebuild()
        figures["aggregates_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--database", default="", help="a DATABASE_URL (default: new SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", default=str(ROOT / "bench" / "var"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.database and "DATABASE_URL" not in os.environ:
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
    setup(args.database, workdir)
    print(json.dumps(generate(args.actors, args.seed)))


if __name__ == "__main__":
    main()
