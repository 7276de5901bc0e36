"""The audit hash chain: how a row is hashed, how appends are serialised, how the chain is
checked, and the one sanctioned way to delete rows. docs/audit.md describes the format.

Format 1, over the values as the database gives them back:
- `personal_hash` = SHA-256 of the canonical JSON of `[salt, object_repr, before, after]`;
- `hash` = SHA-256 of the canonical JSON of `[1, prev_hash, id, at, user_id, username,
  action, object_type, object_id, region_code, note, personal_hash]`, `at` as UTC ISO 8601
  with microseconds (`2026-12-03T09:48:14.123456+00:00`);
- canonical JSON: UTF-8, no spaces, object keys sorted at every depth, and a float with no
  fractional part written as the integer its shortest decimal form names (PostgreSQL's jsonb
  reads `1e+23` back as that integer);
- `prev_hash` of the first row is 64 zeros, or after a prune the newest checkpoint's hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection

from sinergi.audit.models import Action, AuditCheckpoint, AuditEvent, DeletionPermit

FORMAT = 1
GENESIS = "0" * 64
# The columns a redaction may replace; every other column is fixed at insert.
PERSONAL = ("object_repr", "before", "after")
# Serialises chain appends on PostgreSQL ("SINERGI" read as digits; any fixed key would do).
_LOCK_KEY = 5_194_752_407
# The triggers of migration 0004, by vendor, which verify() checks are still in place (on
# SQLite a migration that remakes the table drops them).
TRIGGERS = {
    "sqlite": ("audit_auditevent_no_update", "audit_auditevent_no_delete"),
    "postgresql": ("audit_auditevent_append_only", "audit_auditevent_no_truncate"),
}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    if kind is list:
        return [_plain(item) for item in value]
    if kind is float and value.is_integer():
        return int(Decimal(repr(value)))
    return value


def canonical(value: Any) -> bytes:
    """The canonical JSON of a value (see the module's docstring)."""
    plain = _plain(value)
    try:
        return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, which orjson refuses
        return json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def personal_hash(salt: str, object_repr: str, before: Any, after: Any) -> str:
    return hashlib.sha256(canonical([salt, object_repr, before, after])).hexdigest()


def row_hash(prev_hash: str, pk: int, at: datetime, fixed: tuple[Any, ...], personal: str) -> str:
    """`fixed`: user_id, username, action, object_type, object_id, region_code, note."""
    content = [FORMAT, prev_hash, pk, stamp(at), *fixed, personal]
    return hashlib.sha256(canonical(content)).hexdigest()


def lock() -> None:
    """Hold the chain until the transaction ends, so two writers never link to the same row.

    PostgreSQL: a transaction-level advisory lock. SQLite needs none: Sinergi opens its
    transactions IMMEDIATE (settings.py), so the writer already holds the database's one
    write lock; even in DEFERRED mode a writer whose snapshot is stale fails with "database
    is locked" rather than forking the chain.
    """
    assert connection.in_atomic_block, "the chain is appended inside a transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def head() -> tuple[int, str]:
    """The id and hash the next row links to: the newest row's, else the newest checkpoint's,
    else the start (0, zeros). Call under lock()."""
    newest = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if newest is not None:
        return newest
    checkpoint = AuditCheckpoint.objects.order_by("-through_id").first()
    if checkpoint is not None:
        return checkpoint.through_id, checkpoint.hash
    return 0, GENESIS


def reserve(count: int) -> tuple[str, list[int]]:
    """The hash the next row links to (see head()) and ids for `count` rows appended after
    it, in order. Call under lock(). PostgreSQL takes the ids from the table's sequence (so
    inserts that leave the id to the database never collide), in the same query as the
    newest hash; SQLite's next ids follow the newest row."""
    if connection.vendor != "postgresql":
        last_id, prev = head()
        return prev, list(range(last_id + 1, last_id + 1 + count))
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence(%s, 'id')), "  # noqa: S608 - the model's table
            f"(SELECT hash FROM {table} ORDER BY id DESC LIMIT 1) "
            f"FROM generate_series(1, %s)",
            [AuditEvent._meta.db_table, count],
        )
        rows = cursor.fetchall()
    newest = rows[0][1] if rows[0][1] is not None else head()[1]
    return newest, sorted(pk for pk, _ in rows)


@contextmanager
def permit_deletion(through_id: int) -> Iterator[None]:
    """Inside the caller's transaction, let the trigger accept DELETEs of rows up to
    `through_id`: a transaction-local setting on PostgreSQL, a permit row on SQLite (its
    triggers see neither settings nor temporary tables); both end with the transaction."""
    assert connection.in_atomic_block, "a deletion permit lives inside one transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('sinergi.audit_delete_through', %s, true)", [str(through_id)]
            )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('sinergi.audit_delete_through', '', true)")
        return
    permit = DeletionPermit.objects.create(through_id=through_id)
    try:
        yield
    finally:
        DeletionPermit.objects.filter(pk=permit.pk).delete()


def missing_triggers() -> list[str]:
    """The append-only triggers that are not in the database (none, normally)."""
    wanted = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass",
                [AuditEvent._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in wanted if name not in present]


@dataclass
class Verdict:
    """What verify() found. `broken_id` is the first row that fails, None if none does."""

    checked: int = 0
    redacted: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    checkpoint: AuditCheckpoint | None = None
    broken_id: int | None = None
    reason: str = ""
    missing_triggers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason and not self.missing_triggers


_FIXED = ("user_id", "username", "action", "object_type", "object_id", "region_code", "note")
_READ = ("id", "at", *_FIXED, *PERSONAL, "salt", "personal_hash", "prev_hash", "hash", "redacted")


def verify(*, chunk: int = 2000) -> Verdict:
    """Walk the chain in id order from the newest checkpoint and stop at the first row that
    does not hold: its personal columns changed (unless it is marked redacted), its other
    columns changed, or it does not link to the row before it (a row removed, inserted or
    moved). A checkpoint must be confirmed by the prune event written with it."""
    verdict = Verdict(missing_triggers=missing_triggers())
    checkpoint = AuditCheckpoint.objects.order_by("-through_id").first()
    verdict.checkpoint = checkpoint
    expected = checkpoint.hash if checkpoint else GENESIS
    wanted = (checkpoint.through_id, checkpoint.hash) if checkpoint else None
    confirmed = wanted is None
    last = checkpoint.through_id if checkpoint else 0
    rows = AuditEvent.objects.order_by("id").values_list(*_READ)
    while True:
        batch = list(rows.filter(id__gt=last)[:chunk])
        if not batch:
            break
        for pk, at, *rest in batch:
            fixed = tuple(rest[:7])
            object_repr, before, after, salt, stored_personal, prev, own, redacted = rest[7:]
            if redacted:
                verdict.redacted += 1
            elif personal_hash(salt, object_repr, before, after) != stored_personal:
                return _broken(verdict, pk, "its personal columns do not match their hash")
            if prev != expected:
                return _broken(verdict, pk, "it does not link to the row before it")
            if row_hash(prev, pk, at, fixed, stored_personal) != own:
                return _broken(verdict, pk, "its content does not match its hash")
            if not confirmed and fixed[2] == Action.PRUNE and isinstance(after, dict):
                confirmed = (after.get("through_id"), after.get("hash")) == wanted
            expected = own
            verdict.checked += 1
            verdict.head_id, verdict.head_hash = pk, own
            last = pk
    if not confirmed:
        verdict.reason = "the newest checkpoint has no prune event in the chain"
    return verdict


def _broken(verdict: Verdict, pk: int, reason: str) -> Verdict:
    verdict.broken_id, verdict.reason = pk, reason
    return verdict
