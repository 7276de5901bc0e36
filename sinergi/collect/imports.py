"""Actor spreadsheet imports: the column layout, and the run of one ImportJob.

Every row goes through the validator of the web form and the API (registry.forms), a chunk
at a time. A forked worker process reads the sheet, parses the rows and checks them as new
actors' records without the database, a chunk ahead of the job; the job matches NIKs,
checks the rows that edit an actor (validate_actors: the database read once per kind of
question for the whole chunk), looks for twins and writes. Rows that update an actor are
written one savepoint each, and new actors are inserted together through
registry.services.register_actors_bulk. A chunk is checked before its transaction is taken
and committed before the next is taken in, so valid rows land and invalid rows never do.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import audit_region, may_act_on_actor, memberships
from sinergi.audit.models import Action
from sinergi.audit.services import record_legacy
from sinergi.collect.choices import JobStatus, Level
from sinergi.collect.models import ImportJob
from sinergi.lib.jobs import claim, recover_jobs
from sinergi.lib.scope import Do
from sinergi.lib.sqlite import bulk_write_settings
from sinergi.lib.storage import local_copy
from sinergi.lib.uploads import UploadRefused, parse_failure, parse_limits
from sinergi.lib.workers import Worker
from sinergi.lib.xlsx import (
    NotASpreadsheet,
    Sheet,
    cell_date,
    cell_text,
    open_first_sheet,
    restore,
)
from sinergi.regions.models import Region
from sinergi.registry import conflicts, rules, services
from sinergi.registry.choices import LegalityKind, Sector, Status
from sinergi.registry.exports import COLUMNS, REFERENCE_COLUMNS
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
MAX_MESSAGES = 100_000
_YES = frozenset({"ya", "y", "yes", "1", "true", "benar"})
_NO = frozenset({"tidak", "t", "no", "n", "0", "false", "salah", ""})
_YES_NO = _YES | _NO
_DATE_COLUMNS = ("birth_date", "consent_date")
_BOOL_COLUMNS = ("consent_programme", "consent_partners", "consent_publication")
_KIND_SEPARATORS = re.compile(r"[,;]")
_SEX = {"f": "F", "p": "F", "perempuan": "F", "female": "F", "m": "M", "l": "M", "male": "M"}
_SEX.update({"laki-laki": "M", "laki laki": "M", "lakilaki": "M"})
_OTHER_KINDS = (LegalityKind.SKU, LegalityKind.IUMK, LegalityKind.BPOM, LegalityKind.BRAND)
# Legality column -> the kinds it speaks for (a kind whose column is absent is left alone).
LEGALITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "nib": (LegalityKind.NIB,),
    "pirt": (LegalityKind.PIRT,),
    "halal": (LegalityKind.HALAL,),
    "other_legality": tuple(_OTHER_KINDS),
}
# Columns read as plain text (cell_text).
_TEXT_CODES = frozenset(COLUMNS) - {*LEGALITY_COLUMNS, *_DATE_COLUMNS, *_BOOL_COLUMNS, "sex"}


@dataclass(frozen=True)
class Column:
    """How one spreadsheet column is filled in, for the template's help sheet."""

    code: str
    required: bool
    description: str | Promise
    format: str | Promise
    example: str
    allowed: str | Promise = ""


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


def column_help() -> list[Column]:
    """The import columns in COLUMNS order, with their help text."""
    date_format = _("date: YYYY-MM-DD, DD/MM/YYYY or an Excel date")
    yes_no = _("ya/tidak (also yes/no, 1/0)")
    spec = [
        Column("nik", True, _("Identity number (NIK) as on the KTP"), _("16 digits, as text"),
               "3317045203850001"),
        Column("name", True, _("Full name"), _("text, up to 150 characters"), "Siti Aminah"),
        Column("sex", True, _("Sex"), _("one letter"), "F", _("F or P (female), M or L (male)")),
        Column("birth_date", True, _("Birth date; must agree with the NIK"), date_format,
               "1985-03-12"),
        Column("phone", False, _("Phone number"), _("8 to 15 digits, may start with +"),
               "081234567890"),
        Column("address", False, _("Address"), _("text, up to 255 characters"), "RT 02 RW 01"),
        Column("village_code", True, _("Kemendagri village code, inside your region"),
               _("dotted or 10 digits"), "33.17.04.2001"),
        Column("business_name", True, _("Business name"), _("text, up to 150 characters"),
               "Keripik Bu Siti"),
        Column("sector", True, _("Business sector"), _("one code"), Sector.FOOD.value,
               _choices(Sector.values)),
        Column("products", False, _("Products"), _("text, up to 255 characters"),
               "keripik singkong"),
        Column("year_started", False, _("Year the business started"), _("year, from 1945"),
               "2015"),
        Column("consent_date", False, _("Date the consent form was signed"), date_format,
               "2024-01-15"),
        Column("consent_programme", False, _("Consents to the programme using her data"),
               yes_no, "ya"),
        Column("consent_partners", False, _("Consents to sharing with partners"), yes_no,
               "tidak"),
        Column("consent_publication", False, _("Consents to publication"), yes_no, "tidak"),
        Column("facilitator", False, _("Username of her facilitator (pendamping)"),
               _("username"), "pendamping-rembang"),
        Column("status", False, _("Status (blank: active, or unchanged)"), _("one code"),
               Status.ACTIVE.value, _choices(Status.values)),
        Column("nib", False, _("Business number (NIB)"), _("13 digits, as text"),
               "1234567890123"),
        Column("pirt", False, _("P-IRT certificate number"), _("at least 15 digits"),
               "P-IRT No. 2063317010123-29"),
        Column("halal", False, _("Halal certificate number"), _("text"), "ID33110000123450824"),
        Column("other_legality", False, _("Other legality held"), _("comma-separated codes"),
               "sku, brand", _choices(_OTHER_KINDS)),
    ]  # fmt: skip
    by_code = {column.code: column for column in spec}
    return [by_code[code] for code in COLUMNS]


REQUIRED = frozenset(c.code for c in column_help() if c.required)
# Columns kept as text in the template so Excel does not round long digit strings.
TEXT_COLUMNS = ("nik", "phone", "village_code", "nib", "pirt", "halal")


def template_sheets() -> list[Sheet]:
    """The blank import template: the header row, and the 'Petunjuk' sheet explaining it."""
    help_rows = [
        (
            c.code,
            _t("required") if c.required else _t("optional"),
            str(c.description),
            str(c.format),
            c.example,
            str(c.allowed),
        )
        for c in column_help()
    ]
    return [
        Sheet(
            "actors",
            COLUMNS,
            [],
            widths=[18] * len(COLUMNS),
            text_columns=[COLUMNS.index(code) for code in TEXT_COLUMNS],
        ),
        Sheet(
            "Petunjuk",
            [_t("Column"), _t("Required"), _t("Description"), _t("Format"), _t("Example"),
             _t("Allowed values")],
            help_rows,
            widths=[20, 12, 45, 40, 30, 50],
        ),
    ]  # fmt: skip


class HeaderError(ValueError):
    pass


def read_header(cells: Sequence[Any]) -> list[str]:
    """Column codes of the header row; missing, unknown or repeated columns fail the job.

    The reference columns an export adds (id, village name, level) are accepted and read as
    blank codes, which parse_row skips: an exported file can be edited and imported back."""
    codes = [cell_text(c).rstrip("*").strip().lower().replace(" ", "_") for c in cells]
    problems: list[str] = []
    missing = sorted(REQUIRED - set(codes), key=COLUMNS.index)
    if missing:
        problems.append(_t("Missing required columns: %s.") % ", ".join(missing))
    unknown = [c for c in codes if c and c not in COLUMNS and c not in REFERENCE_COLUMNS]
    if unknown:
        problems.append(
            _t("Unknown columns: %(unknown)s. Allowed columns: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(COLUMNS)}
        )
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    if repeated:
        problems.append(_t("Columns given more than once: %s.") % ", ".join(repeated))
    if problems:
        raise HeaderError(" ".join(problems))
    return ["" if c in REFERENCE_COLUMNS else c for c in codes]


@dataclass
class Row:
    """One data row, parsed into validate_actors' input."""

    number: int
    data: dict[str, Any]
    legality: list[dict[str, Any]] | None
    legality_columns: list[str]
    errors: dict[str, str] = field(default_factory=dict)
    nik: str = ""  # the NIK cell without spaces, as the duplicate checks compare it


def _text(value: Any) -> str:
    """cell_text, without its checks for the text cells that make most of a sheet."""
    return restore(value.strip()) if type(value) is str else cell_text(value)


def parse_row(number: int, codes: Sequence[str], cells: Sequence[Any]) -> Row | None:
    """Cells to typed values; None for a blank row. Cell-level problems go to row.errors."""
    if len(cells) >= len(codes) and all(codes):
        values = dict(zip(codes, cells, strict=False))  # what the general case below gives
    else:
        values = {
            code: cells[i] if i < len(cells) else None for i, code in enumerate(codes) if code
        }
    if all(_text(v) == "" for v in values.values()):
        return None
    row = Row(number, {}, None, [])
    data = row.data
    for code, value in values.items():
        if code in _TEXT_CODES:
            data[code] = _text(value)
        elif code in LEGALITY_COLUMNS:
            continue
        elif code in _DATE_COLUMNS:
            data[code] = cell_date(value)
        elif code in _BOOL_COLUMNS:
            text = _text(value).lower()
            if text not in _YES_NO:
                row.errors[code] = _t("'%s' is not ya or tidak.") % text
            data[code] = text in _YES
        elif code == "sex":
            text = _text(value)
            data[code] = _SEX.get(text.lower(), text)
        else:
            data[code] = _text(value)
    row.nik = str(data.get("nik", "")).replace(" ", "")
    if not LEGALITY_COLUMNS.keys().isdisjoint(values):
        row.legality = []
        for code in ("nib", "pirt", "halal"):
            number_text = _text(values.get(code))
            if number_text:
                row.legality.append({"kind": code, "number": number_text})
                row.legality_columns.append(code)
        for kind in _KIND_SEPARATORS.split(_text(values.get("other_legality")).lower()):
            kind = kind.strip()
            if not kind:
                continue
            if kind not in _OTHER_KINDS:
                row.errors["other_legality"] = _t(
                    "'%(kind)s' is not a legality type; allowed: %(allowed)s."
                ) % {"kind": kind, "allowed": ", ".join(_OTHER_KINDS)}
            else:
                row.legality.append({"kind": kind, "number": ""})
                row.legality_columns.append("other_legality")
    return row


def _merge_legality(row: Row, actor: Actor, codes: Sequence[str]) -> None:
    """On an update, keep items whose column is absent, and dates of items listed again."""
    if row.legality is None:
        return
    stored = list(actor.legality_items.all())
    covered = {
        kind for code in codes if code in LEGALITY_COLUMNS for kind in LEGALITY_COLUMNS[code]
    }
    for item in row.legality:
        for old in stored:
            if old.kind == item["kind"] and old.number == _normal_number(item):
                item.update(issued_on=old.issued_on, expires_on=old.expires_on)
    for old in stored:
        if old.kind not in covered:
            row.legality.append(
                {
                    "kind": old.kind,
                    "number": old.number,
                    "issued_on": old.issued_on,
                    "expires_on": old.expires_on,
                }
            )
            row.legality_columns.append("")


def _normal_number(item: dict[str, Any]) -> str:
    number = str(item["number"]).strip()
    if item["kind"] == LegalityKind.PIRT:
        digits, reason = rules.normalise_pirt(number)
        return number if reason else rules.format_pirt(digits)
    return number


# Problems of a row refused: (column, reason) each.
Problems = list[tuple[str, str]]


def problems(row: Row, errors: dict[str, Any]) -> Problems:
    """A validator's errors as report lines: legality errors under their item's column."""
    found: Problems = []
    for key, reasons in errors.items():
        column = key
        if key.startswith("legality."):
            index = int(key.split(".")[1])
            column = row.legality_columns[index] if index < len(row.legality_columns) else ""
        elif key == "__all__":
            column = ""
        for reason in [reasons] if isinstance(reasons, str) else reasons:
            found.append((column, str(reason)))
    return found


class Report:
    """The job's counters and per-row messages, flushed to the row between chunks."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.messages: list[dict[str, Any]] = []
        if job.attempts > 1:
            self.add(0, "", resumed_message(job), Level.WARNING)

    def add(self, row: int, column: str, reason: str, level: str = Level.ERROR) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(
                {"row": row, "column": column, "reason": reason, "level": str(level)}
            )

    def refuse(self, row: int, problems: Problems) -> None:
        for column, reason in problems:
            self.add(row, column, reason)
        self.job.failed_count += 1

    def errors(self, row: Row, errors: dict[str, Any]) -> None:
        self.refuse(row.number, problems(row, errors))

    def warning(self, row: int, warning: str) -> None:
        self.add(row, "nik" if "NIK" in warning else "name", warning, Level.WARNING)

    def save(self, *fields: str) -> None:
        """Store the counters and messages, and move the heartbeat on (see recover_imports)."""
        self.job.messages = self.messages
        self.job.heartbeat_at = timezone.now()
        self.job.save(
            update_fields=[
                "heartbeat_at",
                "processed_rows",
                "created_count",
                "updated_count",
                "skipped_count",
                "failed_count",
                "messages",
                *fields,
            ]
        )


# What the worker sends the job, as plain tuples and lists (the cheapest values to pickle;
# the job's share of unpickling them is part of its time).
#
# A row: its number, its cells, its NIK's lookup hash (digits only); the problems of its
# cells, if any; else what the checks of a new actor made of it: the problems that refuse
# it, or the actor to store with her warnings and the person to look for twins of. A row
# whose NIK the job finds registered is parsed again from its cells and checked as an edit.
Prepared = tuple[
    int, list[Any], str | None, Problems | None, Problems | None, NewActor | None, list[str],
    Person | None,
]  # fmt: skip
# A chunk: rows read (blank ones too), report lines of rows repeated in the file (row,
# column, reason, level), how many of those rows are refused, and the other rows.
Chunk = tuple[int, list[tuple[int, str, str, str]], int, list[Prepared]]


class ActorImport:
    """One pass over an actor spreadsheet as the uploading user.

    Its worker process (lib.workers) reads the sheet, parses the rows and checks those of
    new actors, a chunk ahead of the job, which meanwhile reads the database and writes the
    chunk before; see Prepared and PreloadedLookups for how the two share the checks.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.user = job.uploaded_by
        self.report = Report(job)
        self.codes: list[str] = []
        self.seen_nik: dict[str, int] = {}
        self.seen_person: dict[tuple[str, str, str], int] = {}
        self.villages: dict[str, Region] = {}  # read as the edits of chunks name them

    @contextmanager
    def settings(self) -> Iterator[None]:
        # A 100,000-row import on SQLite took about a fifth longer with the default page
        # cache (2 MiB) and checkpoint interval (4 MiB).
        with _few_collections(), bulk_write_settings(cache_kib=65_536, checkpoint_pages=20_000):
            yield

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.skipped_count,
            "failed": job.failed_count,
        }

    def run(self) -> None:
        # What the worker's checks need from the database, read before it starts.
        self.lookups = PreloadedLookups.load()
        memberships(self.user)
        ahead = self._ahead()
        with Worker[None, Any](lambda _none: next(ahead, None), parse_limits()) as worker:
            for _chunk in range(1 + CHUNKS_AHEAD):
                worker.send(None)
            total_rows: int
            total_rows, self.codes = worker.receive()
            self.job.total_rows = total_rows
            self.report.save("total_rows")
            while (chunk := worker.receive()) is not None:
                worker.send(None)
                self._import_chunk(chunk)
                self.report.save()

    def _ahead(self) -> Iterator[tuple[int, list[str]] | Chunk]:
        """The worker's part: the number of rows and the column codes, then the chunks."""
        with local_copy(self.job.file) as path:
            yield from self._read_ahead(path)

    def _read_ahead(self, path: str) -> Iterator[tuple[int, list[str]] | Chunk]:
        reader = open_first_sheet(path)
        header = next(reader.rows, None)
        if header is None:
            raise HeaderError(_t("The first sheet is empty: it needs a header row."))
        codes = read_header(header)
        yield max(reader.height - 1, 0), codes
        chunk: list[tuple[Row, list[Any]]] = []
        read = 0
        for number, cells in enumerate(reader.rows, start=2):
            read += 1
            row = parse_row(number, codes, cells)
            if row is not None:
                chunk.append((row, cells))
            if len(chunk) >= CHUNK_ROWS:
                yield self._prepare(chunk, read)
                chunk = []
                read = 0
        yield self._prepare(chunk, read)

    def _prepare(self, rows: list[tuple[Row, list[Any]]], read: int) -> Chunk:
        """Check the rows as new actors' records, without the database (the worker's part)."""
        repeats: list[tuple[int, str, str, str]] = []
        refused = 0
        lookups = self.lookups
        prepared: list[Prepared] = []
        for row, cells in rows:
            repeat = self._repeat(row)
            if repeat is not None:
                repeats.append(repeat)
                if repeat[3] == Level.ERROR:
                    refused += 1
                    continue
            nik_hash = lookups.hash_of(row.nik) if row.nik.isdigit() else None
            if row.errors:
                cell_problems = problems(row, row.errors)
                prepared.append((row.number, cells, nik_hash, cell_problems, None, None, [], None))
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
                refusal = problems(row, errors)
                prepared.append((row.number, cells, nik_hash, None, refusal, None, [], None))
            else:
                actor = services.new_actor(user=self.user, valid=valid)
                prepared.append(
                    (row.number, cells, nik_hash, None, None, actor, valid.warnings, lookups.asked)
                )
        return read, repeats, refused, prepared

    def _import_chunk(self, chunk: Chunk) -> None:
        read, repeats, refused, rows = chunk
        self.job.processed_rows += read
        for repeat in repeats:
            self.report.add(*repeat)
        self.job.failed_count += refused
        ids = actor_ids({nik_hash for _, _, nik_hash, *_ in rows if nik_hash is not None})
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
        # Rows whose NIK is registered are edits: parsed again here, and checked as such.
        edits: dict[int, tuple[Row, Actor]] = {}
        fresh: set[int] = set()
        people: set[Person] = set()
        for number, cells, nik_hash, cell_problems, refusal, _new, _warnings, twin in rows:
            if cell_problems is not None:
                self.report.refuse(number, cell_problems)
                continue
            actor = by_hash.get(nik_hash) if nik_hash is not None else None
            if actor is None:
                fresh.add(number)
                if twin is not None:
                    people.add(twin)
                continue
            row = parse_row(number, self.codes, cells)
            assert row is not None  # the worker parsed it so
            if not may_act_on_actor(self.user, actor, Do.CHANGE):
                self._refuse_registered(row, actor, refusal)
                continue
            edits[number] = (row, actor)
        checked = dict(zip(edits, self._check_edits(list(edits.values())), strict=True))
        twins = ChunkLookups.twins_only(people)
        creates: list[tuple[int, NewActor]] = []
        changes: list[tuple[Row, Actor, ValidActor]] = []
        for number, *_cells, refusal, new, warnings, twin in rows:  # in row order
            if number in checked:
                row, actor = edits[number]
                valid, errors = checked[number]
                if valid is None:
                    self.report.errors(row, errors)
                    continue
                for warning in valid.warnings:
                    self.report.warning(number, warning)
                changes.append((row, actor, valid))
            elif number not in fresh:
                continue  # cells in error, or an edit refused: reported above
            elif refusal is not None:
                self.report.refuse(number, refusal)
            elif new is not None:
                for warning in warnings:
                    self.report.warning(number, warning)
                if twin is not None and (found := twins.twin(*twin, None)):
                    self.report.warning(number, twin_warning(found))
                creates.append((number, new))
        if not (changes or creates):
            return
        with transaction.atomic():
            for row, actor, valid in changes:
                self._update(row, actor, valid)
            self._create(creates)

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
        self.report.errors(
            row,
            {
                "nik": _t(
                    "An actor with this NIK is already registered outside your "
                    "region or caseload; ask her regency officer."
                )
            },
        )

    def _check_edits(self, edits: list[tuple[Row, Actor]]) -> list[tuple[ValidActor | None, Any]]:
        """The records of edits, checked with the database (validation only reads: it runs
        before the write lock is taken, so a long chunk never blocks the site's users)."""
        if not edits:
            return []
        records = []
        for row, actor in edits:
            data = dict(row.data)
            _merge_legality(row, actor, self.codes)
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

    def _repeat(self, row: Row) -> tuple[int, str, str, str] | None:
        """The report line of a row repeated in the file: a repeated NIK is an error naming
        the first row (the row is refused), a repeated person a warning."""
        if row.nik:
            first = self.seen_nik.setdefault(row.nik, row.number)
            if first != row.number:
                reason = _t("Same NIK as row %(row)s of this file.") % {"row": first}
                return row.number, "nik", reason, Level.ERROR.value
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
                return row.number, "name", reason, Level.WARNING.value
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
            self.report.errors(row, {"": _t("The row could not be saved; try again.")})
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


class _Collections:
    """The garbage collector's settings outside jobs, and how many jobs are running (a
    consumer may run jobs in several threads; the settings are the process's)."""

    lock = threading.Lock()
    running = 0
    thresholds = gc.get_threshold()


@contextmanager
def _few_collections() -> Iterator[None]:
    """Fewer cyclic garbage collections while jobs run. An import allocates millions of
    short-lived containers, each collection of the older generations walks every object
    the process holds (Django, the job's state), and the default thresholds spent about a
    tenth of an import's time there. Objects made before the first job are set aside
    (gc.freeze) and collections run at most a tenth as often; all as before once the last
    running job is done."""
    with _Collections.lock:
        if not _Collections.running:
            _Collections.thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(10_000, 20, 100)
        _Collections.running += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.running -= 1
            if not _Collections.running:
                gc.set_threshold(*_Collections.thresholds)
                gc.unfreeze()


class Importer(Protocol):
    """One pass over a spreadsheet for an ImportJob (ActorImport, results.ResultsImport)."""

    report: Report

    def run(self) -> None: ...

    def settings(self) -> AbstractContextManager[None]:
        """What the run is wrapped in (database and collector settings)."""

    def summary(self) -> dict[str, Any]:
        """The job's counts for its audit row."""


def run_importer(job_id: int, make: Callable[[ImportJob], Importer]) -> ImportJob | None:
    """Run a queued job once with the importer `make` builds; a job already running, done or
    failed is left alone. A failure fails the job with a message in its report, whole chunks
    kept; a file refused by the upload checks or whose reading went past its limits
    (lib.uploads) fails it naming the reason. The run is audited with the job's counts."""
    if not claim(ImportJob, job_id):
        return None
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    importer = make(job)
    started = time.monotonic()
    try:
        with importer.settings():
            importer.run()
        job.status = JobStatus.DONE
    except (HeaderError, NotASpreadsheet, UploadRefused) as exc:
        importer.report.add(1, "", str(exc))
        job.status = JobStatus.FAILED
    except conflicts.TooManyConflicts as exc:
        importer.report.add(0, "nik", str(exc))
        job.status = JobStatus.FAILED
    except Exception as exc:
        refused = parse_failure(exc)
        if refused is None:
            log.exception("%s import job %s failed", job.kind, job_id)
            importer.report.add(0, "", _t("The import stopped on an unexpected error."))
        else:
            log.warning("%s import job %s: %s", job.kind, job_id, refused)
            importer.report.add(1, "", str(refused))
        job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    importer.report.save("status", "finished_at", "total_rows")
    record_legacy(
        user=job.uploaded_by,
        action=Action.IMPORT,
        object_type="import_job",
        object_id=job.pk,
        object_repr=job.original_name,
        region_code=audit_region(job.uploaded_by),
        after={
            "status": job.status,
            **importer.summary(),
            "seconds": round(time.monotonic() - started, 2),
        },
    )
    return job


def run_job(job_id: int) -> ImportJob | None:
    """Run a queued actor import once (see run_importer)."""
    return run_importer(job_id, ActorImport)


def resumed_message(job: ImportJob) -> str:
    return _t(
        "The import was started again (run %(attempt)s of %(attempts)s) after its process "
        "stopped; rows stored before then are counted as unchanged."
    ) % {"attempt": job.attempts, "attempts": settings.JOB_MAX_ATTEMPTS}


def recover_imports(enqueue: Callable[[ImportJob], None]) -> list[ImportJob]:
    """Imports whose process died (running, heartbeat stale) run again from the first row,
    up to JOB_MAX_ATTEMPTS runs: a run is idempotent (a row already stored is found by its
    NIK and left unchanged, a result already counted is a repeat), so nothing is doubled.
    Past that, the job fails saying which rows were kept. See lib.jobs.recover_jobs."""

    def requeue(job: ImportJob) -> dict[str, Any]:
        return {
            "processed_rows": 0,
            "created_count": 0,
            "updated_count": 0,
            "skipped_count": 0,
            "failed_count": 0,
        }

    def fail(job: ImportJob) -> dict[str, Any]:
        reason = _t(
            "The import stopped: its process was killed %(attempts)s times. The rows stored "
            "before then are kept (the first %(rows)s rows of the file were processed); "
            "upload the file again to import the rest: rows already stored are left unchanged."
        ) % {"attempts": job.attempts, "rows": job.processed_rows}
        line = {"row": 0, "column": "", "reason": reason, "level": str(Level.ERROR)}
        return {"messages": [*job.messages, line]}

    return recover_jobs(ImportJob, requeue=requeue, enqueue=enqueue, fail=fail)
