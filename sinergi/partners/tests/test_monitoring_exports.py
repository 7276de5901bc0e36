"""The referral dashboard's exports and the PDF report's referrals section: the same
figures, the same scope, audited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import translation
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from sinergi.analytics.report import report_html
from sinergi.audit.models import Action, AuditEvent
from sinergi.partners.tests.conftest import Monitored
from sinergi.partners.tests.test_monitoring import PAGE, client_for, exported
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def test_the_xlsx_has_a_sheet_per_table_with_the_csv_figures(
    monitored: Monitored, personas: Personas
) -> None:
    response: Any = client_for(personas.rembang).get(f"{PAGE}export.xlsx?period=2019&from=2018")
    assert response.status_code == 200
    assert "sinergi-referrals-33-17-2018-2019-" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheet_names == ["summary", "status", "partner", "category", "region"]
    shown = exported(personas.rembang)
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python()[1:]:
            csv_values = [v for (t, k, _m), v in shown.items() if (t, k) == (name, str(row[0]))]
            if name == "summary":
                csv_values = [shown["summary", str(row[0]), "value"]]
            assert sorted(map(_number, row[2:])) == sorted(map(_number, csv_values)), row
    summary = {row[0]: row[2] for row in book.get_sheet_by_name("summary").to_python()[1:]}
    assert summary["credit"] == 3_250_000
    assert summary["referrals"] == 5  # credit, training, second_credit, waiting, second_market
    regions = book.get_sheet_by_name("region").to_python()
    assert [row[0] for row in regions[1:3]] == ["33.17.01", "33.17.02"]


def _number(value: object) -> float:
    """A cell or a CSV value as a number (-1 for an empty one)."""
    return -1.0 if value in ("", None) else float(str(value))


def test_exports_are_audited_with_their_scope(monitored: Monitored, personas: Personas) -> None:
    client_for(personas.jateng).get(f"{PAGE}export.csv?region=33.24")
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="dashboard").latest("id")
    assert (event.user, event.region_code) == (personas.jateng, "33.24")
    assert (event.after or {}).get("view") == "referrals"
    assert (event.after or {}).get("format") == "csv"
    client_for(personas.admin).get(f"{PAGE}export.xlsx")
    event = AuditEvent.objects.filter(action=Action.EXPORT, object_type="dashboard").latest("id")
    assert (event.user, (event.after or {}).get("format")) == (personas.admin, "xlsx")


def test_no_export_names_a_person(monitored: Monitored, personas: Personas) -> None:
    response: Any = client_for(personas.admin).get(f"{PAGE}export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    for actor in monitored.actors.values():
        assert actor.name not in text
        assert actor.nik_masked not in text


def test_the_report_has_a_referrals_section_of_the_users_scope(
    monitored: Monitored, personas: Personas
) -> None:
    request = RequestFactory().get("/analytics/report.pdf", {"from": "2018"})
    request.user = personas.rembang
    with translation.override("en"):
        _figures, html = report_html(request)
    assert '<li><a href="#referrals">Referrals to partners</a></li>' in html
    assert "Rp3.250.000" in html  # Rembang: both credits served there
    request.user = personas.kendal
    with translation.override("en"):
        _figures, kendal = report_html(request)
    assert '<a href="#referrals">' in kendal
    assert "Rp3.250.000" not in kendal
    assert "Koperasi Wanita Rembang" not in kendal


def test_the_pdf_report_prints_the_referrals(monitored: Monitored, personas: Personas) -> None:
    response = client_for(personas.admin).get("/analytics/report.pdf?period=2019&from=2018")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Referrals to partners" in text
    assert "Rp3.250.000" in text
    assert "PNM Mekaar" in text
    assert "IWAPI" in text


def test_a_scope_without_referrals_has_no_section(personas: Personas, world: object) -> None:
    request = RequestFactory().get("/analytics/report.pdf")
    request.user = personas.admin
    _figures, html = report_html(request)
    assert 'href="#referrals"' not in html
