"""OpenRosa submissions: reading the XML a phone sends, and turning it into a result.

A submission goes through the same `submit_assessment` as the web form and the API, so
scoring, scope, period rules, audit and analytics are identical. Whatever happens, the
submission is kept: accepted (pointing at its result) or rejected (with the reason, in the
inbox of the officers of its region, who may fix the XML and process it again).

Idempotent on the instance id: the same instance sent again with the same content gets the
first answer (202) and stores nothing; with other content after it was accepted, 409.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.accounts.models import User, account_of
from sinergi.assessments.choices import InstrumentStatus, Source
from sinergi.assessments.models import Instrument, Period
from sinergi.assessments.services import Refused, compiled, submit_assessment
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.collect.choices import SubmissionStatus
from sinergi.collect.models import Submission, SubmissionFile
from sinergi.collect.xforms import PHOTO
from sinergi.lib.scope import Do
from sinergi.registry.models import Actor

# Elements of the instance that are not answers to the instrument's questions.
_ENVELOPE = frozenset({"period", "actor", PHOTO, "instanceName"})
# Far more fields than any instrument asks: a submission with more is not filed, so that a
# small XML of thousands of empty elements is not stored with an error for each.
MAX_FIELDS = 300
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENCODING_IN_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")


def xml_text(xml: bytes) -> str:
    """The submission as text, decoded as XML says (byte order mark, else the declaration,
    else UTF-8), its declaration naming no encoding any more: the inbox shows it readable
    (a UTF-16 form was stored as mojibake) and a fix read back as UTF-8 is the same document.
    """
    encoding = next((name for bom, name in _BOMS if xml.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARED.match(xml[:200])
        encoding = declared.group(1).decode() if declared else "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:  # a declared encoding Python does not know
        codec = "utf-8"
    text = xml.decode(codec, errors="replace")
    if codec in ("utf-8", "utf-8-sig"):
        return text
    return _ENCODING_IN_DECLARATION.sub(r"\1", text, count=1)


class Unreadable(ValueError):
    """The bytes are not a submission we can even file: no inbox entry, just a 400."""


@dataclass(frozen=True)
class Envelope:
    """What a submission says, read from its XML (nothing checked against the database)."""

    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    period: str
    actor: str
    answers: dict[str, str]
    files: tuple[str, ...]  # file names the instance refers to (the photo)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_envelope(xml: bytes) -> Envelope:
    """Parse a submission's XML safely (no DTD, no entities, no external references)."""
    try:
        root: Element = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise Unreadable(
            _("The submission is not well-formed XML (%(reason)s).") % {"reason": exc}
        ) from exc
    meta: dict[str, str] = {}
    leaves: dict[str, str] = {}
    duplicates: set[str] = set()
    for count, element in enumerate(root.iter()):
        if count > MAX_FIELDS:
            raise Unreadable(
                _("The submission has more than %(count)s fields; no form of this server has.")
                % {"count": MAX_FIELDS}
            )
        if element is root or len(element):
            continue
        name = _local(element.tag)
        text = (element.text or "").strip()
        parents_meta = name in ("instanceID", "deprecatedID")
        target = meta if parents_meta else leaves
        if name in target:
            duplicates.add(name)
        target[name] = text
    instance_id = meta.get("instanceID", "")
    if not instance_id:
        raise Unreadable(_("The submission has no instanceID in its meta block."))
    if len(instance_id) > 100:
        raise Unreadable(_("The submission's instanceID is longer than 100 characters."))
    if duplicates:
        raise Unreadable(
            _("The submission repeats these fields: %(names)s.")
            % {"names": ", ".join(sorted(duplicates))}
        )
    return Envelope(
        form_id=root.get("id", ""),
        version=root.get("version", ""),
        instance_id=instance_id,
        deprecated_id=meta.get("deprecatedID", "")[:100],
        period=leaves.get("period", ""),
        actor=leaves.get("actor", ""),
        answers={k: v for k, v in leaves.items() if k not in _ENVELOPE},
        files=tuple(v for k, v in leaves.items() if k == PHOTO and v),
    )


@dataclass
class Outcome:
    """The answer for the phone: an HTTP status and a message it shows to the facilitator."""

    status: int
    message: str
    submission: Submission | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


class _Rejected(Exception):
    def __init__(self, status: int, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.status = status
        self.errors = dict(errors)


def digest(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def _instrument(envelope: Envelope) -> Instrument:
    # The definition is read only when the process has not compiled this version yet.
    found = (
        Instrument.objects.defer("definition", "source")
        .filter(code=envelope.form_id, version=envelope.version)
        .order_by()
        .first()
    )
    if found is None:
        raise _Rejected(
            400,
            {
                "form": [
                    _(
                        "Form %(form)s version %(version)s is not known here. Get the blank "
                        "form again (Get Blank Form) and fill it anew."
                    )
                    % {"form": envelope.form_id or "?", "version": envelope.version or "?"}
                ]
            },
        )
    if found.status != InstrumentStatus.PUBLISHED:
        raise _Rejected(
            400,
            {
                "form": [
                    _(
                        "Form version %(version)s is no longer in use. Get the blank form "
                        "again (Get Blank Form) and fill it anew."
                    )
                    % {"version": found.version}
                ]
            },
        )
    return found


def _actor(user: User | AnonymousUser, envelope: Envelope) -> Actor:
    actor = None
    if envelope.actor.isdigit():
        actor = (
            Actor.objects.visible_to(user, Do.CHANGE).order_by().filter(pk=envelope.actor).first()
        )
    if actor is None:
        # The same words whether the actor does not exist or is someone else's: no leak.
        raise _Rejected(
            403,
            {
                "actor": [
                    _(
                        "Actor %(actor)s is not in your caseload. Update the form's lists "
                        "(Get Blank Form) or ask your regency officer."
                    )
                    % {"actor": envelope.actor or "?"}
                ]
            },
        )
    return actor


def _period(envelope: Envelope) -> Period:
    found = Period.objects.filter(code=envelope.period).order_by().first()
    if found is None:
        raise _Rejected(
            422,
            {
                "period": [
                    _("Period %(period)s does not exist.") % {"period": envelope.period or "?"}
                ]
            },
        )
    return found


def _home(user: User | AnonymousUser | None) -> str:
    return user.home_region if isinstance(user, User) else ""


def _success_message(
    instrument: Instrument, actor: Actor, period: Period, level: str, total: float
) -> str:
    return _("Saved: %(name)s, %(period)s: %(level)s (total %(total)s).") % {
        "name": actor.name,
        "period": period.code,
        "level": compiled(instrument).definition.level(level).name,
        "total": f"{total:g}",
    }


def _phone_message(errors: Mapping[str, list[str]], instrument: Instrument | None) -> str:
    """The reasons, each after the label of the question it concerns, as the phone shows it."""
    labels: dict[str, str] = {}
    if instrument is not None:
        language = get_language() or "id"
        labels = {q.code: q.label.get(language) for q in compiled(instrument).definition.questions}
    return " ".join(
        f"{labels.get(code, code)}: {' '.join(reasons)}" for code, reasons in errors.items()
    )


def _store_files(submission: Submission, envelope: Envelope, files: Sequence[UploadedFile]) -> None:
    """Keep the files the form refers to (its photo); anything else sent along is dropped."""
    if not files:
        return
    known = set(submission.files.values_list("name", flat=True))
    for upload in files:
        name = (upload.name or "")[-255:]
        if name in known or name not in envelope.files:
            continue
        SubmissionFile.objects.create(
            submission=submission,
            name=name,
            content_type=(upload.content_type or "application/octet-stream")[:100],
            size=upload.size or 0,
            file=upload,
        )
        known.add(name)


@dataclass
class _Target:
    """What a submission refers to, read before anything is written (so that on SQLite the
    write lock is held only for the writes), or why it cannot be stored."""

    instrument: Instrument | None = None
    actor: Actor | None = None
    period: Period | None = None
    rejected: _Rejected | None = None


def _resolve(user: User | AnonymousUser, envelope: Envelope) -> _Target:
    target = _Target()
    try:
        target.instrument = _instrument(envelope)
        target.actor = _actor(user, envelope)
        target.period = _period(envelope)
    except _Rejected as rejected:
        target.rejected = rejected
    return target


def _process(
    *,
    user: User | AnonymousUser,
    submission: Submission,
    envelope: Envelope,
    source_user: User | AnonymousUser | None,
    target: _Target,
) -> Outcome:
    """Score and store the submission's result, or mark it rejected. Inside a transaction."""
    instrument, actor, period = target.instrument, target.actor, target.period
    if actor is not None:
        submission.actor = actor
        submission.region_code = actor.village_id
    rejected = target.rejected
    if instrument is not None and actor is not None and period is not None:  # else rejected
        try:
            submitted = submit_assessment(
                user=user,
                actor=actor,
                period=period,
                answers=envelope.answers,
                source=Source.ODK,
                instrument=instrument,
                store_repeat=True,  # the instance id decides what a repeat is (see above)
            )
        except Refused as refused:
            rejected = _Rejected(422, refused.errors)
        else:
            result = submitted.result
            submission.status = SubmissionStatus.ACCEPTED
            submission.errors = {}
            submission.assessment = submitted.assessment
            submission.save()
            message = _success_message(instrument, actor, period, result.level, result.total)
            return Outcome(201, message, submission)
    rejected = rejected or _Rejected(400, {})
    submission.status = SubmissionStatus.REJECTED
    submission.errors = rejected.errors
    if not submission.region_code:
        submission.region_code = _home(source_user)
    submission.save()
    return Outcome(
        rejected.status,
        _phone_message(rejected.errors, instrument),
        submission,
        rejected.errors,
    )


def _repeat(
    existing: Submission, content: str, envelope: Envelope, files: Sequence[UploadedFile]
) -> Outcome:
    """An accepted instance sent again: a retry (202) or a conflict (409)."""
    if existing.digest != content:
        return Outcome(
            409,
            _(
                "A different form with the same instance ID was already received. "
                "Nothing was changed; to correct a sent form, edit it on the phone."
            ),
            existing,
        )
    if files:
        with transaction.atomic():
            _store_files(existing, envelope, files)  # a retry may carry photos a first try lost
    return Outcome(202, _("This form was already received. Nothing new was stored."), existing)


def _submission(instance_id: str) -> QuerySet[Submission]:
    return Submission.objects.filter(instance_id=instance_id).order_by()


def receive_submission(
    *, user: User | AnonymousUser, xml: bytes, files: Sequence[UploadedFile] = ()
) -> Outcome:
    """File a phone's submission and, when it is valid, store its result.

    The instance id decides what a repeat means: the same content again is answered 202 with
    nothing stored (a retry after a lost response); other content for an accepted instance is
    a conflict (409); a rejected instance sent again is processed again (a period may have
    opened since). Raises Unreadable for bytes that cannot be filed at all.
    """
    envelope = read_envelope(xml)
    content = digest(xml)
    # A retry is answered without taking the write lock; the check is repeated under it.
    known = _submission(envelope.instance_id).first()
    if known is not None and known.status == SubmissionStatus.ACCEPTED:
        return _repeat(known, content, envelope, files)
    target = _resolve(user, envelope)
    try:
        with transaction.atomic():
            existing = _submission(envelope.instance_id).select_for_update().first()
            if existing is not None and existing.status == SubmissionStatus.ACCEPTED:
                return _repeat(existing, content, envelope, files)
            submission = existing or Submission(instance_id=envelope.instance_id)
            submission.xml = xml_text(xml)
            submission.digest = content
            submission.form_id = envelope.form_id[:100]
            submission.form_version = envelope.version[:40]
            submission.deprecated_id = envelope.deprecated_id
            submission.submitted_by = account_of(user)
            outcome = _process(
                user=user, submission=submission, envelope=envelope, source_user=user, target=target
            )
            _store_files(submission, envelope, files)
            if submission.status != SubmissionStatus.ACCEPTED:
                # An accepted one is audited as the result it created (source odk).
                record(
                    user,
                    Action.CREATE if existing is None else Action.UPDATE,
                    submission,
                    after={"status": submission.status, "errors": submission.errors},
                )
            return outcome
    except IntegrityError:
        # Two copies of one instance raced; the other one won and holds the answer.
        winner = _submission(envelope.instance_id).first()
        if winner is None:
            raise
        if winner.status == SubmissionStatus.ACCEPTED and winner.digest == content:
            return Outcome(
                202, _("This form was already received. Nothing new was stored."), winner
            )
        return Outcome(
            409,
            _("This form is being received from another connection; send it again later."),
            winner,
        )


def reprocess_submission(
    *, user: User | AnonymousUser, submission: Submission, xml: str
) -> Outcome:
    """An officer fixes a rejected submission's XML (or not) and processes it again.

    The result is recorded as hers, within her own scope; the submission keeps who sent it.
    """
    if submission.status == SubmissionStatus.ACCEPTED:
        return Outcome(409, _("This submission was already accepted."), submission)
    raw = xml.encode()
    envelope = read_envelope(raw)
    if envelope.instance_id != submission.instance_id:
        raise Unreadable(_("The instanceID may not be changed when fixing a submission."))
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        before = {"status": submission.status, "digest": submission.digest}
        submission.xml = xml
        submission.digest = digest(raw)
        submission.form_id = envelope.form_id[:100]
        submission.form_version = envelope.version[:40]
        submission.processed_by = account_of(user)
        submission.processed_at = timezone.now()
        outcome = _process(
            user=user,
            submission=submission,
            envelope=envelope,
            source_user=submission.submitted_by,
            target=_resolve(user, envelope),
        )
        record(
            user,
            Action.UPDATE,
            submission,
            before=before,
            after={
                "status": submission.status,
                "digest": submission.digest,
                "errors": submission.errors,
            },
        )
    return outcome


def dismiss_submission(*, user: User | AnonymousUser, submission: Submission) -> Submission:
    """Take a rejected submission out of the inbox without storing a result."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != SubmissionStatus.REJECTED:
            raise Refused({"status": [_("Only a rejected submission can be dismissed.")]})
        submission.status = SubmissionStatus.DISMISSED
        submission.processed_by = account_of(user)
        submission.processed_at = timezone.now()
        submission.save(update_fields=["status", "processed_by", "processed_at"])
        record(
            user,
            Action.UPDATE,
            submission,
            before={"status": SubmissionStatus.REJECTED},
            after={"status": SubmissionStatus.DISMISSED},
        )
    return submission
