"""Write audit events. Called by every service that changes data or reveals personal data.

A row names its object through the object itself (see subjects.py): `record(user, action,
obj, before=, after=, note=)` with an audited model or a Subject.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from sinergi.audit import chain
from sinergi.audit.models import Action, AuditCheckpoint, AuditEvent
from sinergi.audit.subjects import Audited, Subject, subject_of
from sinergi.lib.bulk import JSONText, insert_rows

ActingUser = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One object's audit row in record_many: what record() takes besides user and action.
    `after` may come as JSONText, written beforehand (an import's worker writes it)."""

    obj: Audited | Subject
    before: dict[str, Any] | None = None
    after: dict[str, Any] | JSONText | None = None
    note: str = ""


# The columns of an audit row, in the order _rows gives their values.
_COLUMNS = (
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "before",
    "after",
    "note",
)


def _rows(user: ActingUser, action: Action, entries: Iterable[Entry]) -> list[tuple[Any, ...]]:
    """The audit rows' values: the acting user is always explicit (None for the system)."""
    real_user = user if user is not None and user.is_authenticated else None
    user_id = real_user.pk if real_user is not None else None
    username = real_user.get_username() if real_user is not None else ""
    plain_action = str(action)  # the plain value, which insert_rows passes on as it is
    rows = []
    for entry in entries:
        subject = subject_of(entry.obj)
        rows.append(
            (
                user_id,
                username,
                plain_action,
                subject.type,
                str(subject.id),
                subject.repr[:200],
                subject.region,
                entry.before,
                entry.after,
                entry.note[:500],
            )
        )
    return rows


# The columns _append writes: the row's values, then the chain's.
_CHAINED = ("id", "at", *_COLUMNS, "salt", "personal_hash", "prev_hash", "hash", "redacted")


def _json(value: dict[str, Any] | JSONText | None) -> JSONText | None:
    """The JSON text the column will hold (as the JSONField would write it)."""
    if value is None or type(value) is JSONText:
        return value
    return JSONText(json.dumps(value))


def _append(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Append rows (in _COLUMNS order) to the chain, in one prepared INSERT; the stored
    rows come back in _CHAINED order. Inside a transaction holding the chain (chain.lock),
    so the links follow the ids and no two writers link to the same row. No savepoint:
    the rows and their links stand or fall with the caller's transaction."""
    with transaction.atomic(savepoint=False):
        chain.lock()
        prev, ids = chain.reserve(len(rows))
        at = timezone.now()
        chained = []
        for pk, row in zip(ids, rows, strict=True):
            user_id, username, action, object_type, object_id, object_repr, region = row[:7]
            before, after, note = _json(row[7]), _json(row[8]), row[9]
            salt = secrets.token_hex(16)
            personal = chain.personal_hash(
                salt,
                object_repr,
                None if before is None else orjson.loads(before.encode()),
                None if after is None else orjson.loads(after.encode()),
            )
            fixed = (user_id, username, action, object_type, object_id, region, note)
            own = chain.row_hash(prev, pk, at, fixed, personal)
            chained.append(
                (pk, at, *row[:7], before, after, note, salt, personal, prev, own, False)
            )
            prev = own
        insert_rows(AuditEvent, _CHAINED, chained)
    return chained


def record(
    user: ActingUser,
    action: Action,
    obj: Audited | Subject,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit row to the chain: `user` did `action` to `obj`, which names itself
    (its type, id, words and region) through its `audit_subject`, or is a Subject given
    for an event about no single object. `user` is None for the system."""
    [stored] = _append(_rows(user, action, [Entry(obj, before, after, note)]))
    event = AuditEvent(**dict(zip(_CHAINED, stored, strict=True)))
    event.before, event.after = before, after
    event._state.adding = False
    event._state.db = "default"
    return event


def record_many(user: ActingUser, action: Action, entries: Sequence[Entry]) -> None:
    """record() for many objects at once (imports): the same rows, in one prepared INSERT."""
    if entries:
        _append(_rows(user, action, entries))


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed, so audit rows show what really moved."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return ({k: before.get(k) for k in changed}, {k: after.get(k) for k in changed})


def _replaced(value: Any, fields: Collection[str], replacement: str) -> Any:
    """The JSON value with the values of `fields` (at any depth) replaced."""
    if isinstance(value, dict):
        return {
            key: replacement if key in fields else _replaced(item, fields, replacement)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replaced(item, fields, replacement) for item in value]
    return value


def redact_subject(
    *, object_type: str, object_id: str, fields: Collection[str], replacement: str
) -> int:
    """Erase a person from the audit rows about her (UU PDP): `object_repr` and the values
    of `fields` inside `before`/`after` become `replacement`; returns the rows changed.

    The one UPDATE the trigger allows: only those columns, with the row marked `redacted`
    and its salt cleared. The chain stays verifiable (the row's hash covers its personal
    hash, not the personal columns), and the erased values cannot be confirmed by guessing
    them against the personal hash, which was keyed by the cleared salt. One REDACT row
    records which object and fields were redacted, never their values."""
    with transaction.atomic():
        changed = 0
        events = AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
        for pk, object_repr, before, after in events.values_list(
            "pk", "object_repr", "before", "after"
        ):
            new = (
                replacement[:200] if object_repr else "",
                _replaced(before, fields, replacement),
                _replaced(after, fields, replacement),
            )
            if new == (object_repr, before, after):
                continue
            AuditEvent.objects.filter(pk=pk).update(
                object_repr=new[0], before=new[1], after=new[2], salt="", redacted=True
            )
            changed += 1
        record(
            None,
            Action.REDACT,
            Subject(object_type, object_id),
            after={"fields": sorted(fields), "rows": changed},
            note=f"{changed} audit rows redacted",
        )
    return changed


def prune_events(*, before: datetime) -> int:
    """Retention: delete the audit rows older than `before`, the one DELETE the trigger
    allows; returns how many. Only the chain's oldest rows go (up to the first row at or
    after `before`), and a checkpoint keeps the hash the first kept row links to, with the
    count, so verify_audit checks the chain from there; a PRUNE row confirms the checkpoint.
    """
    with transaction.atomic():
        chain.lock()
        first_kept = AuditEvent.objects.filter(at__gte=before).order_by("id").first()
        old = AuditEvent.objects.all()
        if first_kept is not None:
            old = old.filter(id__lt=first_kept.pk)
        last = old.order_by("-id").values_list("id", "hash").first()
        if last is None:
            return 0
        through, link = last
        with chain.permit_deletion(through):
            pruned, _ = old.delete()
        AuditCheckpoint.objects.create(through_id=through, hash=link, pruned=pruned, before=before)
        record(
            None,
            Action.PRUNE,
            Subject("audit_event"),
            after={"through_id": through, "hash": link, "rows": pruned, "before": str(before)},
            note=f"{pruned} audit rows older than {before:%Y-%m-%d} deleted (retention)",
        )
    return pruned


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    """The `before` of prune_events under AUDIT_RETENTION_DAYS; None when rows are kept
    forever (0)."""
    days: int = settings.AUDIT_RETENTION_DAYS
    return (now or timezone.now()) - timedelta(days=days) if days else None
