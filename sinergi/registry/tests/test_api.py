from datetime import date
from typing import Any

import pytest
from django.test import Client

from sinergi.audit.models import Action, AuditEvent
from sinergi.registry.models import Actor
from sinergi.registry.records import validate_actor
from sinergi.test import (
    KENDAL_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE,
    ActorFactory,
    Personas,
    valid_nik,
)

pytestmark = pytest.mark.django_db


def token_client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )


def new_actor(**overrides: Any) -> dict[str, Any]:
    payload = {
        "name": "Ibu Sri Wahyuni",
        "nik": valid_nik(REMBANG_VILLAGE, date(1980, 5, 17)),
        "sex": "F",
        "birth_date": "1980-05-17",
        "village_code": REMBANG_VILLAGE,
        "business_name": "Batik Lasem Sri",
        "sector": "fashion-tekstil",
    }
    payload.update(overrides)
    return payload


def test_it_creates_an_actor_and_never_returns_the_clear_nik(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    payload = new_actor()
    response = client.post("/api/v1/actors", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nik_masked"] == payload["nik"][:4] + "••••••••••••"
    assert payload["nik"] not in response.content.decode()
    assert body["village_code"] == REMBANG_VILLAGE
    assert (body["regency_code"], body["province_code"]) == ("33.17", "33")
    actor = Actor.objects.get(pk=body["id"])
    assert payload["nik"] not in actor.nik_encrypted
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(actor.pk)).exists()


def test_it_refuses_a_duplicate_nik_and_points_to_the_existing_actor(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    payload = new_actor()
    first = client.post("/api/v1/actors", payload, content_type="application/json").json()
    again = client.post(
        "/api/v1/actors",
        new_actor(name="Other", nik=payload["nik"]),
        content_type="application/json",
    )
    assert again.status_code == 422
    assert f"#{first['id']}" in again.json()["errors"]["nik"][0]
    assert Actor.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("nik", "33170A5203850001", "digits only"),
        ("nik", "331704520385000", "16 digits"),
        ("birth_date", "1980-02-31", "enter a valid date"),
        ("village_code", "33.17.04.9999", "does not exist"),
        ("sector", "mining", "select a valid choice"),
    ],
)
def test_it_names_the_field_and_reason_for_bad_input(
    personas: Personas, field: str, value: str, fragment: str
) -> None:
    client = token_client(personas.rembang.username)
    response = client.post(
        "/api/v1/actors", new_actor(**{field: value}), content_type="application/json"
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert field in errors
    assert fragment in " ".join(errors[field]).lower()
    assert Actor.objects.count() == 0


def test_it_refuses_a_village_outside_the_officers_regency(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    response = client.post(
        "/api/v1/actors",
        new_actor(village_code=KENDAL_VILLAGE, nik=valid_nik(KENDAL_VILLAGE, date(1980, 5, 17))),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "outside your region" in response.json()["errors"]["village_code"][0]


def test_it_checks_legality_numbers(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    response = client.post(
        "/api/v1/actors",
        new_actor(
            legality=[
                {"kind": "pirt", "number": "P-IRT No. 123-45"},
                {"kind": "nib", "number": "1234567890123"},
            ]
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["legality.0.number"]


def test_scope_decides_what_each_persona_sees(personas: Personas) -> None:
    rembang_actor = ActorFactory(village_code=REMBANG_VILLAGE, facilitator=personas.pendamping)
    ActorFactory(village_code=REMBANG_VILLAGE)
    kendal_actor = ActorFactory(village_code=KENDAL_VILLAGE)
    expected = {
        personas.admin: 3,
        personas.jateng: 3,
        personas.rembang: 2,
        personas.kendal: 1,
        personas.pendamping: 1,
        personas.viewer: 2,
    }
    for user, count in expected.items():
        assert token_client(user.username).get("/api/v1/actors").json()["count"] == count, user
    kendal = token_client(personas.kendal.username)
    assert kendal.get(f"/api/v1/actors/{rembang_actor.pk}").status_code == 404
    assert kendal.get(f"/api/v1/actors/{kendal_actor.pk}").status_code == 200
    assert kendal.get("/api/v1/actors/999999").status_code == 404


def test_read_only_viewer_gets_403_on_writes(personas: Personas) -> None:
    actor = ActorFactory()
    viewer = token_client(personas.viewer.username)
    assert (
        viewer.post("/api/v1/actors", new_actor(), content_type="application/json").status_code
        == 403
    )
    assert (
        viewer.patch(
            f"/api/v1/actors/{actor.pk}", {"name": "X"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_anonymous_gets_401() -> None:
    assert Client().get("/api/v1/actors").status_code == 401


def test_patch_changes_only_what_is_given_and_audits_it(personas: Personas) -> None:
    actor = ActorFactory(name="Ibu Lama")
    client = token_client(personas.rembang.username)
    response = client.patch(
        f"/api/v1/actors/{actor.pk}", {"name": "Ibu Baru"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    actor.refresh_from_db()
    assert actor.name == "Ibu Baru"
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(actor.pk))
    assert event.before == {"name": "Ibu Lama"}
    assert event.after == {"name": "Ibu Baru"}


def test_list_filters_by_region_and_query(personas: Personas) -> None:
    ActorFactory(name="Ibu Ani Rembang")
    ActorFactory(name="Ibu Budi Kendal", village_code=KENDAL_VILLAGE)
    client = token_client(personas.admin.username)
    assert client.get("/api/v1/actors?region=33.24").json()["count"] == 1
    assert client.get("/api/v1/actors?q=ani").json()["items"][0]["name"] == "Ibu Ani Rembang"
    assert client.get("/api/v1/actors?region=abc").status_code == 422


def test_consent_words_are_read_not_guessed(personas: Personas) -> None:
    payload = new_actor()
    for word, expected in (("tidak", False), ("Ya", True), ("no", False), (True, True)):
        valid, errors = validate_actor(
            user=personas.rembang, data={**payload, "consent_partners": word}
        )
        assert valid is not None, errors
        assert valid.data["consent_partners"] is expected
    valid, errors = validate_actor(
        user=personas.rembang, data={**payload, "consent_partners": "mungkin"}
    )
    assert valid is None
    assert "mungkin" in errors["consent_partners"][0]


def test_the_api_takes_json_booleans_for_consent(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    response = client.post(
        "/api/v1/actors", new_actor(consent_partners="tidak"), content_type="application/json"
    )
    assert response.status_code == 422
    assert "consent_partners" in response.json()["errors"]


@pytest.mark.parametrize("body", ["[]", "null", "1", '"x"', '[{"phone": "081234567890"}]'])
def test_a_body_that_is_not_a_json_object_is_refused(personas: Personas, body: str) -> None:
    actor = ActorFactory(phone="")
    client = token_client(personas.rembang.username)
    response = client.patch(f"/api/v1/actors/{actor.pk}", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "__all__": ["The request body must be a JSON object ({...})."]
    }
    actor.refresh_from_db()
    assert actor.phone == ""


def test_a_body_that_is_not_json_is_refused_with_where(personas: Personas) -> None:
    client = token_client(personas.rembang.username)
    response = client.post("/api/v1/actors", '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert "line 1, column 10" in response.json()["detail"]


def test_the_openapi_schema_documents_every_error_answer(personas: Personas) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 10
    for path, method, operation in operations:
        documented = set(operation["responses"])
        assert {"400", "422"} <= documented, (method, path)
        if "{" in path:
            assert "404" in documented, (method, path)
        if method in ("post", "patch"):
            assert "403" in documented, (method, path)
        if path != "/api/v1/auth/token":
            assert "401" in documented, (method, path)
    actors = schema["paths"]["/api/v1/actors"]["post"]["responses"]
    assert actors["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
