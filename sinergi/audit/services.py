"""Write audit events. Called by every service that changes data or reveals personal data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from sinergi.audit.models import Action, AuditEvent


def record(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    action: Action,
    object_type: str,
    object_id: object = "",
    object_repr: str = "",
    region_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit row; the acting user is always explicit (None for the system)."""
    real_user = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        user=real_user,
        username=real_user.get_username() if real_user is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        region_code=region_code,
        before=before,
        after=after,
        note=note[:500],
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed, so audit rows show what really moved."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return ({k: before.get(k) for k in changed}, {k: after.get(k) for k in changed})
