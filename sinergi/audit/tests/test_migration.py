"""The migration that starts the chain hashes the rows already there."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sinergi.audit import chain

BEFORE = [("audit", "0002_object_type_in_composite_index")]
LATEST = [("audit", "0004_append_only")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_rows_into_the_chain(live_regions: None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
    try:
        for n in range(3):
            old.objects.create(
                action="update",
                object_type="actor",
                object_id=str(n),
                object_repr=f"Ibu {n}",
                before={"score": 2.0},
                after={"score": 2.5},
            )
        old.objects.filter(object_id="1").update(at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(LATEST)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "The audit chain is intact." in out.getvalue()
    verdict = chain.verify()
    assert verdict.checked >= 3
    assert not chain.missing_triggers()
