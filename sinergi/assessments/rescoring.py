"""Re-scoring: stored results scored again under another published instrument version.

A job is a row (RescoreJob) with progress and a report; the huey task takes its id and
running it twice is harmless. Old results are kept; new ones supersede them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.scoping import is_national_admin
from sinergi.assessments import events
from sinergi.assessments.choices import InstrumentStatus, Source
from sinergi.assessments.events import ResultChange, ResultMove
from sinergi.assessments.models import Assessment, Instrument, Period, RescoreJob
from sinergi.assessments.scoring import check_answers, score
from sinergi.assessments.services import Refused, compiled, explain_problems, stored_answers
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.lib.problems import Problem
from sinergi.lib.runner import Checks, ChunkedJob, Setup, SqliteSettings, recover, run
from sinergi.regions.models import Region

# --- Re-scoring ----------------------------------------------------------------------------

RESCORE_CHUNK = 5000
# Results the worker scores at a time: the job writes one batch while the next is scored.
RESCORE_BATCH = 1000
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
            user,
            Action.CREATE,
            job,
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
    events.results_moved carries the chunk's moves as plain values, events.result_changed
    one ResultChange per result (the rows are loaded only when it has a listener).

    Work goes in chunks of RESCORE_CHUNK results, one transaction each (lib.runner), so a
    job that stops half-way leaves whole chunks; a new job over the same scope re-scores
    only the rest, since rows already under the target are skipped. The audit trail gets one
    UPDATE row for the whole job (object rescore_job, with the counts) rather than one per
    result.
    """
    return run(RescoreJob, job_id, Rescore, related=("instrument", "created_by"))


_READ = (
    "id",
    "actor_id",
    "period_id",
    "instrument_id",
    "answers",
    "level",
    "graduate",
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


@dataclass(frozen=True)
class ScoreBatch:
    """Stored answers for the worker to score: (instrument id, answers as stored) each, and
    by instrument whether its stored answers are kept as they are (_answers_kept)."""

    keeps: dict[int, bool]
    answers: list[tuple[int, Any]]


@dataclass(frozen=True)
class Scored:
    """A batch scored under the target, as columns in the batch's order (one object a batch:
    one a result would cost the job more to receive than its share of the scoring). For
    each result: the answers to store (None: the stored text as it is), its level, total,
    aspect scores as JSON text and graduation."""

    answers: list[str | None]
    levels: list[str]
    totals: list[float]
    aspects: list[str]
    graduates: list[bool]
    # Results whose answers no longer fit, by place in the batch (blank in the columns).
    problems: dict[int, dict[str, list[Problem]]]

    def add(
        self, answers: str | None, level: str, total: float, aspects: str, graduate: bool
    ) -> None:
        self.answers.append(answers)
        self.levels.append(level)
        self.totals.append(total)
        self.aspects.append(aspects)
        self.graduates.append(graduate)


class Moved(NamedTuple):
    """A result re-scored, for the announcement of its chunk (a named tuple: one is made for
    every result, and a frozen dataclass takes three times as long to make)."""

    old_id: int
    actor_id: int
    period_id: int
    regency_code: str
    old_level: str
    new_level: str
    old_graduate: bool
    new_graduate: bool
    same_answers: bool  # the new row holds the old one's answers as they were


class Rescore(ChunkedJob[RescoreJob]):
    """One run of a RescoreJob: plain rows in, plain rows out, no model instances.

    Rows are read and written with raw SQL because the ORM's per-value work (JSON
    converters, the INSERT compiler, model instances) costs several times the scoring.
    """

    progress_fields = ("total", "processed", "rescored", "changed", "invalid", "report", "messages")
    # A run again skips the results already under the target version, so it re-scores only
    # the rest, its progress counted from there.
    restarted = {"processed": 0}

    given_up = gettext_lazy(
        "The re-score stopped: its process was killed %(attempts)s times. The %(rescored)s "
        "results re-scored before then are kept; start a re-score of the same periods "
        "and region to re-score the rest."
    )

    @classmethod
    def stopped(cls, job: RescoreJob, reason: str) -> dict[str, Any]:
        return {"report": {**job.report, "stopped": reason}}

    def setup(self) -> Setup:
        # Foreign keys need no check: every id written was just read from a row holding it.
        return Setup(
            worker=Checks(),
            sqlite=SqliteSettings(
                cache_kib=131_072, checkpoint_pages=16_384, check_foreign_keys=False
            ),
            chunk_transaction=True,
        )

    def load(self) -> None:
        job = self.job
        self.scoring = compiled(job.instrument)
        order = self.scoring.level_order
        self.rank = {code: i for i, code in enumerate(order)}
        job.report = {"levels": list(order), "regencies": {}}
        job.messages = []
        self.selection = self._selection()
        self.keeps_answers: dict[int, bool] = {}
        quote = connection.ops.quote_name
        self.insert = (
            f"INSERT INTO {quote(Assessment._meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(quote(c) for c in _WRITE)}) "
            f"VALUES ({', '.join(['%s'] * len(_WRITE))})"
        )
        self.new_ids = (
            f"SELECT {quote('supersedes_id')}, {quote('id')} "  # noqa: S608 - names from the model
            f"FROM {quote(Assessment._meta.db_table)} WHERE {quote('supersedes_id')} IN (%s)"
        )
        self.uncount = (
            f"UPDATE {quote(Assessment._meta.db_table)} SET {quote('counted')} = %%s"  # noqa: S608
            f" WHERE {quote('id')} IN (%s)"
        )
        # The aspect scores as the JSON text json.dumps would write (same keys in the same
        # order for every result of one instrument), at a tenth of its cost.
        aspects = [aspect.code for aspect in self.scoring.definition.aspects]
        self.aspects_json = "{" + ", ".join(f"{json.dumps(a)}: %r" for a in aspects) + "}"

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "instrument": job.instrument.key,
            "total": job.total,
            "rescored": job.rescored,
            "changed": job.changed,
            "invalid": job.invalid,
        }

    def audit(self, after: dict[str, Any]) -> None:
        job = self.job
        record(job.created_by, Action.UPDATE, job, after=after)

    def _selection(self) -> QuerySet[Assessment]:
        job = self.job
        rows = Assessment.objects.filter(counted=True, period__in=job.periods.all()).exclude(
            instrument=job.instrument
        )
        return rows.within(job.region_code) if job.region_code else rows

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

    def read(self) -> Generator[int | list[tuple[Any, ...]], None, None]:
        """The number of results to re-score, then the chunks, each read in the transaction
        its results are written in (lib.runner: Setup.chunk_transaction)."""
        yield self.selection.count()
        after = 0
        while True:
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
            yield rows

    def start(self, total: int) -> None:
        self.job.total = total

    def check(self, batch: ScoreBatch) -> Scored:
        """A batch's stored answers checked and scored under the target (the worker's part:
        pure, no database); a result whose answers no longer fit gets its problems."""
        scoring, check, assess_clean = self.scoring, check_answers, score
        loads, dumps, aspects_json = json.loads, json.dumps, self.aspects_json
        scored = Scored([], [], [], [], [], {})
        for place, (instrument, answers) in enumerate(batch.answers):
            text = type(answers) is str
            clean, problems = check(scoring, loads(answers) if text else answers)
            if clean is None:
                scored.problems[place] = problems
                scored.add(None, "", 0.0, "", False)
                continue
            result = assess_clean(scoring, clean, explain=False)
            scored.add(
                None if text and batch.keeps[instrument] else dumps(stored_answers(clean)),
                result.level,
                result.total,
                aspects_json % tuple(result.aspects.values()),
                result.graduate,
            )
        return scored

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Score a chunk in the worker a batch at a time, writing each batch as it comes back
        while the worker scores the next one; all in the chunk's transaction."""
        job = self.job
        keeps = {instrument: self._answers_kept(instrument) for instrument in {r[3] for r in rows}}
        batches = [rows[i : i + RESCORE_BATCH] for i in range(0, len(rows), RESCORE_BATCH)]
        parts = [ScoreBatch(keeps, [(r[3], r[4]) for r in batch]) for batch in batches]
        target, user_id, source = job.instrument_id, job.created_by_id, Source.RESCORE.value
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        moved: list[Moved] = []
        tally: Counter[tuple[str, str, str]] = Counter()  # (regency, old level, new level)
        invalid: Counter[str] = Counter()
        for batch, scored in zip(batches, self.checked(parts), strict=True):
            inserts: list[tuple[Any, ...]] = []
            first = len(moved)
            for place, row in enumerate(batch):
                (
                    pk,
                    actor,
                    period,
                    _instrument,
                    answers,
                    old,
                    old_graduate,
                    status,
                    regency,
                    province,
                    vby,
                    vat,
                ) = row
                problems = scored.problems.get(place)
                if problems is not None:
                    invalid[regency] += 1
                    self._invalid(pk, actor, period, regency, problems)
                    continue
                stored, level = scored.answers[place], scored.levels[place]
                graduate = scored.graduates[place]
                inserts.append(
                    (
                        *(actor, period, target, answers if stored is None else stored, level),
                        *(scored.totals[place], scored.aspects[place], graduate, status, True),
                        *(pk, source, regency, province, user_id, now, vby, vat),
                    )
                )
                moved.append(
                    Moved(
                        pk,
                        actor,
                        period,
                        regency,
                        old,
                        level,
                        old_graduate,
                        graduate,
                        stored is None,
                    )
                )
                tally[regency, old, level] += 1
            if inserts:
                with connection.cursor() as cursor:
                    marks = ", ".join(["%s"] * len(inserts))
                    ids = [m.old_id for m in moved[first:]]
                    cursor.execute(self.uncount % marks, [False, *ids])
                    cursor.executemany(self.insert, inserts)
        self._count(tally, invalid)
        job.processed += len(rows)
        job.rescored += len(moved)
        if moved and (events.result_changed.listeners or events.results_moved.listeners):
            self._announce(moved)

    def _count(self, tally: Counter[tuple[str, str, str]], invalid: Counter[str]) -> None:
        """Add a chunk's level changes to the report and the job's counts."""
        rank, regencies = self.rank, self.job.report["regencies"]
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
        messages = self.job.messages
        if len(messages) >= RESCORE_MESSAGES:
            return
        messages.append(
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
        """Tell read models: plain moves to results_moved, rows to result_changed."""
        new_ids: dict[int, int] = {}
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's `supersedes_id__in` spends longer preparing a chunk's
            # ids than SQLite takes to find them.
            for start in range(0, len(moved), RESCORE_BATCH):
                old_ids = [m.old_id for m in moved[start : start + RESCORE_BATCH]]
                cursor.execute(self.new_ids % ", ".join(["%s"] * len(old_ids)), old_ids)
                new_ids.update(cursor.fetchall())
        if events.results_moved.listeners:
            events.results_moved.announce(
                [
                    ResultMove(
                        *(m.period_id, m.actor_id, m.regency_code, m.old_id, m.old_level),
                        *(new_ids[m.old_id], m.new_level, m.new_graduate),
                        old_graduate=bool(m.old_graduate),
                        same_answers=m.same_answers,
                    )
                    for m in moved
                ]
            )
        if events.result_changed.listeners:
            rows = Assessment.objects.in_bulk([*new_ids, *new_ids.values()])
            for m in moved:
                events.result_changed.announce(
                    ResultChange(
                        m.period_id,
                        m.actor_id,
                        m.regency_code,
                        rows[m.old_id],
                        rows[new_ids[m.old_id]],
                    )
                )


def rescore_problems(message: Mapping[str, Any]) -> dict[str, list[str]]:
    """A job message's problems in the reader's language, by question code."""
    return explain_problems(
        {
            code: [Problem(text, params) for text, params in items]
            for code, items in message["problems"].items()
        }
    )


def recover_rescores(enqueue: Callable[[RescoreJob], None]) -> list[RescoreJob]:
    """Re-scores whose process died run again, or fail saying how many results were kept
    re-scored (lib.runner.recover)."""
    return recover(RescoreJob, Rescore, enqueue)
