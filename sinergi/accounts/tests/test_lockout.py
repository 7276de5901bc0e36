"""Login throttling: per client, per username from a client, per username; the same for
every channel and for unknown usernames; counted atomically under parallel requests."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.models import LoginThrottle
from sinergi.accounts.tests.test_login import LIMIT, login
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect.tests.odk import basic
from sinergi.lib.clients import client_key
from sinergi.test import PASSWORD, Personas, make_personas, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 8
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 6


def at(address: str, **extra: str) -> Client:
    return Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address, **extra)  # type: ignore[arg-type]  # environ keys


def token_from(address: str, username: str, password: str) -> int:
    response = at(address).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code


def test_an_attacker_elsewhere_cannot_lock_the_user_out_of_her_usual_client(
    personas: Personas,
) -> None:
    home = "198.51.100.10"
    assert login(at(home), "rani-rembang", PASSWORD).status_code == 302
    # From many addresses, far more failures than any limit.
    for n in range(1, 11):
        for _ in range(LIMIT):
            token_from(f"203.0.113.{n}", "rani-rembang", "wrong")
    assert token_from("203.0.113.99", "rani-rembang", PASSWORD) == 429
    assert login(at(home), "rani-rembang", PASSWORD).status_code == 302
    assert token_from(home, "rani-rembang", PASSWORD) == 200


def test_a_lock_is_per_client_so_the_user_elsewhere_still_logs_in(personas: Personas) -> None:
    statuses = [token_from("203.0.113.5", "rani-rembang", "wrong") for _ in range(LIMIT)]
    assert statuses == [401] * (LIMIT - 1) + [429]
    assert token_from("203.0.113.5", "rani-rembang", PASSWORD) == 429
    assert token_from("198.51.100.10", "rani-rembang", PASSWORD) == 200


def test_one_client_is_limited_across_usernames(personas: Personas) -> None:
    statuses = [token_from("203.0.113.7", f"guess-{n}", "wrong") for n in range(8)]
    assert statuses == [401] * 7 + [429]
    assert token_from("203.0.113.7", "kiki-kendal", "wrong") == 429
    assert token_from("203.0.113.8", "kiki-kendal", PASSWORD) == 200


def test_unknown_usernames_answer_and_lock_exactly_like_real_ones(personas: Personas) -> None:
    def answers(username: str) -> list[tuple[int, str]]:
        client = at("203.0.113.20")
        replies = []
        for _ in range(LIMIT + 1):
            api = token_from("203.0.113.21", username, "wrong")
            page = login(client, username, "wrong")
            text = page.content.decode()
            main = text[text.index("<main") : text.index("</main>")]
            replies.append((api, re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", main)))
        return replies

    real = answers("rani-rembang")
    made_up = answers("rani-rembang-x")
    assert [status for status, _page in real] == [401] * (LIMIT - 1) + [429] * 2
    normalised = [(s, p.replace("rani-rembang-x", "rani-rembang")) for s, p in made_up]
    assert normalised == real


def test_failures_and_locks_record_the_client_address_and_the_users_region(
    personas: Personas,
) -> None:
    for _ in range(LIMIT):
        token_from("203.0.113.30", "rani-rembang", "wrong")
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, object_repr="rani-rembang")
    assert failed.count() == LIMIT
    assert {(e.region_code, e.note) for e in failed} == {("33.17", "client 203.0.113.30")}
    [lockout] = AuditEvent.objects.filter(action=Action.LOCKOUT)
    assert lockout.region_code == "33.17"
    assert lockout.object_id == str(personas.rembang.pk)
    assert "client 203.0.113.30" in lockout.note


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(
    personas: Personas, settings: Any
) -> None:
    forwarded = {"HTTP_X_FORWARDED_FOR": "192.0.2.66, 203.0.113.40"}
    at("10.0.0.2", **forwarded).post("/accounts/login/", {"username": "x", "password": "y"})
    settings.TRUSTED_PROXY_COUNT = 1
    at("10.0.0.2", **forwarded).post("/accounts/login/", {"username": "x", "password": "y"})
    notes = list(
        AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == ["client 10.0.0.2", "client 203.0.113.40"]


def test_an_ipv6_subscriber_is_counted_by_its_slash_64() -> None:
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("203.0.113.1") == "203.0.113.1"


def test_openrosa_basic_auth_shares_the_same_counts(personas: Personas) -> None:
    def phone(username: str, password: str) -> int:
        client = at("203.0.113.50", HTTP_AUTHORIZATION=basic(username, password))
        return client.get("/openrosa/formList").status_code

    assert [phone("nobody-here", "wrong") for _ in range(LIMIT)] == [401] * (LIMIT - 1) + [429]
    assert token_from("203.0.113.50", "nobody-here", "wrong") == 429
    for _ in range(LIMIT - 1):
        phone("fitri-pendamping", "wrong")
    assert token_from("203.0.113.50", "fitri-pendamping", "wrong") == 429


@pytest.fixture
def file_database(transactional_db: Any, live_regions: None, tmp_path: Path) -> Any:
    """Where parallel requests run: PostgreSQL as it is; on SQLite a copy of the test
    database in a file (threads sharing the in-memory one fail on its table locks instead
    of waiting as a real deployment's file database does)."""
    make_personas()
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "parallel.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    yield path


def _use(path: Any) -> None:
    """This thread's connection goes to the copied database (its own wrapper: threads have
    their own connections)."""
    if path is not None:
        connection.settings_dict = {**connection.settings_dict, "NAME": str(path)}


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_never_get_more_than_the_limit_checked(file_database: Any) -> None:
    statuses: list[int] = []
    checked: list[int] = []
    start = threading.Barrier(30)

    def attempt() -> None:
        _use(file_database)
        try:
            start.wait()
            statuses.append(token_from("203.0.113.60", "rani-rembang", "wrong"))
        finally:
            connection.close()

    def count() -> None:
        _use(file_database)
        try:
            checked.append(AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counter = threading.Thread(target=count)
    counter.start()
    counter.join()
    assert checked == [LIMIT]
    assert sorted(statuses) == [401] * (LIMIT - 1) + [429] * (31 - LIMIT)


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_unknown_and_known_usernames_cost_the_same_queries_and_hashing(
    personas: Personas, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["sinergi.accounts.tests.test_lockout.CountingHasher"]

    def cost(username: str) -> tuple[int, int]:
        CountingHasher.calls = 0
        with CaptureQueriesContext(connection) as queries:
            assert token_from("203.0.113.70", username, "wrong") == 401
        return len(queries), CountingHasher.calls

    cost("warm-up")  # first-use queries (content types, sessions) are not the login's
    assert cost("rani-rembang") == cost("rani-rembang-x")
    assert cost("kiki-kendal")[1] == 1


def test_the_user_list_shows_a_username_locked_for_new_clients(personas: Personas) -> None:
    for n in range(6):
        token_from(f"203.0.113.{80 + n}", "fitri-pendamping", "wrong")
    client = at("198.51.100.1")
    client.force_login(personas.rembang)
    body = client.get("/accounts/users/?q=fitri").content.decode()
    assert "Locked" in body


def test_stale_counts_are_pruned_and_known_clients_kept(personas: Personas) -> None:
    assert login(at("198.51.100.10"), "rani-rembang", PASSWORD).status_code == 302
    token_from("203.0.113.90", "nobody", "wrong")
    LoginThrottle.objects.update(last_attempt_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("prune_login_counts", stdout=out)
    assert "Deleted 5 stale login counts." in out.getvalue()
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        "198.51.100.10 rani-rembang"
    }
    assert token_from("203.0.113.90", "nobody", "wrong") == 401  # counting starts again


def test_the_province_sees_the_lockouts_of_its_regencies(personas: Personas) -> None:
    for _ in range(LIMIT):
        token_from("203.0.113.95", "rani-rembang", "wrong")
    province = at("198.51.100.2")
    province.force_login(personas.jateng)
    page = province.get("/audit/")
    assert Action.LOCKOUT in {event.action for event, _changes in page.context["rows"]}
    elsewhere = at("198.51.100.3")
    elsewhere.force_login(make_user("lina-landak", "province_officer", "61"))
    rows = elsewhere.get("/audit/").context["rows"]
    assert Action.LOCKOUT not in {event.action for event, _changes in rows}
