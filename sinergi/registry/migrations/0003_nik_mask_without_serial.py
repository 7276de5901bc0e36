"""Masked NIKs lose their last 4 digits (the serial).

The old mask showed the first 4 and last 4 digits; the new one shows the first 4 only, so the
new form is the old one's first 4 characters followed by 12 mask characters: no NIK has to be
decrypted. Audit rows kept the old mask in their before/after states under "nik": audit 0004
rewrites them before it hashes them into the chain.
"""

import re

from django.db import migrations

MASK = "\u2022"
OLD_MASK = re.compile(r"^(\d{4})\u2022{8}\d{4}$")


def _masked(value):
    found = OLD_MASK.match(value) if isinstance(value, str) else None
    return found.group(1) + MASK * 12 if found else value


def forwards(apps, schema_editor):
    Actor = apps.get_model("registry", "Actor")
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


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_actor_name_key_index_in_dedup"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
