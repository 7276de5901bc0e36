from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.audit.models import AuditEvent
from sinergi.information import services
from sinergi.information.choices import RequestStatus
from sinergi.information.models import Holiday, InformationRequest, PeriodicInformation
from sinergi.information.tests.conftest import english, request_data
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = english()
    client.force_login(user)
    return client


def submitted(when: datetime | None = None) -> InformationRequest:
    with mock.patch("django.utils.timezone.now", return_value=when or datetime.now(UTC)):
        return services.submit_request(user=None, data=request_data())


def test_the_list_flags_overdue_requests_without_personal_data(personas: Personas) -> None:
    late = submitted(datetime(2025, 3, 3, 3, 0, tzinfo=UTC))
    fresh = submitted()
    response = signed_in(personas.admin).get("/information/requests/")
    rows = {row: overdue for row, overdue, _objected in response.context["rows"]}
    assert rows[late] is True
    assert rows[fresh] is False
    body = response.content.decode()
    assert "Overdue" in body
    assert "Fiktif Pemohon" not in body


def test_each_staff_view_of_a_request_is_audited(personas: Personas) -> None:
    request = submitted()
    response = signed_in(personas.admin).get(f"/information/requests/{request.pk}/")
    assert "pemohon@example.org" in response.content.decode()
    event = AuditEvent.objects.get(action="view_personal", object_type="information_request")
    assert event.user_id == personas.admin.pk
    assert event.object_id == str(request.pk)


def test_other_members_find_no_request(personas: Personas) -> None:
    request = submitted()
    for user in (personas.jateng, personas.rembang, personas.pendamping, personas.viewer):
        client = signed_in(user)
        assert client.get(f"/information/requests/{request.pk}/").status_code == 404
        assert client.post(f"/information/requests/{request.pk}/process/").status_code == 404
    assert not AuditEvent.objects.filter(action="view_personal").exists()
    assert InformationRequest.objects.get().status == RequestStatus.RECEIVED


def test_the_staff_process_extend_and_answer_a_request(personas: Personas) -> None:
    request = submitted()
    client = signed_in(personas.admin)
    url = f"/information/requests/{request.pk}"
    assert client.post(f"{url}/process/").status_code == 302
    assert client.post(f"{url}/extend/", {"reason": "Data di beberapa unit"}).status_code == 302
    response = client.post(f"{url}/extend/", {"reason": "Lagi"})
    assert response.status_code == 400
    assert response.context["extend_form"].errors["reason"] == [
        "The deadline can be extended only once."
    ]
    response = client.post(f"{url}/answer/", {"outcome": "partly", "answer": "Sebagian."})
    assert response.status_code == 400
    assert "refusal_reason" in response.context["answer_form"].errors
    response = client.post(
        f"{url}/answer/",
        {"outcome": "partly", "answer": "Sebagian.", "refusal_reason": "Pasal 17 huruf h."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert [step.target for step in request.steps.all()] == [
        "received",
        "in_process",
        "extended",
        "answered",
    ]


def test_an_unknown_action_is_not_found(personas: Personas) -> None:
    request = submitted()
    response = signed_in(personas.admin).post(f"/information/requests/{request.pk}/delete/")
    assert response.status_code == 404


def test_the_staff_publish_and_remove_periodic_information(
    personas: Personas, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = signed_in(personas.admin)
    data = {"title": "Profil program", "category": "profile", "year": 2026}
    response = client.post("/information/entries/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["link"] == ["Give a link or upload a PDF."]
    fake = SimpleUploadedFile("x.pdf", b"MZ not a pdf")
    response = client.post("/information/entries/", {**data, "document": fake})
    assert "document" in response.context["form"].errors
    pdf = SimpleUploadedFile("profil.pdf", b"%PDF-1.4 profil")
    assert client.post("/information/entries/", {**data, "document": pdf}).status_code == 302
    entry = PeriodicInformation.objects.get()
    public = english().get("/information/").content.decode()
    assert "Profil program" in public
    document = english().get(f"/information/documents/{entry.pk}/")
    assert document["Content-Type"] == "application/pdf"
    assert client.post(f"/information/entries/{entry.pk}/delete/").status_code == 302
    assert not PeriodicInformation.objects.exists()


def test_the_staff_keep_the_holidays(personas: Personas) -> None:
    client = signed_in(personas.admin)
    before = Holiday.objects.count()
    assert client.post("/information/holidays/", {"date": "2027-01-01", "name": "Tahun Baru"})
    assert Holiday.objects.count() == before + 1
    response = client.post("/information/holidays/", {"date": "2027-01-01", "name": "Lagi"})
    assert response.context["form"].errors["date"] == ["This day is already a holiday."]
    holiday = Holiday.objects.get(date="2027-01-01")
    client.post(f"/information/holidays/{holiday.pk}/delete/")
    assert Holiday.objects.count() == before


def test_the_national_admin_finds_the_requests_in_the_menu(personas: Personas) -> None:
    link = 'href="/information/requests/"'
    assert link in signed_in(personas.admin).get("/actors/").content.decode()
    assert link not in signed_in(personas.jateng).get("/actors/").content.decode()


def test_a_refused_step_says_why(personas: Personas) -> None:
    request = submitted()
    client = signed_in(personas.admin)
    client.post(f"/information/requests/{request.pk}/process/")
    response = client.post(f"/information/requests/{request.pk}/process/")
    assert response.status_code == 400
    assert "Only a received request can be taken up." in response.content.decode()
    response = client.post(f"/information/requests/{request.pk}/extend/", {"reason": ""})
    assert response.context["extend_form"].errors["reason"] == ["This field is required."]
