"""/api/v1/webhooks: the partner's webhook managers and the national admin write, the
partner's other staff read, nobody else sees them; every endpoint for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.partners import webhooks
from sinergi.partners.models import Webhook
from sinergi.partners.tests.conftest import World
from sinergi.partners.tests.webhook_support import SECRET, register
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks"
NEW = {"url": "http://127.0.0.1:8089/mekaar", "events": ["referral.created"], "secret": SECRET}


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def hook(world: World) -> Webhook:
    webhook = register(world, "http://127.0.0.1:9/hook")
    webhook.deliveries.create(event="referral.created", body="{}", attempts=2)
    return webhook


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def who(name: str, world: World, personas: Personas, reader: User) -> User | None:
    return {
        "manager": world.staff,
        "reader": reader,
        "other_partner": world.other_staff,
        "admin": personas.admin,
        "officer": personas.rembang,
        "province": personas.jateng,
        "facilitator": personas.pendamping,
        "anonymous": None,
    }[name]


READS = {
    # persona: (list, detail, deliveries)
    "manager": (200, 200, 200),
    "reader": (200, 200, 200),
    "admin": (200, 200, 200),
    "other_partner": (200, 404, 404),
    "officer": (404, 404, 404),
    "province": (404, 404, 404),
    "facilitator": (404, 404, 404),
    "anonymous": (401, 401, 401),
}


@pytest.mark.parametrize("persona", READS)
def test_reads_by_persona(
    world: World, personas: Personas, mekaar_reader: User, hook: Webhook, persona: str
) -> None:
    client = client_for(who(persona, world, personas, mekaar_reader))
    detail = f"{LIST}/{hook.pk}"
    got = tuple(
        call(client, "get", url).status_code for url in (LIST, detail, f"{detail}/deliveries")
    )
    assert got == READS[persona]
    listed = call(client, "get", LIST)
    if listed.status_code == 200:
        ids = [item["id"] for item in listed.json()["items"]]
        assert ids == ([] if persona == "other_partner" else [hook.pk])


WRITES = {
    # persona: (POST list, PATCH detail, DELETE detail)
    "manager": (201, 200, 204),
    "admin": (201, 200, 204),
    "reader": (403, 403, 403),
    "other_partner": (403, 404, 404),
    "officer": (404, 404, 404),
    "province": (404, 404, 404),
    "facilitator": (404, 404, 404),
    "anonymous": (401, 401, 401),
}


@pytest.mark.parametrize("persona", WRITES)
def test_writes_by_persona(
    world: World, personas: Personas, mekaar_reader: User, hook: Webhook, persona: str
) -> None:
    client = client_for(who(persona, world, personas, mekaar_reader))
    detail = f"{LIST}/{hook.pk}"
    body = {**NEW, "partner": world.mekaar.pk} if persona == "admin" else NEW
    got = (
        call(client, "post", LIST, body).status_code,
        call(client, "patch", detail, {"events": ["referral.updated"]}).status_code,
        call(client, "delete", detail).status_code,
    )
    assert got == WRITES[persona]
    written = WRITES[persona][0] == 201
    assert Webhook.objects.filter(pk=hook.pk).exists() != written
    assert Webhook.objects.filter(url=NEW["url"]).exists() == written


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", LIST),
        ("delete", LIST),
        ("patch", LIST),
        ("put", "{detail}"),
        ("post", "{detail}"),
        ("post", "{detail}/deliveries"),
        ("delete", "{detail}/deliveries"),
    ],
)
def test_a_wrong_method_is_405(world: World, hook: Webhook, method: str, url: str) -> None:
    response = call(
        client_for(world.staff), method, url.format(detail=f"{LIST}/{hook.pk}"), dict(NEW)
    )
    assert response.status_code == 405
    assert Webhook.objects.get() == hook


def test_it_registers_and_shows_the_secret_only_once(world: World) -> None:
    client = client_for(world.staff)
    response = call(client, "post", LIST, {"url": NEW["url"], "events": webhooks.EVENTS})
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["secret"]
    assert len(secret) >= 16
    assert created["partner"] == world.mekaar.pk
    assert created["partner_name"] == "PNM Mekaar"
    assert created["events"] == ["referral.created", "referral.updated"]
    assert (created["active"], created["failures_in_row"]) == (True, 0)
    hook = Webhook.objects.get(pk=created["id"])
    assert webhooks.secret_of(hook) == secret
    for again in (call(client, "get", LIST), call(client, "get", f"{LIST}/{hook.pk}")):
        assert again.status_code == 200
        assert secret not in again.content.decode()
        assert "secret" not in again.content.decode()


def test_it_changes_and_turns_a_webhook_off_and_on(world: World, hook: Webhook) -> None:
    client = client_for(world.staff)
    detail = f"{LIST}/{hook.pk}"
    Webhook.objects.filter(pk=hook.pk).update(failures_in_row=3)
    response = call(client, "patch", detail, {"active": False, "url": "http://127.0.0.1:9/v2"})
    assert response.status_code == 200, response.content
    assert (response.json()["active"], response.json()["url"]) == (False, "http://127.0.0.1:9/v2")
    back = call(client, "patch", detail, {"active": True}).json()
    assert (back["active"], back["failures_in_row"], back["disabled_reason"]) == (True, 0, "")
    assert back["events"] == ["referral.created", "referral.updated"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"events": ["referral.deleted"]}, {"events"}),
        ({"events": []}, {"events"}),
        ({"secret": "too-short"}, {"secret"}),
        ({"url": "http://mitra.example.id/hook"}, {"url"}),
        ({"url": "https://169.254.169.254/latest"}, {"url"}),
        ({"url": "ftp://x", "events": [], "secret": "x"}, {"url", "events", "secret"}),
        ({"events": "referral.created"}, {"events"}),  # not a list
    ],
)
def test_it_answers_422_naming_each_bad_field(
    world: World, settings: Any, changes: dict[str, Any], fields: set[str]
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    body = {**NEW, "url": "https://8.8.8.8/hook", **changes}
    response = call(client_for(world.staff), "post", LIST, body)
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == fields
    assert not Webhook.objects.exists()


def test_a_change_to_a_bad_url_is_422(world: World, hook: Webhook) -> None:
    response = call(
        client_for(world.staff), "patch", f"{LIST}/{hook.pk}", {"url": "https://10.0.0.1/"}
    )
    assert response.status_code == 422
    assert "internal address" in response.json()["errors"]["url"][0]


def test_the_national_admin_names_the_partner(world: World, personas: Personas) -> None:
    client = client_for(personas.admin)
    missing = call(client, "post", LIST, NEW)
    assert missing.status_code == 422
    assert list(missing.json()["errors"]) == ["partner"]
    unknown = call(client, "post", LIST, {**NEW, "partner": 999_999})
    assert unknown.json()["errors"] == {"partner": ["No such partner."]}
    made = call(client, "post", LIST, {**NEW, "partner": world.rembang_partner.pk})
    assert made.status_code == 201
    assert made.json()["partner"] == world.rembang_partner.pk


def test_staff_register_only_for_their_own_partner(world: World) -> None:
    client = client_for(world.staff)
    other = call(client, "post", LIST, {**NEW, "partner": world.rembang_partner.pk})
    assert other.status_code == 422
    assert other.json()["errors"] == {"partner": ["No such partner."]}
    own = call(client, "post", LIST, {**NEW, "partner": world.mekaar.pk})
    assert own.status_code == 201


def test_a_partners_system_uses_a_bearer_token(world: World, hook: Webhook) -> None:
    token = Client().post(
        "/api/v1/auth/token",
        {"username": world.staff.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    assert [i["id"] for i in client.get(LIST).json()["items"]] == [hook.pk]
    response = client.post(LIST, NEW, content_type="application/json")
    assert response.status_code == 201


def test_the_delivery_log_pages_with_a_cursor(world: World, hook: Webhook) -> None:
    for _n in range(2):
        hook.deliveries.create(event="referral.updated", body="{}", status="delivered")
    client = client_for(world.staff)
    first = client.get(f"{LIST}/{hook.pk}/deliveries?limit=2").json()
    assert first["count"] == 3
    assert [item["event"] for item in first["items"]] == ["referral.created", "referral.updated"]
    item = first["items"][0]
    assert set(item) == {
        "id",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    }
    assert (item["status"], item["attempts"]) == ("pending", 2)
    rest = client.get(first["next"]).json()
    assert [i["status"] for i in rest["items"]] == ["delivered"]
    assert rest["next"] is None


def test_lists_take_a_fixed_number_of_queries(
    world: World, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    hooks = [register(world, f"http://127.0.0.1:9/hook/{n}") for n in range(5)]
    for hook in hooks:
        for _n in range(3):
            hook.deliveries.create(event="referral.created", body="{}")
    for user in (world.staff, personas.admin):
        client = client_for(user)
        client.get(LIST)  # the session and user are loaded once
        with django_assert_max_num_queries(8):
            assert len(client.get(LIST).json()["items"]) == 5
        with django_assert_max_num_queries(8):
            assert client.get(f"{LIST}/{hooks[0].pk}/deliveries").json()["count"] == 3
