from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from sinergi.information import services
from sinergi.information.choices import Outcome
from sinergi.information.models import InformationRequest, Objection
from sinergi.information.tests.conftest import english, request_data
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def answered(personas: Personas) -> InformationRequest:
    request = services.submit_request(user=None, data=request_data())
    return services.answer_request(
        user=personas.admin,
        request=request,
        outcome=Outcome.REFUSED,
        answer="Ditolak.",
        refusal_reason="Pasal 17 huruf h.",
    )


def objection_form(request: InformationRequest, **changes: Any) -> dict[str, Any]:
    return {
        "tracking_number": request.tracking_number,
        "email": "pemohon@example.org",
        "reason": "refused",
        "statement": "Data agregat tidak memuat data pribadi.",
        **changes,
    }


def test_an_open_request_in_time_takes_no_objection() -> None:
    request = services.submit_request(user=None, data=request_data())
    assert services.objection_window(request, date.today()) is None
    with pytest.raises(services.Refused):
        services.file_objection(user=None, request=request, reason="refused", statement="x")


def test_an_overdue_request_takes_an_objection_within_30_working_days() -> None:
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    ):
        request = services.submit_request(user=None, data=request_data())
    # Due 16 November 2026; 30 working days after, with 25 December a holiday.
    assert services.objection_window(request, date(2026, 11, 17)) == date(2026, 12, 29)
    assert services.may_object(request, date(2026, 12, 29))
    assert not services.may_object(request, date(2026, 12, 30))


def test_the_requester_files_an_objection_from_the_status_page(personas: Personas) -> None:
    request = answered(personas)
    client = english()
    shown = client.post(
        "/information/status/",
        {"tracking_number": request.tracking_number, "email": "pemohon@example.org"},
    ).content.decode()
    assert "File an objection" in shown
    response = client.post("/information/objection/", objection_form(request, statement=""))
    assert response.context["objection_form"].errors["statement"] == ["This field is required."]
    assert not Objection.objects.exists()
    response = client.post("/information/objection/", objection_form(request))
    objection = Objection.objects.get()
    assert objection.request == request
    assert objection.due_on == services.working_days_after(timezone.localdate(), 30)
    body = response.content.decode()
    assert "Your objection" in body
    assert "File an objection" not in body
    again = client.post("/information/objection/", objection_form(request))
    assert Objection.objects.count() == 1
    assert "File an objection" not in again.content.decode()


def test_an_objection_needs_the_matching_email(personas: Personas) -> None:
    request = answered(personas)
    response = english().post(
        "/information/objection/", objection_form(request, email="lain@example.org")
    )
    assert "No request matches" in response.content.decode()
    assert not Objection.objects.exists()


def test_the_staff_answer_an_objection_once(personas: Personas) -> None:
    request = answered(personas)
    services.file_objection(user=None, request=request, reason="refused", statement="Keberatan.")
    client = english()
    client.force_login(personas.admin)
    listed = client.get("/information/requests/")
    assert [objected for _row, _overdue, objected in listed.context["rows"]] == [True]
    assert "Objection to answer" in listed.content.decode()
    url = f"/information/requests/{request.pk}/objection/"
    response = client.post(url, {"answer": ""})
    assert response.context["objection_form"].errors["answer"] == ["This field is required."]
    assert client.post(url, {"answer": "Keberatan diterima sebagian."}).status_code == 302
    assert Objection.objects.get().answered_by == personas.admin
    response = client.post(url, {"answer": "Lagi."})
    assert response.context["objection_form"].errors["answer"] == [
        "The objection is already answered."
    ]
    status = english().post(
        "/information/status/",
        {"tracking_number": request.tracking_number, "email": "pemohon@example.org"},
    )
    assert "Keberatan diterima sebagian." in status.content.decode()
