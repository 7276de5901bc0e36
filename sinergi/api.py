"""The JSON API (/api/v1/): one NinjaAPI, routers from each app, one error shape."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sinergi.accounts.api import api_auth
from sinergi.accounts.api import router as auth_router
from sinergi.analytics.api import router as analytics_router
from sinergi.assessments.api import router as assessments_router
from sinergi.regions.api import router as regions_router
from sinergi.registry.api import router as actors_router

api = NinjaAPI(title="Sinergi API", version="1", auth=api_auth, urls_namespace="api")
api.add_router("", auth_router)
api.add_router("", regions_router)
api.add_router("", actors_router)
api.add_router("", assessments_router)
api.add_router("", analytics_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [
            str(part) for part in error.get("loc", []) if part not in ("body", "payload", "query")
        ]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "invalid")))
    return api.create_response(
        request, {"detail": _("Invalid input."), "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Authentication required."), "errors": {}}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found."), "errors": {}}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    errors = getattr(exc, "errors", {})
    return api.create_response(
        request, {"detail": str(exc), "errors": errors}, status=exc.status_code
    )
