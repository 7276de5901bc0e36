from __future__ import annotations

from collections import Counter

import pytest

from sinergi.demo import information
from sinergi.information.models import InformationRequest, Objection, PeriodicInformation
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_requests_are_in_every_state_and_added_once(personas: Personas) -> None:
    personas.admin.username = "admin"
    personas.admin.save()
    assert information.ensure_entries() == len(information.ENTRIES)
    assert information.ensure_requests() == len(information.REQUESTS)
    assert information.ensure_entries() == 0
    assert information.ensure_requests() == 0
    assert PeriodicInformation.objects.count() == len(information.ENTRIES)
    states = Counter(InformationRequest.objects.values_list("status", "outcome"))
    assert states == {
        ("received", ""): 1,
        ("in_process", ""): 2,
        ("extended", ""): 1,
        ("answered", "granted"): 1,
        ("answered", "refused"): 1,
        ("answered", "partly"): 1,
        ("answered", "not_held"): 1,
        ("withdrawn", ""): 1,
    }
    assert Objection.objects.get().request.outcome == "refused"
    emails = InformationRequest.objects.values_list("email", flat=True)
    assert all(email.endswith("@example.org") for email in emails)
