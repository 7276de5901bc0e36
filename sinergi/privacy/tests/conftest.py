"""A person with a full history: registered, corrected, viewed, scored twice, a field
submission with a photo, an uploaded spreadsheet naming her, and a request she made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from sinergi.assessments import services as assessments
from sinergi.assessments.models import Period
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.collect.choices import JobKind, SubmissionStatus
from sinergi.collect.models import ImportJob, Submission, SubmissionFile
from sinergi.lib.jobs import JobStatus
from sinergi.lib.xlsx import Sheet, write_workbook
from sinergi.privacy.choices import RequestKind
from sinergi.privacy.services import record_request
from sinergi.regions.models import Region
from sinergi.registry import services as registry
from sinergi.registry.models import Actor
from sinergi.test import REMBANG_VILLAGE, Personas, valid_nik

NAME = "Sulastri Wibowo"
PHONE = "081234567890"
ADDRESS = "Jalan Melati Tujuh"
BUSINESS = "Batik Sulastriku"
NIB = "9120004567891"


@dataclass
class Subject:
    actor: Actor
    nik: str
    periods: tuple[Period, Period]
    other_job: ImportJob

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (NAME, self.nik, PHONE, ADDRESS, BUSINESS, NIB)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def register(user: Any, nik: str, **data: Any) -> Actor:
    values = {
        "nik": nik,
        "name": NAME,
        "sex": "F",
        "birth_date": date(1985, 3, 12),
        "phone": PHONE,
        "address": ADDRESS,
        "business_name": BUSINESS,
        "sector": "kerajinan",
        "products": f"Batik tulis {NAME}",
        "consent_date": date(2024, 1, 5),
        "consent_programme": True,
        "consent_partners": True,
        "consent_publication": False,
        **data,
    }
    return registry.register_actor(
        user=user,
        data=values,
        village=Region.objects.get(code=REMBANG_VILLAGE),
        legality=[{"kind": "nib", "number": NIB}],
    )


def workbook(rows: list[list[Any]]) -> bytes:
    return write_workbook([Sheet("actors", ("nik", "name", "phone"), iter(rows))]).read()


@pytest.fixture
def subject(personas: Personas, settings: Any, tmp_path: Any) -> Subject:
    settings.MEDIA_ROOT = tmp_path
    nik = valid_nik()
    actor = register(personas.rembang, nik, phone="0812000000")
    registry.update_actor(user=personas.rembang, actor=actor, data={"phone": PHONE})
    client_for(personas.viewer).get(f"/actors/{actor.pk}/")
    assessments.load_default_instrument()
    periods = tuple(
        assessments.create_period(
            user=None, code=code, name=code, starts_on=date(y, 1, 1), ends_on=date(y, 12, 31)
        )
        for code, y in (("2019", 2019), ("2020", 2020))
    )
    for period, answers in zip(periods, (BEGINNER, ADVANCED), strict=True):
        assessments.submit_assessment(
            user=personas.pendamping, actor=actor, period=period, answers=answers
        )
    submission = Submission.objects.create(
        instance_id="uuid:subject",
        xml=f"<data><nik>{nik}</nik><nama>{NAME}</nama><hp>{PHONE}</hp></data>",
        digest="0" * 64,
        status=SubmissionStatus.ACCEPTED,
        submitted_by=personas.pendamping,
        region_code=actor.village_id,
        actor=actor,
        errors={"nama": [f"{NAME} sudah terdaftar"]},
    )
    SubmissionFile.objects.create(
        submission=submission,
        name="foto.jpg",
        content_type="image/jpeg",
        size=3,
        file=ContentFile(b"jpg", name="foto.jpg"),
    )
    ImportJob.objects.create(
        kind=JobKind.ACTORS,
        uploaded_by=personas.rembang,
        original_name="pelaku.xlsx",
        status=JobStatus.DONE,
        file=ContentFile(workbook([[nik, NAME, PHONE]]), name="pelaku.xlsx"),
        messages=[{"row": 2, "column": "name", "reason": f"{NAME}: periksa", "level": "warning"}],
    )
    other_job = ImportJob.objects.create(
        kind=JobKind.ACTORS,
        uploaded_by=personas.rembang,
        original_name="lain.xlsx",
        status=JobStatus.DONE,
        file=ContentFile(workbook([[valid_nik(), "Ibu Lain", "0899"]]), name="lain.xlsx"),
    )
    record_request(
        user=personas.rembang,
        actor=actor,
        kind=RequestKind.ACCESS,
        requester=f"{NAME} (herself)",
    )
    actor.refresh_from_db()
    return Subject(actor, nik, periods, other_job)  # type: ignore[arg-type]
