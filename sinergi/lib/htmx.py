"""The one helper for htmx requests: render the partial or the full page with one context."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Full page normally; only the partial for an htmx request (same context)."""
    return render(request, partial if is_htmx(request) else template, context, status=status)
