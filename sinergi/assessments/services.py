"""Writes for the mapping: instruments, periods and results. Atomic, audited, one hook.

Results are never overwritten. A correction or a re-score adds a row; the row it replaces
stops counting. Every change to counted results is announced to `result_listeners` inside
the same transaction, so read models (analytics) can stay exact without the write path
importing them.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.scoping import is_national_admin
from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus, Source
from sinergi.assessments.instrument import (
    DEFAULT_FILE,
    Compiled,
    Definition,
    InvalidInstrument,
    load_definition,
)
from sinergi.assessments.models import Assessment, Instrument, Period, PeriodLock, RescoreJob
from sinergi.assessments.scoring import Result, assess, check_answers, score
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect.choices import JobStatus
from sinergi.lib.problems import Problem
from sinergi.lib.problems import _ as mark
from sinergi.lib.sqlite import bulk_write_settings
from sinergi.regions.codes import level_of
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResultChange:
    """One actor's counted result in a period moved from `old` to `new` (either may be None)."""

    period_id: int
    actor_id: int
    regency_code: str
    old: Assessment | None
    new: Assessment | None


class ResultMove(NamedTuple):
    """A ResultChange as plain values, for batched notifications (re-scoring moves thousands
    at a time, and building model instances for each would cost more than the scoring)."""

    period_id: int
    actor_id: int
    regency_code: str
    old_id: int | None
    old_level: str | None
    new_id: int | None
    new_level: str | None


# Read models subscribe here at start-up (AppConfig.ready); called inside the transaction.
# Every change reaches both lists: one change at a time here, and as a list of moves (one
# for a single result, a chunk for a re-score) in result_batch_listeners. A read model
# subscribes to one of them.
result_listeners: list[Callable[[ResultChange], None]] = []
result_batch_listeners: list[Callable[[Sequence[ResultMove]], None]] = []


class Refused(Exception):
    """The write cannot happen; `errors` is keyed by field or question code."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


def _announce(change: ResultChange) -> None:
    for listener in result_listeners:
        listener(change)
    if result_batch_listeners:
        old, new = change.old, change.new
        move = ResultMove(
            change.period_id,
            change.actor_id,
            change.regency_code,
            None if old is None else old.pk,
            None if old is None else old.level,
            None if new is None else new.pk,
            None if new is None else new.level,
        )
        for batch_listener in result_batch_listeners:
            batch_listener([move])


# --- Instruments ---------------------------------------------------------------------------


# An instrument's definition never changes after upload, so its compiled form is kept.
_compiled: dict[int, Compiled] = {}


def compiled(instrument: Instrument) -> Compiled:
    """The scoring form of an instrument (compiled once per process)."""
    found = _compiled.get(instrument.pk)
    if found is None:
        found = _compiled[instrument.pk] = Definition.from_json(instrument.definition).compile()
    return found


def current_instrument() -> Instrument | None:
    """The instrument new results are scored with: the most recently published one."""
    return (
        Instrument.objects.filter(status=InstrumentStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def upload_instrument(*, user: Any, source: str) -> Instrument:
    """Validate a definition and store it as a draft; InvalidInstrument says what is wrong."""
    definition = load_definition(source)
    if Instrument.objects.filter(code=definition.code, version=definition.version).exists():
        raise InvalidInstrument(
            [
                Problem(
                    mark(
                        "Version %(key)s already exists; give the new definition another version."
                    ),
                    {"key": definition.key},
                )
            ]
        )
    with transaction.atomic():
        instrument = Instrument.objects.create(
            code=definition.code,
            version=definition.version,
            title=definition.label.get("id"),
            source=source,
            definition=definition.to_json(),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        record(
            user=user,
            action=Action.CREATE,
            object_type="instrument",
            object_id=instrument.pk,
            object_repr=instrument.key,
            after={"key": instrument.key, "status": "draft"},
        )
    return instrument


def _set_instrument_status(*, user: Any, instrument: Instrument, status: str) -> Instrument:
    with transaction.atomic():
        before = instrument.status
        instrument.status = status
        if status == InstrumentStatus.PUBLISHED and instrument.published_at is None:
            instrument.published_at = timezone.now()
        instrument.save(update_fields=["status", "published_at"])
        record(
            user=user,
            action=Action.UPDATE,
            object_type="instrument",
            object_id=instrument.pk,
            object_repr=instrument.key,
            before={"status": before},
            after={"status": status},
        )
    return instrument


def publish_instrument(*, user: Any, instrument: Instrument) -> Instrument:
    """A draft becomes the version new results are scored with. Published is final."""
    if instrument.status != InstrumentStatus.DRAFT:
        raise Refused({"status": [_("Only a draft can be published.")]})
    return _set_instrument_status(
        user=user, instrument=instrument, status=InstrumentStatus.PUBLISHED
    )


def retire_instrument(*, user: Any, instrument: Instrument) -> Instrument:
    """A retired version keeps its results but scores nothing new."""
    if instrument.status != InstrumentStatus.PUBLISHED:
        raise Refused({"status": [_("Only a published version can be retired.")]})
    return _set_instrument_status(user=user, instrument=instrument, status=InstrumentStatus.RETIRED)


def load_default_instrument() -> tuple[Instrument, bool]:
    """Store and publish the shipped default instrument once; (instrument, created)."""
    source = DEFAULT_FILE.read_text(encoding="utf-8")
    definition = load_definition(source)
    existing = Instrument.objects.filter(code=definition.code, version=definition.version).first()
    if existing is not None:
        return existing, False
    instrument = upload_instrument(user=None, source=source)
    return publish_instrument(user=None, instrument=instrument), True


# --- Periods -------------------------------------------------------------------------------


def create_period(
    *,
    user: Any,
    code: str,
    name: str,
    starts_on: date,
    ends_on: date,
    status: str = PeriodStatus.OPEN,
) -> Period:
    if ends_on < starts_on:
        raise Refused({"ends_on": [_("The end date is before the start date.")]})
    if Period.objects.filter(code=code).exists():
        raise Refused({"code": [_("Period %(code)s already exists.") % {"code": code}]})
    with transaction.atomic():
        period = Period.objects.create(
            code=code, name=name, starts_on=starts_on, ends_on=ends_on, status=status
        )
        record(
            user=user,
            action=Action.CREATE,
            object_type="period",
            object_id=period.pk,
            object_repr=code,
            after={"code": code, "status": status},
        )
    return period


def set_period_status(*, user: Any, period: Period, status: str) -> Period:
    """Open or close a period for new results (national admin)."""
    with transaction.atomic():
        before = period.status
        period.status = status
        period.save(update_fields=["status"])
        record(
            user=user,
            action=Action.UPDATE,
            object_type="period",
            object_id=period.pk,
            object_repr=period.code,
            before={"status": before},
            after={"status": status},
        )
    return period


def lock_period(*, user: Any, period: Period, regency: Region) -> PeriodLock:
    """A regency officer locks her regency's verified results for a period."""
    with transaction.atomic():
        lock, _created = PeriodLock.objects.get_or_create(
            period=period, regency=regency, defaults={"locked_by": user}
        )
        record(
            user=user,
            action=Action.UPDATE,
            object_type="period",
            object_id=period.pk,
            object_repr=period.code,
            region_code=regency.code,
            after={"locked": regency.code},
        )
    return lock


def unlock_period(*, user: Any, period: Period, regency: Region) -> None:
    with transaction.atomic():
        PeriodLock.objects.filter(period=period, regency=regency).delete()
        record(
            user=user,
            action=Action.UPDATE,
            object_type="period",
            object_id=period.pk,
            object_repr=period.code,
            region_code=regency.code,
            after={"unlocked": regency.code},
        )


def period_refusal(period: Period, regency_code: str) -> str | None:
    """Why a period takes no new result for this regency, or None when it does."""
    if period.status == PeriodStatus.CLOSED:
        return _("Period %(code)s is closed: no new results can be recorded.") % {
            "code": period.code
        }
    if PeriodLock.objects.filter(period=period, regency_id=regency_code).exists():
        return _(
            "Results of period %(code)s are locked for this regency after verification; ask "
            "the regency officer to unlock them."
        ) % {"code": period.code}
    return None


# --- Results -------------------------------------------------------------------------------


def _explained(problems: Mapping[str, list[Problem]]) -> dict[str, list[str]]:
    return {
        code: [_(p.text) % p.params if p.params else _(p.text) for p in items]
        for code, items in problems.items()
    }


def submit_assessment(
    *,
    user: Any,
    actor: Actor,
    period: Period,
    answers: Mapping[str, Any],
    source: str = Source.WEB,
    instrument: Instrument | None = None,
    status: str = AssessmentStatus.SUBMITTED,
    rescore: bool = False,
) -> tuple[Assessment, Result]:
    """Score the answers and store a new result that counts for the actor in the period.

    Refused (nothing stored) when the period is closed or locked (a re-score excepted),
    when no instrument is published, or when an answer is wrong (errors by question code).
    """
    if not rescore:
        refusal = period_refusal(period, actor.regency_code)
        if refusal:
            raise Refused({"period": [refusal]})
    instrument = instrument or current_instrument()
    if instrument is None:
        raise Refused({"instrument": [_("No instrument is published yet.")]})
    scoring = compiled(instrument)
    clean, problems = check_answers(scoring, answers)
    if clean is None:
        raise Refused(_explained(problems))
    result = score(scoring, clean)
    counts = status != AssessmentStatus.DRAFT
    with transaction.atomic():
        previous = (
            Assessment.objects.select_for_update()
            .filter(actor=actor, period=period, counted=True)
            .first()
            if counts
            else None
        )
        if previous is not None:
            previous.counted = False
            previous.save(update_fields=["counted"])
        assessment = Assessment.objects.create(
            actor=actor,
            period=period,
            instrument=instrument,
            answers=_stored_answers(clean),
            level=result.level,
            total_score=result.total,
            aspects=dict(result.aspects),
            graduate=result.graduate,
            status=status,
            counted=counts,
            supersedes=previous,
            source=source,
            regency_code=actor.regency_code,
            province_code=actor.province_code,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        record(
            user=user,
            action=Action.CREATE,
            object_type="assessment",
            object_id=assessment.pk,
            object_repr=f"{actor.name} {period.code}",
            region_code=actor.village_id,
            before=None if previous is None else {"id": previous.pk, "level": previous.level},
            after={
                "actor": actor.pk,
                "period": period.code,
                "level": result.level,
                "total": result.total,
                "instrument": instrument.key,
                "source": source,
            },
        )
        if counts:
            _announce(ResultChange(period.pk, actor.pk, actor.regency_code, previous, assessment))
    return assessment, result


def result_of(assessment: Assessment) -> Result:
    """The full result (with explanation) of a stored row: its answers scored again under its
    own instrument, which is deterministic."""
    result, problems = assess(compiled(assessment.instrument), assessment.answers)
    if result is None:
        raise ValueError(
            f"stored answers of assessment {assessment.pk} no longer valid: {problems}"
        )
    return result


def _stored_answers(clean: Mapping[str, Any]) -> dict[str, Any]:
    """Clean answers as JSON: any-of sets become sorted lists."""
    return {
        code: sorted(value) if isinstance(value, frozenset) else value
        for code, value in clean.items()
    }


def verify_assessment(*, user: Any, assessment: Assessment) -> Assessment:
    """The regency officer confirms a submitted result."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise Refused({"status": [_("Only a submitted result can be verified.")]})
    with transaction.atomic():
        assessment.status = AssessmentStatus.VERIFIED
        assessment.verified_by = user
        assessment.verified_at = timezone.now()
        assessment.save(update_fields=["status", "verified_by", "verified_at"])
        record(
            user=user,
            action=Action.UPDATE,
            object_type="assessment",
            object_id=assessment.pk,
            object_repr=str(assessment),
            region_code=assessment.actor.village_id,
            before={"status": AssessmentStatus.SUBMITTED},
            after={"status": AssessmentStatus.VERIFIED},
        )
    return assessment


# --- Re-scoring ----------------------------------------------------------------------------

RESCORE_CHUNK = 5000
# Results whose answers no longer fit are listed one by one up to here, then only counted.
RESCORE_MESSAGES = 2000


def queue_rescore(
    *, user: Any, instrument: Instrument, periods: Sequence[Period], region_code: str = ""
) -> RescoreJob:
    """A national admin asks for the counted results of some periods (in one region, any
    level, or the whole country) to be scored again under a published version.

    The job row is committed first, then its task is queued (the worker always finds the
    row); see run_rescore for what the job does.
    """
    errors: dict[str, list[str]] = {}
    if not is_national_admin(user):
        errors["user"] = [_("Only a national administrator can re-score results.")]
    if instrument.status != InstrumentStatus.PUBLISHED:
        errors["instrument"] = [_("Only a published version can re-score results.")]
    if not periods:
        errors["periods"] = [_("Choose at least one period.")]
    if region_code and not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = [_("Unknown region code %(code)s.") % {"code": region_code}]
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        job = RescoreJob.objects.create(
            instrument=instrument, region_code=region_code, created_by=user
        )
        job.periods.set(periods)
        record(
            user=user,
            action=Action.CREATE,
            object_type="rescore_job",
            object_id=job.pk,
            object_repr=str(job),
            region_code=region_code,
            after={
                "instrument": instrument.key,
                "periods": sorted(p.code for p in periods),
                "region": region_code,
            },
        )
    from sinergi.assessments import tasks  # the task module imports this one

    tasks.rescore(job.pk)
    return job


def run_rescore(job_id: int) -> RescoreJob | None:
    """Score the job's results again under its instrument; a job not queued is left alone.

    For each counted result in the periods and region whose instrument is another version:
    its stored answers are checked and scored under the target; a new counted row
    (source rescore, same status and verification, superseding the old one) is added and the
    old row stops counting. Closed periods and locks do not stop a re-score. Answers that no
    longer fit (a removed option, a new required question) are listed in the job's messages
    and the old result keeps counting. The new row keeps the old one's regency and
    province: the result belongs where the actor was in that period.

    Every change is announced inside its chunk's transaction, so read models stay exact:
    result_batch_listeners get the chunk's moves as plain values, result_listeners one
    ResultChange per result (the rows are loaded only when such a listener exists).

    Work goes in chunks of RESCORE_CHUNK results, one transaction each, so a job that stops
    half-way leaves whole chunks; a new job over the same scope re-scores only the rest,
    since rows already under the target are skipped. The audit trail gets one UPDATE row
    for the whole job (object rescore_job, with the counts) rather than one per result.
    """
    claimed = RescoreJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = RescoreJob.objects.select_related("instrument", "created_by").get(pk=job_id)
    started = time.monotonic()
    try:
        _Rescore(job).run()
        job.status = JobStatus.DONE
    except Exception:
        log.exception("rescore job %s failed", job_id)
        job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    record(
        user=job.created_by,
        action=Action.UPDATE,
        object_type="rescore_job",
        object_id=job.pk,
        object_repr=str(job),
        region_code=job.region_code,
        after={
            "status": job.status,
            "instrument": job.instrument.key,
            "total": job.total,
            "rescored": job.rescored,
            "changed": job.changed,
            "invalid": job.invalid,
            "seconds": round(time.monotonic() - started, 2),
        },
    )
    return job


_READ = (
    "id",
    "actor_id",
    "period_id",
    "instrument_id",
    "answers",
    "level",
    "status",
    "regency_code",
    "province_code",
    "verified_by_id",
    "verified_at",
)
_WRITE = (
    "actor_id",
    "period_id",
    "instrument_id",
    "answers",
    "level",
    "total_score",
    "aspects",
    "graduate",
    "status",
    "counted",
    "supersedes_id",
    "source",
    "regency_code",
    "province_code",
    "created_by_id",
    "created_at",
    "verified_by_id",
    "verified_at",
)
Moved = tuple[int, int, int, str, str, str]  # old id, actor, period, regency, old/new level


class _Rescore:
    """One run of a RescoreJob: plain rows in, plain rows out, no model instances.

    Rows are read and written with raw SQL because the ORM's per-value work (JSON
    converters, the INSERT compiler, model instances) costs several times the scoring.
    """

    def __init__(self, job: RescoreJob) -> None:
        self.job = job
        self.scoring = compiled(job.instrument)
        order = self.scoring.level_order
        self.rank = {code: i for i, code in enumerate(order)}
        self.report: dict[str, Any] = {"levels": list(order), "regencies": {}}
        self.messages: list[dict[str, Any]] = []
        self.selection = self._selection()
        self.keeps_answers: dict[int, bool] = {}
        quote = connection.ops.quote_name
        self.insert = (
            f"INSERT INTO {quote(Assessment._meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(quote(c) for c in _WRITE)}) "
            f"VALUES ({', '.join(['%s'] * len(_WRITE))})"
        )
        self.uncount = (
            f"UPDATE {quote(Assessment._meta.db_table)} SET {quote('counted')} = %%s"  # noqa: S608
            f" WHERE {quote('id')} IN (%s)"
        )
        # The aspect scores as the JSON text json.dumps would write (same keys in the same
        # order for every result of one instrument), at a tenth of its cost.
        self.aspects_json = (
            "{" + ", ".join(f"{json.dumps(a)}: %r" for a in self._aspect_codes()) + "}"
        )

    def _aspect_codes(self) -> list[str]:
        return [aspect.code for aspect in self.scoring.definition.aspects]

    def _selection(self) -> QuerySet[Assessment]:
        job = self.job
        rows = Assessment.objects.filter(counted=True, period__in=job.periods.all()).exclude(
            instrument=job.instrument
        )
        code = job.region_code
        if code:
            field = {
                1: "province_code",
                2: "regency_code",
                3: "actor__district_code",
                4: "actor__village_id",
            }[level_of(code)]
            rows = rows.filter(**{field: code})
        return rows

    def _answers_kept(self, instrument_id: int) -> bool:
        """Whether stored answers of that version are already in the target's clean form.

        Stored answers are clean under their own version; when every question they share
        with the target is of the same kind, cleaning them again changes nothing, so the
        stored JSON text is copied instead of written anew.
        """
        kept = self.keeps_answers.get(instrument_id)
        if kept is None:
            own = compiled(Instrument.objects.get(pk=instrument_id)).questions
            target = self.scoring.questions
            kept = self.keeps_answers[instrument_id] = all(
                target[code].kind == q.kind for code, q in own.items() if code in target
            )
        return kept

    def run(self) -> None:
        job = self.job
        job.total = self.selection.count()
        job.save(update_fields=["total"])
        # Foreign keys need no check: every id written was just read from a row holding it.
        with bulk_write_settings(
            cache_kib=131_072, checkpoint_pages=16_384, check_foreign_keys=False
        ):
            after = 0
            while True:
                with transaction.atomic():
                    chunk = (
                        self.selection.filter(pk__gt=after)
                        .order_by("pk")
                        .select_for_update(of=("self",))
                        .values_list(*_READ)[:RESCORE_CHUNK]
                    )
                    sql, params = chunk.query.sql_with_params()
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        rows = cursor.fetchall()
                    if not rows:
                        return
                    after = rows[-1][0]
                    self._chunk(rows)

    def _chunk(self, rows: list[tuple[Any, ...]]) -> None:
        job, scoring, check, assess_clean = self.job, self.scoring, check_answers, score
        target, user_id, aspects_json = job.instrument_id, job.created_by_id, self.aspects_json
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        loads, dumps, keeps = json.loads, json.dumps, self.keeps_answers
        source = Source.RESCORE.value
        inserts: list[tuple[Any, ...]] = []
        moved: list[Moved] = []
        tally: Counter[tuple[str, str, str]] = Counter()  # (regency, old level, new level)
        invalid: Counter[str] = Counter()
        for (
            pk,
            actor,
            period,
            instrument,
            answers,
            old,
            status,
            regency,
            province,
            vby,
            vat,
        ) in rows:
            text = type(answers) is str
            clean, problems = check(scoring, loads(answers) if text else answers)
            if clean is None:
                invalid[regency] += 1
                self._invalid(pk, actor, period, regency, problems)
                continue
            result = assess_clean(scoring, clean, explain=False)
            level = result.level
            if not text or not (keeps.get(instrument) or self._answers_kept(instrument)):
                answers = dumps(_stored_answers(clean))
            inserts.append(
                (
                    *(actor, period, target, answers, level, result.total),
                    aspects_json % tuple(result.aspects.values()),
                    *(result.graduate, status, True, pk, source, regency, province, user_id),
                    *(now, vby, vat),
                )
            )
            moved.append((pk, actor, period, regency, old, level))
            tally[regency, old, level] += 1
        if moved:
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(moved))
                cursor.execute(self.uncount % marks, [False, *(m[0] for m in moved)])
                cursor.executemany(self.insert, inserts)
        self._count(tally, invalid)
        job.processed += len(rows)
        job.rescored += len(moved)
        job.report = self.report
        job.messages = self.messages
        job.save(
            update_fields=["processed", "rescored", "changed", "invalid", "report", "messages"]
        )
        if moved and (result_listeners or result_batch_listeners):
            self._announce(moved)

    def _count(self, tally: Counter[tuple[str, str, str]], invalid: Counter[str]) -> None:
        """Add a chunk's level changes to the report and the job's counts."""
        rank, regencies = self.rank, self.report["regencies"]
        for regency in {*invalid, *(key[0] for key in tally)}:
            regencies.setdefault(
                regency,
                {"rescored": 0, "up": 0, "same": 0, "down": 0, "invalid": 0, "moves": {}},
            )
        for (regency, old, new), n in tally.items():
            counts = regencies[regency]
            counts["rescored"] += n
            to = counts["moves"].setdefault(old, {})
            to[new] = to.get(new, 0) + n
            if new == old:
                counts["same"] += n
            else:
                self.job.changed += n
                if old in rank:  # a level the target does not know is neither up nor down
                    counts["up" if rank[new] > rank[old] else "down"] += n
        for regency, n in invalid.items():
            regencies[regency]["invalid"] += n
            self.job.invalid += n

    def _invalid(
        self,
        pk: int,
        actor_id: int,
        period_id: int,
        regency: str,
        problems: Mapping[str, list[Problem]],
    ) -> None:
        if len(self.messages) >= RESCORE_MESSAGES:
            return
        self.messages.append(
            {
                "assessment": pk,
                "actor": actor_id,
                "period": period_id,
                "regency": regency,
                "problems": {
                    code: [[p.text, p.params] for p in items] for code, items in problems.items()
                },
            }
        )

    def _announce(self, moved: list[Moved]) -> None:
        """Tell read models: plain moves to batch listeners, instances to the others."""
        new_ids = dict(
            Assessment.objects.filter(supersedes_id__in=[m[0] for m in moved]).values_list(
                "supersedes_id", "pk"
            )
        )
        moves = [
            ResultMove(period_id, actor_id, regency, pk, old_level, new_ids[pk], level)
            for pk, actor_id, period_id, regency, old_level, level in moved
        ]
        for batch_listener in result_batch_listeners:
            batch_listener(moves)
        if result_listeners:
            rows = Assessment.objects.in_bulk([*new_ids, *new_ids.values()])
            for pk, actor_id, period_id, regency, _old, _new in moved:
                change = ResultChange(period_id, actor_id, regency, rows[pk], rows[new_ids[pk]])
                for listener in result_listeners:
                    listener(change)


def rescore_problems(message: Mapping[str, Any]) -> dict[str, list[str]]:
    """A job message's problems in the reader's language, by question code."""
    return _explained(
        {
            code: [Problem(text, params) for text, params in items]
            for code, items in message["problems"].items()
        }
    )
