"""Reads, exports and imports of actors leave audit rows a province can see, and never a
clear NIK (issue 11, finding 6)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.scoping import audit_region
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect.tests.sheets import actor_row, xlsx_bytes
from sinergi.registry.rules import mask_nik
from sinergi.test import KENDAL_VILLAGE, PASSWORD, ActorFactory, Personas, make_user, valid_nik

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def audit_page(client: Client, query: str = "") -> list[AuditEvent]:
    response = client.get(f"/audit/{query}")
    assert response.status_code == 200
    return [row for row, _ in response.context["rows"]]


def everything_audited() -> str:
    return str(list(AuditEvent.objects.values_list()))


def test_an_api_list_read_is_one_row_naming_who_was_read(personas: Personas) -> None:
    actors = [ActorFactory() for _ in range(3)]
    ActorFactory(village_code=KENDAL_VILLAGE)
    response = login(personas.viewer.username).get("/api/v1/actors?limit=2&sector=")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW_PERSONAL)
    assert (event.user, event.object_type, event.region_code, event.note) == (
        personas.viewer,
        "actor",
        "33.17",
        "api list",
    )
    assert event.after == {"filters": {"limit": "2"}, "count": 3, "ids": [a.pk for a in actors[:2]]}
    assert event in audit_page(login(personas.jateng.username), "?action=view_personal")


def test_an_api_detail_read_is_one_row_for_the_actor(personas: Personas) -> None:
    actor = ActorFactory()
    assert login(personas.viewer.username).get(f"/api/v1/actors/{actor.pk}").status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW_PERSONAL)
    assert (event.object_id, event.object_repr, event.region_code, event.note) == (
        str(actor.pk),
        actor.name,
        actor.village_id,
        "api detail",
    )
    # Out of scope is 404 and reads nothing.
    assert login(personas.kendal.username).get(f"/api/v1/actors/{actor.pk}").status_code == 404
    assert AuditEvent.objects.filter(action=Action.VIEW_PERSONAL).count() == 1


def test_a_nik_searched_for_is_never_written_to_the_audit_table(personas: Personas) -> None:
    nik = valid_nik()
    ActorFactory(nik=nik)
    client = login(personas.rembang.username)
    assert client.get(f"/api/v1/actors?q={nik}").json()["count"] == 1
    assert client.get(f"/actors/export.csv?q={nik}").status_code == 200
    assert client.get(f"/actors/export.xlsx?q=%20{nik}%20").status_code == 200
    rows = AuditEvent.objects.filter(after__has_key="filters")
    assert rows.count() == 3
    assert nik not in everything_audited()
    searched = {row.after["filters"]["q"].strip() for row in rows}  # type: ignore[index]
    assert searched == {mask_nik(nik)}


def test_an_export_is_filed_under_its_scope_so_the_province_sees_it(personas: Personas) -> None:
    ActorFactory()
    assert login(personas.rembang.username).get("/actors/export.csv").status_code == 200
    assert login(personas.jateng.username).get("/actors/export.csv?region=3317").status_code == 200
    assert login(personas.admin.username).get("/actors/export.csv").status_code == 200
    regions = list(
        AuditEvent.objects.filter(action=Action.EXPORT).order_by("id").values_list("region_code")
    )
    assert regions == [("33.17",), ("33.17",), ("",)]
    shown = audit_page(login(personas.jateng.username), "?action=export")
    assert [event.username for event in shown] == [personas.jateng.username, "rani-rembang"]


def test_an_import_is_filed_under_the_importers_scope(personas: Personas) -> None:
    client = login(personas.rembang.username)
    upload = SimpleUploadedFile("actors.xlsx", xlsx_bytes([actor_row("Ibu Impor")]))
    assert client.post("/collect/actors/import/", {"file": upload}).status_code == 302
    events = AuditEvent.objects.filter(action=Action.IMPORT, object_type="import_job")
    assert [event.region_code for event in events] == ["33.17", "33.17"]
    assert len(audit_page(login(personas.jateng.username), "?action=import")) == 2


def test_the_audit_region_holds_the_whole_scope(personas: Personas) -> None:
    assert audit_region(personas.rembang) == "33.17"
    assert audit_region(personas.rembang, "33.17.04") == "33.17.04"
    assert audit_region(personas.rembang, "33") == "33.17"  # she reads only her regency
    assert audit_region(personas.rembang, "33.24") == "33.17"
    assert audit_region(personas.admin, "33.24") == "33.24"
    assert audit_region(personas.admin) == ""
    both = make_user("two-regencies", "regency_officer", "33.17")
    both.memberships.create(role="regency_officer", region_id="33.24")
    assert audit_region(both) == "33"
    far = make_user("two-provinces", "province_officer", "33")
    far.memberships.create(role="province_officer", region_id="61")
    assert audit_region(far) == ""
