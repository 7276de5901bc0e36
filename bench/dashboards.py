"""Benchmark of the analytics dashboards at national scale, with DuckDB as a reference.

    .venv/bin/pip install -r requirements/bench.txt      # DuckDB, for the reference only
    .venv/bin/python bench/dashboards.py [--sizes 10000 100000 1000000]
        [--engines sqlite postgresql] [--requests 40] [--writes 200]

For each engine and size: bench/generate.py fills a fresh database (SQLite file under
bench/var/, or the PostgreSQL database sinergi_bench_dash on 127.0.0.1, dropped and created
again), gunicorn serves it (one worker, one thread, connections kept open), and over HTTP,
logged in as a national admin, a province officer (33) and a kab/kota officer (33.17), each
dashboard query (the API's levels and transitions) and each dashboard page (levels,
transitions) is asked for `--requests` times after a warm-up: median and p95 of the time to
the last byte (beside /healthz, the server's own floor). Then, each in its own interpreter:
DuckDB computes the same numbers from the same raw rows (loaded into an in-memory columnar
table first; the load is not timed), checked equal to the API's; and `--writes` results are
submitted through submit_assessment into the open period, half with the analytics listener
subscribed and half without, one transaction each, and province 33's results of the last
period are re-scored under a stricter version, with the listener and without (that one
rolled back): the extra cost of keeping the counts fresh. Figures go to
bench/var/dashboards.json and a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "bench" / "var"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/sinergi_bench_dash"
PORT = 8931
FIRST, LAST = "2022", "2024"
SCOPES = (("bench-admin", "nation", ""), ("bench-jateng", "province", "33"),
          ("bench-rembang", "kab/kota", "33.17"))  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 0.95), 2)}


# --- Databases and the server ----------------------------------------------------------------


def fresh_database(engine: str, size: int) -> str:
    if engine == "sqlite":
        path = WORKDIR / f"dash-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS sinergi_bench_dash")
        db.execute("CREATE DATABASE sinergi_bench_dash")
    return PG_BENCH


def environment(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "SINERGI_DEMO": "1",
        "SECURE_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "SINERGI_VAR_DIR": str(WORKDIR / "var"),
        "DJANGO_SETTINGS_MODULE": "sinergi.settings",
        # Connections kept open between requests, as a deployment would (.env.example).
        "DATABASE_CONN_MAX_AGE": "600",
    }


def run(database: str, *args: str) -> dict[str, Any]:
    """A script of ours in a new interpreter; its last stdout line is JSON figures."""
    out = subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
        [sys.executable, *args], env=environment(database), check=True, capture_output=True,
        text=True, cwd=ROOT,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


class Server:
    """gunicorn on the benchmark database: one worker, one thread, so requests never queue."""

    def __init__(self, database: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [str(Path(sys.executable).parent / "gunicorn"), "sinergi.wsgi", "--bind",
             f"127.0.0.1:{PORT}", "--workers", "1", "--threads", "1", "--log-level", "warning"],
            env=environment(database), cwd=ROOT,
        )  # fmt: skip
        for _ in range(100):
            try:
                if Client().get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Client:
    """One kept-alive HTTP connection with a session cookie."""

    def __init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "", **headers: str) -> tuple[int, bytes]:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body or None, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def log_in(self, username: str) -> None:
        _status, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        body = urlencode(
            {"username": username, "password": "bench-password-1",
             "csrfmiddlewaretoken": token.group(1).decode()}
        )  # fmt: skip
        status, _page = self.request(
            "POST", "/accounts/login/", body,
            **{"Content-Type": "application/x-www-form-urlencoded",
               "Referer": f"http://127.0.0.1:{PORT}/accounts/login/"},
        )  # fmt: skip
        assert status == 302, status


def over_http(requests: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Median and p95 per scope and query; the API's answers, for the DuckDB check."""
    timings: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    floor = Client()
    ms = []
    for i in range(requests + 3):
        started = time.perf_counter()
        floor.get("/healthz")
        if i >= 3:
            ms.append((time.perf_counter() - started) * 1000)
    timings["floor healthz -"] = summary(ms)  # one SELECT 1: the server's own floor
    for username, scope, _code in SCOPES:
        client = Client()
        client.log_in(username)
        paths = {
            "api levels": f"/api/v1/analytics/levels?period={LAST}",
            "api transitions": f"/api/v1/analytics/transitions?from={FIRST}&to={LAST}",
            "page levels": f"/analytics/?period={LAST}",
            "page transitions": f"/analytics/transitions/?period={LAST}&from={FIRST}",
        }
        for name, path in paths.items():
            ms = []
            for i in range(requests + 3):
                started = time.perf_counter()
                status, body = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                assert status == 200, (path, status, body[:300])
                if i >= 3:  # warm-up
                    ms.append(elapsed)
            timings[f"{scope} {name}"] = {**summary(ms), "bytes": len(body)}
            if name.startswith("api"):
                answers[f"{scope} {name}"] = json.loads(body)
    return timings, answers


# --- Phases in their own interpreter ---------------------------------------------------------


def duckdb_phase(requests: int) -> dict[str, Any]:
    """The same numbers from the raw rows, by DuckDB over an in-memory columnar table."""
    import duckdb
    from generate import setup

    setup(None, WORKDIR)
    from django.db import connection

    path = WORKDIR / "raw-results.csv"
    with connection.cursor() as cursor, path.open("w", newline="") as handle:
        cursor.execute(
            "SELECT r.actor_id, p.code, r.level, a.province_code, a.regency_code "
            "FROM assessments_assessment r JOIN assessments_period p ON p.id = r.period_id "
            "JOIN registry_actor a ON a.id = r.actor_id WHERE r.counted"
        )
        writer = csv.writer(handle)
        writer.writerow(("actor", "period", "level", "province", "regency"))
        while rows := cursor.fetchmany(50_000):
            writer.writerows(rows)
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE results AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'actor': 'INTEGER', 'period': 'VARCHAR', 'level': 'VARCHAR', "
        "'province': 'VARCHAR', 'regency': 'VARCHAR'})",
        [str(path)],
    )
    rows = db.execute("SELECT count(*) FROM results").fetchone()
    path.unlink()
    timings: dict[str, Any] = {"rows": rows[0] if rows else 0}
    numbers: dict[str, Any] = {}
    for _username, scope, code in SCOPES:
        where = {"nation": "TRUE", "province": "province = $code", "kab/kota": "regency = $code"}
        condition = where[scope]
        queries = {
            "levels": f"SELECT level, count(*) FROM results WHERE period = $last AND {condition} "
            "GROUP BY level",
            "transitions": "SELECT a.level, b.level, count(*) FROM results a JOIN results b "
            "ON a.actor = b.actor WHERE a.period = $first AND b.period = $last "
            f"AND {condition.replace('province', 'a.province').replace('regency', 'a.regency')} "
            "GROUP BY a.level, b.level",
        }
        for name, sql in queries.items():
            given = {"first": FIRST, "last": LAST, "code": code}
            params = {k: v for k, v in given.items() if f"${k}" in sql}
            ms = []
            for i in range(requests + 3):
                started = time.perf_counter()
                found = db.execute(sql, params).fetchall()
                if i >= 3:
                    ms.append((time.perf_counter() - started) * 1000)
            timings[f"{scope} {name}"] = summary(ms)
            numbers[f"{scope} {name}"] = [list(row) for row in found]
    return {"timings": timings, "numbers": numbers}


def writes_phase(writes: int) -> dict[str, Any]:
    """The extra time per written result that keeping the counts fresh costs."""
    from generate import setup

    setup(None, WORKDIR)
    from random import Random

    from django.db import transaction

    from sinergi.accounts.models import User
    from sinergi.analytics import aggregates
    from sinergi.assessments import events, rescoring, services
    from sinergi.assessments.instrument.reader import DEFAULT_FILE
    from sinergi.assessments.models import Assessment, Period
    from sinergi.registry.models import Actor

    random = Random(5)
    period = Period.objects.get(code=LAST)
    rows = list(
        Assessment.objects.filter(period=period, counted=True)
        .order_by("?")
        .values_list("actor_id", "answers")[: writes + 1]
    )
    actors = Actor.objects.in_bulk([actor for actor, _answers in rows])
    listener_ms: list[float] = []

    def timed(moves: Any) -> None:
        started = time.perf_counter()
        aggregates.on_results(moves)
        listener_ms.append((time.perf_counter() - started) * 1000)

    listeners = events.results_moved.listeners
    listeners.remove(aggregates.on_results)
    with_ms, without_ms = [], []
    for i, (actor_id, answers) in enumerate(rows[:writes]):
        other = rows[random.randrange(len(rows))][1]  # another actor's answers: a correction
        subscribed = i % 2 == 0
        if subscribed:
            listeners.append(timed)
        started = time.perf_counter()
        # Every write stores a row, a third of them with the answers already counted (as
        # the figures in docs/benchmarks.md were measured).
        services.submit_assessment(user=None, actor=actors[actor_id], period=period,
                                   answers=other if i % 3 else answers,
                                   store_repeat=True)  # fmt: skip
        (with_ms if subscribed else without_ms).append((time.perf_counter() - started) * 1000)
        if subscribed:
            listeners.remove(timed)
    listeners.append(aggregates.on_results)
    # A re-score of one province under a stricter version, with the listener and without
    # (the latter undone afterwards): the same results, the same work but for the counts.
    source = DEFAULT_FILE.read_text(encoding="utf-8")
    source = source.replace('version: "2026.1"', f'version: "2026.{int(time.time())}"')
    source = source.replace("min_total: 24", "min_total: 26")
    stricter = services.upload_instrument(user=None, source=source)
    services.publish_instrument(user=None, instrument=stricter)
    admin = User.objects.get(username="bench-admin")
    rescore: dict[str, Any] = {}
    for subscribed in (False, True):
        if not subscribed:
            listeners.remove(aggregates.on_results)
        with transaction.atomic():
            job = rescoring.queue_rescore(user=admin, instrument=stricter, periods=[period],
                                          region_code="33")  # fmt: skip
            started = time.perf_counter()
            rescoring.run_rescore(job.pk)
            seconds = time.perf_counter() - started
            job.refresh_from_db()
            transaction.set_rollback(not subscribed)
        if not subscribed:
            listeners.append(aggregates.on_results)
        rescore["with_listener" if subscribed else "without_listener"] = {
            "results": job.rescored,
            "changed": job.changed,
            "per_s": round(job.rescored / seconds),
        }
    rescore["added_us_per_result"] = round(
        1e6 * (1 / rescore["with_listener"]["per_s"] - 1 / rescore["without_listener"]["per_s"]), 1
    )
    return {
        "submit_with_listener": summary(with_ms),
        "submit_without_listener": summary(without_ms),
        "listener": summary(listener_ms),
        "added_median_ms": round(statistics.median(with_ms) - statistics.median(without_ms), 2),
        "rescore": rescore,
    }


# --- The whole run -----------------------------------------------------------------------------


def check(answers: dict[str, Any], numbers: dict[str, Any]) -> bool:
    """The API's figures equal DuckDB's recount from the raw rows."""
    for _username, scope, _code in SCOPES:
        levels = dict(numbers[f"{scope} levels"])
        api_levels = answers[f"{scope} api levels"]["counts"]
        if {k: v for k, v in api_levels.items() if v} != levels:
            return False
        cells = {(a, b): n for a, b, n in numbers[f"{scope} transitions"]}
        matrix = answers[f"{scope} api transitions"]["matrix"]
        api_cells = {(a, b): n for a, row in matrix.items() for b, n in row.items() if n}
        if api_cells != cells:
            return False
    return True


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | actors | query | Sinergi median / p95 ms | DuckDB median ms |",
        "|---|---:|---|---:|---:|",
    ]
    for result in results:
        for name, figures in result["http"].items():
            scope, kind, what = name.split(" ")
            duck = result["duckdb"]["timings"].get(f"{scope} {what}") if kind == "api" else None
            name = name.removesuffix(" -")
            lines.append(
                f"| {result['engine']} | {result['actors']:,} | {name} | "
                f"{figures['median_ms']} / {figures['p95_ms']} | "
                f"{duck['median_ms'] if duck else ''} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--phase", choices=["duckdb", "writes"])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    if args.phase == "duckdb":
        print(json.dumps(duckdb_phase(args.requests)))
        return
    if args.phase == "writes":
        print(json.dumps(writes_phase(args.writes)))
        return
    WORKDIR.mkdir(parents=True, exist_ok=True)
    results = []
    for engine in args.engines:
        for size in args.sizes:
            database = fresh_database(engine, size)
            started = time.perf_counter()
            generated = run(database, "bench/generate.py", "--actors", str(size),
                            "--workdir", str(WORKDIR))  # fmt: skip
            generated["seconds"] = round(time.perf_counter() - started, 1)
            server = Server(database)
            try:
                timings, answers = over_http(args.requests)
            finally:
                server.stop()
            duck = run(database, "bench/dashboards.py", "--phase", "duckdb",
                       "--requests", str(args.requests))  # fmt: skip
            writes = run(database, "bench/dashboards.py", "--phase", "writes",
                         "--writes", str(args.writes))  # fmt: skip
            result = {
                "engine": engine,
                "actors": size,
                "generate": generated,
                "http": timings,
                "duckdb": duck,
                "writes": writes,
                "same_numbers": check(answers, duck["numbers"]),
            }
            print(json.dumps({k: v for k, v in result.items() if k != "duckdb"}), flush=True)
            print(json.dumps({"duckdb": duck["timings"]}), flush=True)
            results.append(result)
            if engine == "sqlite":
                Path(database.removeprefix("sqlite:///")).unlink(missing_ok=True)
            (WORKDIR / "dashboards.json").write_text(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
