"""Write audit events. Called by every service that changes data or reveals personal data."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models
from django.utils import timezone

from sinergi.audit.models import Action, AuditEvent

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
    """Append one audit row."""
    entry = Entry(object_id, object_repr, region_code, before, after, note)
    [row] = _rows(user, action, object_type, [entry])
    return AuditEvent.objects.create(**dict(zip(_COLUMNS, row, strict=True)))


def record_many(
    *, user: ActingUser, action: Action, object_type: str, entries: Sequence[Entry]
) -> None:
    """record() for many objects at once (imports): the same rows, in one prepared INSERT.
    An entry's `after` may come as JSONText, written beforehand."""
    insert_rows(AuditEvent, _COLUMNS, _rows(user, action, object_type, entries))


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the keys whose values changed, so audit rows show what really moved."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    return ({k: before.get(k) for k in changed}, {k: after.get(k) for k in changed})


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a date or JSON column prepares its values, as get_db_prep_save would, with the
    backend's adapter called directly for the common case (None: no preparation of its own).
    """
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
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
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


def redact_subject(
    *, object_type: str, object_id: str, fields: Collection[str], replacement: str
) -> int:  # stand-in: replaced at merge
    """Replace a person's identifiers in the audit rows about one object: object_repr and
    the given keys of before/after. Returns the number of rows changed."""
    changed = 0
    rows = AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
    for event in rows:
        for side in ("before", "after"):
            value = getattr(event, side)
            if isinstance(value, dict):
                setattr(
                    event, side, {k: replacement if k in fields else v for k, v in value.items()}
                )
        event.object_repr = replacement
        event.save(update_fields=["object_repr", "before", "after"])
        changed += 1
    return changed


def prune_events(*, before: datetime) -> int:  # stand-in: replaced at merge
    """Delete the audit rows older than `before` (the end of their retention)."""
    deleted, _by_model = AuditEvent.objects.filter(at__lt=before).delete()
    return deleted
