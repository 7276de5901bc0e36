"""Load test of the OpenRosa server: concurrent phones sending submissions to gunicorn.

    .venv/bin/python bench/openrosa_load.py [--submissions 5000] [--clients 20]
                                            [--database sqlite|postgres|both]

For each database: a fresh one (SQLite file in a temporary directory, or the PostgreSQL
database `sinergi_bench_openrosa` on PG_URL's server, dropped and created), migrated, with
the default instrument, an open period, and one facilitator per client with her own
caseload. Then gunicorn serves the app as `make run` does (4 workers, one request each) and
`--clients` threads act as ODK Collect: each downloads formList and the XForm once, then
sends its share of submissions built from the form's own instance (multipart over a
kept-alive HTTP connection, HTTP Basic), and re-sends one in twenty of them (a retry after
a lost response) to check that every duplicate is answered 202 and stored once. At the end
the database is counted: results and accepted submissions must equal the 201 answers.
Not run by the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from harness import ROOT, peak_mb

PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "sinergi_bench_openrosa"
VILLAGE = "33.17.04.2001"
ACTORS_PER_CLIENT = 250
PASSWORD = "bench-openrosa-pw-1"  # noqa: S105 - a throwaway database's accounts
RETRY_EVERY = 20  # one submission in this many is sent twice


def _env(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SINERGI_DEMO": "1",
        "SECURE_HTTPS": "0",
        "SINERGI_VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "sinergi.settings",
    }


PREPARE = """
import sys
from datetime import date
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.regions.models import Region
from sinergi.test import ActorFactory, make_user
for code, name, level, parent in (
    ("33", "JAWA TENGAH", 1, None), ("33.17", "KABUPATEN REMBANG", 2, "33"),
    ("33.17.04", "LASEM", 3, "33.17"), ("33.17.04.2001", "DESA BENCH", 4, "33.17.04"),
):
    Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent_id": parent}
    )
services.load_default_instrument()
services.create_period(
    user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
)
clients, per_client, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for n in range(clients):
    user = make_user(f"phone-{n}", Role.FACILITATOR, "33.17")
    user.set_password(password)
    user.save()
    ActorFactory.create_batch(per_client, facilitator=user)
"""


def prepare(database_url: str, workdir: Path, clients: int) -> None:
    if database_url.startswith("postgres"):
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, "-c", PREPARE, str(clients), str(ACTORS_PER_CLIENT), PASSWORD],
        check=True,
        cwd=ROOT,
        env=_env(database_url, workdir),
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(
    database_url: str, workdir: Path, workers: int, threads: int
) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our venv, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "sinergi.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_env(database_url, workdir),
        stderr=(workdir / "server.log").open("wb"),
    )
    for _attempt in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    retries: int = 0
    retries_202: int = 0
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def _answers(random: Random, actor: str) -> dict[str, Any]:
    return {
        "period": "2019",
        "actor": actor,
        "workers": random.choice((0, 1, 2, 3, 5)),
        "monthly_turnover": random.choice((1_000_000, 5_000_000, 20_000_000)),
        "capital": random.choice((2_000_000, 10_000_000, 80_000_000)),
        "production": random.choice(("irregular", "weekly", "daily")),
        "equipment": random.choice(("manual", "semi", "machine")),
        "market_reach": random.choice(("village", "regency", "wider")),
        "bookkeeping": random.choice(("none", "simple", "separate")),
        "legality": random.sample(("sku", "iumk", "nib", "pirt", "halal"), random.randint(0, 3)),
        "network": random.choice(("none", "group", "partner")),
        "digital": random.choice(("none", "chat", "marketplace")),
    }


def phone(port: int, number: int, count: int, tally: Tally, ready: threading.Barrier) -> None:
    from sinergi.collect.tests.odk import basic, fill_instance, multipart

    random = Random(number)
    auth = basic(f"phone-{number}", PASSWORD)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(method: str, path: str, body: bytes | None = None, kind: str = "") -> Any:
        nonlocal conn
        headers = {"Authorization": auth, "X-OpenRosa-Version": "1.0"}
        if kind:
            headers["Content-Type"] = kind
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # gunicorn closes a kept-alive connection idle for 2 s; a phone reconnects. A
            # request that did reach the server is answered 202 the second time.
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with tally.lock:
                tally.reconnects += 1
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
        response.content = response.read()
        return response

    try:
        assert request("GET", "/openrosa/formList").status == 200
        form = request("GET", "/openrosa/forms/ir-default/2026.1/form.xml").content
        actors = request("GET", "/openrosa/forms/ir-default/2026.1/media/actors.csv").content
        ids = [line.split(b",", 1)[0].decode() for line in actors.splitlines()[1:]]
        assert request("HEAD", "/openrosa/submission").status == 204
    except Exception as exc:  # noqa: BLE001 - reported with the figures, never swallowed
        tally.errors.append(f"phone {number} setting up: {exc!r}")
        ready.abort()
        return
    ready.wait()  # every phone has signed in and has the form: the timing starts now
    try:
        for n in range(count):
            xml = fill_instance(
                form, _answers(random, random.choice(ids)), instance_id=f"uuid:{uuid.uuid4()}"
            )
            body, kind = multipart(xml)
            sends = 2 if n % RETRY_EVERY == RETRY_EVERY - 1 else 1
            for attempt in range(sends):
                started = time.perf_counter()
                response = request("POST", "/openrosa/submission", body, kind)
                tally.add(response.status, time.perf_counter() - started)
                if attempt == 1:
                    with tally.lock:
                        tally.retries += 1
                        tally.retries_202 += response.status == 202
                elif response.status != 201:
                    tally.errors.append(f"{response.status} {response.content[:200]!r}")
    except Exception as exc:  # noqa: BLE001 - reported with the figures, never swallowed
        tally.errors.append(f"phone {number}: {exc!r}")
    finally:
        conn.close()


COUNT = """
import django
django.setup()
from sinergi.assessments.models import Assessment
from sinergi.collect.models import Submission
print(
    Assessment.objects.filter(source="odk").count(),
    Submission.objects.filter(status="accepted").count(),
    Submission.objects.count(),
)
"""


def run(
    label: str, database_url: str, submissions: int, clients: int, workers: int, threads: int
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="sinergi-openrosa-"))
    database_url = database_url.format(workdir=workdir)
    try:
        started = time.perf_counter()
        prepare(database_url, workdir, clients)
        prepared = time.perf_counter() - started
        server, port = serve(database_url, workdir, workers, threads)
        try:
            tally = Tally()
            ready = threading.Barrier(clients + 1)
            shares = [submissions // clients + (n < submissions % clients) for n in range(clients)]
            threads = [
                threading.Thread(target=phone, args=(port, n, shares[n], tally, ready))
                for n in range(clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            ready.wait()
            setup = time.perf_counter() - started
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        out = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, "-c", COUNT],
            check=True,
            cwd=ROOT,
            env=_env(database_url, workdir),
            capture_output=True,
            text=True,
        )
        results, accepted, filed = (int(x) for x in out.stdout.split())
        log = (workdir / "server.log").read_text(errors="replace")
        server_errors = [block.strip()[-1500:] for block in log.split("Traceback")[1:3]]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    latencies = sorted(tally.latencies)
    requests = len(latencies)
    return {
        "label": label,
        "prepared": prepared,
        "setup": setup,
        "elapsed": elapsed,
        "requests": requests,
        "rate": requests / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (requests - 1))] * 1000,
        "statuses": dict(sorted(tally.statuses.items())),
        "created": tally.statuses.get(201, 0),
        "retries": tally.retries,
        "retries_202": tally.retries_202,
        "reconnects": tally.reconnects,
        "results": results,
        "accepted": accepted,
        "filed": filed,
        "errors": server_errors + tally.errors[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (make run: 4)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads each; more than 1: gthread (make run: 1)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    targets = []
    if args.database in ("sqlite", "both"):
        targets.append(("sqlite", "sqlite:///{workdir}/bench.sqlite3"))
    if args.database in ("postgres", "both"):
        targets.append(("postgres", f"{PG_URL}/{PG_NAME}"))
    print(
        f"{args.submissions:,} submissions from {args.clients} phones, "
        f"1 in {RETRY_EVERY} sent twice; gunicorn {args.workers} workers x {args.threads} "
        f"threads; load {os.getloadavg()[0]:.1f}"
    )
    for label, url in targets:
        figures = run(label, url, args.submissions, args.clients, args.workers, args.threads)
        ok = (
            figures["results"] == figures["accepted"] == figures["created"]
            and figures["retries"] == figures["retries_202"]
            and not figures["errors"]
        )
        print(
            f"{label:9} phones signed in and downloaded the form in {figures['setup']:.1f} s "
            f"(a password check per account and worker; then remembered for 5 minutes)"
        )
        print(
            f"{'':9} {figures['rate']:7.1f} requests/s  p50 {figures['p50']:6.1f} ms  "
            f"p95 {figures['p95']:6.1f} ms  ({figures['requests']:,} requests "
            f"in {figures['elapsed']:.1f} s; answers {figures['statuses']})"
        )
        print(
            f"{'':9} 201 answers {figures['created']:,} = results stored {figures['results']:,} = "
            f"accepted submissions {figures['accepted']:,}; retries {figures['retries']:,}, "
            f"answered 202: {figures['retries_202']:,}; filed {figures['filed']:,}; "
            f"reconnections {figures['reconnects']:,}  "
            f"{'consistent' if ok else 'INCONSISTENT'}"
        )
        for error in figures["errors"]:
            print(f"{'':9} error: {error}")
    print(f"load {os.getloadavg()[0]:.1f}; client peak {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
