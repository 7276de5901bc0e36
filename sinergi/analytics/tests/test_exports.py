"""Exports (.xlsx, .csv) and the PDF report of a dashboard view: same scope, same figures."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from python_calamine import CalamineWorkbook

from sinergi.accounts.models import User
from sinergi.analytics.report import report_html
from sinergi.analytics.tests.test_scope import mapped  # noqa: F401 - fixture
from sinergi.audit.models import Action, AuditEvent
from sinergi.test import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mapped")]


def get(user: User | None, path: str) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client.get(path)


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_xlsx_has_a_sheet_per_table_of_the_view(personas: Personas) -> None:
    response = get(personas.rembang, "/analytics/export.xlsx?view=transitions&from=2018")
    assert response.status_code == 200
    assert "sinergi-transitions-33-17-2018-2019-" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(content(response)))
    assert book.sheet_names == ["summary", "trend", "matrix", "region", "sector", "facilitator",
                                "phase"]  # fmt: skip
    summary = {row[0]: row[2] for row in book.get_sheet_by_name("summary").to_python()[1:]}
    assert (summary["registered"], summary["assessed"], summary["up"]) == (2, 2, 1)
    matrix = book.get_sheet_by_name("matrix").to_python()
    assert matrix[0][2:] == ["IR 1 Beginner", "IR 2 Developing", "IR 3 Advanced"]
    assert matrix[1][:2] == ["IR1", "IR 1 Beginner"]
    assert matrix[1][2:] == [1, 0, 1]
    regions = book.get_sheet_by_name("region").to_python()
    assert [row[0] for row in regions[1:3]] == ["33.17.01", "33.17.02"]


def test_the_csv_is_one_long_table_of_every_figure(personas: Personas) -> None:
    response = get(personas.admin, "/analytics/export.csv?period=2019")
    assert response.status_code == 200
    text = content(response).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    found = {(r["table"], r["key"], r["measure"]): r["value"] for r in rows}
    assert found["summary", "assessed", "value"] == "4"
    assert found["region", "33", "assessed"] == "3"
    assert found["region", "61", "IR1"] == "1"
    assert found["sector", "makanan-minuman", "registered"] == "4"
    assert {r["period"] for r in rows} == {"2019"}
    assert {r["region_code"] for r in rows} == {""}


def test_exports_stay_in_scope_and_are_audited(personas: Personas) -> None:
    for path in ("export.xlsx", "export.csv", "report.pdf"):
        assert get(personas.rembang, f"/analytics/{path}?region=33.24").status_code == 404
        assert get(personas.kendal, f"/analytics/{path}?region=33.17.04").status_code == 404
        assert get(None, f"/analytics/{path}").status_code == 302
    get(personas.jateng, "/analytics/export.csv?region=33.24")
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="dashboard").latest("id")
    assert (event.user, event.region_code) == (personas.jateng, "33.24")


def test_the_report_is_a_pdf_named_after_the_region_and_period(personas: Personas) -> None:
    response = get(personas.rembang, "/analytics/report.pdf?from=2018")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "sinergi-report-33-17-2018-2019-" in response["Content-Disposition"]


def test_the_report_has_a_cover_contents_charts_and_a_method_note(personas: Personas) -> None:
    request = RequestFactory().get("/analytics/report.pdf", {"from": "2018"})
    request.user = personas.rembang
    with translation.override("id"):
        _figures, html = report_html(request)
    assert "<title>Laporan Pemetaan Industri Rumahan — Kabupaten Rembang — 2019</title>" in html
    assert '<li><a href="#transitions">' in html
    assert '<li><a href="#method">' in html
    assert html.count('class="chart"') >= 6
    assert "<strong>ir-default@2026.1</strong>" in html
