from __future__ import annotations

import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import actor_row, upload, xlsx_bytes
from sinergi.registry.exports import COLUMNS
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db
URL = "/collect/actors/import/"


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_upload_page_has_a_form_and_the_template_link(personas: Personas) -> None:
    page = login(personas.rembang.username).get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert "/collect/actors/import/template.xlsx" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_the_template_has_the_columns_and_a_help_sheet(personas: Personas) -> None:
    response = login(personas.rembang.username).get(URL + "template.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == ["actors", "Petunjuk"]
    assert workbook.get_sheet_by_index(0).to_python()[0] == list(COLUMNS)
    help_rows = workbook.get_sheet_by_name("Petunjuk").to_python()
    assert [row[0] for row in help_rows[1:]] == list(COLUMNS)
    sector = next(row for row in help_rows if row[0] == "sector")
    assert sector[1] == "required"
    assert "kerajinan" in str(sector[5])


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(personas: Personas) -> None:
    response = login(personas.rembang.username).post(
        URL, {"file": upload(b"nik,name\n1,2\n", "actors.xlsx")}
    )
    assert response.status_code == 400
    assert "actors.xlsx is not a spreadsheet" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_damaged_zip_is_refused_at_upload(personas: Personas) -> None:
    response = login(personas.rembang.username).post(
        URL, {"file": upload(b"PK\x03\x04" + b"\0" * 200)}
    )
    assert response.status_code == 400
    assert "is not a spreadsheet" in response.content.decode()


def test_a_50_mb_upload_is_refused_before_it_is_read(personas: Personas) -> None:
    response = login(personas.rembang.username).post(
        URL, {"file": upload(b"PK\x03\x04" + b"\0" * 50_000_000)}
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file is 47.7\xa0MB; the largest file accepted is 20.0\xa0MB." in body
    assert ImportJob.objects.count() == 0


def test_the_upload_still_checks_the_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.login(username=personas.rembang.username, password=PASSWORD)
    response = client.post(URL, {"file": upload(xlsx_bytes([actor_row()]))})
    assert response.status_code == 403
    assert Actor.objects.count() == 0


def test_a_read_only_viewer_gets_403(personas: Personas) -> None:
    job = ImportJob.objects.create(kind="actors", uploaded_by=personas.rembang, original_name="a")
    client = login(personas.viewer.username)
    for url in (URL, URL + "template.xlsx", f"/collect/imports/{job.pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.post(URL, {"file": upload(xlsx_bytes([actor_row()]))}).status_code == 403
    assert Actor.objects.count() == 0


def test_anonymous_is_sent_to_log_in() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_job_is_visible_to_its_uploader_and_national_admins_only(personas: Personas) -> None:
    login(personas.rembang.username).post(URL, {"file": upload(xlsx_bytes([actor_row()]))})
    job = ImportJob.objects.get()
    for username, status in (
        (personas.rembang.username, 200),
        (personas.admin.username, 200),
        (personas.jateng.username, 404),
        (personas.pendamping.username, 404),
    ):
        client = login(username)
        assert client.get(f"/collect/imports/{job.pk}/").status_code == status, username
        assert client.get(f"/collect/imports/{job.pk}/report.xlsx").status_code == status
    assert login(personas.admin.username).get("/collect/imports/999999/").status_code == 404


def test_job_pages_refuse_other_methods(personas: Personas) -> None:
    login(personas.rembang.username).post(URL, {"file": upload(xlsx_bytes([actor_row()]))})
    job = ImportJob.objects.get()
    client = login(personas.rembang.username)
    assert client.post(f"/collect/imports/{job.pk}/").status_code == 405
    assert client.post(URL + "template.xlsx").status_code == 405
