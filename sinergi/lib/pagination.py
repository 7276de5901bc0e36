"""Cursor pagination for API lists: {"count", "items", "next"}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.lib.errors import invalid

MAX_LIMIT = 500
M = TypeVar("M", bound=Model)


def cursor_page(
    request: HttpRequest,
    queryset: QuerySet[M],
    serialize: Callable[[list[M]], list[Any]],
    *,
    key: str = "pk",
    default_limit: int = 100,
) -> dict[str, Any]:
    """One page after `?cursor=` (the last key seen), ordered by `key`, at most `?limit=` items."""
    limit = limit_of(request, default_limit)
    count = queryset.count()
    cursor = request.GET.get("cursor")
    page_qs = queryset.order_by(key)
    if cursor:
        if key == "pk" and not cursor.isdigit():
            raise invalid("cursor", _("cursor is not valid."))
        page_qs = page_qs.filter(**{f"{key}__gt": cursor})
    rows = list(page_qs[: limit + 1])
    next_url = None
    if len(rows) > limit:
        rows = rows[:limit]
        params = request.GET.copy()
        params["cursor"] = str(getattr(rows[-1], key))
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return {"count": count, "items": serialize(rows), "next": next_url}


def limit_of(request: HttpRequest, default: int) -> int:
    """`?limit=`, from 1 to MAX_LIMIT (400 naming it otherwise)."""
    raw_limit = request.GET.get("limit", str(default))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise invalid(
            "limit", _("limit must be a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}
        )
    return int(raw_limit)
