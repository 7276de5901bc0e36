"""Files through Django's storage API (local folder or an S3-compatible object store), and
private file modes for what Sinergi keeps on its own disk (no models here)."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # settings import this module: nothing of Django's models at import time
    from django.core.files.storage import Storage
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.fields.files import FieldFile

# Files and folders Sinergi creates hold personal data (clear NIKs in uploaded sheets):
# readable by the service's own user only.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_CHUNK = 1024 * 1024


def make_private(path: Path) -> None:
    """Take group and world access away from `path` (a file or folder) if it has any."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def private_sqlite_file(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """connection_created receiver: SQLite creates its file with the process umask (usually
    world-readable); its -wal and -shm files take the database file's mode."""
    name = Path(str(connection.settings_dict["NAME"]))
    if connection.vendor == "sqlite" and name.is_file():  # an in-memory name is no file
        make_private(name)


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in `storage` under `folder`, at any depth (nothing for a missing folder)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(folders):
        yield from walk(storage, str(PurePosixPath(folder, sub)) if folder else sub)


@contextmanager
def local_copy(field_file: FieldFile) -> Iterator[str]:
    """A local path to the file for libraries that read only paths (the spreadsheet reader).

    Local storage gives its own path; any other storage (S3) is copied in chunks to a private
    temporary file, removed afterwards.
    """
    try:
        path = field_file.storage.path(field_file.name or "")
    except NotImplementedError:  # no local path: an object store
        path = ""
    if path:
        yield path
        return
    name = field_file.name or ""
    handle, temporary = tempfile.mkstemp(prefix="sinergi-", suffix=PurePosixPath(name).suffix)
    try:  # mkstemp creates the file 0600
        with os.fdopen(handle, "wb") as target, field_file.storage.open(name) as source:
            shutil.copyfileobj(source, target, _CHUNK)
        yield temporary
    finally:
        os.unlink(temporary)
