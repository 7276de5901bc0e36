from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import ThrottleScope
from sinergi.accounts.models import ApiToken, LoginThrottle, User
from sinergi.audit.models import Action, AuditEvent
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = LIMIT


def login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def english() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def failures(username: str, client: str = "127.0.0.1") -> int:
    row = LoginThrottle.objects.filter(scope=ThrottleScope.PAIR, key=f"{client} {username}")
    return row.get().failures


def test_it_logs_in_and_records_it(personas: Personas) -> None:
    client = english()
    response = login(client, personas.rembang.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/accounts/password/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, username="rani-rembang").exists()


def test_it_rejects_a_wrong_password_and_counts_it(personas: Personas) -> None:
    response = login(english(), personas.rembang.username, "wrong")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert failures(personas.rembang.username) == 1


def test_it_locks_the_account_even_for_the_right_password(personas: Personas) -> None:
    client = english()
    for _ in range(LIMIT):
        login(client, personas.rembang.username, "wrong")
    response = login(client, personas.rembang.username, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKOUT, username="").count() == 1


def test_a_success_resets_the_failure_counter(personas: Personas) -> None:
    client = english()
    for _ in range(LIMIT - 1):
        login(client, personas.rembang.username, "wrong")
    assert login(client, personas.rembang.username, PASSWORD).status_code == 302
    assert failures(personas.rembang.username) == 0
    other = english()
    for _ in range(LIMIT - 1):
        login(other, personas.rembang.username, "wrong")
    assert login(other, personas.rembang.username, PASSWORD).status_code == 302


def test_the_lock_expires(personas: Personas) -> None:
    for _ in range(LIMIT):
        login(english(), personas.rembang.username, "wrong")
    LoginThrottle.objects.update(last_attempt_at="2000-01-01T00:00:00Z")
    assert login(english(), personas.rembang.username, PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(personas: Personas) -> None:
    client = english()
    client.force_login(personas.rembang)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/users/").status_code == 302


def test_password_change_validates_and_changes(personas: Personas) -> None:
    client = english()
    client.force_login(personas.rembang)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    new = "a-much-longer-passphrase-9"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert login(english(), personas.rembang.username, new).status_code == 302


def test_password_change_needs_login() -> None:
    response = english().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def token(username: str, password: str) -> Any:
    return english().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_endpoint_issues_a_token_that_authenticates(personas: Personas) -> None:
    response = token(personas.rembang.username, PASSWORD)
    assert response.status_code == 200
    value = response.json()["token"]
    assert not ApiToken.objects.filter(token_hash=value).exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {value}")
    assert api.get("/api/v1/actors").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer nonsense").get("/api/v1/actors").status_code == 401


def test_token_endpoint_refuses_a_wrong_password(personas: Personas) -> None:
    assert token(personas.rembang.username, "wrong").status_code == 401
    assert token("nobody", "wrong").status_code == 401


def test_token_endpoint_answers_429_when_locked(personas: Personas) -> None:
    statuses = [token(personas.rembang.username, "wrong").status_code for _ in range(LIMIT)]
    assert statuses == [401] * (LIMIT - 1) + [429]
    assert token(personas.rembang.username, PASSWORD).status_code == 429


def test_an_inactive_user_cannot_get_a_token_or_log_in(personas: Personas) -> None:
    User.objects.filter(pk=personas.rembang.pk).update(is_active=False)
    assert token(personas.rembang.username, PASSWORD).status_code == 401
    assert login(english(), personas.rembang.username, PASSWORD).status_code == 200


def test_login_events_are_filed_under_the_users_region(personas: Personas) -> None:
    Client().post("/accounts/login/", {"username": "rani-rembang", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "rani-rembang", "password": PASSWORD})
    regions = set(
        AuditEvent.objects.filter(
            action__in=[Action.LOGIN, Action.LOGIN_FAILED], username__in=["", "rani-rembang"]
        ).values_list("region_code", flat=True)
    )
    assert regions == {"33.17"}


def test_a_session_ends_twelve_hours_after_logging_in(personas: Personas) -> None:
    client = english()
    assert login(client, personas.rembang.username, PASSWORD).status_code == 302
    assert client.cookies["sessionid"]["max-age"] == 12 * 3600
    assert client.session.get_expiry_age() == 12 * 3600
