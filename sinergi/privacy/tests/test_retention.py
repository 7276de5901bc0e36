"""Retention: old uploads deleted, long-inactive actors pseudonymised, old audit rows pruned."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.audit.models import AuditEvent
from sinergi.collect.models import ImportJob
from sinergi.privacy import tasks
from sinergi.privacy.models import Erasure
from sinergi.privacy.tests.conftest import NAME, Subject
from sinergi.registry.models import Actor
from sinergi.test import ActorFactory, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def age(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make her inactive and move the clock `days` on: everything about her and the
    uploads then happened `days` ago (audit rows cannot be backdated: they are append-only)."""

    def age(subject: Subject, *, days: int) -> None:
        Actor.objects.filter(pk=subject.actor.pk).update(status="inactive")
        later = timezone.now() + timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda: later)

    return age


def dry_run() -> str:
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(
    subject: Subject, settings: Any, age: Callable[..., None]
) -> None:
    settings.RETENTION_INACTIVE_ACTOR_YEARS = 5
    age(subject, days=6 * 366)
    events = AuditEvent.objects.count()
    text = dry_run()
    assert "would delete 2 import files" in text
    assert f"would pseudonymise 1 actors (ids [{subject.actor.pk}])" in text
    assert f"would prune {events} audit rows" in text
    assert Actor.objects.get(pk=subject.actor.pk).name == NAME
    assert AuditEvent.objects.count() == events
    assert all(job.file for job in ImportJob.objects.all())


def test_it_applies_every_retention_and_records_it(
    subject: Subject, settings: Any, age: Callable[..., None]
) -> None:
    settings.RETENTION_INACTIVE_ACTOR_YEARS = 5
    active = ActorFactory()
    age(subject, days=6 * 366)
    call_command("apply_retention", stdout=io.StringIO())
    assert not any(job.file for job in ImportJob.objects.all())
    erasure = Erasure.objects.get()
    assert (erasure.actor_id, erasure.basis, erasure.username) == (
        subject.actor.pk,
        "end_of_retention",
        "",
    )
    assert Actor.objects.get(pk=active.pk).name == active.name
    assert not AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=365)).exists()
    run = AuditEvent.objects.get(object_type="retention")
    assert run.after is not None
    assert run.after["actors_pseudonymised"] == 1
    assert "pseudonymise 0 actors" in dry_run()


def test_recent_data_and_a_recent_result_are_kept(
    subject: Subject, settings: Any, age: Callable[..., None]
) -> None:
    age(subject, days=10)
    subject.actor.assessments.update(created_at=timezone.now())
    Actor.objects.filter(pk=subject.actor.pk).update(
        updated_at=timezone.now() - timedelta(days=10 * 366)
    )
    tasks.apply_retention.call_local()
    assert not Erasure.objects.exists()
    assert ImportJob.objects.exclude(file="").count() == 2


def test_zero_keeps_for_ever(
    subject: Subject, settings: Any, personas: Personas, age: Callable[..., None]
) -> None:
    settings.RETENTION_IMPORT_FILE_DAYS = 0
    settings.RETENTION_INACTIVE_ACTOR_YEARS = 0
    settings.AUDIT_RETENTION_DAYS = 0
    age(subject, days=50 * 366)
    assert "prune 0 audit rows before never" in dry_run()
    assert "delete 0 import files" in dry_run()
    assert "pseudonymise 0 actors" in dry_run()
