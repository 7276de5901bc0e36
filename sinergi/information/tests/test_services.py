from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from sinergi.audit.models import AuditEvent
from sinergi.information import services
from sinergi.information.choices import Outcome, RequestStatus
from sinergi.information.models import InformationRequest
from sinergi.information.tests.conftest import request_data
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

# Thursday 24 December 2026, 10:00 in Jakarta.
CHRISTMAS_EVE = datetime(2026, 12, 24, 3, 0, tzinfo=UTC)


def submit_at(moment: datetime) -> InformationRequest:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return services.submit_request(user=None, data=request_data())


def test_a_request_gets_a_tracking_number_and_its_due_date() -> None:
    request = submit_at(CHRISTMAS_EVE)
    assert request.tracking_number == f"KIP-2026-{request.pk:06d}"
    assert request.status == RequestStatus.RECEIVED
    # 25 December 2026 is a seeded national holiday; 1 January 2027 is not in the table.
    assert request.due_on == date(2027, 1, 8)
    assert [s.target for s in request.steps.all()] == [RequestStatus.RECEIVED]
    event = AuditEvent.objects.get(object_type="information_request", action="create")
    assert event.user_id is None
    assert "Fiktif" not in event.object_repr


def test_a_holiday_added_moves_the_deadlines_computed_after_it(personas: Personas) -> None:
    services.add_holiday(user=personas.admin, date=date(2027, 1, 1), name="Tahun Baru 2027")
    assert submit_at(CHRISTMAS_EVE).due_on == date(2027, 1, 11)


def test_the_seeded_2026_holidays_are_skipped() -> None:
    # Received Friday 14 August 2026: 17 August (Independence Day) and 25 August (Maulid)
    # are not counted.
    request = submit_at(datetime(2026, 8, 14, 3, 0, tzinfo=UTC))
    assert request.due_on == date(2026, 9, 1)


def test_the_deadline_is_extended_once_by_seven_working_days(personas: Personas) -> None:
    request = submit_at(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    assert request.due_on == date(2026, 11, 16)
    services.start_processing(user=personas.admin, request=request)
    services.extend_request(user=personas.admin, request=request, reason="Arsip di gudang")
    assert request.extended_due_on == date(2026, 11, 25)
    assert request.deadline == date(2026, 11, 25)
    assert request.status == RequestStatus.EXTENDED
    with pytest.raises(services.Refused) as refused:
        services.extend_request(user=personas.admin, request=request, reason="Lagi")
    assert "reason" in refused.value.errors
    assert InformationRequest.objects.get(pk=request.pk).extended_due_on == date(2026, 11, 25)


def test_an_extension_needs_a_reason(personas: Personas) -> None:
    request = submit_at(CHRISTMAS_EVE)
    with pytest.raises(services.Refused) as refused:
        services.extend_request(user=personas.admin, request=request, reason="  ")
    assert list(refused.value.errors) == ["reason"]


def test_a_refusal_names_the_exemption(personas: Personas) -> None:
    request = submit_at(CHRISTMAS_EVE)
    with pytest.raises(services.Refused) as refused:
        services.answer_request(
            user=personas.admin, request=request, outcome=Outcome.REFUSED, answer="Ditolak."
        )
    assert list(refused.value.errors) == ["refusal_reason"]
    with pytest.raises(services.Refused) as refused:
        services.answer_request(user=personas.admin, request=request, outcome="", answer="")
    assert set(refused.value.errors) == {"outcome", "answer"}
    services.answer_request(
        user=personas.admin,
        request=request,
        outcome=Outcome.REFUSED,
        answer="Ditolak.",
        refusal_reason="Pasal 17 huruf h: data pribadi pelaku.",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.answered_by == personas.admin
    assert request.refusal_reason.startswith("Pasal 17")


def test_a_closed_request_takes_no_further_step(personas: Personas) -> None:
    request = submit_at(CHRISTMAS_EVE)
    services.answer_request(
        user=personas.admin, request=request, outcome=Outcome.NOT_HELD, answer="Tidak dikuasai."
    )
    with pytest.raises(services.Refused):
        services.extend_request(user=personas.admin, request=request, reason="x")
    with pytest.raises(services.Refused):
        services.withdraw_request(user=personas.admin, request=request, reason="x")


def test_only_the_national_admin_handles_requests(personas: Personas) -> None:
    request = submit_at(CHRISTMAS_EVE)
    for user in (personas.jateng, personas.rembang, personas.viewer):
        with pytest.raises(services.Refused):
            services.start_processing(user=user, request=request)
        with pytest.raises(services.Refused):
            services.view_request(user=user, request=request)
    assert InformationRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED


def test_an_overdue_request_is_flagged_until_answered(personas: Personas) -> None:
    request = submit_at(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    assert not request.is_overdue(date(2026, 11, 16))
    assert request.is_overdue(date(2026, 11, 17))
    services.answer_request(
        user=personas.admin, request=request, outcome=Outcome.GRANTED, answer="Terlampir."
    )
    assert not request.is_overdue(date(2026, 11, 17))


def test_a_holiday_added_later_leaves_the_deadlines_already_set(personas: Personas) -> None:
    request = submit_at(CHRISTMAS_EVE)
    services.add_holiday(user=personas.admin, date=date(2027, 1, 1), name="Tahun Baru 2027")
    request.refresh_from_db()
    assert request.due_on == date(2027, 1, 8)


def test_a_letter_entered_later_counts_from_its_day_of_receipt() -> None:
    request = services.submit_request(
        user=None, data=request_data(), received_at=datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
    )
    assert request.due_on == date(2026, 11, 16)
