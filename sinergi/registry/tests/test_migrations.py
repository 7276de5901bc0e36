"""Data migrations of the registry, run forwards on rows written by the previous schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("registry", "0002_actor_name_key_index_in_dedup"),
    ("audit", "0002_object_type_in_composite_index"),
]
AFTER = [("registry", "0003_nik_mask_without_serial"), ("audit", "0004_append_only")]


@pytest.mark.django_db(transaction=True)
def test_stored_masks_lose_the_serial_in_actors_and_in_the_audit_trail() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    regions = old.get_model("regions", "Region")
    village = None
    for code, level in (("33", 1), ("33.17", 2), ("33.17.04", 3), ("33.17.04.2001", 4)):
        village, _ = regions.objects.get_or_create(
            code=code, defaults={"name": code, "level": level, "parent": village}
        )
    actor = old.get_model("registry", "Actor").objects.create(
        nik_hash="h",
        nik_encrypted="e",
        nik_masked="3317••••••••8264",
        name="Ibu Lama",
        name_key="ibu lama",
        sex="F",
        birth_date="1979-11-23",
        village=village,
        district_code="33.17.04",
        regency_code="33.17",
        province_code="33",
        business_name="Keripik",
        sector="makanan-minuman",
    )
    event = old.get_model("audit", "AuditEvent").objects.create(
        action="update",
        object_type="actor",
        object_id=str(actor.pk),
        before={"nik": "3317••••••••8264", "phone": ""},
        after={"nik": "3317••••••••8264", "phone": "0812"},
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert new.get_model("registry", "Actor").objects.get(pk=actor.pk).nik_masked == (
        "3317••••••••••••"
    )
    moved = new.get_model("audit", "AuditEvent").objects.get(pk=event.pk)
    assert moved.before == {"nik": "3317••••••••••••", "phone": ""}
    assert moved.after == {"nik": "3317••••••••••••", "phone": "0812"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
