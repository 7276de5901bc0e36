"""API token lifecycle: expiry, logout, revocation by the user and by a manager, and on a
password change or reset; the token page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import ApiToken, User
from sinergi.accounts.tests.test_users import NEW_PASSWORD, client_for, user_data
from sinergi.audit.models import Action, AuditEvent
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def new_token(user: User, password: str = PASSWORD) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200
    value: str = response.json()["token"]
    return value


def status_with(token: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/regions").status_code


def test_a_token_expires_after_api_token_days(personas: Personas, settings: Any) -> None:
    settings.API_TOKEN_DAYS = 7
    token = new_token(personas.rembang)
    stored = ApiToken.objects.get(user=personas.rembang)
    lifetime = stored.expires_at - stored.created_at
    assert timedelta(days=7) - timedelta(minutes=1) < lifetime <= timedelta(days=7)
    issued = AuditEvent.objects.get(object_type="api_token", action=Action.CREATE)
    assert (issued.object_id, issued.username, issued.region_code) == (
        str(stored.pk),
        "rani-rembang",
        "33.17",
    )
    assert status_with(token) == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/regions")
    wrong = Client(HTTP_AUTHORIZATION="Bearer wrong").get("/api/v1/regions")
    assert (expired.status_code, expired.json()) == (401, wrong.json())


def test_logout_revokes_only_the_calling_token_and_is_audited(personas: Personas) -> None:
    first, second = new_token(personas.rembang), new_token(personas.rembang)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {first}").post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert status_with(first) == 401
    assert status_with(second) == 200
    again = Client(HTTP_AUTHORIZATION=f"Bearer {first}").post("/api/v1/auth/logout")
    assert again.status_code == 401
    event = AuditEvent.objects.get(object_type="api_token", action=Action.UPDATE)
    assert (event.username, event.note, event.region_code) == (
        "rani-rembang",
        "API tokens revoked: logout",
        "33.17",
    )


def test_logout_needs_a_token(personas: Personas) -> None:
    assert Client().post("/api/v1/auth/logout").status_code == 401


def test_changing_her_own_password_revokes_her_tokens_and_is_audited(
    personas: Personas,
) -> None:
    token = new_token(personas.rembang)
    client = client_for(personas.rembang)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert status_with(token) == 401
    assert client.get("/accounts/tokens/").status_code == 200  # still logged in
    event = AuditEvent.objects.get(object_type="user", action=Action.UPDATE)
    assert event.username == "rani-rembang"
    assert event.note == "password changed by the user"
    assert event.region_code == "33.17"
    assert event.after is not None
    assert event.after["password"] == "changed"
    assert NEW_PASSWORD not in str(event.after)


def test_a_managers_reset_is_recorded_as_a_reset_and_revokes_the_tokens(
    personas: Personas,
) -> None:
    token = new_token(personas.viewer)
    response = client_for(personas.jateng).post(
        f"/accounts/users/{personas.viewer.pk}/",
        user_data(("viewer", "33.17", False), username=personas.viewer.username),
    )
    assert response.status_code == 302
    assert status_with(token) == 401
    event = AuditEvent.objects.get(object_type="user", action=Action.UPDATE)
    assert event.username == "jane-jateng"
    assert event.note == "password reset by a manager"
    assert event.after is not None
    assert event.after["password"] == "reset"
    assert event.after["api_tokens_revoked"] == [ApiToken.objects.get().pk]


def test_her_token_page_lists_and_revokes_her_tokens(personas: Personas) -> None:
    keep, drop = new_token(personas.rembang), new_token(personas.rembang)
    new_token(personas.kendal)
    client = client_for(personas.rembang)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert list(page.context["tokens"]) == list(personas.rembang.api_tokens.all())
    body = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert "<script>" not in body  # strict CSP: no inline script
    assert " on" + "click=" not in body
    dropped = ApiToken.objects.filter(user=personas.rembang).order_by("-id").first()
    assert dropped is not None
    response = client.post("/accounts/tokens/", {"token": dropped.pk})
    assert response.status_code == 302
    assert (status_with(keep), status_with(drop)) == (200, 401)
    kendal = ApiToken.objects.get(user=personas.kendal)
    client.post("/accounts/tokens/", {"token": kendal.pk})  # not hers: nothing happens
    assert ApiToken.objects.get(pk=kendal.pk).revoked_at is None
    assert client.post("/accounts/tokens/", {}).status_code == 400


def test_a_manager_revokes_all_tokens_of_a_user_she_manages(personas: Personas) -> None:
    tokens = [new_token(personas.pendamping) for _ in range(2)]
    assert (
        client_for(personas.kendal)
        .get(f"/accounts/users/{personas.pendamping.pk}/tokens/")
        .status_code
        == 404
    )
    assert (
        client_for(personas.viewer)
        .get(f"/accounts/users/{personas.pendamping.pk}/tokens/")
        .status_code
        == 403
    )
    client = client_for(personas.rembang)
    page = client.get(f"/accounts/users/{personas.pendamping.pk}/tokens/")
    assert page.status_code == 200
    assert len(page.context["tokens"]) == 2
    response = client.post(f"/accounts/users/{personas.pendamping.pk}/tokens/", {"all": "on"})
    assert response.status_code == 302
    assert [status_with(token) for token in tokens] == [401, 401]
    event = AuditEvent.objects.get(object_type="api_token", action=Action.UPDATE)
    assert (event.username, event.object_repr, event.note) == (
        "rani-rembang",
        "fitri-pendamping",
        "API tokens revoked: by a manager",
    )


def test_the_last_use_is_shown(personas: Personas) -> None:
    token = new_token(personas.rembang)
    assert ApiToken.objects.get().last_used_at is None
    status_with(token)
    assert ApiToken.objects.get().last_used_at is not None
