"""Keeping the pre-summed counts exact.

The write services announce every change inside their own transaction: counted results
(assessments.events.results_moved: a single submission, a deletion, a chunk of
a re-score) and where an actor is counted (registry.events.actors_moved: registration,
a new village, sector or facilitator). The listeners here turn each announcement into signed
changes to the counts (slices.Tally), summed first, then written with one upsert per table
(on PostgreSQL all in one statement), so a written result costs one read and one write
whatever the size of the country.

The rule when an actor's village, sector or facilitator changes: her whole history moves
with her. Every count (registered, levels in every period, transitions) is by where she is
registered now, the same rule as the actor list's region, sector and facilitator filters,
so a dashboard figure and the filtered list always agree.

`rebuild` recomputes everything from the raw rows with a few GROUP BY statements: used once
when the tables are installed over existing data, never as a routine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection, transaction

from sinergi.analytics.models import CountedResult, LevelCount, RegisteredCount, TransitionCount
from sinergi.analytics.slices import (
    ALL,
    DEPTHS,
    FACILITATOR,
    GRADUATE,
    LEGALITY,
    LEGALITY_KINDS,
    SECTOR,
    YES,
    Place,
    Standing,
    Tally,
    legality_bits,
)
from sinergi.assessments.events import ResultMove
from sinergi.assessments.models import Assessment
from sinergi.registry.events import ActorMove, ActorPlace
from sinergi.registry.models import Actor

_ROWS_PER_STATEMENT = 400  # at most 8 values a row: well under SQLite's 32,766 parameters
_IDS_PER_QUERY = 2000
T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _place(place: ActorPlace) -> Place:
    return Place(place.village_code, place.sector, place.facilitator_id)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _driver_cursor() -> Any:
    """A cursor of the database driver itself, outside Django's wrapper.

    This path runs for every written result: the ORM's query compiler, or Django's SQLite
    wrapper rewriting every placeholder with a regular expression, would cost more than the
    database does. On PostgreSQL the cursor binds parameters on the server (psycopg's
    default, where Django renders them into the text), so that a statement's text never
    changes with the number of rows: one short statement takes whole columns as arrays
    (unnest), not a VALUES list of hundreds of literals to parse and plan. Statements are
    not prepared, which would break behind a transaction-pooling PgBouncer.
    """
    connection.ensure_connection()
    if _postgres():
        import psycopg

        return psycopg.Cursor(connection.connection)
    return connection.connection.cursor()


def _select(head: str, ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """Rows of `head` (ending in "WHERE <id column>") for the given ids."""
    cursor = _driver_cursor()
    if _postgres():
        cursor.execute(f"{head} = ANY(%s::bigint[])", [list(ids)])
        yield from cursor.fetchall()
        return
    for chunk in _chunks(ids, _IDS_PER_QUERY):
        cursor.execute(f"{head} IN ({', '.join(['?'] * len(chunk))})", chunk)
        yield from cursor.fetchall()


SQL = tuple[str, list[Any]]  # a statement and its parameters


def _upsert(
    table: str,
    columns: Sequence[tuple[str, str]],
    conflict: Sequence[str],
    update: str,
    rows: Sequence[tuple[Any, ...]],
) -> list[SQL]:
    """INSERT rows (values in `columns` order; column name and PostgreSQL type) or, on a
    conflict over `conflict`, UPDATE SET `update`. Rows go in the order given."""
    if not rows:
        return []
    names = ", ".join(_quote(name) for name, _type in columns)
    tail = f"ON CONFLICT ({', '.join(_quote(c) for c in conflict)}) DO UPDATE SET {update}"
    if _postgres():
        arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
        return [
            (
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
        ]
    mark = "(" + ", ".join(["?"] * len(columns)) + ")"
    return [
        (
            f"INSERT INTO {table} ({names}) VALUES {', '.join([mark] * len(chunk))} {tail}",  # noqa: S608
            [value for row in chunk for value in row],
        )
        for chunk in _chunks(rows, _ROWS_PER_STATEMENT)
    ]


def _execute(statements: Sequence[SQL]) -> None:
    """Run an announcement's writes. On PostgreSQL as one statement (each write a WITH
    clause): one round trip and one plan instead of one per table, the tables always in the
    same order, so concurrent writers still take their row locks in one order."""
    if not statements:
        return
    cursor = _driver_cursor()
    if _postgres() and len(statements) > 1:
        clauses = ", ".join(f"w{i} AS ({sql})" for i, (sql, _params) in enumerate(statements))
        cursor.execute(
            f"WITH {clauses} SELECT 1",
            [value for _sql, params in statements for value in params],
        )
        return
    for sql, params in statements:
        cursor.execute(sql, params)


def _histories(actor_ids: Iterable[int]) -> tuple[dict[int, Place], dict[int, dict[int, Standing]]]:
    """Where each actor is counted now, and her counted results as the counts know them:
    {actor: place}, {actor: {period: standing}} (one statement per few thousand actors)."""
    places: dict[int, Place] = {}
    copies: dict[int, dict[int, Standing]] = {}
    actor, copy = _quote(Actor._meta.db_table), _quote(CountedResult._meta.db_table)
    head = (
        f"SELECT a.id, a.village_id, a.sector, a.facilitator_id, c.period_id, c.level, "  # noqa: S608
        f"c.graduate, c.legality FROM {actor} a LEFT JOIN {copy} c ON c.actor_id = a.id "
        "WHERE a.id"
    )
    for pk, village, sector, facilitator, period, level, graduate, bits in _select(
        head, sorted(set(actor_ids))
    ):
        places[pk] = Place(village, sector, facilitator)
        if period is not None:
            copies.setdefault(pk, {})[period] = Standing(level, bool(graduate), bits)
    return places, copies


def _standings(moves: Sequence[ResultMove]) -> dict[int, Standing]:
    """What the moves' new results contribute: level, graduation flag, legality items held.

    Taken from the move when it carries them (a single write); else read, the one answer
    read out of the JSON by the database rather than the whole answers parsed here (a
    re-score chunk)."""
    found: dict[int, Standing] = {}
    unknown: list[int] = []
    for move in moves:
        if move.new_id is None:
            continue
        if move.new_level is None or move.new_graduate is None or move.new_answers is None:
            unknown.append(move.new_id)
        else:
            held = legality_bits(_kinds(move.new_answers.get("legality")))
            found[move.new_id] = Standing(move.new_level, move.new_graduate, held)
    if unknown:
        found.update(_read_standings(unknown))
    return found


def _read_standings(assessment_ids: Sequence[int]) -> dict[int, Standing]:
    table = _quote(Assessment._meta.db_table)
    legality = (
        "json_extract(answers, '$.legality')"
        if connection.vendor == "sqlite"
        else "answers -> 'legality'"
    )
    head = f"SELECT id, level, graduate, {legality} FROM {table} WHERE id"  # noqa: S608
    found: dict[int, Standing] = {}
    for pk, level, graduate, held in _select(head, assessment_ids):
        found[pk] = Standing(level, bool(graduate), legality_bits(_kinds(held)))
    return found


def _kinds(value: Any) -> list[str]:
    """The legality answer as a list of kinds (SQLite hands a list over as JSON text; an
    instrument may not have that question, or ask it another way: then none)."""
    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def on_results(moves: Sequence[ResultMove]) -> None:
    """Counted results changed: replay the moves over analytics' copy, count the difference.

    The copy (CountedResult), not the results table, is what the counts were built from: an
    announcement made after several rows were written (the demo's bulk load) still moves
    exactly what it names.
    """
    moves = [move for move in moves if not _unchanged(move)]
    if not moves:
        return
    places, copies = _histories(m.actor_id for m in moves)
    standings = _standings(moves)
    histories: dict[int, dict[int, Standing]] = {}
    for move in moves:
        history = histories.get(move.actor_id)
        if history is None:
            history = histories[move.actor_id] = dict(copies.get(move.actor_id, {}))
        if move.new_id is None:
            history.pop(move.period_id, None)
        else:
            history[move.period_id] = standings[move.new_id]
    tally = Tally()
    for actor, history in histories.items():
        tally.change(places[actor], copies.get(actor, {}), history)
    _execute([*_copy_writes(copies, histories), *_count_writes(tally)])


def _unchanged(move: ResultMove) -> bool:
    """A move whose new result stands as the old one did (a re-score that kept the answers,
    the level and the flag): the copy and the counts stay as they are."""
    return (
        move.same_answers
        and move.old_level == move.new_level
        and move.old_graduate is not None
        and move.old_graduate == move.new_graduate
    )


def on_actors(moves: Sequence[ActorMove]) -> None:
    """Actors were registered or moved: registered counts, and a moved actor's history."""
    tally = Tally()
    moved = [m for m in moves if m.old is not None and m.new is not None]
    for move in moves:
        if move.old is not None:
            tally.actor(_place(move.old), -1)
        if move.new is not None:
            tally.actor(_place(move.new), +1)
    copies = _histories(m.actor_id for m in moved)[1] if moved else {}
    for move in moved:
        history = copies.get(move.actor_id)
        if history and move.old is not None and move.new is not None:
            tally.history(_place(move.old), history, -1)
            tally.history(_place(move.new), history, +1)
    _execute(_count_writes(tally))


def _copy_writes(
    before: Mapping[int, Mapping[int, Standing]], after: Mapping[int, Mapping[int, Standing]]
) -> list[SQL]:
    gone = sorted(
        (actor, period)
        for actor, history in after.items()
        for period in before.get(actor, {}).keys() - history.keys()
    )
    changed = sorted(
        (actor, period, *standing)
        for actor, history in after.items()
        for period, standing in history.items()
        if before.get(actor, {}).get(period) != standing
    )
    table = _quote(CountedResult._meta.db_table)
    writes: list[SQL] = []
    if gone and _postgres():
        writes.append(
            (
                f"DELETE FROM {table} WHERE (actor_id, period_id) IN "  # noqa: S608
                "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))",
                [list(column) for column in zip(*gone, strict=True)],
            )
        )
    elif gone:  # few (a withdrawn result): one by the unique index each
        writes.extend(
            (f"DELETE FROM {table} WHERE actor_id = ? AND period_id = ?", list(pair))  # noqa: S608
            for pair in gone
        )
    return [
        *writes,
        *_upsert(
            table,
            _COPY_COLUMNS,
            ("actor_id", "period_id"),
            "level = excluded.level, graduate = excluded.graduate, legality = excluded.legality",
            changed,
        ),
    ]


_COPY_COLUMNS = (
    ("actor_id", "bigint"),
    ("period_id", "bigint"),
    ("level", "text"),
    ("graduate", "boolean"),
    ("legality", "smallint"),
)
_TYPES = {"period_id": "bigint", "period_a_id": "bigint", "period_b_id": "bigint"}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _add(model: type[Any], keys: Sequence[str], counts: Mapping[tuple[Any, ...], int]) -> list[SQL]:
    """Add signed counts to existing rows, creating missing ones.

    Rows are written in key order, so two writers lock shared rows (the nation's) in the same
    order and never deadlock on PostgreSQL.
    """
    rows = sorted((*key, n) for key, n in counts.items() if n)
    table = _quote(model._meta.db_table)
    return _upsert(
        table,
        [*((key, _TYPES.get(key, "text")) for key in keys), ("actors", "integer")],
        keys,
        f"actors = {table}.actors + excluded.actors",
        rows,
    )


def _count_writes(tally: Tally) -> list[SQL]:
    return [
        *_add(RegisteredCount, ("region", "dim", "value"), tally.registered),
        *_add(LevelCount, ("period_id", "region", "dim", "value", "level"), tally.levels),
        *_add(
            TransitionCount,
            ("period_a_id", "period_b_id", "region", "dim", "value", "level_a", "level_b"),
            tally.pairs,
        ),
    ]


# --- Rebuild from the raw rows ---------------------------------------------------------------

# The actor's region column at each depth (0: the nation), as the actor's reach names them.
_REGION_COLUMN = {0: "''"} | {
    depth: f"a.{column}" for depth, column in enumerate(Actor.reach.levels, start=1)
}
_VALUE = {
    ALL: "''",
    SECTOR: "a.sector",
    FACILITATOR: "COALESCE(CAST(a.facilitator_id AS TEXT), '')",
}


def _literal(text: str) -> str:
    """One of this module's own names as an SQL string (never user input)."""
    if not all(ch.isalnum() or ch in "_-" for ch in text):
        raise ValueError(text)
    return f"'{text}'"


Statement = tuple[str, str, str, str, str]  # region, dim, value expressions; condition; join


def _base() -> list[Statement]:
    return [
        (_REGION_COLUMN[depth], _literal(dim), _VALUE[dim], "1 = 1", "")
        for dim in (ALL, SECTOR, FACILITATOR)
        for depth in DEPTHS[dim]
    ]


def _extra() -> list[Statement]:
    """Graduation and legality: counted with the level only. Each legality item held is a
    row of a small table of kinds joined on its bit, so one pass per region level counts
    them all."""
    kinds = " UNION ALL ".join(
        f"SELECT {1 << bit} AS bit, {_literal(kind)} AS kind"
        for bit, kind in enumerate(LEGALITY_KINDS)
    )
    held = f" JOIN ({kinds}) k ON (c.legality & k.bit) <> 0"
    return [
        *(
            (_REGION_COLUMN[depth], _literal(GRADUATE), _literal(YES), "c.graduate = TRUE", "")
            for depth in DEPTHS[GRADUATE]
        ),
        *(
            (_REGION_COLUMN[depth], _literal(LEGALITY), "k.kind", "1 = 1", held)
            for depth in DEPTHS[LEGALITY]
        ),
    ]


def _group(*expressions: str) -> str:
    """GROUP BY the expressions that are not constants (PostgreSQL refuses those)."""
    return ", ".join(e for e in expressions if not e.startswith("'"))


def rebuild() -> None:
    """Recompute every count from the raw rows (installation over existing data)."""
    actor = _quote(Actor._meta.db_table)
    copy = _quote(CountedResult._meta.db_table)
    registered = _quote(RegisteredCount._meta.db_table)
    levels = _quote(LevelCount._meta.db_table)
    pairs = _quote(TransitionCount._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (CountedResult, RegisteredCount, LevelCount, TransitionCount):
            model.objects.all().delete()
        rows = (
            Assessment.objects.filter(counted=True)
            .values_list("actor_id", "period_id", "level", "graduate", "answers__legality")
            .iterator(chunk_size=_IDS_PER_QUERY)
        )
        for chunk in _chunks(rows, _IDS_PER_QUERY):
            cursor.executemany(
                f"INSERT INTO {copy} (actor_id, period_id, level, graduate, legality) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                [(a, p, lv, g, legality_bits(_kinds(k))) for a, p, lv, g, k in chunk],
            )
        for region, dim, value, _all, _none in _base():
            cursor.execute(
                f"INSERT INTO {registered} (region, dim, value, actors) "  # noqa: S608
                f"SELECT {region}, {dim}, {value}, COUNT(*) FROM {actor} a "
                + (f"GROUP BY {group}" if (group := _group(region, value)) else "")
            )
        for region, dim, value, condition, join in [*_base(), *_extra()]:
            cursor.execute(
                f"INSERT INTO {levels} (period_id, region, dim, value, level, actors) "  # noqa: S608
                f"SELECT c.period_id, {region}, {dim}, {value}, c.level, COUNT(*) "
                f"FROM {copy} c JOIN {actor} a ON a.id = c.actor_id{join} WHERE {condition} "
                f"GROUP BY {_group('c.period_id', region, value, 'c.level')}"
            )
        for region, dim, value, _all, _none in _base():
            cursor.execute(
                f"INSERT INTO {pairs} (period_a_id, period_b_id, region, dim, value, "  # noqa: S608
                "level_a, level_b, actors) "
                f"SELECT x.period_id, y.period_id, {region}, {dim}, {value}, x.level, y.level, "
                f"COUNT(*) FROM {copy} x JOIN {copy} y ON y.actor_id = x.actor_id "
                f"AND x.period_id < y.period_id JOIN {actor} a ON a.id = x.actor_id "
                f"GROUP BY {_group('x.period_id', 'y.period_id', region, value)}, "
                "x.level, y.level"
            )
