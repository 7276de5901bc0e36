"""Write audit events. Called by every service that changes data or reveals personal data."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone

from sinergi.audit import chain
from sinergi.audit.models import Action, AuditCheckpoint, AuditEvent

ActingUser = AbstractBaseUser | AnonymousUser | None


class JSONText(str):
    """A JSON value already written as text (see json_text), which insert_rows stores as it
    is: an import's worker process writes its audit rows' JSON beside the job's writes."""


def json_text(value: dict[str, Any]) -> str:
    """The value as compact JSON text, through orjson (a tenth of json.dumps' time); read
    back, it is the same value json.dumps would have stored."""
    return orjson.dumps(value).decode()


@dataclass(frozen=True)
class Entry:
    """One object's audit row in record_many: what record() takes besides user and action."""

    object_id: object = ""
    object_repr: str = ""
    region_code: str = ""
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


def _rows(
    user: ActingUser, action: Action, object_type: str, entries: Iterable[Entry]
) -> list[tuple[Any, ...]]:
    """The audit rows' values: the acting user is always explicit (None for the system)."""
    real_user = user if user is not None and user.is_authenticated else None
    user_id = real_user.pk if real_user is not None else None
    username = real_user.get_username() if real_user is not None else ""
    return [
        (
            user_id,
            username,
            str(action),  # the plain value, which insert_rows passes on as it is
            object_type,
            str(entry.object_id),
            entry.object_repr[:200],
            entry.region_code,
            entry.before,
            entry.after,
            entry.note[:500],
        )
        for entry in entries
    ]


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
    *,
    user: ActingUser,
    action: Action,
    object_type: str,
    object_id: object = "",
    object_repr: str = "",
    region_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit row to the chain."""
    entry = Entry(object_id, object_repr, region_code, before, after, note)
    [stored] = _append(_rows(user, action, object_type, [entry]))
    event = AuditEvent(**dict(zip(_CHAINED, stored, strict=True)))
    event.before, event.after = before, after
    event._state.adding = False
    event._state.db = "default"
    return event


def record_many(
    *, user: ActingUser, action: Action, object_type: str, entries: Sequence[Entry]
) -> None:
    """record() for many objects at once (imports): the same rows, in one prepared INSERT.
    An entry's `after` may come as JSONText, written beforehand."""
    if entries:
        _append(_rows(user, action, object_type, entries))


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed, so audit rows show what really moved."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return ({k: before.get(k) for k in changed}, {k: after.get(k) for k in changed})


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a date, time stamp or JSON column prepares its values, as get_db_prep_save
    would, with the backend's adapter called directly for the common case (None: no
    preparation of its own)."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def as_json(value: Any) -> Any:
            if value is None:  # SQL NULL, as get_db_prep_save keeps it
                return None
            if type(value) in (dict, list):
                return ops.adapt_json_value(value, encoder)
            if type(value) is JSONText:  # SQLite stores JSON as text; others adapt the value
                sqlite = connection.vendor == "sqlite"
                return str(value) if sqlite else ops.adapt_json_value(json.loads(value), encoder)
            return field.get_db_prep_save(value, connection)

        return as_json
    if type(field) is models.DateTimeField:

        def as_datetime(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                return ops.adapt_datetimefield_value(value)
            return field.get_db_prep_save(value, connection)

        return as_datetime
    if type(field) is models.DateField:

        def as_date(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is date:
                return ops.adapt_datefield_value(value)
            return field.get_db_prep_save(value, connection)

        return as_date
    return None


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT rows of values given in `columns` order (attnames); the model's other columns
    take their field default, auto_now columns the time of the call.

    For append-only bulk writes (imports, audit rows): bulk_create spends about 5 µs per
    value in its SQL compiler, more than the database takes to store the row, so this
    prepares one statement and hands the values to executemany. Dates and JSON are prepared
    as the ORM would (see _preparer), and so is any value that is not a plain str, int,
    bool, float or None. No signals are sent and no ids come back.
    """
    fields = {
        f.attname: f
        for f in model._meta.concrete_fields
        if not f.primary_key or f.attname in columns  # an id given by the caller (the chain)
    }
    given = [fields[name] for name in columns]
    others = [f for name, f in fields.items() if name not in columns]
    now = timezone.now()
    defaults = [
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in others
    ]
    special = [(i, prepare) for i, f in enumerate(given) if (prepare := _preparer(f))]
    prepared = {i for i, _prepare in special}
    params = []
    for row in rows:
        values = list(row)
        for i, prepare in special:
            values[i] = prepare(values[i])
        if not _PLAIN.issuperset(map(type, values)):
            # Only columns without a preparer of their own: a prepared value (PostgreSQL's
            # Jsonb, say) must not be prepared twice. On SQLite prepared values are text,
            # so most rows never come here.
            values = [
                value
                if type(value) in _PLAIN or i in prepared
                else f.get_db_prep_save(value, connection)
                for i, (value, f) in enumerate(zip(values, given, strict=True))
            ]
        values.extend(defaults)
        params.append(values)
    if not params:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(f.column) for f in [*given, *others])}) "
        f"VALUES ({', '.join(['%s'] * (len(given) + len(others)))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


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
            user=None,
            action=Action.REDACT,
            object_type=object_type,
            object_id=object_id,
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
            user=None,
            action=Action.PRUNE,
            object_type="audit_event",
            after={"through_id": through, "hash": link, "rows": pruned, "before": str(before)},
            note=f"{pruned} audit rows older than {before:%Y-%m-%d} deleted (retention)",
        )
    return pruned


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    """The `before` of prune_events under AUDIT_RETENTION_DAYS; None when rows are kept
    forever (0)."""
    days: int = settings.AUDIT_RETENTION_DAYS
    return (now or timezone.now()) - timedelta(days=days) if days else None
