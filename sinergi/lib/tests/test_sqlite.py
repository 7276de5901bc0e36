"""The SQLite settings of bulk-writing jobs: set for the job, restored after."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from sinergi.lib.sqlite import bulk_write_settings

pytestmark = pytest.mark.django_db


def pragma(name: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_it_sets_the_cache_and_checkpoint_and_restores_them() -> None:
    before = (pragma("cache_size"), pragma("wal_autocheckpoint"))
    with bulk_write_settings(cache_kib=4096, checkpoint_pages=5000):
        assert (pragma("cache_size"), pragma("wal_autocheckpoint")) == (-4096, 5000)
    assert (pragma("cache_size"), pragma("wal_autocheckpoint")) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_it_restores_them_when_the_job_fails() -> None:
    before = pragma("cache_size")
    with (
        pytest.raises(ZeroDivisionError),
        bulk_write_settings(cache_kib=4096, checkpoint_pages=5000, check_foreign_keys=False),
    ):
        _ = 1 / 0
    assert pragma("cache_size") == before
