"""Writes about accounts: logging in with lockout, tokens, users and memberships."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from sinergi.accounts.models import ApiToken, Membership, User
from sinergi.audit.models import Action
from sinergi.audit.services import record


class LockedOut(Exception):
    """Too many failed attempts: the account refuses logins until `until`."""

    def __init__(self, until: Any) -> None:
        super().__init__(str(until))
        self.until = until


def check_credentials(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """Authenticate, counting failures; after LOGIN_FAILURE_LIMIT the account locks for a while.

    A locked account is refused even with the right password, so guessing gains nothing.
    """
    account = User.objects.filter(username=username).first()
    now = timezone.now()
    if account is not None and account.locked_until and account.locked_until > now:
        raise LockedOut(account.locked_until)
    user = authenticate(request, username=username, password=password)
    if isinstance(user, User):
        if user.failed_logins or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        record(
            user=user,
            action=Action.LOGIN,
            object_type="user",
            object_id=user.pk,
            object_repr=user.username,
            region_code=home_region(user),
        )
        return user
    if account is None:
        return None
    until = None
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
        account.refresh_from_db(fields=["failed_logins"])
        record(
            user=None,
            action=Action.LOGIN_FAILED,
            object_type="user",
            object_id=account.pk,
            object_repr=account.username,
            region_code=home_region(account),
        )
        if account.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
            until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            User.objects.filter(pk=account.pk).update(failed_logins=0, locked_until=until)
            record(
                user=None,
                action=Action.LOCKOUT,
                object_type="user",
                object_id=account.pk,
                object_repr=account.username,
            )
    # Raised only after the block commits: raising inside it would roll the lock back.
    if until is not None:
        raise LockedOut(until)
    return None


def home_region(user: User) -> str:
    """The region an account's events are filed under, so regional auditors see them."""
    region = (
        Membership.objects.filter(user=user, region__isnull=False)
        .order_by("id")
        .values_list("region_id", flat=True)
        .first()
    )
    return region or ""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, user: User) -> str:
    """Create an API token; the clear value is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, token_hash=_hash_token(token))
    return token


def user_for_token(token: str) -> User | None:
    found = ApiToken.objects.select_related("user").filter(token_hash=_hash_token(token)).first()
    if found is None or not found.user.is_active:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


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
    by: Any,
    user: User | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    password: str | None,
    memberships: list[dict[str, Any]],
) -> User:
    """Create or change a user and replace her memberships (validated by the caller)."""
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
        region = next((m.get("region") for m in memberships if m.get("region")), "") or ""
        record(
            user=by,
            action=Action.UPDATE if before else Action.CREATE,
            object_type="user",
            object_id=target.pk,
            object_repr=target.username,
            region_code=region,
            before=before,
            after=_user_snapshot(target),
        )
    return target
