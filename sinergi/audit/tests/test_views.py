from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.audit.models import Action, AuditEvent
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.audit.views import changes
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def event(
    user: User | None,
    region: str,
    *,
    action: Action = Action.UPDATE,
    object_type: str = "actor",
    object_id: str = "",
    **fields: Any,
) -> AuditEvent:
    return record(user, action, Subject(object_type, object_id, region=region), **fields)


def shown(user: User, query: str = "") -> list[AuditEvent]:
    response = client_for(user).get(f"/audit/{query}")
    assert response.status_code == 200
    return [row for row, _ in response.context["rows"]]


def test_anonymous_is_sent_to_login() -> None:
    response = client_for(None).get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["rembang", "kendal", "pendamping", "viewer"])
def test_below_province_officers_get_403(personas: Personas, persona: str) -> None:
    assert client_for(getattr(personas, persona)).get("/audit/").status_code == 403


def test_wrong_method_gets_405(personas: Personas) -> None:
    assert client_for(personas.admin).post("/audit/").status_code == 405


def test_the_province_officer_sees_only_her_province(personas: Personas) -> None:
    inside = [
        event(personas.rembang, "33"),
        event(personas.rembang, "33.17.04.2001"),
        event(personas.kendal, "33.24"),
    ]
    event(personas.admin, "")
    event(personas.admin, "61.08.01.2001")
    event(personas.admin, "331")  # a code that merely starts with the same digits
    assert {e.pk for e in shown(personas.jateng)} == {e.pk for e in inside}
    assert len(shown(personas.admin)) == AuditEvent.objects.count()


def test_filters_narrow_the_rows(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    ten_days_earlier = timezone.now() - timedelta(days=10)
    with monkeypatch.context() as clock:  # audit rows are append-only: record it back then
        clock.setattr(timezone, "now", lambda: ten_days_earlier)
        old = event(personas.rembang, "33.17", object_type="user", object_id="7")
    created = event(personas.kendal, "33.24.01.2001", action=Action.CREATE, object_id="9")
    exported = event(personas.admin, "33.17.04", action=Action.EXPORT, object_type="export")
    admin = personas.admin
    assert shown(admin, "?username=kiki-kendal") == [created]
    assert shown(admin, "?action=export") == [exported]
    assert shown(admin, "?object_type=user") == [old]
    assert shown(admin, "?object_type=actor&object_id=9") == [created]
    assert shown(admin, "?region=33.17") == [exported, old]
    assert shown(admin, "?region=3324") == [created]
    today = timezone.localdate().isoformat()
    assert shown(admin, f"?region=33&date_from={today}") == [exported, created]
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert shown(admin, f"?region=33&date_to={ten_days_ago}") == [old]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?date_from=2026-05-02&date_to=2026-05-01", "date_to"),
        ("?date_from=yesterday", "date_from"),
        ("?region=abc", "region"),
        ("?action=steal", "action"),
    ],
)
def test_bad_filters_name_the_field(personas: Personas, query: str, field: str) -> None:
    event(personas.admin, "33")
    response = client_for(personas.admin).get(f"/audit/{query}")
    assert response.status_code == 200
    assert list(response.context["filters"].errors) == [field]
    assert response.context["rows"] == []
    label = str(response.context["filters"].fields[field].label)
    assert f"{label}: " in response.content.decode()


def test_htmx_gets_only_the_table(personas: Personas) -> None:
    event(personas.admin, "33")
    response = client_for(personas.admin).get("/audit/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_it_pages_by_fifty(personas: Personas) -> None:
    for n in range(55):
        event(personas.admin, "33", object_id=str(n))
    client = client_for(personas.admin)
    first = client.get("/audit/?action=update")
    assert len(first.context["rows"]) == 50
    assert "page=2" in first.content.decode()
    assert len(client.get("/audit/?action=update&page=2").context["rows"]) == 5


def test_changes_show_only_the_keys_that_moved(personas: Personas) -> None:
    moved = event(
        personas.admin,
        "33",
        before={"name": "Ibu Lama", "sector": "batik", "roles": [1]},
        after={"name": "Ibu Baru", "sector": "batik", "roles": [1, 2]},
    )
    assert [(c.key, c.before, c.after) for c in changes(moved)] == [
        ("name", "Ibu Lama", "Ibu Baru"),
        ("roles", "[1]", "[1, 2]"),
    ]
    created = event(personas.admin, "33", action=Action.CREATE, after={"name": "Ibu Baru"})
    assert [(c.key, c.before, c.after) for c in changes(created)] == [("name", "", "Ibu Baru")]
    assert changes(event(personas.admin, "33", action=Action.VIEW_PERSONAL)) == []
    body = client_for(personas.admin).get("/audit/").content.decode()
    assert "<del>Ibu Lama</del>" in body
    assert "sector" not in body


def test_the_event_list_query_count_does_not_grow(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        event(personas.rembang, "33.17", object_id=str(n), before={"a": n}, after={"a": n + 1})
    for manager in (personas.admin, personas.jateng):
        client = client_for(manager)
        with django_assert_max_num_queries(6):
            response = client.get("/audit/")
        assert len(response.context["rows"]) == 50
