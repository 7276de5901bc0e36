from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from sinergi.assessments import services
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect.models import ImportJob
from sinergi.registry.exports import EXPORT_COLUMNS
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, PASSWORD, ActorFactory, Personas, valid_nik

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def csv_rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/actors/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="actors-')
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(client: Client, query: str = "") -> list[dict[str, object]]:
    response = client.get(f"/actors/export.xlsx{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    header, *rows = sheet.to_python()
    assert header == list(EXPORT_COLUMNS)
    return [dict(zip([str(h) for h in header], row, strict=True)) for row in rows]


def test_exports_hold_only_the_users_scoped_and_filtered_rows(personas: Personas) -> None:
    ActorFactory(name="Ibu Rembang", sector="jasa")
    ActorFactory(name="Ibu Rembang Dua", sector="kerajinan")
    ActorFactory(name="Ibu Kendal", village_code=KENDAL_VILLAGE)
    kendal = login(personas.kendal.username)
    assert [r["name"] for r in csv_rows(kendal)] == ["Ibu Kendal"]
    assert [r["name"] for r in xlsx_rows(kendal)] == ["Ibu Kendal"]
    rembang = login(personas.rembang.username)
    assert [r["name"] for r in csv_rows(rembang, "?sector=jasa")] == ["Ibu Rembang"]
    assert [r["name"] for r in xlsx_rows(rembang, "?q=dua")] == ["Ibu Rembang Dua"]


def test_formula_like_cells_are_neutralised(personas: Personas) -> None:
    ActorFactory(name='=HYPERLINK("http://evil","klik")', business_name="+62 cake", address="@x")
    client = login(personas.rembang.username)
    [row] = csv_rows(client)
    assert row["name"] == '\'=HYPERLINK("http://evil","klik")'
    assert row["business_name"] == "'+62 cake"
    [cells] = xlsx_rows(client)
    assert cells["name"] == '\'=HYPERLINK("http://evil","klik")'
    assert cells["address"] == "'@x"


def test_the_nik_is_clear_only_for_users_who_may_reveal_it(personas: Personas) -> None:
    nik = valid_nik()
    ActorFactory(nik=nik, facilitator=None)
    masked = nik[:4] + "••••••••••••"
    assert csv_rows(login(personas.viewer.username))[0]["nik"] == masked
    assert xlsx_rows(login(personas.viewer.username))[0]["nik"] == masked
    assert csv_rows(login(personas.rembang.username))[0]["nik"] == nik
    assert xlsx_rows(login(personas.rembang.username))[0]["nik"] == nik


def test_each_export_is_audited_with_filters_rows_and_nik_exposure(personas: Personas) -> None:
    ActorFactory.create_batch(2)
    csv_rows(login(personas.viewer.username), "?status=active")
    xlsx_rows(login(personas.rembang.username))
    viewer, officer = AuditEvent.objects.filter(action=Action.EXPORT).order_by("id")
    assert viewer.username == personas.viewer.username
    assert viewer.after == {
        "format": "csv",
        "filters": {"status": "active"},
        "rows": 2,
        "nik_clear": 0,
    }
    assert officer.after is not None
    assert (officer.after["format"], officer.after["rows"], officer.after["nik_clear"]) == (
        "xlsx",
        2,
        2,
    )


def test_a_bad_filter_is_refused_and_nothing_is_exported(personas: Personas) -> None:
    response = login(personas.rembang.username).get("/actors/export.csv?sector=mining")
    assert response.status_code == 400
    assert "sector" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_anonymous_is_sent_to_log_in() -> None:
    response = Client().get("/actors/export.xlsx")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_exports_refuse_post(personas: Personas) -> None:
    assert login(personas.rembang.username).post("/actors/export.csv").status_code == 405


def test_the_export_reads_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    ActorFactory.create_batch(30)
    client = login(personas.rembang.username)
    client.get("/actors/")  # warm the session
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert len(csv_rows(client)) == 30


def test_the_list_links_to_exports_of_its_filters_and_to_the_import(personas: Personas) -> None:
    page = login(personas.rembang.username).get("/actors/?sector=jasa").content.decode()
    assert "/actors/export.csv?sector=jasa" in page
    assert "/actors/export.xlsx?sector=jasa" in page
    assert "/collect/actors/import/" in page
    assert (
        "/collect/actors/import/"
        not in login(personas.viewer.username).get("/actors/").content.decode()
    )


def test_an_export_can_be_edited_and_imported_back(personas: Personas) -> None:
    # Cells a spreadsheet would run as formulas leave with a ' and come back without it.
    ActorFactory(
        name="Ibu Bolak Balik",
        facilitator=personas.pendamping,
        phone="+6281234567890",
        products="-kue kering",
    )
    client = login(personas.rembang.username)
    response = client.get("/actors/export.xlsx")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("export.xlsx", content)
    assert client.post("/collect/actors/import/", {"file": upload}).status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.failed_count, job.created_count) == ("done", 0, 0), job.messages
    assert job.updated_count == 0, job.messages
    assert Actor.objects.values_list("phone", "products").get() == ("+6281234567890", "-kue kering")


def test_the_export_carries_the_latest_level(personas: Personas) -> None:
    actor = ActorFactory()
    services.load_default_instrument()
    period = services.create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    answers = {
        "workers": 0,
        "monthly_turnover": 0,
        "capital": 0,
        "production": "irregular",
        "equipment": "manual",
        "market_reach": "village",
        "bookkeeping": "none",
        "legality": [],
        "network": "none",
        "digital": "none",
    }
    services.submit_assessment(user=personas.rembang, actor=actor, period=period, answers=answers)
    rows = {row["id"]: row for row in xlsx_rows(login(personas.rembang.username))}
    assert rows[actor.pk]["level"] == "IR1"
