"""The partner admin's webhook pages: every page for every persona, the secret shown once,
the delivery log, and the buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.partners import webhooks
from sinergi.partners.models import Webhook
from sinergi.partners.tests.conftest import World
from sinergi.partners.tests.webhook_support import SECRET, register
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

BASE = "/partners/webhooks/"
FORM = {"url": "http://127.0.0.1:8089/mekaar", "events": ["referral.created"], "secret": SECRET}


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def hook(world: World) -> Webhook:
    webhook = register(world, "http://127.0.0.1:9/hook")
    webhook.deliveries.create(
        event="referral.updated",
        body="{}",
        attempts=2,
        last_status_code=503,
        last_error="HTTP 503 Service Unavailable",
        last_attempt_at=timezone.now(),
        next_attempt_at=timezone.now() + dt.timedelta(seconds=60),
    )
    return webhook


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def persona(name: str, world: World, personas: Personas, reader: User) -> User | None:
    return {
        "manager": world.staff,
        "admin": personas.admin,
        "reader": reader,
        "other_partner": world.other_staff,
        "officer": personas.rembang,
        "province": personas.jateng,
        "facilitator": personas.pendamping,
        "anonymous": None,
    }[name]


PAGES = ["list", "new", "detail", "edit"]
ACTIONS = ["edit", "disable", "enable", "delete"]
EXPECTED = {
    # persona: ({page: GET status}, {action: POST status})
    "manager": (
        {"list": 200, "new": 200, "detail": 200, "edit": 200},
        {"edit": 302, "disable": 302, "enable": 302, "delete": 302},
    ),
    "admin": (
        {"list": 200, "new": 200, "detail": 200, "edit": 200},
        {"edit": 302, "disable": 302, "enable": 302, "delete": 302},
    ),
    "reader": (
        {"list": 200, "new": 403, "detail": 200, "edit": 403},
        {"edit": 403, "disable": 403, "enable": 403, "delete": 403},
    ),
    "other_partner": (
        {"list": 200, "new": 403, "detail": 404, "edit": 404},
        {"edit": 404, "disable": 404, "enable": 404, "delete": 404},
    ),
    **{
        name: (dict.fromkeys(PAGES, 404), dict.fromkeys(ACTIONS, 404))
        for name in ("officer", "province", "facilitator")
    },
}


def url_of(name: str, hook: Webhook) -> str:
    return {"list": BASE, "new": f"{BASE}new/", "detail": f"{BASE}{hook.pk}/"}.get(
        name, f"{BASE}{hook.pk}/{name}/"
    )


@pytest.mark.parametrize("who", EXPECTED)
def test_every_page_and_button_by_persona(
    world: World, personas: Personas, mekaar_reader: User, hook: Webhook, who: str
) -> None:
    client = client_for(persona(who, world, personas, mekaar_reader))
    pages, actions = EXPECTED[who]
    got_pages = {name: client.get(url_of(name, hook)).status_code for name in PAGES}
    assert got_pages == pages
    form = {"url": "http://127.0.0.1:9/changed", "events": ["referral.updated"]}
    got_actions = {name: client.post(url_of(name, hook), form).status_code for name in ACTIONS}
    assert got_actions == actions
    assert Webhook.objects.filter(pk=hook.pk).exists() == (actions["delete"] != 302)
    if actions["edit"] != 302:
        hook.refresh_from_db()
        assert (hook.url, hook.active) == ("http://127.0.0.1:9/hook", True)


@pytest.mark.parametrize("url", ["list", "new", "detail", "edit", *ACTIONS])
def test_anonymous_is_sent_to_login(hook: Webhook, url: str) -> None:
    for method in ("get", "post"):
        response = getattr(Client(), method)(url_of(url, hook))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "enable"),
        ("get", "disable"),
        ("get", "delete"),
        ("post", "list"),
        ("post", "detail"),
    ],
)
def test_a_wrong_method_is_405(world: World, hook: Webhook, method: str, url: str) -> None:
    response = getattr(client_for(world.staff), method)(url_of(url, hook))
    assert response.status_code == 405
    hook.refresh_from_db()
    assert hook.active


def test_the_list_shows_status_and_failures(world: World, hook: Webhook) -> None:
    Webhook.objects.filter(pk=hook.pk).update(
        active=False, failures_in_row=5, disabled_reason="Disabled after 5 failed deliveries."
    )
    page = client_for(world.staff).get(BASE).content.decode()
    assert "http://127.0.0.1:9/hook" in page
    assert f'href="{BASE}{hook.pk}/"' in page
    assert '<span class="badge">Disabled</span> Disabled after 5 failed deliveries.' in page
    assert '<td class="num" data-label="Failures in a row">5</td>' in page
    assert f'href="{BASE}new/"' in page


def test_a_reader_gets_no_buttons(world: World, mekaar_reader: User, hook: Webhook) -> None:
    listing = client_for(mekaar_reader).get(BASE).content.decode()
    assert f'href="{BASE}new/"' not in listing
    detail = client_for(mekaar_reader).get(f"{BASE}{hook.pk}/").content.decode()
    for action in ACTIONS:
        assert f"{BASE}{hook.pk}/{action}/" not in detail
    assert "HTTP 503 Service Unavailable" in detail


def test_registering_shows_the_secret_once(world: World) -> None:
    client = client_for(world.staff)
    response = client.post(f"{BASE}new/", {**FORM, "secret": ""})
    assert response.status_code == 201
    hook = Webhook.objects.get()
    secret = webhooks.secret_of(hook)
    assert hook.partner == world.mekaar
    page = response.content.decode()
    assert 'id="webhook-secret"' in page
    assert secret in page
    again = client.get(f"{BASE}{hook.pk}/").content.decode()
    assert secret not in again
    assert 'id="webhook-secret"' not in again


def test_the_national_admin_chooses_the_partner(world: World, personas: Personas) -> None:
    client = client_for(personas.admin)
    form = client.get(f"{BASE}new/").content.decode()
    assert 'name="partner"' in form
    missing = client.post(f"{BASE}new/", FORM)
    assert missing.status_code == 400
    assert not Webhook.objects.exists()
    response = client.post(f"{BASE}new/", {**FORM, "partner": world.rembang_partner.pk})
    assert response.status_code == 201
    assert Webhook.objects.get().partner == world.rembang_partner


def test_staff_choose_no_partner(world: World) -> None:
    form = client_for(world.staff).get(f"{BASE}new/").content.decode()
    assert 'name="partner"' not in form
    assert 'name="secret"' in form
    assert 'value="referral.created"' in form


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secret": "short"}, "The secret must have from 16 to 100 characters."),
        ({"url": "http://mitra.example.id/x"}, "Plain http:// is allowed only for hosts"),
        ({"url": "https://[::1]/x"}, "a loopback, private or other internal address"),
        ({"events": ["referral.deleted"]}, "Select a valid choice."),
        ({"events": []}, "This field is required."),
    ],
)
def test_a_bad_form_is_shown_again_with_the_reason(
    world: World, changes: dict[str, Any], message: str
) -> None:
    response = client_for(world.staff).post(f"{BASE}new/", {**FORM, **changes})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Please correct the fields marked below." in page
    assert not Webhook.objects.exists()


def test_editing_changes_url_and_events(world: World, hook: Webhook) -> None:
    client = client_for(world.staff)
    form = client.get(f"{BASE}{hook.pk}/edit/").content.decode()
    assert 'value="http://127.0.0.1:9/hook"' in form
    assert 'name="secret"' not in form
    response = client.post(
        f"{BASE}{hook.pk}/edit/", {"url": "http://127.0.0.1:9/v2", "events": ["referral.updated"]}
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events) == ("http://127.0.0.1:9/v2", ["referral.updated"])
    bad = client.post(f"{BASE}{hook.pk}/edit/", {"url": "https://10.0.0.1/", "events": ["x"]})
    assert bad.status_code == 400


def test_disable_and_enable_buttons(world: World, hook: Webhook) -> None:
    client = client_for(world.staff)
    detail = f"{BASE}{hook.pk}/"
    assert f'action="{detail}disable/"' in client.get(detail).content.decode()
    assert client.post(f"{detail}disable/").status_code == 302
    hook.refresh_from_db()
    assert not hook.active
    page = client.get(detail).content.decode()
    assert f'action="{detail}enable/"' in page
    assert "The webhook is disabled." in page
    Webhook.objects.filter(pk=hook.pk).update(failures_in_row=4)
    client.post(f"{detail}enable/")
    hook.refresh_from_db()
    assert (hook.active, hook.failures_in_row) == (True, 0)


def test_delete_button(world: World, hook: Webhook) -> None:
    client = client_for(world.staff)
    response = client.post(f"{BASE}{hook.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == BASE
    assert not Webhook.objects.exists()


def test_the_delivery_log_shows_each_attempt(world: World, hook: Webhook) -> None:
    delivery = hook.deliveries.get()
    page = client_for(world.staff).get(f"{BASE}{hook.pk}/").content.decode()
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="code">referral.updated</span>' in row
    assert ">Waiting<" in row
    assert '<td class="num" data-label="Attempts">2</td>' in row
    assert '<span class="code">503</span> HTTP 503 Service Unavailable' in row
    assert timezone.localtime(delivery.next_attempt_at).strftime("%Y") in row
    assert 'hx-trigger="every 10s"' in page  # a delivery is waiting: the log keeps itself fresh


def test_an_htmx_request_gets_the_log_alone(world: World, hook: Webhook) -> None:
    response = client_for(world.staff).get(f"{BASE}{hook.pk}/", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<section id="deliveries"')
    assert "<html" not in page


def test_a_settled_log_does_not_poll(world: World, hook: Webhook) -> None:
    hook.deliveries.update(status="delivered", next_attempt_at=None)
    page = client_for(world.staff).get(f"{BASE}{hook.pk}/").content.decode()
    assert "hx-trigger" not in page


def test_the_list_takes_a_fixed_number_of_queries(
    world: World, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        register(world, f"http://127.0.0.1:9/hook/{n}")
    client = client_for(personas.admin)
    client.get(BASE)
    with django_assert_max_num_queries(8):
        response = client.get(BASE)
    assert len(response.context["webhooks"]) == 5
