"""Webhooks: where a partner's own system may be told of its referrals, what it is told,
and how each delivery is attempted, retried and given up.

A target is an HTTPS URL whose host resolves only to public addresses; plain HTTP and
internal addresses are for hosts listed in WEBHOOK_ALLOWED_HOSTS only. The check runs when
a webhook is registered and again at every attempt, and the attempt connects to the very
addresses it checked (a name that resolves elsewhere a moment later is never followed).

A delivery keeps, in `body`, the referral as its partner saw it when the event happened
(partners.disclosure.for_partner: never an NIK). Each attempt sends the JSON object
`{"event", "delivery", "timestamp", "referral"}`, its raw bytes signed with HMAC-SHA256 under
the webhook's secret (`X-Sinergi-Signature: sha256=<hex>`), the same `timestamp` in
`X-Sinergi-Timestamp`. The delivery id stays the same across attempts, the timestamp is the
attempt's own: a receiver refuses stale timestamps and delivery ids it already handled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import string
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.lib.crypto import decrypt, encrypt
from sinergi.partners.choices import DeliveryStatus, WebhookEvent
from sinergi.partners.disclosure import for_partner
from sinergi.partners.models import Delivery, Referral, Webhook
from sinergi.partners.words import instrument_definition

EVENTS = tuple(WebhookEvent.values)
SIGNATURE_HEADER = "X-Sinergi-Signature"
TIMESTAMP_HEADER = "X-Sinergi-Timestamp"
FIRST_RETRY_SECONDS = 30
SECRET_MIN_LENGTH = 16
# Encrypted, a secret of this length still fits Webhook.secret (200 characters).
SECRET_MAX_LENGTH = 100
_SECRET_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)
# The well-known NAT64 prefix: its addresses reach the IPv4 address in their last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# --- Targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the addresses found when it was checked) and what to
    ask for there."""

    https: bool
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def listed(host: str) -> bool:
    """Whether the host is in WEBHOOK_ALLOWED_HOSTS (plain HTTP and internal addresses)."""
    allowed = {name.lower().rstrip(".") for name in settings.WEBHOOK_ALLOWED_HOSTS}
    return host.lower().rstrip(".") in allowed


def internal(address: str) -> bool:
    """Whether an address is one a webhook must not reach: loopback, private, link-local,
    reserved, multicast, unspecified or otherwise not global, also when an IPv6 address
    carries such an IPv4 address (mapped, 6to4, NAT64)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and internal(str(embedded)):
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address the host resolves to, in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return tuple(dict.fromkeys(str(info[4][0]) for info in found))


def check_target(url: str) -> tuple[Target | None, list[str]]:
    """The target a URL names, or None and what is wrong with it, in words."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    problems = []
    if scheme not in ("http", "https"):
        return None, [_("The URL must start with https://.")]
    if not host:
        return None, [_("The URL names no host.")]
    if parts.username is not None or parts.password is not None:
        problems.append(
            _("The URL must not carry a user name or password: the signature proves the sender.")
        )
    if scheme == "http" and not listed(host):
        problems.append(
            _(
                "Plain http:// is allowed only for hosts listed in WEBHOOK_ALLOWED_HOSTS; "
                "use https://."
            )
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        problems.append(_("The port is not valid."))
    if problems:
        return None, problems
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None, [_("The host %(host)s cannot be found.") % {"host": host}]
    if not listed(host):
        for address in addresses:
            if internal(address):
                return None, [
                    _(
                        "%(host)s resolves to %(address)s, a loopback, private or other "
                        "internal address; only hosts listed in WEBHOOK_ALLOWED_HOSTS may."
                    )
                    % {"host": host, "address": address}
                ]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme == "https", host, port, path, addresses), []


def target_problems(url: str) -> list[str]:
    """What is wrong with a webhook's URL, in words (none: it may be registered)."""
    return check_target(url)[1]


# --- Secrets and signatures -------------------------------------------------------------------


def secret_problems(secret: str) -> list[str]:
    """What is wrong with a secret a partner chose."""
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        return [
            _("The secret must have from %(least)d to %(most)d characters.")
            % {"least": SECRET_MIN_LENGTH, "most": SECRET_MAX_LENGTH}
        ]
    if not set(secret) <= _SECRET_CHARACTERS:
        return [_("The secret may hold only letters, digits and punctuation (no spaces).")]
    return []


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def seal(secret: str) -> str:
    """A secret as it is stored (encrypted)."""
    return encrypt(secret)


def secret_of(webhook: Webhook) -> str:
    return decrypt(webhook.secret)


def signature(secret: str, body: bytes) -> str:
    """The X-Sinergi-Signature of a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wire_body(delivery: Delivery, timestamp: int) -> bytes:
    """The raw bytes an attempt sends (and signs)."""
    payload = {
        "event": delivery.event,
        "delivery": delivery.pk,
        "timestamp": timestamp,
        "referral": json.loads(delivery.body),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# --- Queueing -------------------------------------------------------------------------------


def queue_deliveries(referral: Referral, webhook_event: str) -> list[Delivery]:
    """One pending delivery of the event to each active webhook of the referral's addressee
    that wants it, due now, with the referral as the partner sees it at this moment (in the
    default language). Called inside the writer's transaction, so it commits with it."""
    if referral.addressee_id is None:
        return []
    hooks = [
        hook
        for hook in Webhook.objects.filter(partner_id=referral.addressee_id, active=True)
        if webhook_event in hook.events
    ]
    if not hooks:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        seen = for_partner(referral, instrument_definition())
    body = json.dumps(seen, ensure_ascii=False)
    now = timezone.now()
    return [
        Delivery.objects.create(webhook=hook, event=webhook_event, body=body, next_attempt_at=now)
        for hook in hooks
    ]


def due(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due, oldest first."""
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Attempts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the answer's status code (None when there was none) and, when
    it failed, why in words."""

    status_code: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again: 30 s after
    the first, then twice as long each time."""
    return dt.timedelta(seconds=FIRST_RETRY_SECONDS * 2 ** (attempts - 1))


def _lease() -> dt.timedelta:
    """How long a claimed attempt holds its delivery: past the longest an attempt can take,
    so that only a worker that died mid-attempt loses it (to the periodic sweep)."""
    return dt.timedelta(seconds=4 * settings.WEBHOOK_TIMEOUT_SECONDS + 60)


def attempt(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Make the next attempt of a pending delivery whose time has come, and record it: 2xx
    is delivered; a failure is tried again after retry_delay, up to WEBHOOK_ATTEMPTS
    attempts, after which the delivery has failed, which counts against its webhook (see
    _record). None when there is nothing to do (delivered, failed, not due yet, or taken by
    another worker), so running it twice is harmless. `now`: the clock (tests)."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("webhook")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return None
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        status=DeliveryStatus.PENDING,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + _lease())
    if not claimed:
        return None
    delivery.attempts += 1
    if delivery.webhook.active:
        outcome = send(delivery, now)
    else:
        outcome = Outcome(None, _("The webhook is disabled."))
    return _record(delivery, outcome, now)


def send(delivery: Delivery, now: dt.datetime) -> Outcome:
    """POST the delivery once to its webhook's URL, checked again now, without following
    redirects."""
    target, problems = check_target(delivery.webhook.url)
    if target is None:
        return Outcome(None, " ".join(problems))
    timestamp = int(now.timestamp())
    body = wire_body(delivery, timestamp)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Sinergi-Webhooks/1",
        "X-Sinergi-Event": delivery.event,
        "X-Sinergi-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret_of(delivery.webhook), body),
    }
    connection = _connection(target, settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        status, reason = response.status, response.reason
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, (str(exc) or type(exc).__name__)[:255])
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(status)
    if 300 <= status < 400:
        return Outcome(status, _("Redirects are not followed: answer 2xx at the URL itself.")[:255])
    return Outcome(status, f"HTTP {status} {reason}"[:255])


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the addresses a target was checked with, whatever the name
    resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.addresses = target.addresses

    def _open(self) -> socket.socket:
        error: OSError = OSError(_("The host has no address."))
        for address in self.addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error

    def connect(self) -> None:
        self.sock = self._open()


class _PinnedHTTPS(_PinnedHTTP):
    """The same over TLS; the certificate is verified for the host's name."""

    def connect(self) -> None:
        self.sock = tls_context().wrap_socket(self._open(), server_hostname=self.host)


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities."""
    return ssl.create_default_context()


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    return (_PinnedHTTPS if target.https else _PinnedHTTP)(target, timeout)


def _record(delivery: Delivery, outcome: Outcome, now: dt.datetime) -> Delivery:
    """Write an attempt's outcome. A delivered one resets its webhook's failures in a row;
    a delivery that failed its last attempt adds one, and at WEBHOOK_DISABLE_AFTER the
    webhook is disabled (audited)."""
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.last_attempt_at = now
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        if outcome.delivered:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                now,
                None,
            )
            if hook.failures_in_row:
                hook.failures_in_row = 0
                hook.save(update_fields=["failures_in_row"])
        elif delivery.attempts < settings.WEBHOOK_ATTEMPTS and hook.active:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            if hook.active:
                _count_failure(hook, outcome)
        delivery.save(
            update_fields=[
                "status",
                "last_status_code",
                "last_error",
                "last_attempt_at",
                "next_attempt_at",
                "delivered_at",
            ]
        )
    delivery.webhook = hook
    return delivery


def _count_failure(hook: Webhook, outcome: Outcome) -> None:
    hook.failures_in_row += 1
    fields = ["failures_in_row"]
    if hook.failures_in_row >= settings.WEBHOOK_DISABLE_AFTER:
        with translation.override(settings.LANGUAGE_CODE):
            hook.disabled_reason = (
                _("Disabled after %(n)d failed deliveries in a row (last: %(error)s).")
                % {"n": hook.failures_in_row, "error": outcome.error or "?"}
            )[:255]
        hook.active = False
        fields += ["active", "disabled_reason"]
        record(
            None,
            Action.UPDATE,
            hook,
            before={"active": True},
            after={"active": False, "failures_in_row": hook.failures_in_row},
            note="disabled after failed deliveries",
        )
    hook.save(update_fields=fields)
