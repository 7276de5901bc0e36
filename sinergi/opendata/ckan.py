"""A CKAN-compatible read API (action API version 3), enough for a regional Satu Data
portal built on CKAN to harvest the catalogue: package_list, package_show and
package_search, with CKAN's envelope ({"help", "success", "result"}) and its errors
(404 "Not Found Error", 409 "Validation Error")."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sinergi.opendata import catalogue
from sinergi.opendata.views import with_headers
from sinergi.portal.caching import public_page

MAX_ROWS = 1000  # CKAN's default ckan.search.rows_max
DEFAULT_ROWS = 10


def _reply(request: HttpRequest, action: str, status: int = 200, **body: Any) -> HttpResponse:
    envelope = {
        "help": request.build_absolute_uri(f"/api/3/action/help_show?name={action}"),
        "success": status == 200,
        **body,
    }
    return HttpResponse(
        json.dumps(envelope, ensure_ascii=False),
        status=status,
        content_type="application/json;charset=utf-8",
    )


def _natural(request: HttpRequest, name: str, default: int, most: int | None) -> int | str:
    """The integer parameter `name`, or CKAN's message for a bad one."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return _("Invalid integer")
    if value < 0:
        return _("Must be a natural number")
    return min(value, most) if most is not None else value


def _paging(request: HttpRequest, action: str, rows_name: str, start_name: str) -> Any:
    rows = _natural(request, rows_name, DEFAULT_ROWS, MAX_ROWS)
    start = _natural(request, start_name, 0, None)
    errors = {
        name: [value]
        for name, value in ((rows_name, rows), (start_name, start))
        if isinstance(value, str)
    }
    if errors:
        return _reply(request, action, 409, error={"__type": "Validation Error", **errors})
    return rows, start


@require_GET
@with_headers(Access_Control_Allow_Origin="*")
@public_page
def package_list(request: HttpRequest) -> HttpResponse:
    names = [d.slug for d in sorted(catalogue.listed(), key=lambda d: d.slug)]
    paging = _paging(request, "package_list", "limit", "offset")
    if isinstance(paging, HttpResponse):
        return paging
    limit, offset = paging
    end = offset + limit if "limit" in request.GET else None
    return _reply(request, "package_list", result=names[offset:end])


@require_GET
@with_headers(Access_Control_Allow_Origin="*")
@public_page
def package_show(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("id", "").strip()
    if not name:
        return _reply(
            request,
            "package_show",
            409,
            error={"__type": "Validation Error", "id": [_("Missing value")]},
        )
    dataset = catalogue.find(name)
    if dataset is None:
        return _reply(
            request,
            "package_show",
            404,
            error={"__type": "Not Found Error", "message": _("Not found")},
        )
    return _reply(
        request, "package_show", result=catalogue.ckan_package(request, catalogue.entry(dataset))
    )


@require_GET
@with_headers(Access_Control_Allow_Origin="*")
@public_page
def package_search(request: HttpRequest) -> HttpResponse:
    paging = _paging(request, "package_search", "rows", "start")
    if isinstance(paging, HttpResponse):
        return paging
    rows, start = paging
    q = request.GET.get("q", "")
    found = catalogue.search(q)
    page = found[start : start + rows]
    result = {
        "count": len(found),
        "sort": "score desc, metadata_modified desc",
        "facets": {},
        "search_facets": {},
        "results": [catalogue.ckan_package(request, catalogue.entry(d)) for d in page],
    }
    return _reply(request, "package_search", result=result)
