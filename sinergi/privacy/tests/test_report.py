"""The subject-access report: what is held about her, who saw it, for officers with the right."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from sinergi.audit.models import AuditEvent
from sinergi.privacy.models import SubjectRequest
from sinergi.privacy.tests.conftest import NAME, NIB, PHONE, Subject, client_for
from sinergi.registry.models import Actor
from sinergi.test import Personas

pytestmark = pytest.mark.django_db


def report(user: Any, actor_id: int) -> dict[str, Any]:
    response = client_for(user).get(f"/privacy/actors/{actor_id}/report.json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_it_holds_everything_about_her(subject: Subject, personas: Personas) -> None:
    body = report(personas.rembang, subject.actor.pk)
    person = body["person"]
    assert (person["name"], person["nik"], person["phone"]) == (NAME, subject.nik, PHONE)
    assert body["legality"][0]["number"] == NIB
    assert [(r["period"], r["level"]) for r in body["results"]] == [
        ("2019", "IR1"),
        ("2020", "IR3"),
    ]
    assert body["results"][0]["answers"]["workers"] == 0
    assert [e["kind"] for e in body["consent"]["history"]] == ["programme", "partners"]
    assert body["submissions"][0]["instance_id"] == "uuid:subject"
    assert [i["file"] for i in body["imports"]] == ["pelaku.xlsx"]
    assert [c["user"] for c in body["corrections"]] == ["rani-rembang"]
    assert body["corrections"][0]["after"]["phone"] == PHONE


def test_it_shows_who_viewed_or_exported_her_data(subject: Subject, personas: Personas) -> None:
    client_for(personas.jateng).get("/actors/export.csv?region=33.17")
    client_for(personas.kendal).get("/actors/export.csv?region=33.24")
    log = report(personas.admin, subject.actor.pk)["access_log"]
    seen = {(row["user"], row["action"], row["possibly"]) for row in log}
    assert ("vina-viewer", "view_personal", False) in seen
    assert ("fitri-pendamping", "create", False) in seen  # her results
    assert ("jane-jateng", "export", True) in seen
    assert ("kiki-kendal", "export", True) not in seen  # a Kendal list never held her


def test_it_shows_the_deadline_from_the_request_date(subject: Subject, personas: Personas) -> None:
    request = SubjectRequest.objects.get()
    request.received_at -= timedelta(days=2)
    request.save()
    body = report(personas.rembang, subject.actor.pk)
    assert body["request"]["requester"] == f"{NAME} (herself)"
    due = datetime.fromisoformat(body["request"]["deadline"])
    assert due == (request.received_at + timedelta(hours=72)).replace(microsecond=0)


def test_making_it_is_audited(subject: Subject, personas: Personas) -> None:
    report(personas.rembang, subject.actor.pk)
    response = client_for(personas.rembang).get(f"/privacy/actors/{subject.actor.pk}/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    rows = AuditEvent.objects.filter(
        action="export", object_type="actor", object_id=str(subject.actor.pk)
    )
    assert sorted(r.after["format"] for r in rows if r.after) == ["json", "pdf"]


def test_only_officers_with_the_right_over_her_may_have_it(
    subject: Subject, personas: Personas
) -> None:
    url = f"/privacy/actors/{subject.actor.pk}/report.json"
    assert client_for(personas.kendal).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client_for(personas.pendamping).get(url).status_code == 404  # not her caseload
    Actor.objects.filter(pk=subject.actor.pk).update(facilitator=personas.pendamping)
    assert client_for(personas.pendamping).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="export", object_id=str(subject.actor.pk)).exists()
