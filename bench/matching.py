"""Benchmark of needs-based matching and of the referral dashboard, each against a reference
computed another way in the same run.

    .venv/bin/pip install -r requirements/bench.txt      # DuckDB, the matching reference
    export REGION_DATA_DIR=node_modules/idn-area-data/data     # the Kemendagri desa list
    .venv/bin/python bench/matching.py matching [--actors 100000] [--offers 200] [--seed 7]
    .venv/bin/python bench/matching.py dashboard [--referrals 1000000] [--actors 250000]
        [--engines sqlite postgresql] [--requests 30]

matching: synthetic facts of `--actors` actors (a desa drawn from the real Kemendagri list,
so every region level is spread as it is; level, sector, legality items, years in
business, and two to five weak items of the instrument each) and `--offers` offers' terms
(national, provincial or kab/kota; some for given levels, sectors, legality held or
missing, years; a tenth closed) go through `sinergi.partners.matching.Matcher` (pure: built
once, then `match` per actor), timed; DuckDB then computes the same eligible pairs with one
SQL join over the same values, timed too. Both must give the same number of pairs and the
same sum of actor and offer ids.

dashboard: for each engine, a fresh database (SQLite file under bench/var/, or the
PostgreSQL database bench_monitor on 127.0.0.1, dropped and created again) is filled by
bench/generate.py with `--actors` actors and their results in three periods (2022, 2023,
2024), then by this script with partners, offers and `--referrals` referrals with a mix of
outcomes from June 2021 to late 2024, **bulk-inserted** (benchmark data, as generate.py
does: not through propose_referral / move_referral, whose per-write cost the test suite's
query guards bound);
the monitoring counts are then built by `monitoring_counts.rebuild()`, the same tally rules
the writers' listeners apply. Then, in-process through Django's test Client (no HTTP
server), logged in as a national admin, a province officer (33) and a kab/kota officer
(33.17), the referral dashboard between 2022 and 2024 is asked for `--requests` times after
three warm-up requests (plus a kecamatan, 33.17.04, counted from the rows): median and p95.
A plain SQL reference computes the same figures from the raw referral, result and actor
rows on the same engine (GROUP BY queries; medians read off their day histograms), timed,
and every figure of the dashboard's CSV export is checked equal to it.
Figures go to bench/var/matching.json and bench/var/monitoring.json, and a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "bench" / "var"
REGION_DATA = Path(
    os.environ.get("REGION_DATA_DIR", ROOT / "node_modules" / "idn-area-data" / "data")
)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/bench_monitor"

LEVELS = ("IR1", "IR2", "IR3")
SECTORS = ("makanan-minuman", "kerajinan", "fashion-tekstil", "jasa", "pertanian-olahan",
           "lainnya")  # fmt: skip
LEGALITY = ("sku", "iumk", "nib", "pirt", "halal", "bpom", "brand")
ITEMS = ("workers", "monthly_turnover", "capital", "production", "equipment", "market_reach",
         "bookkeeping", "legality", "network", "digital")  # fmt: skip
CATEGORIES = ("capital", "training", "certification", "market", "digital", "equipment",
              "mentoring", "other")  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}


def villages() -> list[str]:
    with (REGION_DATA / "villages.csv").open(newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


# --- Matching ----------------------------------------------------------------------------------


def synthetic_actors(n: int, random: Random, desa: list[str]) -> list[Any]:
    from sinergi.partners.matching import Facts, Need
    from sinergi.regions.codes import ancestors

    found = []
    for pk in range(1, n + 1):
        village = random.choice(desa)
        roll = random.random()
        level = "IR1" if roll < 0.55 else "IR2" if roll < 0.85 else "IR3" if roll < 0.95 else None
        held = frozenset(kind for kind in LEGALITY if random.random() < 0.22)
        weak = random.sample(ITEMS, random.randint(2, 5)) if level != "IR3" else []
        needs = tuple(
            Need(
                item,
                item,
                1,
                2,
                random.choice((1, 2, 3)),
                gate=item in ("legality", "bookkeeping") and level == "IR2",
            )
            for item in weak
        )
        found.append(
            Facts(
                actor=pk,
                regions=frozenset(ancestors(village)),
                sector=random.choice(SECTORS),
                legality=held,
                years=None if random.random() < 0.1 else random.randint(0, 20),
                level=level,
                needs=needs,
            )
        )
    return found


def synthetic_offers(n: int, random: Random, desa: list[str]) -> list[Any]:
    from sinergi.partners.matching import Terms

    provinces = sorted({code[:2] for code in desa})
    regencies = sorted({code[:5] for code in desa})
    found = []
    for pk in range(1, n + 1):
        roll = random.random()
        if roll < 0.3:
            regions: frozenset[str] = frozenset()  # national
        elif roll < 0.6:
            regions = frozenset(random.sample(provinces, random.randint(1, 2)))
        else:
            regions = frozenset(random.sample(regencies, random.randint(1, 3)))
        found.append(
            Terms(
                offer=pk,
                partner=1 + pk % 60,
                category=random.choice(CATEGORIES),
                regions=regions,
                levels=frozenset(random.sample(LEVELS, random.randint(1, 2)))
                if random.random() < 0.5
                else frozenset(),
                sectors=frozenset(random.sample(SECTORS, random.randint(1, 2)))
                if random.random() < 0.3
                else frozenset(),
                legality_required=frozenset({random.choice(("sku", "nib"))})
                if random.random() < 0.2
                else frozenset(),
                legality_missing=frozenset(random.sample(("pirt", "halal", "nib", "bpom"), 2))
                if random.random() < 0.3
                else frozenset(),
                min_years=random.choice((1, 2, 3)) if random.random() < 0.3 else 0,
                items=frozenset(random.sample(ITEMS, random.randint(1, 3))),
                open=random.random() < 0.9,
            )
        )
    return found


def _joined(values: Any) -> str:
    return "|".join(sorted(values))


def duckdb_pairs(actors: list[Any], offers: list[Any]) -> dict[str, Any]:
    """The eligible pairs by one SQL join in DuckDB over the same values (loaded from CSV
    files first, untimed)."""
    import duckdb

    actors_csv, offers_csv = WORKDIR / "matching-actors.csv", WORKDIR / "matching-offers.csv"
    with actors_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("actor", "regions", "level", "sector", "legality", "years"))
        for f in actors:
            writer.writerow((f.actor, _joined(f.regions), f.level or "", f.sector,
                             _joined(f.legality), "" if f.years is None else f.years))  # fmt: skip
    with offers_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("offer", "open", "regions", "levels", "sectors", "required", "missing",
                         "min_years"))  # fmt: skip
        for t in offers:
            writer.writerow((t.offer, t.open, _joined(t.regions), _joined(t.levels),
                             _joined(t.sectors), _joined(t.legality_required),
                             _joined(t.legality_missing), t.min_years))  # fmt: skip
    db = duckdb.connect()

    def lists(*names: str) -> str:
        return ", ".join(
            f"list_filter(string_split(coalesce({n}, ''), '|'), lambda s: s <> '') AS {n}"
            for n in names
        )

    db.execute(
        f"CREATE TABLE actors AS SELECT actor, {lists('regions', 'legality')}, "
        "nullif(level, '') AS level, sector, years FROM read_csv(?, header = true, all_varchar"
        " = false, types = {'level': 'VARCHAR', 'years': 'INTEGER', 'regions': 'VARCHAR', "
        "'legality': 'VARCHAR'})",
        [str(actors_csv)],
    )
    db.execute(
        f"CREATE TABLE offers AS SELECT offer, open, "
        f"{lists('regions', 'levels', 'sectors', 'required', 'missing')}, min_years "
        "FROM read_csv(?, header = true, types = {'regions': 'VARCHAR', 'levels': 'VARCHAR', "
        "'sectors': 'VARCHAR', 'required': 'VARCHAR', 'missing': 'VARCHAR'})",
        [str(offers_csv)],
    )
    actors_csv.unlink()
    offers_csv.unlink()
    sql = """
        SELECT count(*), sum(a.actor), sum(o.offer) FROM actors a JOIN offers o ON o.open
        AND (len(o.regions) = 0 OR list_has_any(o.regions, a.regions))
        AND (len(o.levels) = 0 OR coalesce(list_contains(o.levels, a.level), false))
        AND (len(o.sectors) = 0 OR list_contains(o.sectors, a.sector))
        AND list_has_all(a.legality, o.required)
        AND (len(o.missing) = 0 OR NOT list_has_all(a.legality, o.missing))
        AND (o.min_years = 0 OR coalesce(a.years >= o.min_years, false))
    """
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        row = db.execute(sql).fetchone()
        timings.append(time.perf_counter() - started)
    assert row is not None
    return {"pairs": row[0], "actor_sum": int(row[1] or 0), "offer_sum": int(row[2] or 0),
            "seconds": round(statistics.median(timings), 3)}  # fmt: skip


def matching(args: argparse.Namespace) -> dict[str, Any]:
    from sinergi.partners.matching import Matcher

    random = Random(args.seed)
    desa = villages()
    started = time.perf_counter()
    actors = synthetic_actors(args.actors, random, desa)
    offers = synthetic_offers(args.offers, random, desa)
    made_s = time.perf_counter() - started
    runs, cpu = [], []
    clock = time.perf_counter
    for _ in range(args.rounds):
        # Each actor's matches are used and dropped, as a job referring actor after actor
        # does (keeping 2.5 million matches alive would time the garbage collector); only
        # the calls are timed, not the checksums. CPU time beside the wall clock: the
        # machine is shared, and the other processes stretch the wall clock.
        started, cpu_started = clock(), time.process_time()
        matcher = Matcher(offers)  # the index is part of the work
        seconds = clock() - started
        pairs = actor_sum = offer_sum = 0
        for facts in actors:
            started = clock()
            found = matcher.match(facts)
            seconds += clock() - started
            pairs += len(found)
            actor_sum += facts.actor * len(found)
            offer_sum += sum(m.offer for m in found)
        runs.append(seconds)
        cpu.append(time.process_time() - cpu_started)  # checksums included: an upper bound
    seconds = statistics.median(runs)
    reference = duckdb_pairs(actors, offers)
    result = {
        "actors": args.actors,
        "offers": args.offers,
        "synthetic_s": round(made_s, 1),
        "matcher_s": round(seconds, 3),
        "matcher_runs_s": [round(r, 3) for r in runs],
        "actors_per_s": round(args.actors / seconds),
        "best_actors_per_s": round(args.actors / min(runs)),
        "cpu_s_with_checksums": [round(c, 3) for c in cpu],
        "pairs": pairs,
        "pairs_per_actor": round(pairs / args.actors, 2),
        "duckdb": reference,
        "same_pairs": (pairs, actor_sum, offer_sum)
        == (reference["pairs"], reference["actor_sum"], reference["offer_sum"]),
    }
    assert result["same_pairs"], result
    return result


# --- The referral dashboard ------------------------------------------------------------------

NATIONAL = ("PNM Mekaar", "IWAPI", "Rumah Kreatif BUMN", "APTIKOM", "Gojek", "XL Axiata")
FIRST, LAST = "2022", "2024"
# Status, share, and how far the referral got: (sent, answered, served, completed, withdrawn).
OUTCOMES = (
    ("proposed", 0.08, (False, False, False, False)),
    ("sent", 0.12, (True, False, False, False)),
    ("declined", 0.15, (True, True, False, False)),
    ("accepted", 0.10, (True, True, False, False)),
    ("served", 0.25, (True, True, True, False)),
    ("completed", 0.22, (True, True, True, True)),
    ("withdrawn", 0.08, (True, False, False, False)),  # half of them after acceptance
)
SCOPES = (("bench-admin", "nation", ""), ("bench-jateng", "province", "33"),
          ("bench-rembang", "kab/kota", "33.17"))  # fmt: skip
KECAMATAN = "33.17.04"


def environment(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "SINERGI_DEMO": "1",
        "SECURE_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "SINERGI_VAR_DIR": str(WORKDIR / "var"),
        "DJANGO_SETTINGS_MODULE": "sinergi.settings",
    }


def fresh_database(engine: str) -> str:
    if engine == "sqlite":
        path = WORKDIR / "monitor.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS bench_monitor")
        db.execute("CREATE DATABASE bench_monitor")
    return PG_BENCH


def run(database: str, *args: str) -> dict[str, Any]:
    """A script of ours in a new interpreter; its last stdout line is JSON figures."""
    out = subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
        [sys.executable, *args], env=environment(database), check=False, capture_output=True,
        text=True, cwd=ROOT,
    )  # fmt: skip
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{args[0]} failed ({out.returncode})")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _stamp(moment: Any, postgres: bool) -> str:
    """A UTC instant as each engine's column takes it from COPY or executemany."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}+00:00" if postgres else text


def fill(referrals: int, seed: int) -> dict[str, Any]:
    """Partners, offers and `referrals` referrals, bulk-inserted; then the counts rebuilt."""
    import datetime as dt

    from django.db import connection, transaction

    from sinergi.lib.sqlite import bulk_write_settings
    from sinergi.partners import monitoring_counts
    from sinergi.partners.models import Offer, Partner, Referral
    from sinergi.registry.models import Actor

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import bulk

    random = Random(seed)
    postgres = connection.vendor == "postgresql"
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    homes = list(Actor.objects.values_list("pk", "province_code", "regency_code"))
    regencies = sorted({regency for _pk, _p, regency in homes})
    partners = [Partner(name=name, kind="microfinance") for name in NATIONAL] + [
        Partner(name=f"Mitra {i}", kind="association", region_id=random.choice(regencies))
        for i in range(1, 55)
    ]
    Partner.objects.bulk_create(partners)
    offers: list[Offer] = []
    for i in range(200):
        partner = partners[i % 6] if i < 40 else random.choice(partners[6:])
        category = "capital" if partner.name == "PNM Mekaar" else random.choice(CATEGORIES)
        offers.append(Offer(partner=partner, title=f"Tawaran {i}", category=category,
                            levels=random.choice((["IR1"], ["IR1", "IR2"], []))))  # fmt: skip
    Offer.objects.bulk_create(offers)
    through = Offer.regions.through
    through.objects.bulk_create(
        [through(offer_id=o.pk, region_id=o.partner.region_id) for o in offers
         if o.partner.region_id]
    )  # fmt: skip
    national = [o for o in offers if o.partner.region_id is None]
    local: dict[str, list[Offer]] = {}
    for offer in offers:
        if offer.partner.region_id:
            local.setdefault(offer.partner.region_id, []).append(offer)
    terms = {
        o.pk: json.dumps({"title": o.title, "category": o.category, "partner": o.partner.name,
                          "revision": 1, "regions": [o.partner.region_id] if o.partner.region_id
                          else [], "starts_on": None, "ends_on": None, "capacity": None,
                          "min_years": 0, "levels": o.levels, "sectors": [],
                          "legality_required": [], "legality_missing": [], "items": ["capital"]})
        for o in offers
    }  # fmt: skip
    reasons = json.dumps([{"kind": "item", "item": "capital", "current": 1, "next": 2}])
    referred = random.sample(homes, k=min(len(homes), max(1, round(referrals / 3.5))))
    weights = [share for _status, share, _steps in OUTCOMES]
    columns = (
        "actor_id", "offer_id", "partner_id", "addressee_id", "status", "terms", "score",
        "reasons", "level", "note", "reason", "served_on", "amount", "outcome",
        "province_code", "regency_code", "created_at", "sent_at", "answered_at",
        "completed_at", "updated_at",
    )  # fmt: skip
    start = dt.datetime(2021, 6, 1, tzinfo=dt.UTC)

    def rows() -> Any:
        for n in range(referrals):
            actor, province, regency = referred[n % len(referred)] if n < len(referred) else (
                random.choice(referred))  # fmt: skip
            choices = local.get(regency)
            offer = random.choice(choices) if choices and random.random() < 0.3 else (
                random.choice(national))  # fmt: skip
            status, _share, (sent, answered, served, completed) = random.choices(OUTCOMES, weights)[
                0
            ]
            made = start + dt.timedelta(minutes=random.randrange(60 * 24 * 1250))
            sent_at = made + dt.timedelta(hours=random.randrange(24 * 7)) if sent else None
            answered_at = (
                sent_at + dt.timedelta(hours=random.randrange(24 * 30))
                if sent_at and (answered or (status == "withdrawn" and random.random() < 0.5))
                else None
            )
            served_on = (
                (answered_at + dt.timedelta(days=random.randrange(60)) + dt.timedelta(hours=7)
                 ).date() if served and answered_at else None
            )  # fmt: skip
            completed_at = (
                answered_at + dt.timedelta(days=70 + random.randrange(60)) if completed else None
            )
            amount = (
                250_000 * random.randint(4, 40) if served and offer.category == "capital" else None
            )
            yield (
                actor, offer.pk, offer.partner_id, offer.partner_id if sent else None, status,
                terms[offer.pk], 1.0, reasons, "IR1", "", "x" if status in ("declined",
                "withdrawn") else "", served_on, amount, "x" if completed else "", province,
                regency, _stamp(made, postgres), sent_at and _stamp(sent_at, postgres),
                answered_at and _stamp(answered_at, postgres),
                completed_at and _stamp(completed_at, postgres), _stamp(made, postgres),
            )  # fmt: skip

    with bulk_write_settings(cache_kib=262_144, checkpoint_pages=65_536, check_foreign_keys=False):
        with transaction.atomic():
            chunk: list[Any] = []
            for row in rows():
                chunk.append(row)
                if len(chunk) == 50_000:
                    bulk(Referral._meta.db_table, columns, chunk)
                    chunk = []
            bulk(Referral._meta.db_table, columns, chunk)
        figures["referrals"] = Referral.objects.count()
        figures["referred_actors"] = len(referred)
        figures["insert_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        monitoring_counts.rebuild()
        figures["rebuild_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return figures


def reference(code: str) -> tuple[dict[tuple[str, str, str], str], float]:
    """The dashboard's figures from the raw rows by plain SQL (GROUP BY; medians read off
    the day histograms), in the CSV export's shape; and the time the queries took."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from sinergi.assessments.models import Period
    from sinergi.partners.monitoring_slices import median_of
    from sinergi.regions.models import Region

    postgres = connection.vendor == "postgresql"
    depth = 0 if not code else code.count(".") + 1
    scope = ("TRUE", "r.province_code = %s", "r.regency_code = %s")[depth]
    placed = ("TRUE", "a.province_code = %s", "a.regency_code = %s")[depth]
    child = ("r.province_code", "r.regency_code", "a.district_code")[depth]
    child_actor = ("a.province_code", "a.regency_code", "a.district_code")[depth]
    params = [code] if code else []
    category = "r.terms ->> 'category'" if postgres else "json_extract(r.terms, '$.category')"
    days = (
        "r.served_on - (r.sent_at AT TIME ZONE 'Asia/Jakarta')::date"
        if postgres
        else "CAST(julianday(r.served_on) - julianday(date(r.sent_at, '+7 hours')) AS INTEGER)"
    )
    periods = dict(Period.objects.values_list("code", "pk"))
    a, b = periods[FIRST], periods[LAST]
    zone = timezone.get_current_timezone()
    window = [  # local midnights, as each engine compares them with its column
        connection.ops.adapt_datetimefield_value(dt.datetime(int(year), 1, 1, tzinfo=zone))
        for year in (FIRST, LAST)
    ]
    keys = {"summary": "''", "partner": "CAST(r.partner_id AS TEXT)", "category": category,
            "region": child}  # fmt: skip

    def by(key: str, *rest: int) -> str:
        """GROUP BY positions, leaving out a constant first column (PostgreSQL refuses it)."""
        return ", ".join(str(n) for n in ((1, *rest) if key != "''" else rest))

    started = time.perf_counter()
    measures: dict[tuple[str, str], Any] = {}
    histograms: dict[tuple[str, str], Counter[int]] = {}
    with connection.cursor() as cursor:
        for table, key in keys.items():
            join = "JOIN registry_actor a ON a.id = r.actor_id" if "a." in key else ""
            cursor.execute(
                f"SELECT {key}, r.status, r.sent_at IS NOT NULL, r.answered_at IS NOT NULL, "
                f"COUNT(*), COALESCE(SUM(r.amount), 0) FROM partners_referral r {join} "
                f"WHERE {scope} GROUP BY {by(key, 2, 3, 4)}",
                params,
            )
            for value, status, sent, answered, n, amount in cursor.fetchall():
                found = measures.setdefault((table, value), Counter())
                found["referrals"] += n
                found["sent"] += n if sent else 0
                found["answered"] += n if answered else 0
                found["accepted"] += n if answered and status != "declined" else 0
                found["served"] += n if status in ("served", "completed") else 0
                found["credit"] += amount
                found[f"status {status}"] += n
            cursor.execute(
                f"SELECT {key}, {days}, COUNT(*) FROM partners_referral r {join} WHERE {scope} "
                f"AND r.served_on IS NOT NULL AND r.sent_at IS NOT NULL GROUP BY {by(key, 2)}",
                params,
            )
            for value, gap, n in cursor.fetchall():
                histograms.setdefault((table, value), Counter())[int(gap)] += n
        pairs = (
            "SELECT x.actor_id, x.level AS la, y.level AS lb FROM assessments_assessment x "
            "JOIN assessments_assessment y ON y.actor_id = x.actor_id AND y.period_id = %s "
            "AND y.counted WHERE x.period_id = %s AND x.counted"
        )
        moves: dict[tuple[str, str, str], Counter[tuple[str, str]]] = {}
        referred_keys = {"summary": "''", "partner": keys["partner"], "category": category}
        for table, key in referred_keys.items():
            cursor.execute(
                f"WITH p AS ({pairs}), f AS (SELECT DISTINCT r.actor_id, {key} AS k FROM "
                "partners_referral r WHERE r.sent_at >= %s AND r.sent_at < %s) "
                "SELECT f.k, p.la, p.lb, COUNT(*) FROM p JOIN f ON f.actor_id = p.actor_id "
                f"JOIN registry_actor a ON a.id = p.actor_id WHERE {placed} GROUP BY 1, 2, 3",
                [b, a, *window, *params],
            )
            for value, la, lb, n in cursor.fetchall():
                moves.setdefault(("referred", table, value), Counter())[(la, lb)] += n
        cursor.execute(
            f"WITH p AS ({pairs}), f AS (SELECT DISTINCT r.actor_id FROM partners_referral r "
            "WHERE r.sent_at >= %s AND r.sent_at < %s) "
            f"SELECT {child_actor}, f.actor_id IS NOT NULL, p.la, p.lb, COUNT(*) FROM p "
            "JOIN registry_actor a ON a.id = p.actor_id LEFT JOIN f ON f.actor_id = p.actor_id "
            f"WHERE {placed} GROUP BY 1, 2, 3, 4",
            [b, a, *window, *params],
        )
        for region, was_referred, la, lb, n in cursor.fetchall():
            group = "referred" if was_referred else "not_referred"
            moves.setdefault((group, "region", region), Counter())[(la, lb)] += n
            if group == "not_referred":  # every actor of the scope is in one child region
                moves.setdefault(("not_referred", "summary", ""), Counter())[(la, lb)] += n
    seconds = time.perf_counter() - started
    rank = {"IR1": 1, "IR2": 2, "IR3": 3}

    def rate(part: int, whole: int) -> str:
        return str(round(part / whole, 4)) if whole else ""

    def move_figures(prefix: str, cells: Counter[tuple[str, str]]) -> dict[str, str]:
        both = sum(cells.values())
        up = sum(n for (la, lb), n in cells.items() if rank[lb] > rank[la])
        return {f"{prefix}_both_periods": str(both), f"{prefix}_up": str(up),
                f"{prefix}_up_share": rate(up, both)}  # fmt: skip

    found: dict[tuple[str, str, str], str] = {}
    children = list(Region.objects.filter(parent_id=code or None).values_list("code", flat=True))
    rows = {("summary", ""), *((t, v) for t, v in measures if t in ("partner", "category"))}
    rows |= {("region", c) for c in children}
    for table, value in rows:
        m = measures.get((table, value), Counter())
        median = median_of(histograms.get((table, value), {}))
        figures = {
            "referrals": str(m["referrals"]), "sent": str(m["sent"]),
            "answered": str(m["answered"]), "accepted": str(m["accepted"]),
            "served": str(m["served"]), "acceptance_rate": rate(m["accepted"], m["answered"]),
            "service_rate": rate(m["served"], m["sent"]),
            "median_days": "" if median is None else str(round(median, 1)),
            "credit": str(m["credit"]),
        }  # fmt: skip
        groups = ("referred", "not_referred") if table in ("summary", "region") else ("referred",)
        for group in groups:
            figures |= move_figures(group, moves.get((group, table, value), Counter()))
        for measure, shown in figures.items():
            if table == "summary":
                found["summary", measure, "value"] = shown
            else:
                found[table, value, measure] = shown
        if table == "summary":
            for status, _share, _steps in OUTCOMES:
                found["status", status, "referrals"] = str(m[f"status {status}"])
    return found, seconds


def measure(requests: int) -> dict[str, Any]:
    """The dashboard through Django's test Client, its CSV against the SQL reference."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    from sinergi.accounts.models import User

    setup_test_environment()
    results: dict[str, Any] = {}
    query = f"period={LAST}&from={FIRST}"
    scopes = [*SCOPES, ("bench-admin", "kecamatan", KECAMATAN)]
    for username, name, code in scopes:
        client = Client()
        client.force_login(User.objects.get(username=username))
        region = f"&region={code}" if name == "kecamatan" else ""
        path = f"/partners/monitoring/?{query}{region}"
        ms = []
        for i in range(requests + 3):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 3:
                ms.append(elapsed)
        result: dict[str, Any] = {**summary(ms), "bytes": len(response.content)}
        if name != "kecamatan":
            exported = b"".join(client.get(f"/partners/monitoring/export.csv?{query}")
                                .streaming_content).decode("utf-8-sig")  # fmt: skip
            shown = {(r["table"], r["key"], r["measure"]): r["value"]
                     for r in csv.DictReader(exported.splitlines())}  # fmt: skip
            expected, seconds = reference(code)  # once: seconds at a million referrals
            result["sql_reference_ms"] = round(seconds * 1000, 1)
            result["same_figures"] = shown == expected
            if not result["same_figures"]:
                wrong = sorted(k for k in shown.keys() | expected.keys()
                               if shown.get(k) != expected.get(k))  # fmt: skip
                result["differ"] = [[*k, shown.get(k), expected.get(k)] for k in wrong[:10]]
        results[name] = result
    return results


def dashboard_phase(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    return {"fill": fill(args.referrals, args.seed), "requests": measure(args.requests)}


def dashboard(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for engine in args.engines:
        database = fresh_database(engine)
        started = time.perf_counter()
        generated = run(database, "bench/generate.py", "--actors", str(args.actors),
                        "--workdir", str(WORKDIR), "--seed", str(args.seed))  # fmt: skip
        generated["seconds"] = round(time.perf_counter() - started, 1)
        measured = run(database, "bench/matching.py", "dashboard", "--phase",
                       "--referrals", str(args.referrals), "--requests", str(args.requests),
                       "--seed", str(args.seed))  # fmt: skip
        result = {"engine": engine, "actors": args.actors, "generate": generated, **measured}
        print(json.dumps(result), flush=True)
        results.append(result)
        if engine == "sqlite":
            Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | referrals | scope | dashboard median / p95 ms | SQL reference ms | same |",
        "|---|---:|---|---:|---:|---|",
    ]
    for result in results:
        for scope, figures in result["requests"].items():
            lines.append(
                f"| {result['engine']} | {result['fill']['referrals']:,} | {scope} | "
                f"{figures['median_ms']} / {figures['p95_ms']} | "
                f"{figures.get('sql_reference_ms', '')} | {figures.get('same_figures', '')} |"
            )
    return "\n".join(lines)


# --- The whole run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("matching", help="the Matcher against DuckDB")
    m.add_argument("--actors", type=int, default=100_000)
    m.add_argument("--offers", type=int, default=200)
    m.add_argument("--rounds", type=int, default=3)
    m.add_argument("--seed", type=int, default=7)
    d = sub.add_parser("dashboard", help="the referral dashboard against plain SQL")
    d.add_argument("--referrals", type=int, default=1_000_000)
    d.add_argument("--actors", type=int, default=250_000)
    d.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    d.add_argument("--requests", type=int, default=30)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.what == "matching":
        result = matching(args)
        print(json.dumps(result))
        (WORKDIR / "matching.json").write_text(json.dumps(result, indent=1))
    elif args.phase:
        print(json.dumps(dashboard_phase(args)))
    else:
        results = dashboard(args)
        (WORKDIR / "monitoring.json").write_text(json.dumps(results, indent=1))
        print(table(results))


if __name__ == "__main__":
    main()
