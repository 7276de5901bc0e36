"""API authentication: bearer tokens (and the browser session), getting and ending a token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from sinergi.accounts.lockout import LockedOut
from sinergi.accounts.services import (
    MalformedCredentials,
    check_credentials,
    issue_token,
    revoke_tokens,
    token_for,
)
from sinergi.lib.errors import ErrorOut

router = Router(tags=["auth"])


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]  # read by logout
        return found.user


api_auth = [BearerToken(), SessionAuth()]


def nul_error(field: str) -> HttpError:
    """The 400 for a credential holding a NUL character, naming the field."""
    message = _("%(field)s must not contain a NUL character.") % {"field": field}
    error = HttpError(400, message)
    error.errors = {field: [message]}  # type: ignore[attr-defined]  # read by on_http_error
    return error


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Get an API token",
)
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    try:
        user = check_credentials(
            request=request, username=payload.username, password=payload.password
        )
    except MalformedCredentials as exc:
        raise nul_error(exc.field) from exc
    except LockedOut as exc:
        raise HttpError(
            429, _("Too many failed attempts; the account is locked for a while.")
        ) from exc
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    return {"token": issue_token(user=user)}


@router.post(
    "/auth/logout",
    auth=[BearerToken()],
    response={204: None, 401: ErrorOut},
    summary="Revoke the token of this request",
)
def logout(request: HttpRequest) -> tuple[int, None]:
    token = request.api_token  # type: ignore[attr-defined]  # set by BearerToken
    revoke_tokens(by=token.user, owner=token.user, tokens=[token.pk], reason="logout")
    return 204, None
