"""NUL characters, which PostgreSQL refuses in text, answer 400 naming where they were."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from sinergi.collect.tests.odk import basic
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def english(user: object | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_nul_in_a_query_string_answers_400_on_pages_and_the_api(personas: Personas) -> None:
    page = english(personas.rembang).get("/actors/?q=33%0017")
    assert page.status_code == 400
    assert "NUL character" in page.content.decode()
    assert "(q)" in page.content.decode()
    api = english(personas.rembang).get("/api/v1/actors?q=%00")
    assert api.status_code == 400
    assert api.json()["errors"] == {
        "q": ["The request contains a NUL character, which no field may hold."]
    }


def test_a_nul_in_the_path_or_a_form_field_answers_400(personas: Personas) -> None:
    assert english(personas.rembang).get("/actors/%00/").status_code == 400
    login = english().post(
        "/accounts/login/",
        urlencode({"username": "a\x00b", "password": "x"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert login.status_code == 400
    # A multipart form is left to the form, whose fields refuse NUL characters themselves.
    multipart = english().post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert "Null characters are not allowed" in multipart.content.decode()


def test_a_nul_in_the_token_endpoints_username_answers_400_without_counting() -> None:
    response = english().post(
        "/api/v1/auth/token",
        {"username": "admin\x00", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "username must not contain a NUL character.",
        "errors": {"username": ["username must not contain a NUL character."]},
    }


def test_a_nul_in_openrosa_basic_credentials_answers_400(personas: Personas) -> None:
    phone = english()
    response = phone.get("/openrosa/formList", HTTP_AUTHORIZATION=basic("fitri\x00", PASSWORD))
    assert response.status_code == 400
    assert b"NUL character" in response.content
    assert response["X-OpenRosa-Version"] == "1.0"


def test_clean_requests_pass(personas: Personas) -> None:
    assert english(personas.rembang).get("/actors/?q=Siti").status_code == 200
