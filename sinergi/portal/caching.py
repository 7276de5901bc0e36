"""Public pages are the same for every anonymous visitor, so each is rendered once per
change: kept in the shared cache under its path, query and language, and keyed on the
public version, which every write that changes what the public sees bumps (a publication
of the figures, a published or withdrawn article). No time-based expiry: the next request
after a change renders afresh, and nothing else does."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.utils import translation

VERSION_KEY = "portal:public-version"

View = Callable[..., HttpResponse]


def _cache() -> BaseCache:
    return caches["shared"]


def public_version() -> int:
    """The current version of what the public sees (1 before any change)."""
    version = _cache().get(VERSION_KEY)
    if version is None:
        _cache().add(VERSION_KEY, 1, timeout=None)
        version = _cache().get(VERSION_KEY, 1)
    return int(version)


def bump_public_version() -> None:
    """Called by every write the public can see, after it commits."""
    public_version()
    try:
        _cache().incr(VERSION_KEY)
    except ValueError:  # evicted in between
        _cache().set(VERSION_KEY, 2, timeout=None)


def page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"portal:page:{public_version()}:{translation.get_language()}:{path}"


def public_page(view: View) -> View:
    """Serve an anonymous GET from the cache when nothing public changed since it was
    rendered; signed-in visitors (whose header differs) always get a fresh page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = page_key(request)
        cached = _cache().get(key)
        if cached is not None:
            status, content_type, body = cached
            response = HttpResponse(body, status=status, content_type=content_type)
            response["X-Sinergi-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            _cache().set(
                key, (response.status_code, response["Content-Type"], response.content), None
            )
        response["X-Sinergi-Cache"] = "miss"
        return response

    return wrapper
