"""Writes about accounts: logging in with lockout, tokens, users and memberships."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from sinergi.accounts.lockout import LockedOut, count_attempt, forgive_attempt
from sinergi.accounts.models import ApiToken, Membership, User, home_regions
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.clients import client_address


class MalformedCredentials(ValueError):
    """A username or password no account can have (a NUL character): answered 400, since
    the database could not even be asked about it."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def check_credentials(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """Authenticate one login attempt (web, API token, OpenRosa Basic auth alike).

    The attempt is counted before the password is checked (see lockout.py) and refused with
    LockedOut, right password or not, while its keys are locked; known and unknown usernames
    take the same path. Failures and locks are audited with the client address, under the
    account's region.
    """
    for field, value in (("username", username), ("password", password)):
        if "\x00" in value:
            raise MalformedCredentials(field)
    client = client_address(request)
    attempt = count_attempt(username=username, client=client)
    user = authenticate(request, username=username, password=password)
    if isinstance(user, User):
        forgive_attempt(attempt)
        record(user, Action.LOGIN, user, note=f"client {client}")
        return user
    # One query whether or not the account exists: the same work for both.
    account_id, region = (
        User.objects.filter(username=username[:150])
        .annotate(region=Subquery(home_regions(OuterRef("pk"))[:1]))
        .values_list("pk", "region")
        .first()
    ) or ("", "")
    # The account may not exist: the row names what was typed.
    tried = Subject("user", account_id, username, region or "")
    with transaction.atomic():
        record(None, Action.LOGIN_FAILED, tried, note=f"client {client}")
        if attempt.reached:
            locked = ", ".join(attempt.reached)
            record(None, Action.LOCKOUT, tried, note=f"client {client}; locked: {locked}")
    if attempt.reached:
        raise LockedOut(timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES))
    return None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User) -> str:
    """Create an API token valid for API_TOKEN_DAYS; the clear value is returned once and
    never stored."""
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
    with transaction.atomic():
        stored = ApiToken.objects.create(
            user=user, token_hash=_hash_token(token), expires_at=expires
        )
        record(
            user,
            Action.CREATE,
            stored,
            after={"expires_at": expires.isoformat()},
            note="API token issued",
        )
    return token


# last_used_at is written at most once a minute per token, not on every API call.
_LAST_USE_PRECISION = timedelta(minutes=1)


def token_for(value: str) -> ApiToken | None:
    """The live token with this value (not expired, not revoked, its user active), or None:
    an expired or revoked token is refused exactly like a wrong one."""
    now = timezone.now()
    found = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=_hash_token(value),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if found is None:
        return None
    if found.last_used_at is None or found.last_used_at < now - _LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def _revoke(owner: User, tokens: list[int] | None = None) -> list[int]:
    """Revoke the owner's live tokens (all, or those with these ids); their ids."""
    live = ApiToken.objects.filter(user=owner, revoked_at__isnull=True)
    if tokens is not None:
        live = live.filter(pk__in=tokens)
    ids = sorted(live.values_list("pk", flat=True))
    ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return ids


def revoke_tokens(
    *, by: User | AnonymousUser, owner: User, tokens: list[int] | None, reason: str
) -> list[int]:
    """Revoke API tokens of `owner` (all her live ones when `tokens` is None): at logout, by
    herself or by a manager of hers. Returns the ids revoked (none: nothing recorded)."""
    with transaction.atomic():
        ids = _revoke(owner, tokens)
        if ids:
            # One row for all of them: it names the token when there is one.
            revoked = Subject(
                "api_token", ids[0] if len(ids) == 1 else "", owner.username, owner.home_region
            )
            record(
                by,
                Action.UPDATE,
                revoked,
                after={"revoked": ids},
                note=f"API tokens revoked: {reason}",
            )
    return ids


def change_own_password(*, user: User, password: str) -> User:
    """The user changes her own password (validated by the caller); every API token of hers
    is revoked, since whoever might have learnt the old password may hold one."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        revoked = _revoke(user)
        record(
            user,
            Action.UPDATE,
            user,
            after={"password": "changed", "api_tokens_revoked": revoked},
            note="password changed by the user",
        )
    return user


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "is_active": user.is_active,
        "memberships": [
            {"role": m.role, "region": m.region_id, "may_reveal_nik": m.may_reveal_nik}
            for m in user.memberships.order_by("id")
        ],
    }


def save_user(
    *,
    by: User | AnonymousUser,
    user: User | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    password: str | None,
    memberships: list[dict[str, Any]],
) -> User:
    """Create or change a user and replace her memberships (validated by the caller).

    A new password for an existing user is recorded as a reset by a manager (or as a change
    when she edits herself), and revokes all her API tokens.
    """
    with transaction.atomic():
        before = _user_snapshot(user) if user is not None else None
        target = user or User(username=username)
        target.username, target.first_name, target.last_name = username, first_name, last_name
        target.email, target.is_active = email, is_active
        if password:
            target.set_password(password)
        elif user is None:
            target.set_unusable_password()
        target.save()
        target.memberships.all().delete()
        Membership.objects.bulk_create(
            Membership(
                user=target,
                role=m["role"],
                region_id=m.get("region"),
                may_reveal_nik=m.get("may_reveal_nik", False),
            )
            for m in memberships
        )
        after = _user_snapshot(target)
        note = ""
        if password and user is not None:
            own = getattr(by, "pk", None) == target.pk
            after["password"] = "changed" if own else "reset"
            after["api_tokens_revoked"] = _revoke(target)
            note = "password changed by the user" if own else "password reset by a manager"
        record(
            by,
            Action.UPDATE if before else Action.CREATE,
            target,
            before=before,
            after=after,
            note=note,
        )
    return target
