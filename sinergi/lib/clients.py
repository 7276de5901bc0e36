"""The address a request came from, as far as the deployment lets us know it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address: the connection's, or with TRUSTED_PROXY_COUNT = n proxies in
    front, the n-th address from the right of X-Forwarded-For (each proxy appends the address
    it was reached from, so entries further left are whatever the client chose to send)."""
    if request is None:
        return UNKNOWN
    remote = _valid(str(request.META.get("REMOTE_ADDR", ""))) or UNKNOWN
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [
        part for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part
    ]
    if len(forwarded) < hops:
        return remote
    return _valid(forwarded[-hops]) or remote


def client_key(address: str) -> str:
    """What failed logins are counted against: the address, or for IPv6 its /64 network, as
    one subscriber is commonly given a whole /64 and could otherwise change address at will."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
