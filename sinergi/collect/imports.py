"""The run of an actor import (an ImportJob of kind `actors`), on lib.runner.

Every row goes through the validator of the web form and the API (registry.records), a chunk
at a time. The job's worker process reads the sheet, parses each row (once: collect.
actor_sheet) and checks it as a new actor's record without the database, a chunk ahead of
the job; the job matches NIKs, checks the rows that edit an actor (validate_actors: the
database read once per kind of question for the whole chunk), looks for twins and writes.
Rows that update an actor are written one savepoint each, and new actors are inserted
together through registry.services.register_actors_bulk. A chunk is checked before its
transaction is taken and committed before the next is taken in, so valid rows land and
invalid rows never do.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _t

from sinergi.accounts.scoping import memberships
from sinergi.collect.actor_sheet import (
    Row,
    merge_legality,
    parse_row,
    problems,
    read_header,
)
from sinergi.collect.choices import Level
from sinergi.collect.jobs import HeaderError, Line, Problems, SpreadsheetImport, run_import
from sinergi.collect.models import ImportJob
from sinergi.lib.runner import ReadsAhead, Setup, SqliteSettings
from sinergi.lib.scope import Do, allowed
from sinergi.lib.storage import local_copy
from sinergi.lib.uploads import parse_limits
from sinergi.lib.xlsx import cell_text, open_first_sheet
from sinergi.regions.models import Region
from sinergi.registry import conflicts, services
from sinergi.registry.models import Actor
from sinergi.registry.records import ActorRecord, ValidActor, validate_actor, validate_actors
from sinergi.registry.services import NewActor
from sinergi.registry.validation import (
    ChunkLookups,
    Person,
    PreloadedLookups,
    actor_ids,
    name_key,
    twin_warning,
)

log = logging.getLogger(__name__)

# Rows validated and written together. A chunk's writes touch index pages all over the
# nik_hash, name and region indexes; larger chunks write each page fewer times (at 500 rows
# a chunk the writes took a third longer). The write lock is held for its writes only.
CHUNK_ROWS = 2000
# Chunks the worker prepares ahead of the job: the next one is ready when a write ends.
CHUNKS_AHEAD = 2


@dataclass(frozen=True)
class PreparedChunk:
    """What the worker sends the job for a chunk: how many rows it read (blank ones too), the
    report lines of rows repeated in the file (an error refuses the row); then each other
    row, parsed, with its NIK's lookup hash (digits only), and by row number what the
    checks of a new actor's record made of it: the problems of its cells (refused whatever
    the database holds), else the problems that refuse it as a new actor, else the actor to
    store with her warnings and the person to look for twins of. A row whose NIK the job
    finds registered is checked again as an edit, from its parsed row.

    Columns rather than an object a row: each object sent costs the job a few microseconds
    to receive, in a job that spends about 250 a row.
    """

    read: int
    repeats: list[Line]
    rows: list[Row]
    hashes: list[str | None]
    problems: dict[int, Problems] = field(default_factory=dict)
    refusals: dict[int, Problems] = field(default_factory=dict)
    new: dict[int, NewActor] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)
    twins: dict[int, Person] = field(default_factory=dict)


class ActorImport(SpreadsheetImport):
    """One pass over an actor spreadsheet as the uploading user.

    Its worker process reads the sheet, parses the rows and checks those of new actors, a
    chunk ahead of the job, which meanwhile reads the database and writes the chunk before;
    see PreparedChunk and PreloadedLookups for how the two share the checks.
    """

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        self.codes: list[str] = []
        self.seen_nik: dict[str, int] = {}
        self.seen_person: dict[tuple[str, str, str], int] = {}
        self.villages: dict[str, Region] = {}  # read as the edits of chunks name them

    def setup(self) -> Setup:
        # A 100,000-row import on SQLite took about a fifth longer with the default page
        # cache (2 MiB) and checkpoint interval (4 MiB).
        return Setup(
            worker=ReadsAhead(chunks=CHUNKS_AHEAD, limits=parse_limits()),
            sqlite=SqliteSettings(cache_kib=65_536, checkpoint_pages=20_000),
            few_collections=True,
        )

    def load(self) -> None:
        self.lookups = PreloadedLookups.load()
        memberships(self.user)

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.skipped_count,
            "failed": job.failed_count,
        }

    def read(self) -> Generator[tuple[int, list[str]] | PreparedChunk, None, None]:
        """The worker's part: the number of rows and the column codes, then the chunks."""
        with local_copy(self.job.file) as path:
            reader = open_first_sheet(path)
            header = next(reader.rows, None)
            if header is None:
                raise HeaderError(_t("The first sheet is empty: it needs a header row."))
            codes = read_header(header)
            yield max(reader.height - 1, 0), codes
            chunk: list[Row] = []
            read = 0
            for number, cells in enumerate(reader.rows, start=2):
                read += 1
                row = parse_row(number, codes, cells)
                if row is not None:
                    chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    yield self._prepare(chunk, read)
                    chunk = []
                    read = 0
            yield self._prepare(chunk, read)

    def start(self, head: tuple[int, list[str]]) -> None:
        self.job.total_rows, self.codes = head

    def _prepare(self, rows: list[Row], read: int) -> PreparedChunk:
        """Check the rows as new actors' records, without the database (the worker's part)."""
        lookups = self.lookups
        chunk = PreparedChunk(read, [], [], [])
        for row in rows:
            repeat = self._repeat(row)
            if repeat is not None:
                chunk.repeats.append(repeat)
                if repeat.level == Level.ERROR:
                    continue
            number = row.number
            chunk.rows.append(row)
            chunk.hashes.append(lookups.hash_of(row.nik) if row.nik.isdigit() else None)
            if row.errors:
                chunk.problems[number] = problems(row, row.errors)
                continue
            lookups.asked = None
            valid, errors = validate_actor(
                user=self.user,
                data=row.data,
                legality=row.legality,
                warn_duplicates=True,
                lookups=lookups,
            )
            if valid is None:
                chunk.refusals[number] = problems(row, errors)
                continue
            chunk.new[number] = services.new_actor(user=self.user, valid=valid)
            if valid.warnings:
                chunk.warnings[number] = valid.warnings
            if lookups.asked is not None:
                chunk.twins[number] = lookups.asked
        return chunk

    def write(self, chunk: PreparedChunk) -> None:
        self.job.processed_rows += chunk.read
        for line in chunk.repeats:
            self.report.add(line)
            if line.level == Level.ERROR:
                self.job.failed_count += 1
        ids = actor_ids({nik_hash for nik_hash in chunk.hashes if nik_hash is not None})
        by_hash = (
            {
                actor.nik_hash: actor
                for actor in Actor.objects.filter(pk__in=ids.values())
                .select_related("facilitator")
                .prefetch_related("legality_items")
            }
            if ids
            else {}
        )
        # Rows whose NIK is registered are edits, checked as such.
        edits: dict[int, tuple[Row, Actor]] = {}
        fresh: set[int] = set()
        people: set[Person] = set()
        for row, nik_hash in zip(chunk.rows, chunk.hashes, strict=True):
            number = row.number
            if number in chunk.problems:
                self.report.refuse(number, chunk.problems[number])
                continue
            actor = by_hash.get(nik_hash) if nik_hash is not None else None
            if actor is None:
                fresh.add(number)
                if number in chunk.twins:
                    people.add(chunk.twins[number])
                continue
            if not allowed(self.user, Do.CHANGE, actor):
                self._refuse_registered(row, actor, chunk.refusals.get(number))
                continue
            edits[number] = (merge_legality(row, actor, self.codes), actor)
        checked = dict(zip(edits, self._check_edits(list(edits.values())), strict=True))
        twins = ChunkLookups.twins_only(people)
        creates: list[tuple[int, NewActor]] = []
        changes: list[tuple[Row, Actor, ValidActor]] = []
        for row in chunk.rows:  # in row order
            number = row.number
            if number in checked:
                edit, actor = edits[number]
                valid, errors = checked[number]
                if valid is None:
                    self.report.refuse(number, problems(edit, errors))
                    continue
                for warning in valid.warnings:
                    self._warn(number, warning)
                changes.append((edit, actor, valid))
            elif number not in fresh:
                continue  # cells in error, or an edit refused: reported above
            elif number in chunk.refusals:
                self.report.refuse(number, chunk.refusals[number])
            else:
                for warning in chunk.warnings.get(number, ()):
                    self._warn(number, warning)
                twin = chunk.twins.get(number)
                if twin is not None and (found := twins.twin(*twin, None)):
                    self._warn(number, twin_warning(found))
                creates.append((number, chunk.new[number]))
        if not (changes or creates):
            return
        with transaction.atomic():
            for row, actor, valid in changes:
                self._update(row, actor, valid)
            self._create(creates)

    def _warn(self, row: int, warning: str) -> None:
        column = "nik" if "NIK" in warning else "name"
        self.report.add(Line(row, column, warning, Level.WARNING.value))

    def _refuse_registered(self, row: Row, actor: Actor, refusal: Problems | None) -> None:
        """A row whose NIK is an actor's the user may not change: refused as the new record it
        would be (the worker checked it so) while it has errors, since the conflict tells
        that the NIK is registered (registry.conflicts); told, and audited, once it has none.
        """
        if refusal is not None:
            self.report.refuse(row.number, refusal)
            return
        conflicts.check_allowance(self.user)
        conflicts.record_conflict(user=self.user, actor=actor, channel="import")
        reason = _t(
            "An actor with this NIK is already registered outside your region or caseload; "
            "ask her regency officer."
        )
        self.report.refuse(row.number, [("nik", reason)])

    def _check_edits(self, edits: list[tuple[Row, Actor]]) -> list[tuple[ValidActor | None, Any]]:
        """The records of edits, checked with the database (validation only reads: it runs
        before the write lock is taken, so a long chunk never blocks the site's users)."""
        if not edits:
            return []
        records = []
        for row, actor in edits:
            data = dict(row.data)
            if not data.get("facilitator"):
                data.pop("facilitator", None)  # a blank cell keeps her facilitator
            records.append(ActorRecord(data, row.legality, actor))
        return validate_actors(
            user=self.user,
            records=records,
            warn_duplicates=True,
            districts=self.lookups.districts,
            known_actors={row.nik: actor for row, actor in edits},
            known_hashes={row.nik: actor.nik_hash for row, actor in edits},
            villages=self.villages,
        )

    def _repeat(self, row: Row) -> Line | None:
        """The report line of a row repeated in the file: a repeated NIK is an error naming
        the first row (the row is refused), a repeated person a warning."""
        if row.nik:
            first = self.seen_nik.setdefault(row.nik, row.number)
            if first != row.number:
                reason = _t("Same NIK as row %(row)s of this file.") % {"row": first}
                return Line(row.number, "nik", reason, Level.ERROR.value)
        person = (
            name_key(str(row.data.get("name", ""))),
            cell_text(row.data.get("birth_date")),
            str(row.data.get("village_code", "")),
        )
        if all(person):
            first = self.seen_person.setdefault(person, row.number)
            if first != row.number:
                reason = _t(
                    "Possible duplicate of row %(row)s: same name, birth date and village."
                ) % {"row": first}
                return Line(row.number, "name", reason, Level.WARNING.value)
        return None

    def _update(self, row: Row, actor: Actor, valid: ValidActor) -> None:
        before = services.snapshot(actor)
        try:
            with transaction.atomic():
                services.update_actor(
                    user=self.user,
                    actor=actor,
                    data=valid.data,
                    village=valid.village,
                    facilitator=valid.facilitator,
                    legality=valid.legality,
                )
        except DatabaseError as exc:
            log.warning("import row %s not updated: %s", row.number, exc)
            self.report.refuse(row.number, [("", _t("The row could not be saved; try again."))])
            return
        if services.snapshot(actor) == before:
            self.job.skipped_count += 1
        else:
            self.job.updated_count += 1

    def _create(self, new: list[tuple[int, NewActor]]) -> None:
        if not new:
            return
        try:
            with transaction.atomic():
                services.register_actors_bulk(user=self.user, actors=[a for _, a in new])
            self.job.created_count += len(new)
            return
        except IntegrityError:
            pass  # another writer took a NIK meanwhile: find which rows still fit, one by one
        for number, actor in new:
            try:
                with transaction.atomic():
                    services.register_actors_bulk(user=self.user, actors=[actor])
                self.job.created_count += 1
            except IntegrityError:
                self.report.refuse(
                    number, [("nik", _t("An actor with this NIK was registered meanwhile."))]
                )


def run_job(job_id: int) -> ImportJob | None:
    """Run a queued actor import once (lib.runner.run)."""
    return run_import(job_id, ActorImport)
