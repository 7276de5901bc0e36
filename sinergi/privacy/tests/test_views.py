"""The personal-data page, its forms, and the record of processing activities."""

from __future__ import annotations

import pytest

from sinergi.audit.models import AuditEvent
from sinergi.privacy.models import Erasure, SubjectRequest
from sinergi.privacy.tests.conftest import NAME, Subject, client_for
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def test_the_page_shows_requests_corrections_and_consents(
    subject: Subject, personas: Personas
) -> None:
    page = client_for(personas.rembang).get(f"/privacy/actors/{subject.actor.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    for part in ('id="requests"', 'id="corrections"', 'id="consent-history"', 'id="erase"'):
        assert part in text
    assert f"{NAME} (herself)" in text
    assert "0812000000" in text  # the phone before her correction


def test_an_officer_records_and_answers_a_request(subject: Subject, personas: Personas) -> None:
    client = client_for(personas.rembang)
    url = f"/privacy/actors/{subject.actor.pk}/requests/"
    response = client.post(
        url,
        {"kind": "correction", "requester": "Ibu sendiri", "details": "Alamat salah"},
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.get(kind="correction")
    assert (request.deadline - request.received_at).total_seconds() == 72 * 3600
    assert client.post(f"/privacy/requests/{request.pk}/done/", {"outcome": "Diperbaiki"})
    request.refresh_from_db()
    assert request.done_at is not None
    assert request.outcome == "Diperbaiki"
    kinds = AuditEvent.objects.filter(object_type="subject_request").values_list(
        "action", flat=True
    )
    assert sorted(kinds) == ["create", "create", "update"]
    assert client.post(url, {"kind": "nonsense", "requester": ""}).status_code == 400


def test_erasure_asks_for_a_confirmation_and_a_reason_for_other(
    subject: Subject, personas: Personas
) -> None:
    client = client_for(personas.rembang)
    url = f"/privacy/actors/{subject.actor.pk}/erase/"
    refused = client.post(url, {"basis": "other", "note": ""}, HTTP_ACCEPT_LANGUAGE="id")
    assert refused.status_code == 400
    assert "Jelaskan dasar hukumnya" in refused.content.decode()
    assert not Erasure.objects.exists()
    done = client.post(url, {"basis": "subject_request", "confirm": "on"})
    assert done.status_code == 302
    page = client.get(f"/privacy/actors/{subject.actor.pk}/").content.decode()
    assert 'id="erasure-done"' in page
    assert NAME not in page


def test_only_officers_with_the_right_may_erase(subject: Subject, personas: Personas) -> None:
    url = f"/privacy/actors/{subject.actor.pk}/erase/"
    data = {"basis": "subject_request", "confirm": "on"}
    assert client_for(personas.kendal).post(url, data).status_code == 404
    assert client_for(personas.viewer).post(url, data).status_code == 403
    assert not Erasure.objects.exists()


def test_the_processing_record_is_for_the_national_admin(personas: Personas) -> None:
    page = client_for(personas.admin).get("/privacy/processing/")
    text = page.content.decode()
    assert page.status_code == 200
    for code in ("registry", "mapping", "field", "partners", "accounts"):
        assert f'id="activity-{code}"' in text
    assert "specific personal data" in text.lower()
    indonesian = client_for(personas.admin).get("/privacy/processing/", HTTP_ACCEPT_LANGUAGE="id")
    assert "Data keuangan pribadi" in indonesian.content.decode()
    assert client_for(personas.jateng).get("/privacy/processing/").status_code == 404
