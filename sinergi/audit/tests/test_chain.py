import importlib
import itertools
import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from sinergi.audit import chain
from sinergi.audit.models import Action, AuditCheckpoint, AuditEvent
from sinergi.audit.services import (
    Entry,
    prune_events,
    record,
    record_many,
    redact_subject,
    retention_cutoff,
)
from sinergi.audit.subjects import Subject
from sinergi.lib.bulk import JSONText
from sinergi.test import Personas

migration = importlib.import_module("sinergi.audit.migrations.0004_append_only")


def raw(sql: str, params: list[Any] | None = None) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def refused(sql: str, params: list[Any] | None = None) -> bool:
    try:
        raw(sql, params)
    except IntegrityError as exc:
        return "append-only" in str(exc)
    return False


def verify_audit(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken(*args: str) -> str:
    with pytest.raises(CommandError) as failure:
        verify_audit(*args)
    return str(failure.value)


def drop_triggers() -> None:
    for sql in getattr(migration, f"{connection.vendor.upper()}_DROP"):
        raw(sql)


def some_rows(personas: Personas, count: int = 5) -> list[AuditEvent]:
    return [
        record(
            personas.rembang,
            Action.UPDATE,
            Subject("actor", n, f"Ibu {n}", "33.17.04.2001"),
            before={"name": f"Ibu {n}", "score": 1.0, "big": 1e23, "tiny": 1.5e-7},
            after={"name": f"Ibu {n}!", "nested": {"b": [1, 2.5], "a": None}, "1": "x"},
            note=f"change {n}",
        )
        for n in range(count)
    ]


@pytest.mark.django_db
def test_it_refuses_raw_updates_and_deletes_of_audit_rows(personas: Personas) -> None:
    [row] = some_rows(personas, 1)
    assert refused("UPDATE audit_auditevent SET note = 'rewritten' WHERE id = %s", [row.pk])
    assert refused("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])
    assert refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=row.pk).note == "change 0"


@pytest.mark.django_db
def test_even_a_redaction_may_change_no_other_column(personas: Personas) -> None:
    [row] = some_rows(personas, 1)
    personal = {"object_repr", "before", "after", "salt", "redacted"}
    for field in AuditEvent._meta.concrete_fields:
        if field.attname in personal:
            continue
        column = connection.ops.quote_name(field.column)
        value = {"id": 999, "user_id": 999, "at": "2020-01-01 00:00:00"}.get(field.attname, "x")
        assert refused(
            f"UPDATE audit_auditevent SET {column} = %s, redacted = %s, salt = '' WHERE id = %s",  # noqa: S608 - a column name from the model
            [value, True, row.pk],
        ), field.attname
    # Nor may the personal columns change without marking the row redacted.
    assert refused("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [row.pk])
    assert raw(
        "UPDATE audit_auditevent SET object_repr = 'x', redacted = %s, salt = '' WHERE id = %s",
        [True, row.pk],
    )


@pytest.mark.django_db
def test_a_fresh_chain_verifies(personas: Personas) -> None:
    already = AuditEvent.objects.count()  # the regions' load
    some_rows(personas)
    record_many(
        personas.admin,
        Action.CREATE,
        [Entry(Subject("actor", n), after=JSONText(f'{{"n": {n}, "f": 2.0}}')) for n in range(3)],
    )
    output = verify_audit()
    assert f"Checked {already + 8} rows, 0 of them redacted" in output
    assert "The audit chain is intact." in output
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == chain.GENESIS
    assert rows[-1].after == {"n": 2, "f": 2.0}
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    head = f"{rows[-1].pk}:{rows[-1].hash}"
    assert f"head: {head}" in output
    assert "intact" in verify_audit("--expect", head)


@pytest.mark.django_db
def test_a_changed_row_is_found(personas: Personas) -> None:
    rows = some_rows(personas)
    drop_triggers()
    raw("UPDATE audit_auditevent SET note = 'nothing happened' WHERE id = %s", [rows[2].pk])
    message = broken()
    assert f"row {rows[2].pk} is broken: its content does not match its hash" in message
    assert "missing triggers" in message


@pytest.mark.django_db
def test_a_changed_personal_column_is_found(personas: Personas) -> None:
    rows = some_rows(personas)
    drop_triggers()
    raw("UPDATE audit_auditevent SET object_repr = 'Ibu Lain' WHERE id = %s", [rows[1].pk])
    assert f"row {rows[1].pk} is broken: its personal columns" in broken()


@pytest.mark.django_db
def test_a_deleted_row_is_found(personas: Personas) -> None:
    rows = some_rows(personas)
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].pk])
    assert f"row {rows[3].pk} is broken: it does not link to the row before it" in broken()


@pytest.mark.django_db
def test_a_row_inserted_in_the_middle_is_found(personas: Personas) -> None:
    rows = some_rows(personas)
    drop_triggers()
    # A forged row after the second, linked to it as the chain would and hashed right, the
    # later rows moved up by one id to make room.
    raw("DELETE FROM audit_auditevent WHERE id > %s", [rows[1].pk])
    forged = AuditEvent(pk=rows[2].pk, at=timezone.now(), action=Action.DELETE,
                        object_type="actor", object_id="1", prev_hash=rows[1].hash)  # fmt: skip
    forged.personal_hash = chain.personal_hash("", "", None, None)
    fixed = (None, "", "delete", "actor", "1", "", "")
    forged.hash = chain.row_hash(
        forged.prev_hash, forged.pk, forged.at, fixed, forged.personal_hash
    )
    for row in rows[2:]:
        row.pk += 1
    AuditEvent.objects.bulk_create([forged, *rows[2:]])
    assert f"row {rows[2].pk} is broken: it does not link to the row before it" in broken()


@pytest.mark.django_db
def test_a_redaction_keeps_the_chain_verifiable(personas: Personas) -> None:
    rows = some_rows(personas, 3)
    other = record(personas.admin, Action.VIEW_PERSONAL, Subject("actor", 99, "Ibu Lain"))
    changed = redact_subject(
        object_type="actor", object_id="1", fields={"name"}, replacement="[dihapus]"
    )
    assert changed == 1
    row = AuditEvent.objects.get(pk=rows[1].pk)
    assert (row.object_repr, row.redacted, row.salt) == ("[dihapus]", True, "")
    assert row.before is not None
    assert (row.before["name"], row.before["tiny"]) == ("[dihapus]", 1.5e-7)
    assert row.after is not None
    assert row.after["name"] == "[dihapus]"
    assert AuditEvent.objects.get(pk=other.pk).object_repr == "Ibu Lain"
    assert "1 of them redacted" in verify_audit()
    redaction = AuditEvent.objects.get(action=Action.REDACT)
    assert redaction.after == {"fields": ["name"], "rows": 1}
    assert "Ibu 1" not in str(list(AuditEvent.objects.values_list()))
    # An ordinary update of the redacted row still fails.
    assert refused("UPDATE audit_auditevent SET note = 'x' WHERE id = %s", [row.pk])


@pytest.mark.django_db
def test_pruning_keeps_the_rest_of_the_chain_verifiable(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    already = AuditEvent.objects.count()  # the regions' load, as old as the old rows
    old = some_rows(personas, 4)
    later = timezone.now() + timedelta(days=400)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: later)
        kept = some_rows(personas, 2)
    cutoff = later - timedelta(days=365)
    assert prune_events(before=cutoff) == already + 4
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.through_id, checkpoint.hash, checkpoint.pruned) == (
        old[-1].pk,
        old[-1].hash,
        already + 4,
    )
    assert AuditEvent.objects.get(pk=kept[0].pk).prev_hash == checkpoint.hash
    output = verify_audit()
    assert f"Checkpoint: {already + 4} rows older than" in output
    assert "Checked 3 rows" in output  # the kept rows and the prune's own row
    assert prune_events(before=cutoff) == 0
    # Only the prune may delete; the permit ended with its transaction.
    assert refused("DELETE FROM audit_auditevent WHERE id = %s", [kept[0].pk])


@pytest.mark.django_db
def test_pruning_everything_lets_the_chain_go_on(personas: Personas) -> None:
    already = AuditEvent.objects.count()
    some_rows(personas, 3)
    assert prune_events(before=timezone.now() + timedelta(days=1)) == already + 3
    some_rows(personas, 2)
    assert "Checked 3 rows" in verify_audit()  # the prune's own row and the new ones


@pytest.mark.django_db
def test_a_forged_checkpoint_is_found(personas: Personas) -> None:
    rows = some_rows(personas, 4)
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE id <= %s", [rows[1].pk])
    AuditCheckpoint.objects.create(
        through_id=rows[1].pk, hash=rows[1].hash, pruned=2, before=timezone.now()
    )
    assert "the newest checkpoint has no prune event in the chain" in broken()


# SQLite needs no test: its writers queue for the one write lock (IMMEDIATE transactions),
# and the in-memory test database's shared cache fails them instead of queueing them.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL's advisory lock")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(live_regions: None) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for batch in range(10):
                with transaction.atomic():
                    record(None, Action.LOGIN, Subject("user", n))
                    record_many(
                        None,
                        Action.CREATE,
                        [Entry(Subject("actor", f"{n}-{batch}-{i}")) for i in range(20)],
                    )
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(action=Action.CREATE).count() == 4 * 10 * 20
    assert "The audit chain is intact." in verify_audit()


def test_the_retention_setting_gives_the_prune_cutoff(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 0
    assert retention_cutoff() is None
    settings.AUDIT_RETENTION_DAYS = 730
    cutoff = retention_cutoff()
    assert cutoff is not None
    assert abs(cutoff - (timezone.now() - timedelta(days=730))) < timedelta(seconds=5)


@pytest.mark.django_db
def test_rows_are_appended_only_through_the_chain() -> None:
    with pytest.raises(TypeError, match="record"):
        AuditEvent.objects.create(action=Action.LOGIN, object_type="user")
