"""Masked NIKs lose their last 4 digits (the serial), in actors and in the audit trail.

The old mask showed the first 4 and last 4 digits; the new one shows the first 4 only, so the
new form is the old one's first 4 characters followed by 12 mask characters: no NIK has to be
decrypted. Audit rows kept the old mask in their before/after states under "nik".
"""

import re

from django.db import migrations
from django.db.models import Q

MASK = "\u2022"
OLD_MASK = re.compile(r"^(\d{4})\u2022{8}\d{4}$")


def _masked(value):
    found = OLD_MASK.match(value) if isinstance(value, str) else None
    return found.group(1) + MASK * 12 if found else value


def forwards(apps, schema_editor):
    Actor = apps.get_model("registry", "Actor")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    batch = []
    for actor in Actor.objects.only("pk", "nik_masked").iterator(chunk_size=5000):
        masked = _masked(actor.nik_masked)
        if masked != actor.nik_masked:
            actor.nik_masked = masked
            batch.append(actor)
        if len(batch) >= 5000:
            Actor.objects.bulk_update(batch, ["nik_masked"])
            batch = []
    Actor.objects.bulk_update(batch, ["nik_masked"])
    events = AuditEvent.objects.filter(Q(before__has_key="nik") | Q(after__has_key="nik"))
    batch = []
    for event in events.only("pk", "before", "after").iterator(chunk_size=5000):
        changed = False
        for state in (event.before, event.after):
            if isinstance(state, dict) and _masked(state.get("nik")) != state.get("nik"):
                state["nik"] = _masked(state["nik"])
                changed = True
        if changed:
            batch.append(event)
        if len(batch) >= 5000:
            AuditEvent.objects.bulk_update(batch, ["before", "after"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["before", "after"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_actor_name_key_index_in_dedup"),
        ("audit", "0002_object_type_in_composite_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
