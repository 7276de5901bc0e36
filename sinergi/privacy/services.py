"""The duties of a personal-data controller (UU PDP 27/2022): consent history, requests by the
person, erasure by pseudonymisation and retention. Each write is atomic and audited.

Erasure replaces a person's identifiers everywhere Sinergi holds them (her record, legality
numbers, OpenRosa submissions, uploaded spreadsheets, audit rows) and keeps what the
programme counts: her village, sector, facilitator, legality kinds and every result. So the
pre-summed dashboard counts and the level and transition figures do not move.
"""

from __future__ import annotations

import re
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.assessments.models import Assessment
from sinergi.audit.models import Action, AuditEvent
from sinergi.audit.services import prune_events, record, redact_subject, retention_cutoff
from sinergi.audit.subjects import Subject
from sinergi.collect.models import ImportJob, Submission, SubmissionFile
from sinergi.lib.crypto import decrypt, lookup_hash
from sinergi.lib.jobs import JobStatus
from sinergi.lib.scope import Do, Principal, allowed
from sinergi.privacy import events
from sinergi.privacy.choices import ConsentKind, ConsentSource, ErasureBasis, RequestKind
from sinergi.privacy.models import ConsentEvent, Erasure, SubjectRequest
from sinergi.registry.choices import Status
from sinergi.registry.events import ConsentChange
from sinergi.registry.models import Actor, LegalityItem
from sinergi.registry.validation import name_key

# The keys of an actor's audit snapshot that identify her (see registry.services.snapshot).
IDENTIFYING_KEYS = (
    "name",
    "nik",
    "phone",
    "address",
    "birth_date",
    "business_name",
    "products",
    "legality",
)
# An uploaded spreadsheet is searched member by member, each read up to this size: a file
# that cannot be searched within it is treated as naming her (and deleted).
_MEMBER_LIMIT = 64 * 1024 * 1024
_FILE_LIMIT = 32 * 1024 * 1024
_SHORTEST_NEEDLE = 4


def may_handle(user: Principal, actor: Actor) -> bool:
    """An officer whose scope covers the actor and who holds the NIK (personal-data) right;
    facilitators and viewers never answer for the controller."""
    return allowed(user, Do.ANSWER_SUBJECT, actor)


def _who(user: Any) -> tuple[Any, str]:
    real = user if user is not None and user.is_authenticated else None
    return real, real.get_username() if real is not None else ""


# --- consent history -----------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value if isinstance(value, date) else None


def consent_events(user: Any, source: str, changes: Sequence[ConsentChange]) -> list[ConsentEvent]:
    """The history rows a write of consent makes: each consent given or withdrawn. A new
    record adds only the consents it gives (one never given was never withdrawn)."""
    real, username = _who(user)
    events = []
    for actor_id, before, after in changes:
        for kind in ConsentKind:
            key = f"consent_{kind.value}"
            if key not in after:
                continue
            given = bool(after[key])
            if (before is None and not given) or (
                before is not None and bool(before.get(key)) == given
            ):
                continue
            events.append(
                ConsentEvent(
                    actor_id=actor_id,
                    kind=kind,
                    given=given,
                    consent_date=_as_date(
                        after.get("consent_date") or (before or {}).get("consent_date")
                    ),
                    source=ConsentSource(source),
                    by=real,
                    username=username,
                )
            )
    return events


def on_consent(user: Any, source: str, changes: Sequence[ConsentChange]) -> None:
    """Listener of registry.events.consent_written: called inside the writer's
    transaction, whose own audit row already names the user."""
    ConsentEvent.objects.bulk_create(consent_events(user, source, changes), batch_size=500)


def withdrawn(kind: ConsentKind) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(kind=kind, given=False)


def without_withdrawn(actors: QuerySet[Actor]) -> QuerySet[Actor]:
    """Actor exports leave out anyone who withdrew her consent to the programme and has not
    given it again: her data may no longer be processed for it (UU PDP art. 9), and a list
    handed out is processing. An actor never asked (no history) is still exported: her
    consent was recorded on paper before this history existed."""
    return actors.exclude(
        Q(consent_programme=False) & Q(pk__in=withdrawn(ConsentKind.PROGRAMME).values("actor_id"))
    )


# --- requests by the person -------------------------------------------------------------


def record_request(
    *,
    user: User | AnonymousUser,
    actor: Actor,
    kind: RequestKind,
    requester: str,
    details: str = "",
    received_at: datetime | None = None,
) -> SubjectRequest:
    """Note a request about her data; the answer is due ANSWER_WITHIN after receipt."""
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            actor=actor,
            kind=kind,
            requester=requester,
            details=details,
            received_at=received_at or timezone.now(),
            recorded_by=_who(user)[0],
        )
        record(
            user,
            Action.CREATE,
            request,
            after={"actor": actor.pk, "kind": str(kind), "deadline": request.deadline.isoformat()},
        )
    return request


def complete_request(
    *, user: User | AnonymousUser, request: SubjectRequest, outcome: str = ""
) -> SubjectRequest:
    """Mark a request answered (now), with what was done."""
    with transaction.atomic():
        request.done_at = timezone.now()
        request.done_by = _who(user)[0]
        request.outcome = outcome
        request.save(update_fields=["done_at", "done_by", "outcome"])
        record(
            user,
            Action.UPDATE,
            request,
            after={
                "done_at": request.done_at.isoformat(),
                "late": request.done_at > request.deadline,
            },
        )
    return request


def record_report(*, user: User | AnonymousUser, actor: Actor, fmt: str) -> None:
    """A subject-access report left the system: audited like any export of personal data."""
    record(
        user,
        Action.EXPORT,
        actor,
        after={"format": fmt, "report": "subject_access"},
        note=f"subject-access report ({fmt}), NIK in clear",
    )


# --- erasure ------------------------------------------------------------------------------


def identifiers(actor: Actor) -> list[str]:
    """What identifies her in text: name, NIK (clear and masked), phone (as typed and with
    +62), address, business name and legality numbers; longest first, so a replacement
    never leaves part of a longer one behind."""
    nik = decrypt(actor.nik_encrypted) if actor.nik_encrypted else ""
    phone = actor.phone.strip()
    phones = [phone]
    if phone.startswith("0"):
        phones.append("+62" + phone[1:])
        phones.append("62" + phone[1:])
    values = [
        actor.name,
        nik,
        actor.nik_masked,
        *phones,
        actor.address,
        actor.business_name,
        *(item.number for item in actor.legality_items.all()),
    ]
    # Her name goes however short it is; a short other value would match unrelated text.
    found = {v.strip() for v in values if len(v.strip()) >= _SHORTEST_NEEDLE}
    found |= {actor.name.strip()} - {""}
    return sorted(found, key=lambda v: (-len(v), v))


def scrub(value: Any, needles: Sequence[str], replacement: str) -> Any:
    """The value (text, or JSON of lists and dicts) with every needle replaced, ignoring case."""
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [scrub(v, needles, replacement) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, needles, replacement) for k, v in value.items()}
    return value


def _names(text: str, needles: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(n.lower() in lowered for n in needles)


def file_names(file: FieldFile, needles: Sequence[str]) -> bool:
    """Whether an uploaded file (a spreadsheet: a zip of XML, or plain CSV) contains one of
    the identifiers. A file that cannot be searched within the limits counts as naming her.
    A file already gone names nobody."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        return False
    with handle:
        try:
            if zipfile.is_zipfile(handle):
                handle.seek(0)
                with zipfile.ZipFile(handle) as archive:
                    for member in archive.infolist():
                        if member.file_size > _MEMBER_LIMIT:
                            return True
                        text = archive.read(member).decode("utf-8", "replace")
                        if _names(text, needles):
                            return True
                    return False
            handle.seek(0)
            data = handle.read(_FILE_LIMIT + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return True
    return len(data) > _FILE_LIMIT or _names(data.decode("utf-8", "replace"), needles)


def _delete_file(file: FieldFile) -> str:
    """Delete through the storage API (local disk or object store); the name it had."""
    name = file.name or ""
    file.delete(save=False)
    return name


@dataclass
class Removed:
    """What an erasure changed outside her record, kept on the Erasure row."""

    legality_numbers: int = 0
    submissions: int = 0
    results: int = 0
    requests: int = 0
    import_jobs: int = 0
    audit_rows: int = 0
    files_deleted: list[str] = field(default_factory=list)


def _scrub_rows(
    rows: Iterable[Any], fields: Sequence[str], needles: Sequence[str], pseudonym: str
) -> int:
    changed = 0
    for row in rows:
        values = {name: scrub(getattr(row, name), needles, pseudonym) for name in fields}
        if any(values[name] != getattr(row, name) for name in fields):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
            changed += 1
    return changed


def _erase_collected(
    actor: Actor, needles: Sequence[str], pseudonym: str, removed: Removed
) -> None:
    """Her identifiers out of OpenRosa submissions (about her, or naming her though rejected
    before she was known) and uploaded spreadsheets; photos sent with a submission about her
    cannot be cleaned and are deleted, and so are spreadsheets that name her."""
    nik = decrypt(actor.nik_encrypted) if actor.nik_encrypted else ""
    about = Q(actor=actor) | Q(xml__icontains=actor.name)
    if nik:
        about |= Q(xml__contains=nik)
    submissions = list(Submission.objects.filter(about))
    removed.submissions = _scrub_rows(submissions, ("xml", "errors"), needles, pseudonym)
    for photo in SubmissionFile.objects.filter(submission__actor=actor):
        removed.files_deleted.append(_delete_file(photo.file))
        photo.delete()
    for job in ImportJob.objects.only("id", "file", "messages", "original_name"):
        named = bool(job.file) and file_names(job.file, needles)
        if named:
            removed.files_deleted.append(_delete_file(job.file))
            job.file = ""  # an empty FieldFile: the file is gone
            job.save(update_fields=["file"])
        if _scrub_rows([job], ("messages",), needles, pseudonym) or named:
            removed.import_jobs += 1


def _redact_audit(actor: Actor, pseudonym: str) -> int:
    """Her identifiers out of the audit rows about her record, her results and the
    submissions about her (their object_repr carries her name)."""
    count = redact_subject(
        object_type="actor", object_id=str(actor.pk), fields=IDENTIFYING_KEYS, replacement=pseudonym
    )
    for result_id in Assessment.objects.filter(actor=actor).values_list("pk", flat=True):
        count += redact_subject(
            object_type="assessment",
            object_id=str(result_id),
            fields=IDENTIFYING_KEYS,
            replacement=pseudonym,
        )
    return count


def _pseudonymise(actor: Actor, pseudonym: str) -> None:
    """Her record without identifiers: the pseudonym for name and business, the birth year
    only (1 January), no NIK, phone, address or products; place, sector, facilitator,
    status and consents unchanged, so nothing that is counted moves."""
    actor.name = pseudonym
    actor.name_key = name_key(pseudonym)
    actor.nik_hash = lookup_hash(f"erased:{pseudonym}:{secrets.token_hex(16)}")
    actor.nik_encrypted = ""
    actor.nik_masked = ""
    actor.phone = ""
    actor.address = ""
    actor.business_name = pseudonym
    actor.products = ""
    actor.birth_date = date(actor.birth_date.year, 1, 1)
    actor.save()


def erase_actor(
    *, user: User | AnonymousUser | None, actor: Actor, basis: ErasureBasis, note: str = ""
) -> Erasure:
    """Replace her identifiers everywhere by a pseudonym, with the legal basis recorded.
    Erasing twice is harmless: the first erasure is returned."""
    with transaction.atomic():
        actor = Actor.objects.select_for_update().get(pk=actor.pk)
        done = Erasure.objects.filter(actor=actor).first()
        if done is not None:
            return done
        needles = identifiers(actor)
        pseudonym = f"anon-{secrets.token_hex(5)}"
        removed = Removed()
        _erase_collected(actor, needles, pseudonym, removed)
        removed.legality_numbers = (
            LegalityItem.objects.filter(actor=actor).exclude(number="").update(number="")
        )
        removed.results = _scrub_rows(
            Assessment.objects.filter(actor=actor), ("answers",), needles, pseudonym
        )
        removed.requests = _scrub_rows(
            SubjectRequest.objects.filter(actor=actor),
            ("requester", "details", "outcome"),
            needles,
            pseudonym,
        )
        removed.audit_rows = _redact_audit(actor, pseudonym)
        events.erasing.announce(actor, needles, pseudonym, scrub)
        _pseudonymise(actor, pseudonym)
        real, username = _who(user)
        # Her open erasure requests are answered by the erasure itself.
        SubjectRequest.objects.filter(
            actor=actor, kind=RequestKind.ERASURE, done_at__isnull=True
        ).update(done_at=timezone.now(), done_by=real, outcome=str(basis))
        erasure = Erasure.objects.create(
            actor=actor,
            basis=basis,
            note=scrub(note, needles, pseudonym),
            pseudonym=pseudonym,
            by=real,
            username=username,
            removed=removed.__dict__,
        )
        record(
            user,
            Action.DELETE,
            actor,  # named by her pseudonym now
            after={"basis": str(basis), "pseudonym": pseudonym, "removed": removed.__dict__},
            note=f"personal data erased (pseudonymised): {basis}",
        )
    return erasure


# --- retention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """What the retention settings remove at a moment: import files, actors to pseudonymise
    and audit rows older than a date (None: that retention is off)."""

    import_jobs: list[int]
    actors: list[int]
    audit_before: datetime | None
    audit_rows: int


def retention_due(*, now: datetime | None = None) -> Retention:
    """What is past its retention period (see the RETENTION_* and AUDIT_RETENTION_DAYS
    settings; 0 keeps for ever). An actor is due when she has been inactive or moved away
    for RETENTION_INACTIVE_ACTOR_YEARS since her record or her latest result last changed."""
    now = now or timezone.now()
    jobs: list[int] = []
    if settings.RETENTION_IMPORT_FILE_DAYS:
        cutoff = now - timedelta(days=settings.RETENTION_IMPORT_FILE_DAYS)
        jobs = list(
            ImportJob.objects.exclude(file="")
            .filter(created_at__lt=cutoff, status__in=[JobStatus.DONE, JobStatus.FAILED])
            .values_list("pk", flat=True)
        )
    actors: list[int] = []
    if settings.RETENTION_INACTIVE_ACTOR_YEARS:
        cutoff = now - timedelta(days=round(365.25 * settings.RETENTION_INACTIVE_ACTOR_YEARS))
        actors = list(
            Actor.objects.filter(
                status__in=[Status.INACTIVE, Status.MOVED], updated_at__lt=cutoff, erasure=None
            )
            .annotate(last_result=Max("assessments__created_at"))
            .filter(Q(last_result=None) | Q(last_result__lt=cutoff))
            .values_list("pk", flat=True)
        )
    before = retention_cutoff(now)
    rows = AuditEvent.objects.filter(at__lt=before).count() if before is not None else 0
    return Retention(jobs, actors, before, rows)


def apply_retention(
    *, user: User | AnonymousUser | None = None, now: datetime | None = None
) -> Retention:
    """Apply the retention settings: delete old uploaded files, pseudonymise actors past
    retention (basis: end of retention), prune old audit rows; then one audit row saying
    what was done (written after the pruning, so it is kept). Running it twice is harmless."""
    due = retention_due(now=now)
    for job in ImportJob.objects.filter(pk__in=due.import_jobs):
        with transaction.atomic():
            _delete_file(job.file)
            job.file = ""  # an empty FieldFile: the file is gone
            job.save(update_fields=["file"])
    for actor in Actor.objects.filter(pk__in=due.actors):
        erase_actor(user=user, actor=actor, basis=ErasureBasis.END_OF_RETENTION)
    pruned = prune_events(before=due.audit_before) if due.audit_before is not None else 0
    record(
        user,
        Action.DELETE,
        Subject("retention", repr="retention"),
        after={
            "import_files": due.import_jobs,
            "actors_pseudonymised": len(due.actors),
            "audit_before": due.audit_before.isoformat() if due.audit_before else None,
            "audit_rows": pruned,
        },
        note=(
            f"retention: {len(due.import_jobs)} import files, {len(due.actors)} actors, "
            f"{pruned} audit rows"
        ),
    )
    return due
