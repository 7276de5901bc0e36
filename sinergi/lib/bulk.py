"""Bulk inserts for append-only writes (imports, audit rows), faster than bulk_create.

Model-free in the sense of lib/: it takes any model class and knows no app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone


class JSONText(str):
    """A JSON value already written as text (see json_text), which insert_rows stores as it
    is: an import's worker process writes its audit rows' JSON beside the job's writes."""


def json_text(value: dict[str, Any]) -> str:
    """The value as compact JSON text, through orjson (a tenth of json.dumps' time); read
    back, it is the same value json.dumps would have stored."""
    return orjson.dumps(value).decode()


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
