"""manage.py backup and restore, run as an operator would: separate processes on real files
(and, in the PostgreSQL run, real databases of their own), while another process writes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY = "a-backup-key-kept-apart-from-the-nik-key"
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@dataclass
class Site:
    """One installation: its var/ folder and its database, as environment variables."""

    var: Path
    database_url: str

    def env(self, **extra: str) -> dict[str, str]:
        test_only = ("DJANGO_ALLOW_ASYNC_UNSAFE", "HUEY_IMMEDIATE", "DATABASE_URL")
        base = {k: v for k, v in os.environ.items() if k not in test_only}
        return {
            **base,
            "SINERGI_DEMO": "1",
            "SINERGI_VAR_DIR": str(self.var),
            "DATABASE_URL": self.database_url,
            "BACKUP_ENCRYPTION_KEY": KEY,
            **extra,
        }

    def manage(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - fixed command, test-controlled arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            check=False,
        )

    def writer(self, step: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - fixed command
            [sys.executable, "-m", "sinergi.lib.tests.backup_writer", step],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if POSTGRES:
            import psycopg

            with psycopg.connect(self.database_url) as db:
                return db.execute(sql).fetchall()
        with sqlite3.connect(self.var / "sinergi.sqlite3") as db:
            return db.execute(sql).fetchall()


def _admin(sql: str) -> None:
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as db:
        db.execute(sql)


def _database_names() -> tuple[str, str, str]:
    base = urlsplit(os.environ["DATABASE_URL"]).path.strip("/")
    return f"{base}_bk_template", f"{base}_bk_source", f"{base}_bk_target"


def _database_url(name: str) -> str:
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A migrated installation with a region and a writer, copied by each test."""
    var = tmp_path_factory.mktemp("template")
    if POSTGRES:
        name = _database_names()[0]
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
        site = Site(var, _database_url(name))
    else:
        site = Site(var, f"sqlite:///{var / 'sinergi.sqlite3'}")
    migrated = site.manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    setup = site.writer("setup")
    assert setup.wait(60) == 0, setup.stderr.read() if setup.stderr else ""
    yield site
    if POSTGRES:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sites(template: Site, tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    """A source installation (a copy of the template) and an empty target one."""
    if POSTGRES:
        model, *names = _database_names()
        for name in names:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{names[0]}" TEMPLATE "{model}"')
        _admin(f'CREATE DATABASE "{names[1]}"')
        urls = [_database_url(name) for name in names]
    else:
        (tmp_path / "source").mkdir()  # with the umask: the app must make it private
        shutil.copy(template.var / "sinergi.sqlite3", tmp_path / "source")
        urls = [f"sqlite:///{tmp_path / side / 'sinergi.sqlite3'}" for side in ("source", "target")]
    yield Site(tmp_path / "source", urls[0]), Site(tmp_path / "target", urls[1])
    if POSTGRES:
        for name in names:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ids(lines: Iterator[str], into: list[int]) -> None:
    for line in lines:
        into.append(int(line))


def _back_up_while_writing(source: Site, folder: Path) -> list[int]:
    """Start writing actors, back up in the middle, stop; the ids committed before."""
    committed: list[int] = []
    writer = source.writer("write")
    assert writer.stdout is not None
    reading = threading.Thread(target=_ids, args=(writer.stdout, committed))
    reading.start()
    try:
        while len(committed) < 30:
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            time.sleep(0.05)
        before = list(committed)
        result = source.manage("backup", str(folder))
        assert result.returncode == 0, result.stderr
        during = len(committed) - len(before)
        assert during > 0, "the writer kept committing while the backup ran"
    finally:
        writer.terminate()
        writer.wait(30)
        reading.join(30)
    return before


def test_it_restores_every_row_committed_before_a_backup_taken_during_writes(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, target = sites
    upload = source.var / "media" / "imports" / "sheet.xlsx"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"PK\x03\x04 an uploaded sheet")
    folder = tmp_path / "backup"

    before = _back_up_while_writing(source, folder)

    restored = target.manage("restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    actors = {row[0] for row in target.query("SELECT id FROM registry_actor")}
    assert set(before) <= actors
    assert len(actors) < len(source.query("SELECT id FROM registry_actor"))
    # One snapshot: the dashboard's national count and the audit trail agree with the rows.
    [(counted,)] = target.query(
        "SELECT actors FROM analytics_registeredcount WHERE region = '' AND dim = ''"
    )
    [(audited,)] = target.query(
        "SELECT count(*) FROM audit_auditevent WHERE object_type = 'actor' AND action = 'create'"
    )
    assert counted == audited == len(actors)
    assert (target.var / "media" / "imports" / "sheet.xlsx").read_bytes() == upload.read_bytes()
    assert (target.var / "huey.sqlite3").exists()


def test_it_refuses_a_wrong_key_a_damaged_part_and_a_target_with_data(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, target = sites
    folder = tmp_path / "backup"
    assert source.manage("backup", str(folder)).returncode == 0

    wrong = target.manage("restore", str(folder), BACKUP_ENCRYPTION_KEY="another-key")
    assert wrong.returncode != 0
    assert "does not match BACKUP_ENCRYPTION_KEY" in wrong.stderr

    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    part = next(damaged.glob("database.*.enc"))
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    refused = target.manage("restore", str(damaged))
    assert refused.returncode != 0
    assert "The database part" in refused.stderr
    assert "is damaged: checksum mismatch" in refused.stderr

    over = source.manage("restore", str(folder))
    assert over.returncode != 0
    assert "Not restoring over the database" in over.stderr
    assert "--force" in over.stderr
    assert source.manage("restore", "--force", str(folder)).returncode == 0


def test_it_refuses_to_back_up_without_a_key_of_its_own(sites: tuple[Site, Site]) -> None:
    source, _ = sites
    same = source.manage(
        "backup", str(source.var / "b"), BACKUP_ENCRYPTION_KEY="k", FIELD_ENCRYPTION_KEY="k"
    )
    assert same.returncode != 0
    assert "must differ from FIELD_ENCRYPTION_KEY" in same.stderr
    production = {"SINERGI_DEMO": "0", "SECRET_KEY": "s" * 50, "FIELD_ENCRYPTION_KEY": "f"}
    unset = source.manage("backup", str(source.var / "b"), BACKUP_ENCRYPTION_KEY="", **production)
    assert unset.returncode != 0
    assert "BACKUP_ENCRYPTION_KEY is not set" in unset.stderr
    assert not (source.var / "b").exists()


def test_it_keeps_the_database_queue_and_backups_private(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, _ = sites
    folder = tmp_path / "backup"
    assert source.manage("backup", str(folder)).returncode == 0
    private = [source.var, folder, *folder.iterdir(), source.var / "huey.sqlite3"]
    if not POSTGRES:
        private.append(source.var / "sinergi.sqlite3")
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_it_backs_up_media_from_an_object_store_and_restores_them_into_another(
    sites: tuple[Site, Site], tmp_path: Path, bucket_factory: Any
) -> None:
    source, target = sites
    origin, empty = bucket_factory(), bucket_factory()
    origin.client().put_object(Bucket=origin.name, Key="imports/a.xlsx", Body=b"PK\x03\x04 a")
    folder = tmp_path / "backup"

    backed_up = source.manage("backup", str(folder), **origin.env())
    restored = target.manage("restore", str(folder), **empty.env())

    assert backed_up.returncode == 0, backed_up.stderr
    assert restored.returncode == 0, restored.stderr
    assert "1 media files restored" in restored.stdout
    assert empty.keys() == ["imports/a.xlsx"]
    body = empty.client().get_object(Bucket=empty.name, Key="imports/a.xlsx")["Body"].read()
    assert body == b"PK\x03\x04 a"
    assert not (target.var / "media").exists()


PERIODIC = """
from datetime import datetime
from huey.contrib.djhuey import HUEY
import sinergi.lib.tasks
for hour in (3, 4):  # other apps' periodic tasks (every minute, daily) left out
    due = [t.name for t in HUEY.read_periodic(datetime(2026, 12, 3, hour, 0))]
    print(*[name for name in due if "backup" in name])
"""
NIGHTLY_THRICE = """
from sinergi.lib.tasks import nightly_backup
for _ in range(3):
    nightly_backup()
"""


def test_the_nightly_backup_runs_at_its_hour_and_keeps_the_newest(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, _ = sites
    folder = tmp_path / "nightly"
    (folder / "sinergi-00000000T000000.000000Z").mkdir(parents=True)  # unfinished: no MAC
    scheduled = {"BACKUP_DIR": str(folder), "BACKUP_HOUR": "3", "BACKUP_KEEP": "2"}

    periodic = source.manage("shell", "--no-imports", "-c", PERIODIC, **scheduled)
    nightly = source.manage("shell", "--no-imports", "-c", NIGHTLY_THRICE, **scheduled)

    assert periodic.returncode == 0, periodic.stderr
    assert periodic.stdout.splitlines() == ["nightly_backup", ""]
    assert nightly.returncode == 0, nightly.stderr
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 3
    assert kept[0] == "sinergi-00000000T000000.000000Z"
    assert all((folder / name / "manifest.mac").exists() for name in kept[1:])


def test_there_is_no_nightly_backup_without_a_backup_dir(sites: tuple[Site, Site]) -> None:
    result = sites[0].manage("shell", "--no-imports", "-c", PERIODIC)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["", ""]


@pytest.mark.skipif(POSTGRES, reason="the write-ahead log is SQLite's")
def test_it_keeps_rows_still_in_the_write_ahead_log_which_a_file_copy_loses(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    source, target = sites
    database = source.var / "sinergi.sqlite3"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # the rows stay in the log, as under load
    writer.executemany(
        "INSERT INTO auth_group (name) VALUES (?)", [(f"wal {n}",) for n in range(50)]
    )
    try:
        shutil.copy(database, tmp_path / "copied.sqlite3")
        result = source.manage("backup", str(tmp_path / "backup"))
    finally:
        writer.close()
    assert result.returncode == 0, result.stderr
    assert target.manage("restore", str(tmp_path / "backup")).returncode == 0

    with sqlite3.connect(tmp_path / "copied.sqlite3") as copied:
        assert copied.execute("SELECT count(*) FROM auth_group").fetchone() == (0,)
    assert target.query("SELECT count(*) FROM auth_group") == [(50,)]
