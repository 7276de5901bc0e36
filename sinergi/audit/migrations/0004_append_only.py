"""Hash the existing audit rows into the chain (it starts with them), then make the table
append-only with triggers: no UPDATE but a redaction, no DELETE but a sanctioned prune.

The hashing uses sinergi.audit.chain's format 1, which verify_audit keeps reading. If a
later migration alters audit_auditevent on SQLite, Django remakes the table and the
triggers go with it: such a migration must run SQLITE_TRIGGERS again (verify_audit reports
missing triggers)."""

import re
import secrets

from django.db import migrations
from django.db.models import Q

# Every column but the personal ones, the salt and the flag must stay as inserted.
_FIXED = (
    "id", "at", "user_id", "username", "action", "object_type", "object_id", "region_code",
    "note", "personal_hash", "prev_hash", "hash",
)

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    WHEN NOT (NEW.redacted = 1 AND NEW.salt = ''
              AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in _FIXED)})
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: update refused'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_deletionpermit WHERE OLD.id <= through_id)
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: delete refused'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

# On PostgreSQL the comparison covers every column, including any added later.
POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION audit_auditevent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        through text := coalesce(current_setting('sinergi.audit_delete_through', true), '');
        loose text[] := ARRAY['object_repr', 'before', 'after', 'salt', 'redacted'];
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF through <> '' AND OLD.id <= through::bigint THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'audit rows are append-only: delete of row % refused', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.redacted AND NEW.salt = '' AND to_jsonb(NEW) - loose = to_jsonb(OLD) - loose THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit rows are append-only: update of row % refused', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_guard()""",
    # An empty table may be truncated (the test suite's flush); a full one never.
    """CREATE FUNCTION audit_auditevent_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM audit_auditevent) THEN
            RAISE EXCEPTION 'audit rows are append-only: truncate refused'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_truncate_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_truncate_guard()",
    "DROP FUNCTION IF EXISTS audit_auditevent_guard()",
]


_OLD_MASK = re.compile(r"^(\d{4})\u2022{8}\d{4}$")


def _without_serial(value):
    found = _OLD_MASK.match(value) if isinstance(value, str) else None
    return found.group(1) + "\u2022" * 12 if found else value


def mask_without_serial(apps, schema_editor):
    """Masked NIKs in actors' audited states lose their last 4 digits, as the actors' own
    masks do (registry 0003): the old mask showed the serial, the one part of an NIK the
    record does not give. Done here, before the rows are hashed and the triggers forbid it.
    """
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias).filter(
        Q(before__has_key="nik") | Q(after__has_key="nik")
    )
    batch = []
    for event in events.only("pk", "before", "after").iterator(chunk_size=5000):
        changed = False
        for state in (event.before, event.after):
            if isinstance(state, dict) and _without_serial(state.get("nik")) != state.get("nik"):
                state["nik"] = _without_serial(state["nik"])
                changed = True
        if changed:
            batch.append(event)
        if len(batch) >= 5000:
            AuditEvent.objects.bulk_update(batch, ["before", "after"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["before", "after"])


def hash_existing_rows(apps, schema_editor):
    from sinergi.audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev, batch = chain.GENESIS, []
    for event in AuditEvent.objects.using(schema_editor.connection.alias).order_by("id").iterator(
        chunk_size=2000
    ):
        event.salt = secrets.token_hex(16)
        event.personal_hash = chain.personal_hash(
            event.salt, event.object_repr, event.before, event.after
        )
        fixed = (
            event.user_id, event.username, event.action, event.object_type, event.object_id,
            event.region_code, event.note,
        )
        event.prev_hash = prev
        event.hash = prev = chain.row_hash(prev, event.pk, event.at, fixed, event.personal_hash)
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["salt", "personal_hash", "prev_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["salt", "personal_hash", "prev_hash", "hash"])


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor in statements:
            for sql in statements[schema_editor.connection.vendor]:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_columns")]

    operations = [
        migrations.RunPython(mask_without_serial, migrations.RunPython.noop),
        migrations.RunPython(hash_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
