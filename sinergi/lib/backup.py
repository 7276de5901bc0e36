"""Backups of everything Sinergi keeps, encrypted, and their restore (no models here).

A backup is one folder: `manifest.json` (what, when, from which code, each part's size and
sha256), `manifest.mac` (HMAC-SHA256 of the manifest's bytes) and one encrypted file per
part: the database (SQLite's online backup API, or `pg_dump --format=custom`), the media files
(a tar of every file in the default storage, local or S3) and the SQLite job queue. Each part
is AES-256-GCM with a key derived (HKDF, per-backup salt) from BACKUP_ENCRYPTION_KEY, never
the NIK key: a stolen backup without its key reveals nothing, and rotating one key leaves the
other alone. Parts are streamed in 1 MiB chunks, so a large database never sits in memory.

Restore checks everything before it writes anything: the manifest's MAC (a wrong key or an
edited manifest stops here), then each part's sha256 (a damaged file stops here), then that
each target is empty (unless forced).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import (
    AEADEncryptionContext,
    Cipher,
    algorithms,
    modes,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from sinergi.lib.storage import PRIVATE_DIR, PRIVATE_FILE, make_private, walk

FORMAT = 1
MANIFEST = "manifest.json"
MAC = "manifest.mac"
_MAGIC = b"SINERGI-BACKUP-1\n"
_NONCE = 12
_TAG = 16
_CHUNK = 1024 * 1024
_PART_FILES = {
    "sqlite": "database.sqlite3.enc",
    "postgresql": "database.pgdump.enc",
    "media": "media.tar.enc",
    "queue": "queue.sqlite3.enc",
}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


# -- keys and encrypted parts -----------------------------------------------------------


def _master_key() -> bytes:
    key: str = settings.BACKUP_ENCRYPTION_KEY
    if not key:
        raise BackupError("BACKUP_ENCRYPTION_KEY is not set: backups are always encrypted.")
    if key == settings.FIELD_ENCRYPTION_KEY:
        raise BackupError(
            "BACKUP_ENCRYPTION_KEY must differ from FIELD_ENCRYPTION_KEY: a backup must stay "
            "sealed to whoever holds only the NIK key."
        )
    return key.encode()


def _derive(salt: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(_master_key())


@dataclass
class Digest:
    """Size and sha256 of a byte stream, counted as it passes."""

    size: int = 0
    sha: Any = field(default_factory=hashlib.sha256)

    def update(self, data: bytes) -> None:
        self.size += len(data)
        self.sha.update(data)

    def summary(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha.hexdigest()}


class SealedWriter:
    """A write-only file object that encrypts what it is given into `path` (tar streams it)."""

    def __init__(self, path: Path, key: bytes, part: str) -> None:
        self.plain = Digest()
        self.sealed = Digest()
        nonce = os.urandom(_NONCE)
        cipher = Cipher(algorithms.AES(key), modes.GCM(nonce))
        self._encryptor: AEADEncryptionContext = cipher.encryptor()
        # The part's name is authenticated: a media file renamed to the database fails.
        self._encryptor.authenticate_additional_data(part.encode())
        self._file = _private_open(path)
        self._emit(_MAGIC + nonce)

    def _emit(self, data: bytes) -> None:
        self.sealed.update(data)
        self._file.write(data)

    def write(self, data: bytes) -> int:
        self.plain.update(data)
        self._emit(self._encryptor.update(data))
        return len(data)

    def close(self) -> None:
        self._emit(self._encryptor.finalize())
        self._emit(self._encryptor.tag)
        self._file.close()

    def summary(self) -> dict[str, Any]:
        plain, sealed = self.plain.summary(), self.sealed.summary()
        return {**plain, "encrypted_size": sealed["size"], "encrypted_sha256": sealed["sha256"]}


def _private_open(path: Path) -> IO[bytes]:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb")


def _opened(path: Path, key: bytes, part: str) -> Iterator[bytes]:
    """The plaintext of a sealed part, chunk by chunk; raises BackupError at the end if the
    tag does not match (callers write into a scratch place until the whole part is read)."""
    total = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(len(_MAGIC) + _NONCE)
        if not head.startswith(_MAGIC) or total < len(head) + _TAG:
            raise BackupError(f"{path.name} is not a Sinergi backup part.")
        handle.seek(total - _TAG)
        tag = handle.read(_TAG)
        handle.seek(len(head))
        decryptor = Cipher(algorithms.AES(key), modes.GCM(head[len(_MAGIC) :], tag)).decryptor()
        decryptor.authenticate_additional_data(part.encode())
        left = total - len(head) - _TAG
        while left:
            chunk = handle.read(min(_CHUNK, left))
            left -= len(chunk)
            yield decryptor.update(chunk)
        try:
            yield decryptor.finalize()
        except InvalidTag as exc:
            raise BackupError(f"{path.name} is damaged (authentication failed).") from exc


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


# -- what is backed up ------------------------------------------------------------------


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _queue_file() -> Path | None:
    """The SQLite job queue's file; None with Redis (see docs/deployment.md)."""
    name = str(settings.HUEY.get("filename", ""))
    return Path(name) if name and "Sqlite" in str(settings.HUEY["huey_class"]) else None


def _app_version() -> dict[str, str]:
    with (settings.BASE_DIR / "pyproject.toml").open("rb") as handle:
        version = str(tomllib.load(handle)["project"]["version"])
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, optional
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return {"version": version, "commit": commit}


def _applied_migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _pg_env() -> dict[str, str]:
    """libpq's variables for the default database: the password never shows in `ps`."""
    db = connection.settings_dict
    values = {"PGHOST": db["HOST"], "PGPORT": db["PORT"], "PGUSER": db["USER"]}
    values["PGPASSWORD"] = db["PASSWORD"]
    return {**os.environ, **{k: str(v) for k, v in values.items() if v}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install Debian's postgresql-client.")
    return found


def _sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    """One consistent copy, committed rows only, including those still in the WAL: the
    online backup API in a single step (writers go on meanwhile, in WAL mode)."""
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()


def _seal_file(source: Path, target: Path, key: bytes, part: str) -> dict[str, Any]:
    writer = SealedWriter(target, key, part)
    with source.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            writer.write(chunk)
    writer.close()
    return {"file": target.name, **writer.summary()}


def _backup_database(folder: Path, scratch: Path, key: bytes) -> dict[str, Any]:
    engine = _engine()
    target = folder / _PART_FILES[engine]
    if engine == "sqlite":
        connection.ensure_connection()
        _sqlite_copy(connection.connection, scratch / "database.sqlite3")
        return _seal_file(scratch / "database.sqlite3", target, key, engine)
    # pg_dump reads in one repeatable-read transaction: a consistent snapshot while serving.
    writer = SealedWriter(target, key, engine)
    command = [_tool("pg_dump"), "--format=custom", "--dbname", connection.settings_dict["NAME"]]
    with subprocess.Popen(  # noqa: S603 - fixed command, our own database name
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_pg_env()
    ) as dump:
        assert dump.stdout is not None
        while chunk := dump.stdout.read(_CHUNK):
            writer.write(chunk)
        error = dump.stderr.read().decode() if dump.stderr else ""
    writer.close()
    if dump.returncode:
        raise BackupError(f"pg_dump failed: {error.strip()}")
    return {"file": target.name, **writer.summary()}


class _HashingReader:
    """Reads a storage file for tar, counting its size and sha256 on the way."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = Digest()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _backup_media(folder: Path, key: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every file of the default storage, local or S3, read through the storage API."""
    writer = SealedWriter(folder / _PART_FILES["media"], key, "media")
    files = []
    with tarfile.open(fileobj=writer, mode="w|") as archive:  # type: ignore[call-overload]  # any object with write()
        for name in walk(default_storage):
            info = tarfile.TarInfo(name)
            info.size = default_storage.size(name)
            info.mode = PRIVATE_FILE
            with default_storage.open(name, "rb") as handle:
                reader = _HashingReader(handle)
                archive.addfile(info, reader)
            files.append({"name": name, **reader.digest.summary()})
    writer.close()
    return {"file": _PART_FILES["media"], **writer.summary()}, files


def _backup_queue(folder: Path, scratch: Path, key: bytes) -> dict[str, Any] | None:
    path = _queue_file()
    if path is None or not path.exists():
        return None
    source = sqlite3.connect(path)
    try:
        _sqlite_copy(source, scratch / "queue.sqlite3")
    finally:
        source.close()
    return _seal_file(scratch / "queue.sqlite3", folder / _PART_FILES["queue"], key, "queue")


def _prepare_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new or empty folder.")
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    make_private(folder)


def create_backup(folder: Path) -> dict[str, Any]:
    """Write a complete backup into `folder` (new or empty); returns its manifest.

    The database first, then the files: every upload a backed-up row names was stored
    before its row was committed, so it is in the backup too.
    """
    key_salt = os.urandom(16)
    key = _derive(key_salt, b"sinergi-backup-encryption")
    _prepare_folder(folder)
    scratch = folder / ".scratch"
    scratch.mkdir(mode=PRIVATE_DIR)
    try:
        started = datetime.now(UTC)
        parts: dict[str, Any] = {"database": _backup_database(folder, scratch, key)}
        parts["media"], media_files = _backup_media(folder, key)
        queue = _backup_queue(folder, scratch, key)
        if queue:
            parts["queue"] = queue
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "app": _app_version(),
        "engine": _engine(),
        "migrations": _applied_migrations(),
        "storage": settings.STORAGES["default"]["BACKEND"],
        "queue": "sqlite" if queue else "not included (Redis: see docs/deployment.md)",
        "encryption": {"cipher": "AES-256-GCM", "kdf": "HKDF-SHA256", "salt": key_salt.hex()},
        "parts": parts,
        "media_files": media_files,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with _private_open(folder / MANIFEST) as handle:
        handle.write(text)
    with _private_open(folder / MAC) as handle:
        handle.write(_mac(text, key_salt).encode())
    return manifest


def _mac(text: bytes, salt: bytes) -> str:
    return hmac.new(_derive(salt, b"sinergi-backup-manifest"), text, hashlib.sha256).hexdigest()


# -- restore ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """A backup folder whose manifest and parts were checked, with the key to open it."""

    folder: Path
    manifest: dict[str, Any]
    key: bytes

    def part(self, name: str) -> Path | None:
        entry = self.manifest["parts"].get(name)
        return self.folder / entry["file"] if entry else None

    def plaintext(self, name: str) -> Iterator[bytes]:
        path = self.part(name)
        assert path is not None
        part = self.manifest["engine"] if name == "database" else name
        return _opened(path, self.key, part)


def verify_backup(folder: Path) -> Verified:
    """Check the manifest's MAC and every part's sha256 without decrypting anything."""
    try:
        text = (folder / MANIFEST).read_bytes()
        mac = (folder / MAC).read_text().strip()
        manifest = json.loads(text)
        salt = bytes.fromhex(manifest["encryption"]["salt"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{folder} holds no readable Sinergi backup ({exc}).") from exc
    if not hmac.compare_digest(_mac(text, salt), mac):
        raise BackupError(
            "The manifest does not match BACKUP_ENCRYPTION_KEY: the key is not the one this "
            "backup was made with, or the manifest was changed."
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not {FORMAT}.")
    for name, entry in manifest["parts"].items():
        path = folder / entry["file"]
        if not path.exists():
            raise BackupError(f"The {name} part ({entry['file']}) is missing.")
        if _file_digest(path) != entry["encrypted_sha256"]:
            raise BackupError(f"The {name} part ({entry['file']}) is damaged: checksum mismatch.")
    return Verified(folder, manifest, _derive(salt, b"sinergi-backup-encryption"))


def _write_verified(backup: Verified, name: str, target: Path) -> None:
    """Decrypt a part into `target` (a new private file) and check its sha256."""
    digest = Digest()
    with _private_open(target) as handle:
        for chunk in backup.plaintext(name):
            digest.update(chunk)
            handle.write(chunk)
    if digest.sha.hexdigest() != backup.manifest["parts"][name]["sha256"]:
        raise BackupError(f"The {name} part decrypted to other bytes than were backed up.")


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as probe:
        tables = [r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return all(probe.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is None for t in tables)  # noqa: S608 - names from sqlite_master


def _database_is_empty() -> bool:
    if _engine() == "sqlite":
        return _sqlite_is_empty(Path(connection.settings_dict["NAME"]))
    try:
        return not connection.introspection.table_names()
    except DatabaseError as exc:
        raise BackupError(
            f"Cannot reach the database to restore into ({exc}): create it first "
            "(createdb) and check DATABASE_URL."
        ) from exc


def _replace_sqlite(scratch: Path, target: Path) -> None:
    """Put a verified copy in place; the old WAL would otherwise be replayed onto it."""
    with sqlite3.connect(scratch) as probe:
        (result,) = probe.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"The restored SQLite file fails its integrity check: {result}")
    connections.close_all()
    target.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(scratch, target)


def _restore_postgresql(backup: Verified, *, force: bool) -> None:
    name = connection.settings_dict["NAME"]
    command = [_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--dbname", name]
    command += ["--single-transaction"] + (["--clean", "--if-exists"] if force else [])
    connections.close_all()
    with subprocess.Popen(  # noqa: S603 - fixed command, our own database name
        command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=_pg_env()
    ) as restore:
        assert restore.stdin is not None
        try:
            for chunk in backup.plaintext("database"):
                restore.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped early: its message follows
        restore.stdin.close()
        error = restore.stderr.read().decode() if restore.stderr else ""
    if restore.returncode:
        raise BackupError(f"pg_restore failed: {error.strip()}")


def _restore_media(backup: Verified, scratch: Path, *, force: bool) -> int:
    expected = {f["name"]: f for f in backup.manifest["media_files"]}
    _write_verified(backup, "media", scratch / "media.tar")
    with tarfile.open(scratch / "media.tar", mode="r:") as archive:
        for member in archive:
            source = archive.extractfile(member)
            if source is None or member.name not in expected:
                raise BackupError(f"The media part holds an unexpected entry: {member.name}")
            sha = hashlib.sha256()
            while chunk := source.read(_CHUNK):
                sha.update(chunk)
            if sha.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(f"Media file {member.name} does not match its checksum.")
            source.seek(0)
            if force and default_storage.exists(member.name):
                default_storage.delete(member.name)
            saved = default_storage.save(member.name, File(source))
            if saved != member.name:
                raise BackupError(f"Media file {member.name} was stored as {saved}.")
    return len(expected)


@contextmanager
def _scratch_beside(folder: Path) -> Iterator[Path]:
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    scratch = folder / f".sinergi-restore-{os.getpid()}"
    scratch.mkdir(mode=PRIVATE_DIR)
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def restore_backup(folder: Path, *, force: bool, say: Callable[[str], None]) -> Verified:
    """Restore database, job queue and media files from `folder` into empty targets.

    Everything is checked first (key, checksums, empty targets); with `force`, non-empty
    targets are overwritten. Stop the web and job processes before restoring.
    """
    backup = verify_backup(folder)
    engine = backup.manifest["engine"]
    if engine != _engine():
        raise BackupError(f"This backup is of a {engine} database; DATABASE_URL is {_engine()}.")
    queue = _queue_file()
    if not force:
        busy = [] if _database_is_empty() else ["the database"]
        busy += [] if next(walk(default_storage), None) is None else ["the media storage"]
        if queue and backup.part("queue") and not _sqlite_is_empty(queue):
            busy.append("the job queue")
        if busy:
            raise BackupError(
                f"Not restoring over {', '.join(busy)}, which already hold data: restore into "
                "an empty database and folder, or add --force to overwrite them."
            )
    target = Path(connection.settings_dict["NAME"]) if engine == "sqlite" else settings.VAR_DIR
    with _scratch_beside(target.parent if engine == "sqlite" else target) as scratch:
        if engine == "sqlite":
            _write_verified(backup, "database", scratch / "database.sqlite3")
            _replace_sqlite(scratch / "database.sqlite3", target)
        else:
            _restore_postgresql(backup, force=force)
        say(f"database restored ({engine})")
        if queue and backup.part("queue"):
            _write_verified(backup, "queue", scratch / "queue.sqlite3")
            _replace_sqlite(scratch / "queue.sqlite3", queue)
            say("job queue restored")
        say(f"{_restore_media(backup, scratch, force=force)} media files restored")
    _say_migrations(backup.manifest["migrations"], say)
    return backup


def _say_migrations(applied: list[str], say: Callable[[str], None]) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(applied) - known)
    if unknown:
        say(f"WARNING: the backup has migrations this code lacks: {', '.join(unknown)}")
    elif known - set(applied):
        say("This code has newer migrations: run `manage.py migrate` before serving.")


# -- scheduled backups ------------------------------------------------------------------


def rotate(folder: Path, *, keep: int) -> list[Path]:
    """Remove all but the `keep` newest complete backups in `folder`; returns those removed."""
    complete = sorted(p for p in folder.glob("sinergi-*") if (p / MAC).exists())
    old = complete[:-keep] if keep else complete
    for path in old:
        shutil.rmtree(path)
    return old


def scheduled_backup(folder: Path, *, keep: int) -> Path:
    """A new backup `sinergi-<UTC time>` in `folder`, then rotation to `keep` backups.
    Written under a `.partial` name first, so a failed run never counts as a backup."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    name = datetime.now(UTC).strftime("sinergi-%Y%m%dT%H%M%S.%fZ")
    partial = folder / f".{name}.partial"
    create_backup(partial)
    final = folder / name
    partial.rename(final)
    rotate(folder, keep=keep)
    return final
