"""API authentication: bearer tokens (and the browser session) plus the token endpoint."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from sinergi.accounts.services import LockedOut, check_credentials, issue_token, user_for_token

router = Router(tags=["auth"])


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api_auth = [BearerToken(), SessionAuth()]


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/auth/token", auth=None, response={200: TokenOut}, summary="Get an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    try:
        user = check_credentials(
            request=request, username=payload.username, password=payload.password
        )
    except LockedOut as exc:
        raise HttpError(
            429, _("Too many failed attempts; the account is locked for a while.")
        ) from exc
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    return {"token": issue_token(user=user)}
