"""Deliveries against a real HTTP receiver on 127.0.0.1: signed, retried with backoff,
failed and the webhook disabled, never an NIK; the target checked again at each attempt."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from sinergi.audit.models import AuditEvent
from sinergi.lib.crypto import decrypt
from sinergi.partners import services, tasks, webhooks
from sinergi.partners.choices import DeliveryStatus
from sinergi.partners.models import Delivery
from sinergi.partners.tests.conftest import World
from sinergi.partners.tests.webhook_support import (
    SECRET,
    Receiver,
    accept,
    register,
    sent_referral,
    serve,
)
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

DOCS = Path(django_settings.BASE_DIR) / "docs" / "api.md"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    yield from serve()


@pytest.fixture
def documented_verify() -> Callable[..., Any]:
    """The receiver's check exactly as docs/api.md shows it to partners."""
    text = DOCS.read_text()
    section = text[text.index("## Webhooks") :]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[:1]
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own documentation's example
    verify: Callable[..., Any] = namespace["verify"]
    return verify


def run_out(delivery_id: int, start: dt.datetime) -> tuple[Delivery, list[dt.datetime]]:
    """Attempt a delivery at each time it asks for until it is settled; the times used."""
    now, times = start, []
    while True:
        delivery = webhooks.attempt(delivery_id, now=now)
        assert delivery is not None
        times.append(now)
        if delivery.status != DeliveryStatus.PENDING:
            return delivery, times
        assert delivery.next_attempt_at is not None
        now = delivery.next_attempt_at


def test_a_sent_referral_is_delivered_signed_once_committed(
    world: World,
    personas: Personas,
    receiver: Receiver,
    documented_verify: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world, personas)
        assert receiver.received == []  # nothing leaves before the writer commits
    [got] = receiver.received
    assert got.path == "/sinergi/hook"
    assert got.headers["Content-Type"] == "application/json"
    payload = documented_verify(SECRET, got.body, got.headers, set())
    assert got.headers["X-Sinergi-Timestamp"] == str(payload["timestamp"])
    assert abs(payload["timestamp"] - time.time()) < 60
    delivery = Delivery.objects.get(webhook=hook)
    assert payload["event"] == "referral.created" == got.headers["X-Sinergi-Event"]
    assert payload["delivery"] == delivery.pk == int(got.headers["X-Sinergi-Delivery"])
    assert payload["referral"]["id"] == referral.pk
    assert payload["referral"]["status"] == "sent"
    assert payload["referral"]["actor"]["name"] == world.actor.name
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


def test_a_receiver_refuses_a_forged_or_replayed_delivery(
    world: World,
    personas: Personas,
    receiver: Receiver,
    documented_verify: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world, personas)
    [got] = receiver.received
    with pytest.raises(ValueError, match="bad signature"):
        documented_verify("another-secret-0123456789", got.body, got.headers, set())
    tampered = got.body.replace(b'"status":"sent"', b'"status":"served"')
    assert tampered != got.body
    with pytest.raises(ValueError, match="bad signature"):
        documented_verify(SECRET, tampered, got.headers, set())
    stale = {**got.headers, "X-Sinergi-Timestamp": str(int(time.time()) - 3600)}
    with pytest.raises(ValueError, match="does not match"):
        documented_verify(SECRET, got.body, stale, set())
    seen: set[int] = set()
    documented_verify(SECRET, got.body, got.headers, seen)
    with pytest.raises(ValueError, match="already handled"):
        documented_verify(SECRET, got.body, got.headers, seen)


def test_an_update_reaches_only_webhooks_that_want_it(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    created_only = register(world, receiver.url("/created"), events=("referral.created",))
    both = register(world, receiver.url("/both"))
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world, personas)
    with django_capture_on_commit_callbacks(execute=True):
        accept(world, referral)
    assert sorted((r.path, r.payload["event"]) for r in receiver.received) == [
        ("/both", "referral.created"),
        ("/both", "referral.updated"),
        ("/created", "referral.created"),
    ]
    updated = [r.payload for r in receiver.received if r.payload["event"] == "referral.updated"]
    assert updated[0]["referral"]["status"] == "accepted"
    assert created_only.deliveries.count() == 1
    assert both.deliveries.count() == 2


def test_a_change_rolled_back_sends_nothing(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                sent_referral(world, personas)
                raise RuntimeError("the writer fails after announcing")
        except RuntimeError:
            pass
    assert callbacks == []
    assert receiver.received == []
    assert not hook.deliveries.exists()


def test_a_proposed_referral_tells_the_partner_nothing(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        services.propose_referral(user=personas.rembang, actor=world.actor, offer=world.credit)
    assert receiver.received == []
    assert not hook.deliveries.exists()


def test_it_retries_with_backoff_until_the_receiver_answers(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.answer(500, 500, then=200)
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world, personas)
    delivery = Delivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert delivery.last_attempt_at is not None
    assert delivery.next_attempt_at is not None
    first_retry = delivery.next_attempt_at
    assert first_retry - delivery.last_attempt_at == dt.timedelta(seconds=30)
    # Not due yet: nothing is sent, nothing changes.
    assert webhooks.attempt(delivery.pk, now=first_retry - dt.timedelta(seconds=1)) is None
    assert len(receiver.received) == 1
    second = webhooks.attempt(delivery.pk, now=first_retry)
    assert second is not None
    assert second.next_attempt_at is not None
    assert (second.status, second.attempts, second.last_status_code) == ("pending", 2, 500)
    assert second.next_attempt_at - first_retry == dt.timedelta(seconds=60)
    third = webhooks.attempt(delivery.pk, now=second.next_attempt_at)
    assert third is not None
    assert (third.status, third.attempts, third.last_status_code) == ("delivered", 3, 200)
    assert third.next_attempt_at is None
    assert len(receiver.received) == 3
    assert {r.payload["delivery"] for r in receiver.received} == {delivery.pk}
    stamps = [int(r.headers["X-Sinergi-Timestamp"]) for r in receiver.received]
    assert stamps[1:] == [int(first_retry.timestamp()), int(second.next_attempt_at.timestamp())]
    # Settled: running it again, even much later, sends nothing.
    later = timezone.now() + dt.timedelta(days=1)
    assert webhooks.attempt(delivery.pk, now=later) is None
    tasks.deliver(delivery.pk)
    assert len(receiver.received) == 3


def test_the_task_schedules_the_next_attempt_when_one_fails(
    world: World, personas: Personas, receiver: Receiver
) -> None:
    receiver.answer(then=500)
    register(world, receiver.url())
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at is not None
    [retry] = [task for task in HUEY.scheduled() if task.args == (delivery.pk,)]
    assert retry.name.endswith("deliver")
    due_at = timezone.make_naive(delivery.next_attempt_at, dt.UTC)  # huey keeps naive UTC
    assert dt.timedelta(0) <= retry.eta - due_at <= dt.timedelta(seconds=3)


def test_a_failing_receiver_fails_the_delivery_then_disables_the_webhook(
    world: World, personas: Personas, receiver: Receiver, settings: Any
) -> None:
    receiver.answer(then=500)
    hook = register(world, receiver.url())
    referral = sent_referral(world, personas)  # not committed: the test drives each attempt
    for failed in range(1, settings.WEBHOOK_DISABLE_AFTER + 1):
        [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
        assert delivery.next_attempt_at is not None
        done, times = run_out(delivery.pk, delivery.next_attempt_at)
        assert (done.status, done.attempts) == ("failed", settings.WEBHOOK_ATTEMPTS)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert gaps == [30 * 2**n for n in range(settings.WEBHOOK_ATTEMPTS - 1)]
        hook.refresh_from_db()
        assert hook.failures_in_row == failed
        assert hook.active == (failed < settings.WEBHOOK_DISABLE_AFTER)
    assert len(receiver.received) == settings.WEBHOOK_ATTEMPTS * settings.WEBHOOK_DISABLE_AFTER
    assert "500" in hook.disabled_reason
    assert AuditEvent.objects.filter(
        object_type="webhook", object_id=str(hook.pk), note="disabled after failed deliveries"
    ).exists()
    # Disabled: later events are not queued for it.
    assert webhooks.queue_deliveries(referral, "referral.updated") == []


def test_a_delivered_event_resets_the_failures_in_a_row(
    world: World, personas: Personas, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_ATTEMPTS = 5
    receiver.answer(*[503] * 5, then=204)
    hook = register(world, receiver.url())
    referral = sent_referral(world, personas)
    [first] = webhooks.queue_deliveries(referral, "referral.updated")
    done, _times = run_out(first.pk, timezone.now())
    assert (done.status, done.attempts, done.last_status_code) == ("failed", 5, 503)
    hook.refresh_from_db()
    assert hook.failures_in_row == 1
    [second] = webhooks.queue_deliveries(referral, "referral.updated")
    done, _times = run_out(second.pk, timezone.now())
    assert (done.status, done.last_status_code) == ("delivered", 204)
    hook.refresh_from_db()
    assert (hook.failures_in_row, hook.active) == (0, True)


def test_the_payload_holds_no_nik_clear_or_masked(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world, personas)
    with django_capture_on_commit_callbacks(execute=True):
        accept(world, referral)
    nik = decrypt(world.actor.nik_encrypted)
    assert len(nik) == 16
    assert world.actor.nik_masked
    bodies = [r.body.decode() for r in receiver.received]
    bodies += list(hook.deliveries.values_list("body", flat=True))
    assert len(bodies) == 4
    for text in bodies:
        for form in (nik, world.actor.nik_masked, world.actor.nik_masked.rstrip("•")):
            assert form not in text
            assert json.dumps(form) not in text  # nor escaped
        assert "nik" not in text.lower()


def test_a_redirect_is_not_followed(
    world: World, personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.script.location = receiver.url("/elsewhere")
    receiver.answer(302)
    hook = register(world, receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        sent_referral(world, personas)
    assert [r.path for r in receiver.received] == ["/sinergi/hook"]
    delivery = hook.deliveries.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert "Redirects are not followed" in delivery.last_error


def test_an_answer_later_than_the_timeout_is_a_failed_attempt(
    world: World, personas: Personas, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.script.delay = 2
    register(world, receiver.url())
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    started = time.monotonic()
    done = webhooks.attempt(delivery.pk)
    assert time.monotonic() - started < 2
    assert done is not None
    assert (done.status, done.last_status_code) == ("pending", None)
    assert "timed out" in done.last_error


def test_a_name_that_now_resolves_inside_fails_the_attempt_unsent(
    world: World,
    personas: Personas,
    receiver: Receiver,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: registered while public, internal at delivery time."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    answers = {"mitra.example.id": "93.184.215.14"}
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return real(answers[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    register(world, f"https://mitra.example.id:{receiver.port}/hook")
    answers["mitra.example.id"] = "127.0.0.1"
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    done = webhooks.attempt(delivery.pk)
    assert done is not None
    assert (done.status, done.last_status_code) == ("pending", None)
    assert "resolves to 127.0.0.1, a loopback, private or other internal" in done.last_error
    assert receiver.received == []
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_it_connects_to_the_address_it_checked_with_the_name_as_host(
    world: World,
    personas: Personas,
    receiver: Receiver,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["mitra.test"]
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        return real("127.0.0.1" if host == "mitra.test" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    register(world, f"http://mitra.test:{receiver.port}/hook?key=1")
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    lookups.clear()
    done = webhooks.attempt(delivery.pk)
    assert done is not None
    assert done.status == "delivered"
    # Resolved once, to check; then connected to the address checked.
    assert lookups.count("mitra.test") == 1
    assert set(lookups) <= {"mitra.test", "127.0.0.1"}
    [got] = receiver.received
    assert got.headers["Host"] == f"mitra.test:{receiver.port}"
    assert got.path == "/hook?key=1"


def test_a_delivery_to_a_disabled_webhook_fails_without_counting(
    world: World, personas: Personas, receiver: Receiver
) -> None:
    hook = register(world, receiver.url())
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    hook.active = False
    hook.save()
    done = webhooks.attempt(delivery.pk)
    assert done is not None
    assert (done.status, done.last_error) == ("failed", "The webhook is disabled.")
    hook.refresh_from_db()
    assert hook.failures_in_row == 0
    assert receiver.received == []


def test_the_periodic_sweep_takes_up_due_deliveries(
    world: World, personas: Personas, receiver: Receiver
) -> None:
    """What a restarted consumer does: the task of an on_commit or a scheduled retry is
    lost, the sweep sends what is due (huey runs tasks at once in tests)."""
    hook = register(world, receiver.url())
    referral = sent_referral(world, personas)  # uncommitted: its task never ran
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    later = hook.deliveries.exclude(pk=delivery.pk).get()  # referral.created, also pending
    Delivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert webhooks.due() == [delivery.pk]
    tasks.deliver_due()
    assert [r.payload["delivery"] for r in receiver.received] == [delivery.pk]
    assert Delivery.objects.get(pk=delivery.pk).status == "delivered"
    assert Delivery.objects.get(pk=later.pk).status == "pending"


def test_a_second_worker_does_not_send_a_claimed_delivery_again(
    world: World, personas: Personas, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(world, receiver.url())
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    nested: list[Delivery | None] = []
    send = webhooks.send

    def send_while_another_tries(d: Delivery, now: dt.datetime) -> webhooks.Outcome:
        nested.append(webhooks.attempt(d.pk, now=now))  # the same task, run again meanwhile
        return send(d, now)

    monkeypatch.setattr(webhooks, "send", send_while_another_tries)
    done = webhooks.attempt(delivery.pk)
    assert nested == [None]
    assert done is not None
    assert done.status == "delivered"
    assert len(receiver.received) == 1


# --- HTTPS ------------------------------------------------------------------------------------


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_receiver(settings: Any, tmp_path: Path) -> Iterator[tuple[Receiver, Path]]:
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    cert_file, key_file = _self_signed(tmp_path)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert_file, key_file)
    for receiver in serve(lambda sock: server_side.wrap_socket(sock, server_side=True)):
        receiver.host = "localhost"
        yield receiver, cert_file


def test_it_delivers_over_https_verifying_the_certificate(
    world: World,
    personas: Personas,
    tls_receiver: tuple[Receiver, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver, cert_file = tls_receiver
    register(world, receiver.url(scheme="https"))
    referral = sent_referral(world, personas)
    [delivery] = webhooks.queue_deliveries(referral, "referral.updated")
    # The system's authorities do not know this certificate: refused.
    done = webhooks.attempt(delivery.pk)
    assert done is not None
    assert done.status == "pending"
    assert "CERTIFICATE_VERIFY_FAILED" in done.last_error
    assert receiver.received == []
    # Trusted, it is verified for the name and the delivery goes through.
    monkeypatch.setattr(
        webhooks, "tls_context", lambda: ssl.create_default_context(cafile=str(cert_file))
    )
    assert done.next_attempt_at is not None
    done = webhooks.attempt(delivery.pk, now=done.next_attempt_at)
    assert done is not None
    assert done.status == "delivered"
    [got] = receiver.received
    assert got.payload["delivery"] == delivery.pk
