"""Writes for the mapping: instruments, periods and results. Atomic, audited, one hook.

Results are never overwritten. A correction or a re-score adds a row; the row it replaces
stops counting. Every change to counted results is announced (assessments.events) inside
the same transaction, so read models (analytics) can stay exact without the write path
importing them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User, account_of
from sinergi.assessments import events
from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus, Source
from sinergi.assessments.events import ResultChange, ResultMove
from sinergi.assessments.instrument.compiler import Compiled
from sinergi.assessments.instrument.definition import Definition
from sinergi.assessments.instrument.reader import DEFAULT_FILE, InvalidInstrument, load_definition
from sinergi.assessments.models import Assessment, Instrument, Period, PeriodLock
from sinergi.assessments.scoring import Answer, Result, assess, check_answers, score
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.problems import Problem
from sinergi.lib.problems import _ as mark
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

log = logging.getLogger(__name__)

# Who acts: a signed-in user, or None for the system (loading the default instrument, tests).
Acting = User | AnonymousUser | None


class Refused(Exception):
    """The write cannot happen; `errors` is keyed by field or question code."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


def announce(change: ResultChange) -> None:
    """Announce a change to one counted result (assessments.events), inside the writer's
    transaction: the change itself, and the same as a plain move."""
    events.result_changed.announce(change)
    if events.results_moved.listeners:
        old, new = change.old, change.new
        deferred = set() if new is None else new.get_deferred_fields()
        move = ResultMove(
            change.period_id,
            change.actor_id,
            change.regency_code,
            None if old is None else old.pk,
            None if old is None else old.level,
            None if new is None else new.pk,
            None if new is None else new.level,
            # A field the caller's row deferred is left to the listener to read.
            None if new is None or "graduate" in deferred else new.graduate,
            None if new is None or "answers" in deferred else new.answers,
            None if old is None or "graduate" in old.get_deferred_fields() else old.graduate,
        )
        events.results_moved.announce([move])


# --- Instruments ---------------------------------------------------------------------------


# An instrument's definition never changes after upload, so its compiled form is kept.
# Keyed by id and creation time: a database that reuses ids (SQLite after a rollback) cannot
# hand a new instrument an old one's compiled rules.
_compiled: dict[tuple[int, object], Compiled] = {}


def compiled(instrument: Instrument) -> Compiled:
    """The scoring form of an instrument (compiled once per process)."""
    cache_key = (instrument.pk, instrument.created_at)
    found = _compiled.get(cache_key)
    if found is None:
        found = _compiled[cache_key] = Definition.from_json(instrument.definition).compile()
    return found


def current_instrument() -> Instrument | None:
    """The instrument new results are scored with: the most recently published one."""
    return (
        Instrument.objects.filter(status=InstrumentStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .first()
    )


def upload_instrument(*, user: Acting, source: str) -> Instrument:
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
            created_by=account_of(user),
        )
        record(user, Action.CREATE, instrument, after={"key": instrument.key, "status": "draft"})
    return instrument


def _set_instrument_status(*, user: Acting, instrument: Instrument, status: str) -> Instrument:
    with transaction.atomic():
        before = instrument.status
        instrument.status = status
        if status == InstrumentStatus.PUBLISHED and instrument.published_at is None:
            instrument.published_at = timezone.now()
        instrument.save(update_fields=["status", "published_at"])
        record(user, Action.UPDATE, instrument, before={"status": before}, after={"status": status})
    return instrument


def publish_instrument(*, user: Acting, instrument: Instrument) -> Instrument:
    """A draft becomes the version new results are scored with. Published is final."""
    if instrument.status != InstrumentStatus.DRAFT:
        raise Refused({"status": [_("Only a draft can be published.")]})
    return _set_instrument_status(
        user=user, instrument=instrument, status=InstrumentStatus.PUBLISHED
    )


def retire_instrument(*, user: Acting, instrument: Instrument) -> Instrument:
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
    user: Acting,
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
        record(user, Action.CREATE, period, after={"code": code, "status": status})
    return period


def set_period_status(*, user: Acting, period: Period, status: str) -> Period:
    """Open or close a period for new results (national admin)."""
    with transaction.atomic():
        before = period.status
        period.status = status
        period.save(update_fields=["status"])
        record(user, Action.UPDATE, period, before={"status": before}, after={"status": status})
    return period


def lock_period(*, user: Acting, period: Period, regency: Region) -> PeriodLock:
    """A regency officer locks her regency's verified results for a period."""
    with transaction.atomic():
        lock, _created = PeriodLock.objects.get_or_create(
            period=period, regency=regency, defaults={"locked_by": user}
        )
        record(user, Action.UPDATE, _in(period, regency), after={"locked": regency.code})
    return lock


def unlock_period(*, user: Acting, period: Period, regency: Region) -> None:
    with transaction.atomic():
        PeriodLock.objects.filter(period=period, regency=regency).delete()
        record(user, Action.UPDATE, _in(period, regency), after={"unlocked": regency.code})


def _in(period: Period, regency: Region) -> Subject:
    """A period as a regency's lock of it is audited: filed under the regency."""
    return replace(period.audit_subject, region=regency.code)


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


def explain_problems(problems: Mapping[str, list[Problem]]) -> dict[str, list[str]]:
    return {
        code: [_(p.text) % p.params if p.params else _(p.text) for p in items]
        for code, items in problems.items()
    }


@dataclass(frozen=True)
class Checked:
    """Answers check_answers accepted under `instrument` (made by check()): a channel that
    checks before it submits, to report each row's problems, hands them to
    submit_assessment, which then does not check them again."""

    instrument: Instrument
    clean: Mapping[str, Answer]


def check(
    instrument: Instrument, answers: Mapping[str, Any]
) -> tuple[Checked | None, dict[str, list[Problem]]]:
    """The answers checked under the instrument, or None and the problems by question code."""
    clean, problems = check_answers(compiled(instrument), answers)
    return (None if clean is None else Checked(instrument, clean)), problems


@dataclass(frozen=True)
class Submitted:
    """What submit_assessment did. `assessment` counts now for the actor in the period: the
    new row, or the counted one when the answers repeated it and nothing was stored."""

    assessment: Assessment
    result: Result
    stored: bool


def submit_assessment(
    *,
    user: Acting,
    actor: Actor,
    period: Period,
    answers: Mapping[str, Any] | Checked,
    source: str = Source.WEB,
    instrument: Instrument | None = None,
    status: str = AssessmentStatus.SUBMITTED,
    store_repeat: bool = False,
    counted: Assessment | None = None,
) -> Submitted:
    """Score the answers and store a new result that counts for the actor in the period.

    Answers that are exactly the counted result's, under the same instrument, store nothing
    (`stored` False): a form or request sent twice when the first answer was lost on a weak
    connection, or a file imported twice, leaves only real changes in the history, even in a
    period closed since. `store_repeat` stores them all the same, for a channel where each
    sending is its own record (OpenRosa: the instance id decides what a repeat is, and the
    submission points at the result it made). `counted` is the actor's counted result in
    the period when the caller has read it already (an import reads a chunk's at once):
    answers that repeat it are then answered without a query.

    Raw answers are checked under `instrument` (by default the current one); Checked
    answers are not checked again and are scored under their own instrument.
    Refused (nothing stored) when the period is closed or locked (re-scoring, which may
    change closed periods, writes its rows itself: assessments.rescoring),
    when no instrument is published, or when an answer is wrong (errors by question code).
    """
    checked: Checked | None
    problems: dict[str, list[Problem]] = {}
    if isinstance(answers, Checked):
        if instrument not in (None, answers.instrument):
            raise ValueError("answers checked under another instrument")
        instrument, checked = answers.instrument, answers
    else:
        instrument = instrument or current_instrument()
        checked, problems = check(instrument, answers) if instrument else (None, {})
    compared = None if store_repeat else checked  # the answers a repeat would match
    if (same := _unchanged(counted, compared)) is not None:
        return same
    # Asked before the transaction, which on SQLite holds the one write lock.
    refusal = period_refusal(period, actor.regency_code)
    counts = status != AssessmentStatus.DRAFT
    with transaction.atomic():
        # Only the result row is locked: the model's ordering joins the period, and locking
        # that row too would serialise (and on PostgreSQL deadlock) every writer of a period.
        previous = (
            Assessment.objects.select_for_update(of=("self",))
            .filter(actor=actor, period=period, counted=True)
            .order_by()
            .first()
            if counts
            else None
        )
        if (same := _unchanged(previous, compared)) is not None:
            return same
        if refusal:
            raise Refused({"period": [refusal]})
        if instrument is None:
            raise Refused({"instrument": [_("No instrument is published yet.")]})
        if checked is None:
            raise Refused(explain_problems(problems))
        result = _score(checked)
        if previous is not None:
            previous.counted = False
            previous.save(update_fields=["counted"])
        assessment = Assessment.objects.create(
            actor=actor,
            period=period,
            instrument=instrument,
            answers=stored_answers(checked.clean),
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
            created_by=account_of(user),
        )
        record(
            user,
            Action.CREATE,
            assessment,
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
            announce(ResultChange(period.pk, actor.pk, actor.regency_code, previous, assessment))
    return Submitted(assessment, result, stored=True)


def _score(checked: Checked) -> Result:
    return score(compiled(checked.instrument), checked.clean)


def _unchanged(counted: Assessment | None, checked: Checked | None) -> Submitted | None:
    """What submit_assessment answers when the answers repeat the counted result (nothing
    is stored), or None when they do not."""
    if counted is None or checked is None:
        return None
    if not repeats(counted, checked.instrument, checked.clean):
        return None
    return Submitted(counted, _score(checked), stored=False)


def result_of(assessment: Assessment) -> Result:
    """The full result (with explanation) of a stored row: its answers scored again under its
    own instrument, which is deterministic."""
    result, problems = assess(compiled(assessment.instrument), assessment.answers)
    if result is None:
        raise ValueError(
            f"stored answers of assessment {assessment.pk} no longer valid: {problems}"
        )
    return result


def stored_answers(clean: Mapping[str, Any]) -> dict[str, Any]:
    """Clean answers as JSON: any-of sets become sorted lists."""
    return {
        code: sorted(value) if isinstance(value, frozenset) else value
        for code, value in clean.items()
    }


def repeats(counted: Assessment | None, instrument: Instrument, clean: Mapping[str, Any]) -> bool:
    """Whether clean answers are exactly the counted result's, under the same instrument.

    Sending the same answers again (an import run twice, a form resent after a lost
    connection) is then no new result: the history keeps only real changes.
    """
    return (
        counted is not None
        and counted.instrument_id == instrument.pk
        and counted.answers == stored_answers(clean)
    )


def verify_assessment(*, user: Acting, assessment: Assessment) -> Assessment:
    """The regency officer confirms a submitted result."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise Refused({"status": [_("Only a submitted result can be verified.")]})
    with transaction.atomic():
        assessment.status = AssessmentStatus.VERIFIED
        assessment.verified_by = account_of(user)
        assessment.verified_at = timezone.now()
        assessment.save(update_fields=["status", "verified_by", "verified_at"])
        record(
            user,
            Action.UPDATE,
            assessment,
            before={"status": AssessmentStatus.SUBMITTED},
            after={"status": AssessmentStatus.VERIFIED},
        )
    return assessment


def delete_assessment(
    *, user: Acting, assessment: Assessment, reason: str = ""
) -> Assessment | None:
    """Remove a result entered by mistake (wrong actor, wrong period); audited with its content.

    Refused where a new result would be (closed or locked period). When the removed row was
    the counted one, the result it had superseded (if any) counts again, as if the mistaken
    entry had never been made; the change is announced like any other. Returns the result
    that counts now for the actor in the period, or None.
    """
    refusal = period_refusal(assessment.period, assessment.regency_code)
    if refusal:
        raise Refused({"period": [refusal]})
    with transaction.atomic():
        row = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("actor", "period")
            .get(pk=assessment.pk)
        )
        previous = row.supersedes
        later = Assessment.objects.filter(supersedes=row).first()
        promoted = previous if row.counted and previous is not None else None
        before = {
            "actor": row.actor_id,
            "period": row.period.code,
            "level": row.level,
            "total": row.total_score,
            "answers": row.answers,
            "counted": row.counted,
            "instrument": row.instrument_id,
            "source": row.source,
        }
        subject = row.audit_subject  # delete() clears the id
        row.delete()
        if later is not None:  # keep the chain of corrections unbroken
            later.supersedes = previous
            later.save(update_fields=["supersedes"])
        if promoted is not None:
            promoted.counted = True
            promoted.save(update_fields=["counted"])
        record(
            user,
            Action.DELETE,
            subject,
            before=before,
            after=None if promoted is None else {"counted": promoted.pk, "level": promoted.level},
            note=reason,
        )
        if row.counted:
            row.pk = assessment.pk  # delete() cleared it; listeners see the row that went
            announce(ResultChange(row.period_id, row.actor_id, row.regency_code, row, promoted))
            return promoted
    return Assessment.objects.filter(
        actor_id=row.actor_id, period_id=row.period_id, counted=True
    ).first()
