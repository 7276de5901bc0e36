"""Request checks every view relies on."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def _nul_field(request: HttpRequest) -> str | None:
    """The first part of the request holding a NUL character: the path, a query parameter or
    a field of an URL-encoded form (multipart bodies are left to their views, which set their
    own upload limits before the body is read)."""
    if NUL in request.path:
        return "path"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "")
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                return key.replace(NUL, "")
    return None


class RejectNulMiddleware:
    """Answers 400 to a request with a NUL character in its path, query or form fields.

    No text field may hold one (PostgreSQL refuses them, and Django's form fields reject
    them), so the request is refused before any view or query sees it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        message = _("The request contains a NUL character, which no field may hold.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {field: [message]}}, status=400)
        return HttpResponse(
            f"{message} ({field})", status=400, content_type="text/plain; charset=utf-8"
        )
