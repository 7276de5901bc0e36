"""The public catalogue: the listing with its search, a dataset's page (metadata, data
dictionary, preview) and its files, and the DCAT catalogue. Anonymous, cached until what
the public sees changes."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.opendata import catalogue
from sinergi.opendata.catalogue import Entry
from sinergi.portal.caching import View, public_page

PREVIEW_ROWS = 20


def with_headers(*, ok_only: bool = False, **headers: str) -> Callable[[View], View]:
    """Headers added after the cache (which keeps only status, type and body); with
    `ok_only`, to successful answers only."""

    def decorate(view: View) -> View:
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if ok_only and response.status_code != 200:
                return response
            for name, value in headers.items():
                response[name.replace("_", "-")] = value.format(**kwargs)
            return response

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _entry(slug: str) -> Entry:
    dataset = catalogue.find(slug)
    if dataset is None:
        raise Http404
    return catalogue.entry(dataset)


@require_GET
@public_page
def catalogue_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    datasets = catalogue.search(q)
    return render(request, "opendata/catalogue.html", {"datasets": datasets, "q": q})


@require_GET
@public_page
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = _entry(slug)
    context = {
        "dataset": item.dataset,
        "modified": item.modified,
        "dictionary": catalogue.dictionary(item.table),
        "protected": item.table.protected,
        "preview": [
            [catalogue.cell_text(v) for v in row] for row in item.table.rows[:PREVIEW_ROWS]
        ],
        "row_count": len(item.table.rows),
        "extras": catalogue.satu_data_fields(item.dataset),
        "reference_codes": catalogue.reference_codes(),
    }
    return render(request, "opendata/dataset_detail.html", context)


@require_GET
@with_headers(ok_only=True, Content_Disposition='attachment; filename="{slug}.csv"')
@public_page
def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse:
    item = _entry(slug)
    return HttpResponse(catalogue.to_csv(item.table), content_type="text/csv; charset=utf-8")


@require_GET
@with_headers(Access_Control_Allow_Origin="*")
@public_page
def dataset_json(request: HttpRequest, slug: str) -> HttpResponse:
    item = _entry(slug)
    return HttpResponse(
        catalogue.to_json(item.dataset, item.table), content_type="application/json"
    )


@require_GET
@with_headers(Access_Control_Allow_Origin="*")
@public_page
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    body = json.dumps(catalogue.dcat_catalog(request), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/ld+json")
