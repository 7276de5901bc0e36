"""The walidata's pages and service: the national admin records and changes a dataset;
each write leaves one audit row and renews the public pages once it commits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.audit.models import AuditEvent
from sinergi.opendata.models import Dataset
from sinergi.opendata.services import DatasetData, Refused, save_dataset, snapshot
from sinergi.portal.caching import public_version

pytestmark = pytest.mark.django_db

FORM = {
    "slug": "mitra-baru",
    "title": "Mitra baru",
    "description": "Mitra menurut jenis",
    "source": "partners",
    "producer": "Kemen PPPA",
    "custodian": "Pusdatin Kemen PPPA",
    "spatial": "Indonesia",
    "temporal": "2026",
    "frequency": "ANNUAL",
    "license_id": "CC-BY-4.0",
    "license_title": "Creative Commons Attribution 4.0",
    "license_url": "https://creativecommons.org/licenses/by/4.0/",
    "contact_name": "Pusdatin",
    "contact_email": "walidata@sinergi.example",
    "keywords": "mitra",
    "published": "on",
}


def admin_client(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.admin)
    return client


def test_the_national_admin_adds_a_dataset_that_then_is_public(
    catalogue: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    before = public_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(personas).post("/data/manage/new/", FORM)
    assert response.status_code == 302
    assert public_version() == before + 1
    dataset = Dataset.objects.get(slug="mitra-baru")
    event = AuditEvent.objects.filter(object_type="dataset", object_id="mitra-baru").get()
    assert event.action == "create"
    assert event.user == personas.admin
    assert Client().get("/data/mitra-baru/").status_code == 200
    assert dataset.license_id == "CC-BY-4.0"


def test_a_change_is_audited_with_what_moved(catalogue: Any, personas: Any) -> None:
    form = {**FORM, "slug": "layanan-mitra", "title": "Layanan mitra (baru)", "source": "offers"}
    response = admin_client(personas).post("/data/manage/layanan-mitra/edit/", form)
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_id="layanan-mitra", action="update").get()
    before, after = event.before or {}, event.after or {}
    assert (before["title"], after["title"]) == (
        "Layanan mitra menurut kategori",
        "Layanan mitra (baru)",
    )
    assert "slug" not in after  # only what moved


def test_the_form_refuses_a_reserved_name_and_an_unknown_source(
    catalogue: Any, personas: Any
) -> None:
    response = admin_client(personas).post(
        "/data/manage/new/", {**FORM, "slug": "manage", "source": "nothing"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"slug", "source"}


def test_the_list_marks_a_dataset_whose_source_is_missing(catalogue: Any, personas: Any) -> None:
    save_dataset(
        user=personas.admin,
        dataset=None,
        data=DatasetData(**{**snapshot(catalogue["layanan-mitra"]), "slug": "x", "source": "gone"}),
    )
    body = admin_client(personas).get("/data/manage/").content.decode()
    assert "gone" in body
    assert "layanan-mitra" in body


def test_only_the_national_programme_keeps_the_catalogue(catalogue: Any, personas: Any) -> None:
    data = DatasetData(**snapshot(catalogue["layanan-mitra"]))
    with pytest.raises(Refused):
        save_dataset(user=personas.jateng, dataset=catalogue["layanan-mitra"], data=data)
    client = Client()
    client.force_login(personas.jateng)
    assert client.post("/data/manage/new/", FORM).status_code == 404
