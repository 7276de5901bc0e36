"""Audit rows name an actor and a result through the object (record(user, action, obj)), with
the same type, id, words and region the trail has always held: the hash chain, the audit
page's scope and redaction look rows up by them."""

from __future__ import annotations

import pytest

from sinergi.assessments.models import Period
from sinergi.assessments.tests import test_results
from sinergi.audit.models import Action, AuditEvent
from sinergi.audit.services import record
from sinergi.test import ActorFactory, Personas

pytestmark = pytest.mark.django_db
period = test_results.period  # the default instrument and an open 2019 period


def columns(event: AuditEvent) -> tuple[str, str, str, str]:
    stored = AuditEvent.objects.get(pk=event.pk)
    return stored.object_type, stored.object_id, stored.object_repr, stored.region_code


def test_an_actor_is_named_by_type_id_name_and_village(personas: Personas) -> None:
    actor = ActorFactory()
    event = record(personas.rembang, Action.VIEW_PERSONAL, actor)
    assert columns(event) == ("actor", str(actor.pk), actor.name, actor.village_id)


def test_a_result_is_named_by_its_actor_and_period_under_her_village(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    assessment = test_results.submit(actor, period).assessment
    expected = ("assessment", str(assessment.pk), f"{actor.name} 2019", actor.village_id)
    created = AuditEvent.objects.get(action=Action.CREATE, object_type="assessment")
    assert columns(created) == expected
    assert columns(record(personas.rembang, Action.UPDATE, assessment)) == expected
