"""An import chunk reads and writes the database a fixed number of times, whatever its size."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect import imports
from sinergi.collect.choices import JobStatus
from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import HEADER, actor_row, xlsx_bytes
from sinergi.registry import services
from sinergi.registry.models import Actor
from sinergi.test import ActorFactory, Personas

pytestmark = pytest.mark.django_db


def queued_job(user: User, size: int) -> ImportJob:
    header = [*HEADER, "facilitator", "nib", "other_legality"]
    rows = [
        [
            *actor_row(f"Ibu {size} {n}", born=date(1970, 1, 1) + timedelta(days=n)),
            "fitri-pendamping",
            "1234567890123" if n % 2 else "",
            "sku",
        ]
        for n in range(size)
    ]
    path = Path(settings.MEDIA_ROOT) / "imports" / f"rows-{size}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(rows, header))
    return ImportJob.objects.create(
        kind="actors", uploaded_by=user, original_name=path.name, file=f"imports/{path.name}"
    )


def test_a_chunk_takes_the_same_queries_for_50_rows_as_for_200(personas: Personas) -> None:
    ActorFactory(name="Ibu 200 3", birth_date=date(1970, 1, 4))  # a possible twin
    counts = []
    for size in (50, 200):
        job = queued_job(personas.rembang, size)
        with CaptureQueriesContext(connection) as captured:
            done = imports.run_job(job.pk)
        assert done is not None
        assert (done.status, done.created_count, done.failed_count) == (JobStatus.DONE, size, 0)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert counts[0] <= 30, counts  # per job: 6 set and restore SQLite settings


def test_every_imported_actor_gets_the_audit_row_register_actor_would_write(
    personas: Personas,
) -> None:
    job = queued_job(personas.rembang, 3)
    imports.run_job(job.pk)
    for actor in Actor.objects.all():
        event = AuditEvent.objects.get(action=Action.CREATE, object_id=str(actor.pk))
        assert (event.user, event.username, event.object_type) == (
            personas.rembang,
            personas.rembang.username,
            "actor",
        )
        assert (event.object_repr, event.region_code) == (actor.name, actor.village_id)
        assert event.after == services.snapshot(actor)
        assert event.at is not None
