"""Actor spreadsheet imports: the column layout, and the run of one ImportJob.

Every row goes through registry.forms.validate_actors, the validator of the web form and the
API, a chunk at a time: the database is read once per kind of question for the whole chunk,
so the number of queries does not grow with the rows. Rows that update an actor are
written one savepoint each, and new actors are inserted together through
registry.services.register_actors_bulk. A chunk is validated before its transaction is
taken and committed before the next is read, so valid rows land and invalid rows never do.
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

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.scoping import Do, may_act_on_actor
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect.choices import JobStatus, Level
from sinergi.collect.models import ImportJob
from sinergi.lib.crypto import lookup_hash
from sinergi.lib.sqlite import bulk_write_settings
from sinergi.lib.xlsx import NotASpreadsheet, Sheet, cell_date, cell_text, open_first_sheet
from sinergi.regions.models import Region
from sinergi.registry import rules, services
from sinergi.registry.choices import LegalityKind, Sector, Status
from sinergi.registry.exports import COLUMNS, REFERENCE_COLUMNS
from sinergi.registry.forms import ActorRecord, ValidActor, name_key, validate_actors
from sinergi.registry.models import Actor
from sinergi.registry.validation import actor_ids, district_codes

log = logging.getLogger(__name__)

# Rows validated and written together. A chunk's writes touch index pages all over the
# nik_hash, name and region indexes; larger chunks write each page fewer times (at 500 rows
# a chunk the writes took a third longer). The write lock is held for its writes only.
CHUNK_ROWS = 2000
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
    return value.strip() if type(value) is str else cell_text(value)


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


class Report:
    """The job's counters and per-row messages, flushed to the row between chunks."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.messages: list[dict[str, Any]] = []

    def add(self, row: int, column: str, reason: str, level: str = Level.ERROR) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(
                {"row": row, "column": column, "reason": reason, "level": str(level)}
            )

    def errors(self, row: Row, errors: dict[str, Any]) -> None:
        for key, reasons in errors.items():
            column = key
            if key.startswith("legality."):
                index = int(key.split(".")[1])
                column = row.legality_columns[index] if index < len(row.legality_columns) else ""
            elif key == "__all__":
                column = ""
            for reason in [reasons] if isinstance(reasons, str) else reasons:
                self.add(row.number, column, str(reason))
        self.job.failed_count += 1

    def save(self, *fields: str) -> None:
        self.job.messages = self.messages
        self.job.save(
            update_fields=[
                "processed_rows",
                "created_count",
                "updated_count",
                "skipped_count",
                "failed_count",
                "messages",
                *fields,
            ]
        )


class ActorImport:
    """One pass over an actor spreadsheet as the uploading user."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.user = job.uploaded_by
        self.report = Report(job)
        self.codes: list[str] = []
        self.seen_nik: dict[str, int] = {}
        self.seen_person: dict[tuple[str, str, str], int] = {}
        self.districts: frozenset[str] | None = None  # read once, at the first chunk
        self.villages: dict[str, Region] = {}  # read as chunks name them

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
        reader = open_first_sheet(self.job.file.path)
        self.job.total_rows = max(reader.height - 1, 0)
        header = next(reader.rows, None)
        if header is None:
            raise HeaderError(_t("The first sheet is empty: it needs a header row."))
        self.codes = read_header(header)
        self.report.save("total_rows")
        chunk: list[Row] = []
        for number, cells in enumerate(reader.rows, start=2):
            self.job.processed_rows += 1
            row = parse_row(number, self.codes, cells)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                self._import_chunk(chunk)
                chunk = []
                self.report.save()
        self._import_chunk(chunk)

    def _import_chunk(self, rows: list[Row]) -> None:
        rows = [row for row in rows if self._first_in_file(row)]
        hashes = {row.nik: lookup_hash(row.nik) for row in rows if row.nik.isdigit()}
        ids = actor_ids(hashes.values())
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
        existing = {nik: by_hash.get(nik_hash) for nik, nik_hash in hashes.items()}
        checked: list[tuple[Row, Actor | None]] = []
        records: list[ActorRecord] = []
        for row in rows:
            if row.errors:
                self.report.errors(row, row.errors)
                continue
            actor = existing.get(row.nik)
            if actor is not None and not may_act_on_actor(self.user, actor, Do.CHANGE):
                self.report.errors(
                    row,
                    {
                        "nik": _t(
                            "An actor with this NIK is already registered outside your "
                            "region or caseload; ask her regency officer."
                        )
                    },
                )
                continue
            data = dict(row.data)
            if actor is not None:
                _merge_legality(row, actor, self.codes)
                if not data.get("facilitator"):
                    data.pop("facilitator", None)  # a blank cell keeps her facilitator
            checked.append((row, actor))
            records.append(ActorRecord(data, row.legality, actor))
        if not records:
            return
        if self.districts is None:
            self.districts = district_codes()
        # Validation only reads: it runs before the write lock is taken, so a long chunk
        # never blocks the people using the site.
        results = validate_actors(
            user=self.user,
            records=records,
            warn_duplicates=True,
            districts=self.districts,
            known_actors=existing,
            known_hashes=hashes,
            villages=self.villages,
        )
        new: list[tuple[Row, ValidActor]] = []
        changes: list[tuple[Row, Actor, ValidActor]] = []
        for (row, actor), (valid, errors) in zip(checked, results, strict=True):
            if valid is None:
                self.report.errors(row, errors)
                continue
            for warning in valid.warnings:
                self.report.add(
                    row.number, "nik" if "NIK" in warning else "name", warning, Level.WARNING
                )
            if actor is None:
                new.append((row, valid))
            else:
                changes.append((row, actor, valid))
        if not (changes or new):
            return
        with transaction.atomic():
            for row, actor, valid in changes:
                self._update(row, actor, valid)
            self._create(new)

    def _first_in_file(self, row: Row) -> bool:
        """Repeated NIKs are errors naming the first row; a repeated person is a warning."""
        if row.nik:
            first = self.seen_nik.setdefault(row.nik, row.number)
            if first != row.number:
                self.report.errors(
                    row, {"nik": _t("Same NIK as row %(row)s of this file.") % {"row": first}}
                )
                return False
        person = (
            name_key(str(row.data.get("name", ""))),
            cell_text(row.data.get("birth_date")),
            str(row.data.get("village_code", "")),
        )
        if all(person):
            first = self.seen_person.setdefault(person, row.number)
            if first != row.number:
                self.report.add(
                    row.number,
                    "name",
                    _t("Possible duplicate of row %(row)s: same name, birth date and village.")
                    % {"row": first},
                    Level.WARNING,
                )
        return True

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

    def _create(self, new: list[tuple[Row, ValidActor]]) -> None:
        if not new:
            return
        try:
            with transaction.atomic():
                services.register_actors_bulk(user=self.user, actors=[v for _, v in new])
            self.job.created_count += len(new)
            return
        except IntegrityError:
            pass  # another writer took a NIK meanwhile: find which rows still fit, one by one
        for row, valid in new:
            try:
                with transaction.atomic():
                    services.register_actors_bulk(user=self.user, actors=[valid])
                self.job.created_count += 1
            except IntegrityError:
                self.report.errors(
                    row, {"nik": _t("An actor with this NIK was registered meanwhile.")}
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
    kept; the run is audited with the job's counts."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    importer = make(job)
    started = time.monotonic()
    try:
        with importer.settings():
            importer.run()
        job.status = JobStatus.DONE
    except (HeaderError, NotASpreadsheet) as exc:
        importer.report.add(1, "", str(exc))
        job.status = JobStatus.FAILED
    except Exception:
        log.exception("%s import job %s failed", job.kind, job_id)
        importer.report.add(0, "", _t("The import stopped on an unexpected error."))
        job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    importer.report.save("status", "finished_at", "total_rows")
    record(
        user=job.uploaded_by,
        action=Action.IMPORT,
        object_type="import_job",
        object_id=job.pk,
        object_repr=job.original_name,
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
