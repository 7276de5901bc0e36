"""NIKs registered outside the user's scope: a refusal that is also an answer.

Registering an NIK that is already an actor's must be refused, and the refusal tells the user
that the NIK is registered somewhere. So it is told only for a record that is otherwise
valid (a probe costs a real, audited registration whenever the NIK is free), every such
refusal is audited on the actor's region (her officers see who asked), and a user who met
NIK_CONFLICT_DAILY_LIMIT of them in 24 hours may register nobody until the oldest ages out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _t

from sinergi.accounts.models import User
from sinergi.audit.models import Action, AuditEvent
from sinergi.audit.services import record
from sinergi.registry.models import Actor

WINDOW = timedelta(hours=24)


class TooManyConflicts(Exception):
    """The user met the daily limit of NIKs registered outside her scope."""

    def __str__(self) -> str:
        return _t(
            "You tried to register %(count)s NIKs that are registered outside your region in "
            "the last 24 hours; registering is paused for you. Ask your province officer."
        ) % {"count": settings.NIK_CONFLICT_DAILY_LIMIT}


def conflicts_today(user: User | AnonymousUser) -> int:
    """The user's refusals for an NIK registered outside her scope in the last 24 hours."""
    if not user.is_authenticated:
        return 0
    since = timezone.now() - WINDOW
    return AuditEvent.objects.filter(
        user_id=user.pk, action=Action.NIK_CONFLICT, at__gte=since
    ).count()


def check_allowance(user: User | AnonymousUser) -> None:
    """Raise TooManyConflicts when the user may register nobody for now."""
    if conflicts_today(user) >= settings.NIK_CONFLICT_DAILY_LIMIT:
        raise TooManyConflicts


def record_conflict(*, user: User | AnonymousUser, actor: Actor, channel: str) -> None:
    """Audit one refusal, on the registered actor's region; no NIK is written, not even masked.
    The row names who asked, not her."""
    record(user, Action.NIK_CONFLICT, replace(actor.audit_subject, repr=""), note=channel)
