"""The JSON API (/api/v1/): one NinjaAPI, routers from each app, one error shape."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from sinergi.accounts.api import api_auth
from sinergi.accounts.api import router as auth_router
from sinergi.accounts.scoping import memberships
from sinergi.analytics.api import router as analytics_router
from sinergi.assessments.api import router as assessments_router
from sinergi.lib.errors import ErrorOut
from sinergi.partners.api import router as partners_router
from sinergi.partners.webhook_api import router as webhooks_router
from sinergi.regions.api import router as regions_router
from sinergi.registry.api import router as actors_router


class SinergiAPI(NinjaAPI):
    """The API, whose OpenAPI schema documents the error answers each operation can give."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        error = {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}
        schema.setdefault("components", {}).setdefault("schemas", {})[ErrorOut.__name__] = (
            ErrorOut.model_json_schema()
        )
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in _error_statuses(path, method, operation):
                    responses.setdefault(
                        str(status),
                        {
                            "description": HTTPStatus(status).phrase,
                            "content": {"application/json": {"schema": error}},
                        },
                    )
        return schema


def _error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """Bad input (400 unreadable, 422 invalid) anywhere; 401 where a caller must sign in;
    403 for writes a role may not make; 404 for an object named in the path."""
    statuses = [400, 422]
    if operation.get("security"):
        statuses.append(401)
    if method in ("post", "put", "patch", "delete"):
        statuses.append(403)
    if "{" in path:
        statuses.append(404)
    return statuses


class NotAnObject(ValueError):
    """A JSON body that is valid JSON but not an object ([], null, 1, "x")."""


class ObjectParser(Parser):
    """Every body of this API is a JSON object: anything else is refused, not read as {}
    (django-ninja gave `PATCH /actors/{id}` with `[]` a 200 that changed nothing)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


def programme_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """The registry and analytics answer members of the programme only: anyone else (a
    partner's staff) finds nothing there, not even an empty list (404)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not memberships(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


# django-ninja's "operation" mode wraps the endpoint function itself, after authentication
# ("view" mode wraps the whole operation, before it, where no caller is known yet).
for programme_router in (actors_router, assessments_router, analytics_router):
    programme_router.add_decorator(programme_only, mode="operation")

api = SinergiAPI(
    title="Sinergi API",
    version="1",
    auth=api_auth,
    urls_namespace="api",
    parser=ObjectParser(),
)
api.add_router("", auth_router)
api.add_router("", regions_router)
api.add_router("", actors_router)
api.add_router("", assessments_router)
api.add_router("", analytics_router)
api.add_router("", partners_router)
api.add_router("", webhooks_router)


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
    detail = str(exc)
    if isinstance(exc.__cause__, NotAnObject):  # raised by ObjectParser, wrapped by ninja
        detail = _("The request body must be a JSON object ({...}).")
        errors = {"__all__": [detail]}
    elif isinstance(exc.__cause__, json.JSONDecodeError):
        detail = _("The request body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": exc.__cause__.lineno,
            "column": exc.__cause__.colno,
        }
        errors = {"__all__": [detail]}
    return api.create_response(
        request, {"detail": detail, "errors": errors}, status=exc.status_code
    )
