"""Spam protection of the public forms without any third party: a honeypot field people do
not see, a signed timestamp (a form sent within seconds of being served was not filled in
by a person; one served hours ago is stale), and a limit per client address, counted in
the shared cache under a hash of the address (the address itself is never kept)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.lib.clients import client_address

HONEYPOT = "website"  # a name bots like to fill
STAMP_FIELD = "form_stamp"
_SALT = "sinergi.information.form"
MIN_SECONDS = 3
MAX_SECONDS = 4 * 3600
WINDOW = 3600


class Spam(Exception):
    """A submission refused as automated; the message says what to do."""


def issue_token(issued_at: float | None = None) -> str:
    return signing.dumps({"t": time.time() if issued_at is None else issued_at}, salt=_SALT)


def check_token(token: str) -> None:
    try:
        issued = float(signing.loads(token, salt=_SALT, max_age=MAX_SECONDS)["t"])
    except signing.SignatureExpired as expired:
        raise Spam(_("This form was opened too long ago. Please fill it in again.")) from expired
    except (signing.BadSignature, KeyError, TypeError, ValueError) as bad:
        raise Spam(_("This form could not be verified. Please fill it in again.")) from bad
    age = time.time() - issued
    if age > MAX_SECONDS:
        raise Spam(_("This form was opened too long ago. Please fill it in again."))
    if age < MIN_SECONDS:
        raise Spam(_("The form was sent too quickly. Please check it and send it again."))


def check_honeypot(value: str) -> None:
    if value:
        raise Spam(_("The form could not be accepted. Leave the hidden field empty."))


def _key(request: HttpRequest, bucket: str) -> str:
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"information:rate:{bucket}:{digest}"


def check_rate(request: HttpRequest, bucket: str, limit: int) -> None:
    """Refuse when this address has used up its `limit` per hour in `bucket`."""
    if int(caches["shared"].get(_key(request, bucket), 0)) >= limit:
        raise Spam(_("Too many submissions from your connection. Please try again in an hour."))


def count_rate(request: HttpRequest, bucket: str) -> None:
    cache = caches["shared"]
    key = _key(request, bucket)
    cache.add(key, 0, timeout=WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, timeout=WINDOW)


def refusal(request: HttpRequest, bucket: str, limit: int) -> str | None:
    """Why a public form's POST is refused as spam, or None: honeypot, timestamp, rate."""
    try:
        check_honeypot(request.POST.get(HONEYPOT, ""))
        check_token(request.POST.get(STAMP_FIELD, ""))
        check_rate(request, bucket, limit)
    except Spam as spam:
        return str(spam)
    return None
