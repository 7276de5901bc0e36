"""The public pages: anonymous first, the same for every visitor, cached until what the
public sees changes (caching.public_page)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from sinergi.portal.caching import public_page
from sinergi.portal.pages import build_page
from sinergi.portal.publication import latest


@require_GET
@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})


@require_GET
@public_page
def figures(request: HttpRequest, code: str = "") -> HttpResponse:
    """The public figures of the nation, a province or a kab/kota, from the latest
    publication; drill down through the child regions."""
    publication = latest()
    page = build_page(publication, code) if publication is not None else None
    if page is None and (code or publication is not None):
        raise Http404
    return render(request, "portal/figures.html", {"page": page})


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the language by a plain link (public pages are cached, so they carry no form
    and no CSRF token); back to the page the visitor came from."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
