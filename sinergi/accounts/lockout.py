"""Counting failed logins so that guessing passwords is slow, without letting anyone keep the
real user out.

Like django-axes with `[["username", "ip_address"], "ip_address", "username"]`, failures are
counted under three keys: the username from one client address (LOGIN_FAILURE_LIMIT), the
client address whatever the username (LOGIN_CLIENT_FAILURE_LIMIT), and the username whatever
the client (LOGIN_USERNAME_FAILURE_LIMIT). A client the user logged in from within
LOGIN_KNOWN_CLIENT_DAYS is held only to the first, so an attacker elsewhere, even with many
addresses, can lock the username for new clients but not for the user at her usual place.
Unknown usernames are counted and locked exactly like real ones, so a lock reveals nothing.

An attempt is counted *before* its password is checked, by one conditional UPDATE per key
(`failures < limit`), which the database serialises on the row (SQLite: one writer at a
time; PostgreSQL: the WHERE is re-checked on the locked row), so parallel requests can never
get more than the limit past; a success gives its count back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from sinergi.accounts.choices import ThrottleScope
from sinergi.accounts.models import LoginThrottle
from sinergi.lib.clients import client_key


class LockedOut(Exception):
    """Too many failed attempts: logins from this client for this username are refused until
    `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(str(until))
        self.until = until


@dataclass(frozen=True)
class Attempt:
    """A counted login attempt: the keys it was counted under, and those whose limit it
    reached (if its password turns out wrong, those keys are now locked)."""

    keys: tuple[tuple[str, str], ...]
    reached: tuple[str, ...]
    pair_key: str


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _limits(username: str, client: str) -> list[tuple[str, str, int]]:
    username = username[:150]  # no longer name exists; the key column must hold it
    pair = f"{client} {username}"
    return [
        (ThrottleScope.PAIR, pair, settings.LOGIN_FAILURE_LIMIT),
        (ThrottleScope.CLIENT, client, settings.LOGIN_CLIENT_FAILURE_LIMIT),
        (ThrottleScope.USERNAME, username, settings.LOGIN_USERNAME_FAILURE_LIMIT),
    ]


def _ensure(scope: str, key: str) -> None:
    """The key's row exists (two first attempts may race to create it)."""
    if LoginThrottle.objects.filter(scope=scope, key=key).exists():
        return
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(scope=scope, key=key)
    except IntegrityError:
        pass  # created by the parallel attempt


class _Refused(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(str(until))
        self.until = until


def count_attempt(*, username: str, client: str) -> Attempt:
    """Count one attempt under every key that applies, or raise LockedOut counting none."""
    now = timezone.now()
    client = client_key(client)
    limits = _limits(username, client)
    pair_key = limits[0][1]
    known_since = now - timedelta(days=settings.LOGIN_KNOWN_CLIENT_DAYS)
    known = LoginThrottle.objects.filter(
        scope=ThrottleScope.PAIR, key=pair_key, succeeded_at__gt=known_since
    ).exists()
    if known:
        limits = limits[:1]
    for scope, key, _limit in limits:
        _ensure(scope, key)
    cutoff = now - _window()
    reached = []
    try:
        with transaction.atomic():
            for scope, key, limit in limits:
                row = LoginThrottle.objects.filter(scope=scope, key=key)
                counted = row.filter(Q(failures__lt=limit) | Q(last_attempt_at__lte=cutoff)).update(
                    failures=Case(
                        When(last_attempt_at__lte=cutoff, then=Value(1)),
                        default=F("failures") + 1,
                    ),
                    last_attempt_at=now,
                )
                found = row.values_list("failures", "last_attempt_at").first()
                if found is None:  # pruned since _ensure (it was stale): a first failure
                    LoginThrottle.objects.create(
                        scope=scope, key=key, failures=1, last_attempt_at=now
                    )
                    found, counted = (1, now), 1
                failures, last = found
                if not counted:
                    # Raised inside the block, so the keys counted before this one are not.
                    raise _Refused((last or now) + _window())
                if failures >= limit:
                    reached.append(scope)
    except _Refused as refused:
        raise LockedOut(refused.until) from refused
    return Attempt(
        keys=tuple((scope, key) for scope, key, _limit in limits),
        reached=tuple(reached),
        pair_key=pair_key,
    )


def forgive_attempt(attempt: Attempt) -> None:
    """The password was right: the attempt's count is given back, the username's failures
    from this client are forgotten and the client becomes known."""
    now = timezone.now()
    with transaction.atomic():
        LoginThrottle.objects.filter(scope=ThrottleScope.PAIR, key=attempt.pair_key).update(
            failures=0, succeeded_at=now
        )
        others = Q()
        for scope, key in attempt.keys:
            if scope != ThrottleScope.PAIR:
                others |= Q(scope=scope, key=key)
        if others:
            LoginThrottle.objects.filter(others, failures__gt=0).update(failures=F("failures") - 1)


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these usernames are locked for clients they have not logged in from."""
    return set(
        LoginThrottle.objects.filter(
            scope=ThrottleScope.USERNAME,
            key__in=usernames,
            failures__gte=settings.LOGIN_USERNAME_FAILURE_LIMIT,
            last_attempt_at__gt=timezone.now() - _window(),
        ).values_list("key", flat=True)
    )


def prune_login_counts() -> int:
    """Delete counts that no longer matter: no counted attempt within LOGIN_LOCKOUT_MINUTES
    and no success within LOGIN_KNOWN_CLIENT_DAYS. Returns how many were deleted."""
    now = timezone.now()
    known_since = now - timedelta(days=settings.LOGIN_KNOWN_CLIENT_DAYS)
    stale = LoginThrottle.objects.filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=now - _window()),
        Q(succeeded_at__isnull=True) | Q(succeeded_at__lt=known_since),
    )
    deleted, _by_model = stale.delete()
    return deleted
