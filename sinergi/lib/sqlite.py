"""SQLite settings for background jobs that write large tables in chunks (no models here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def bulk_write_settings(
    *, cache_kib: int, checkpoint_pages: int, check_foreign_keys: bool = True
) -> Iterator[None]:
    """For the job's connection only, restored afterwards; nothing on other databases.

    A page cache of `cache_kib` instead of SQLite's 2 MiB: the indexes of a large table
    outgrow it, and each chunk would read them back from disk. A checkpoint of the
    write-ahead log every `checkpoint_pages` pages instead of every 1,000 (4 MiB): each
    checkpoint copies every page a chunk touched back into the database. Neither changes
    what a commit guarantees (synchronous stays as configured). `check_foreign_keys=False`
    skips foreign-key checks as loaddata does, for writers whose ids all come from rows they
    just read; SQLite ignores it inside a transaction (tests), where the checks stay on.
    """
    if connection.vendor != "sqlite":
        yield
        return
    wanted = {"cache_size": -cache_kib, "wal_autocheckpoint": checkpoint_pages}
    with connection.cursor() as cursor:
        saved = {}
        for pragma, value in wanted.items():
            cursor.execute(f"PRAGMA {pragma}")
            (saved[pragma],) = cursor.fetchone()
            cursor.execute(f"PRAGMA {pragma} = {int(value)}")
    try:
        if check_foreign_keys:
            yield
        else:
            with connection.constraint_checks_disabled():
                yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in saved.items():
                cursor.execute(f"PRAGMA {pragma} = {int(value)}")
