"""Which targets a webhook may have, the secret and events it needs, and who registers,
changes and deletes webhooks (the services)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from sinergi.audit.models import Action, AuditEvent
from sinergi.partners import webhook_services, webhooks
from sinergi.partners.models import Delivery, Webhook
from sinergi.partners.services import Refused
from sinergi.partners.tests.conftest import World
from sinergi.partners.tests.webhook_support import SECRET, register
from sinergi.test import Personas

INTERNAL = "a loopback, private or other internal address"


@pytest.fixture
def nothing_listed(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []


@pytest.mark.usefixtures("nothing_listed")
@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/hook",
        "https://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
        "https://2130706433/hook",  # 127.0.0.1 as one number
        "https://0x7f.1/hook",
    ],
)
def test_it_refuses_targets_that_resolve_inside(url: str) -> None:
    [problem] = webhooks.target_problems(url)
    assert INTERNAL in problem


@pytest.mark.usefixtures("nothing_listed")
def test_it_names_the_host_and_the_address_it_refuses() -> None:
    [problem] = webhooks.target_problems("https://localhost:8443/x")
    assert problem.startswith(("localhost resolves to 127.0.0.1", "localhost resolves to ::1"))
    assert "WEBHOOK_ALLOWED_HOSTS" in problem


@pytest.mark.usefixtures("nothing_listed")
def test_it_refuses_a_name_with_any_internal_address(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "mixed.example.id":
            return real("93.184.215.14", port, *args, **kwargs) + real(
                "10.1.2.3", port, *args, **kwargs
            )
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    [problem] = webhooks.target_problems("https://mixed.example.id/hook")
    assert "10.1.2.3" in problem


@pytest.mark.usefixtures("nothing_listed")
def test_it_refuses_plain_http_to_a_host_not_listed() -> None:
    [problem] = webhooks.target_problems("http://8.8.8.8/hook")
    assert "Plain http:// is allowed only for hosts listed in WEBHOOK_ALLOWED_HOSTS" in problem


@pytest.mark.usefixtures("nothing_listed")
@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://8.8.8.8/hook", "must start with https://"),
        ("8.8.8.8/hook", "must start with https://"),
        ("https:///hook", "names no host"),
        ("https://user:pw@8.8.8.8/hook", "user name or password"),
        ("https://token@8.8.8.8/hook", "user name or password"),
        ("https://8.8.8.8:99999/hook", "port is not valid"),
    ],
)
def test_it_refuses_malformed_urls(url: str, fragment: str) -> None:
    problems = webhooks.target_problems(url)
    assert any(fragment in p for p in problems), problems


@pytest.mark.usefixtures("nothing_listed")
def test_it_says_when_a_host_cannot_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(host: str, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    assert webhooks.target_problems("https://nowhere.example.id/") == [
        "The host nowhere.example.id cannot be found."
    ]


@pytest.mark.usefixtures("nothing_listed")
def test_it_accepts_https_to_a_public_address() -> None:
    assert webhooks.target_problems("https://8.8.8.8/sinergi?key=1") == []
    assert webhooks.target_problems("https://[2001:4860:4860::8888]/hook") == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "http://LOCALHOST/x"]
)
def test_a_listed_host_may_use_plain_http_and_internal_addresses(settings: Any, url: str) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert webhooks.target_problems(url) == []


def test_listing_is_by_name_not_by_address(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    [problem] = webhooks.target_problems("https://localhost/hook")
    assert INTERNAL in problem
    assert webhooks.target_problems("http://127.0.0.1/hook") == []


def test_retries_wait_30_seconds_then_twice_as_long_each_time() -> None:
    assert [webhooks.retry_delay(n).total_seconds() for n in range(1, 6)] == [
        30,
        60,
        120,
        240,
        480,
    ]


def test_the_signature_is_the_hmac_sha256_of_the_raw_body() -> None:
    # The known answer of HMAC-SHA256 with key "key" (Wikipedia's example).
    assert webhooks.signature("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )
    assert webhooks.signature("key", b"{}") != webhooks.signature("key", b"{} ")


# --- Services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_registers_a_webhook_with_its_secret_encrypted_and_audited(
    world: World, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = register(world, "http://127.0.0.1:9/hook", events=("referral.updated",) * 2)
    assert hook.partner == world.mekaar
    assert hook.events == ["referral.updated"]
    assert SECRET not in hook.secret
    assert webhooks.secret_of(hook) == SECRET
    event = AuditEvent.objects.get(object_type="webhook", object_id=str(hook.pk))
    assert event.action == Action.CREATE
    assert event.after == {
        "partner": world.mekaar.pk,
        "url": "http://127.0.0.1:9/hook",
        "events": ["referral.updated"],
        "active": True,
    }
    assert SECRET not in str(event.after)


@pytest.mark.django_db
def test_it_generates_a_secret_when_none_is_given(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    first = register(world, "http://127.0.0.1:9/a", secret=None)
    second = register(world, "http://127.0.0.1:9/b", secret=None)
    assert len(webhooks.secret_of(first)) >= webhooks.SECRET_MIN_LENGTH
    assert webhooks.secret_problems(webhooks.secret_of(first)) == []
    assert webhooks.secret_of(first) != webhooks.secret_of(second)


@pytest.mark.django_db
@pytest.mark.usefixtures("nothing_listed")
@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"url": "http://127.0.0.1/hook"}, "url", "Plain http://"),
        ({"url": "https://127.0.0.1/hook"}, "url", INTERNAL),
        ({"url": "  "}, "url", "Give the URL"),
        ({"url": "https://8.8.8.8/" + "x" * 500}, "url", "longer than 500"),
        ({"events": []}, "events", "at least one event"),
        ({"events": ["referral.deleted"]}, "events", "Unknown event referral.deleted"),
        ({"secret": "x" * 15}, "secret", "from 16 to 100 characters"),
        ({"secret": "x" * 101}, "secret", "from 16 to 100 characters"),
        ({"secret": "spaces are not ok here"}, "secret", "no spaces"),
        ({"secret": "rahasia-pnm-mekaar-é"}, "secret", "no spaces"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(
    world: World, changes: dict[str, Any], field: str, fragment: str
) -> None:
    data: dict[str, Any] = {
        "url": "https://8.8.8.8/hook",
        "events": ["referral.created"],
        "secret": SECRET,
        **changes,
    }
    with pytest.raises(Refused) as refused:
        webhook_services.register_webhook(user=world.staff, partner=world.mekaar, **data)
    assert list(refused.value.errors) == [field]
    assert fragment in refused.value.errors[field][0]
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_only_managers_of_the_partner_and_the_national_admin_register(
    world: World, personas: Personas, mekaar_reader: Any, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    for outsider in (mekaar_reader, world.other_staff, personas.rembang, personas.jateng):
        with pytest.raises(Refused) as refused:
            webhook_services.register_webhook(
                user=outsider,
                partner=world.mekaar,
                url="http://127.0.0.1/hook",
                events=["referral.created"],
            )
        assert list(refused.value.errors) == ["partner"]
    hook = webhook_services.register_webhook(
        user=personas.admin,
        partner=world.rembang_partner,
        url="http://127.0.0.1/hook",
        events=["referral.created"],
    )
    assert hook.partner == world.rembang_partner


@pytest.mark.django_db
def test_turning_a_webhook_on_again_starts_its_failures_afresh(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = register(world, "http://127.0.0.1:9/hook")
    Webhook.objects.filter(pk=hook.pk).update(
        active=False, failures_in_row=5, disabled_reason="Disabled after 5 failed deliveries"
    )
    hook.refresh_from_db()
    hook = webhook_services.change_webhook(user=world.staff, webhook=hook, active=True)
    assert (hook.active, hook.failures_in_row, hook.disabled_reason) == (True, 0, "")
    event = AuditEvent.objects.filter(object_type="webhook", action=Action.UPDATE).get()
    assert (event.before, event.after) == ({"active": False}, {"active": True})


@pytest.mark.django_db
def test_a_change_is_checked_like_a_registration(world: World, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = register(world, "http://127.0.0.1:9/hook")
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(Refused) as refused:
        webhook_services.change_webhook(
            user=world.staff, webhook=hook, url="https://10.0.0.1/", events=[]
        )
    assert set(refused.value.errors) == {"url", "events"}
    hook.refresh_from_db()
    assert hook.url == "http://127.0.0.1:9/hook"


@pytest.mark.django_db
def test_deleting_a_webhook_takes_its_log_and_is_audited(
    world: World, personas: Personas, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    hook = register(world, "http://127.0.0.1:9/hook")
    hook.deliveries.create(event="referral.created", body="{}")
    with pytest.raises(Refused):
        webhook_services.delete_webhook(user=world.other_staff, webhook=hook)
    hook_id = hook.pk
    webhook_services.delete_webhook(user=personas.admin, webhook=hook)
    assert not Webhook.objects.exists()
    assert not Delivery.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="webhook", object_id=str(hook_id), action=Action.DELETE
    ).exists()
