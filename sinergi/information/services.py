"""Writes of the information app. Each function is atomic and leaves one audit row; every
step of a request also leaves a RequestStep. The public submits (acting user None); the
national admin (the PPID's staff) processes, extends, answers and publishes.

The deadlines are those of UU 14/2008: an answer within 10 working days of receipt
(Pasal 22 ayat 7), extended once by at most 7 working days with a written reason (ayat 8).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.information import workdays
from sinergi.information.choices import (
    ANSWER_DAYS,
    EXTENSION_DAYS,
    OBJECTION_DAYS,
    OPEN,
    ObjectionReason,
    Outcome,
    RequestStatus,
)
from sinergi.information.models import (
    Holiday,
    InformationRequest,
    Objection,
    PeriodicInformation,
    RequestStep,
)
from sinergi.lib.scope import Do, may
from sinergi.lib.uploads import DOCUMENT, UploadRefused, check_upload
from sinergi.portal.caching import bump_public_version

Acting = User | AnonymousUser


class Refused(Exception):
    """The write cannot happen; `errors` is keyed by field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


def _refuse(name: str, message: str) -> Refused:
    return Refused({name: [message]})


def may_handle(user: Acting | None) -> bool:
    """Requests are the national programme's PPID's business: the national admin."""
    return user is not None and may(user, Do.ADMINISTER)


def _require_handler(user: Acting) -> None:
    if not may_handle(user):
        raise _refuse("__all__", _("Only the staff who answer information requests may do this."))


def holidays_from(start: dt.date, days: int) -> frozenset[dt.date]:
    """The holidays a count of `days` working days after `start` may meet."""
    end = start + workdays.span_for(days)
    return frozenset(
        Holiday.objects.filter(date__gt=start, date__lte=end).values_list("date", flat=True)
    )


def working_days_after(start: dt.date, days: int) -> dt.date:
    return workdays.add_working_days(start, days, holidays_from(start, days))


# --- Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestData:
    """A request as the public form validated it."""

    name: str
    email: str
    information: str
    purpose: str
    delivery: str
    phone: str = ""
    address: str = ""
    occupation: str = ""


def _step(request: InformationRequest, source: str, by: Acting | None, note: str = "") -> None:
    RequestStep.objects.create(
        request=request,
        source=source,
        target=request.status,
        by=by if isinstance(by, User) else None,
        note=note,
    )


def submit_request(
    *, user: Acting | None, data: RequestData, received_at: dt.datetime | None = None
) -> InformationRequest:
    """Register a request: its tracking number and its due date, 10 working days after the
    day of receipt. `received_at` is for a letter the staff enter after it arrived (and the
    demo); the public's requests are received when they are sent."""
    now = received_at or timezone.now()
    received_on = timezone.localdate(now)
    with transaction.atomic():
        request = InformationRequest.objects.create(
            tracking_number=f"new-{secrets.token_hex(8)}",  # numbered below, by its id
            name=data.name,
            email=data.email,
            phone=data.phone,
            address=data.address,
            occupation=data.occupation,
            information=data.information,
            purpose=data.purpose,
            delivery=data.delivery,
            received_at=now,
            due_on=working_days_after(received_on, ANSWER_DAYS),
        )
        request.tracking_number = f"KIP-{received_on.year}-{request.pk:06d}"
        request.save(update_fields=["tracking_number"])
        _step(request, "", user)
        record(user, Action.CREATE, request, after={"due_on": str(request.due_on)})
        transaction.on_commit(bump_public_version)
    return request


def _move(
    request: InformationRequest, user: Acting, target: str, note: str, fields: list[str]
) -> None:
    source = request.status
    request.status = target
    request.save(update_fields=["status", *fields])
    _step(request, source, user, note)
    record(
        user,
        Action.UPDATE,
        request,
        before={"status": source},
        after={"status": target},
        note=note[:500],
    )


def _require_open(request: InformationRequest) -> None:
    if request.status not in OPEN:
        raise _refuse("__all__", _("This request is already closed."))


def start_processing(*, user: Acting, request: InformationRequest) -> InformationRequest:
    """A received request is taken up."""
    _require_handler(user)
    if request.status != RequestStatus.RECEIVED:
        raise _refuse("__all__", _("Only a received request can be taken up."))
    with transaction.atomic():
        _move(request, user, RequestStatus.IN_PROCESS, "", [])
    return request


def extend_request(*, user: Acting, request: InformationRequest, reason: str) -> InformationRequest:
    """Extend the deadline once, by 7 working days, with a written reason (Pasal 22 ayat 8)."""
    _require_handler(user)
    _require_open(request)
    if request.extended_due_on is not None:
        raise _refuse("reason", _("The deadline can be extended only once."))
    if not reason.strip():
        raise _refuse("reason", _("Give the reason for the extension."))
    with transaction.atomic():
        request.extended_due_on = working_days_after(request.due_on, EXTENSION_DAYS)
        request.extension_reason = reason.strip()
        _move(
            request,
            user,
            RequestStatus.EXTENDED,
            request.extension_reason,
            ["extended_due_on", "extension_reason"],
        )
    return request


def answer_request(
    *,
    user: Acting,
    request: InformationRequest,
    outcome: str,
    answer: str,
    refusal_reason: str = "",
) -> InformationRequest:
    """Answer a request: granted in full or in part, refused with the exemption reason
    (Pasal 17), or not held. A partial grant or a refusal names what is exempt and why."""
    _require_handler(user)
    _require_open(request)
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not answer.strip():
        errors["answer"] = [_("Write the answer to the requester.")]
    if outcome in {Outcome.REFUSED, Outcome.PARTLY} and not refusal_reason.strip():
        errors["refusal_reason"] = [
            _("Name the exemption (Article 17) and why it applies to what is withheld.")
        ]
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        request.outcome = outcome
        request.answer = answer.strip()
        request.refusal_reason = (
            refusal_reason.strip() if outcome in {Outcome.REFUSED, Outcome.PARTLY} else ""
        )
        request.answered_at = timezone.now()
        request.answered_by = user if isinstance(user, User) else None
        _move(
            request,
            user,
            RequestStatus.ANSWERED,
            outcome,
            ["outcome", "answer", "refusal_reason", "answered_at", "answered_by"],
        )
        transaction.on_commit(bump_public_version)
    return request


def withdraw_request(
    *, user: Acting, request: InformationRequest, reason: str
) -> InformationRequest:
    """Close a request its requester withdrew (the reason records how she said so)."""
    _require_handler(user)
    _require_open(request)
    if not reason.strip():
        raise _refuse("reason", _("Say how the requester withdrew the request."))
    with transaction.atomic():
        _move(request, user, RequestStatus.WITHDRAWN, reason.strip(), [])
        transaction.on_commit(bump_public_version)
    return request


def view_request(*, user: Acting, request: InformationRequest) -> None:
    """A staff read of a request, with its requester's personal data: audited."""
    _require_handler(user)
    record(user, Action.VIEW_PERSONAL, request, note="view detail")


# --- Objections (keberatan) ----------------------------------------------------------------


def objection_window(request: InformationRequest, today: dt.date) -> dt.date | None:
    """The last day an objection may be filed (Pasal 36 ayat 1): 30 working days after the
    answer, or after the deadline passed unanswered; None while the request is open and in
    time (or withdrawn)."""
    if request.answered_at is not None:
        start = timezone.localdate(request.answered_at)
    elif request.is_overdue(today):
        start = request.deadline
    else:
        return None
    return working_days_after(start, OBJECTION_DAYS)


def may_object(request: InformationRequest, today: dt.date) -> bool:
    until = objection_window(request, today)
    return until is not None and today <= until and not hasattr(request, "objection")


def file_objection(
    *, user: Acting | None, request: InformationRequest, reason: str, statement: str
) -> Objection:
    """The requester objects; the answer is due 30 working days after (Pasal 36 ayat 2)."""
    today = timezone.localdate()
    if hasattr(request, "objection"):
        raise _refuse("__all__", _("An objection to this request was already filed."))
    if not may_object(request, today):
        raise _refuse(
            "__all__",
            _(
                "An objection can be filed once the request is answered or its deadline has "
                "passed, within 30 working days."
            ),
        )
    errors: dict[str, list[str]] = {}
    if reason not in ObjectionReason.values:
        errors["reason"] = [_("Choose the reason of the objection.")]
    if not statement.strip():
        errors["statement"] = [_("Say what you object to.")]
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        objection = Objection.objects.create(
            request=request,
            reason=reason,
            statement=statement.strip(),
            due_on=working_days_after(today, OBJECTION_DAYS),
        )
        record(user, Action.CREATE, objection, after={"due_on": str(objection.due_on)})
    return objection


def answer_objection(*, user: Acting, request: InformationRequest, answer: str) -> Objection:
    """The superior of the PPID answers the objection, once."""
    _require_handler(user)
    objection: Objection | None = getattr(request, "objection", None)
    if objection is None:
        raise _refuse("__all__", _("This request has no objection."))
    if objection.answered_at is not None:
        raise _refuse("answer", _("The objection is already answered."))
    if not answer.strip():
        raise _refuse("answer", _("Write the answer to the objection."))
    with transaction.atomic():
        objection.answer = answer.strip()
        objection.answered_at = timezone.now()
        objection.answered_by = user if isinstance(user, User) else None
        objection.save(update_fields=["answer", "answered_at", "answered_by"])
        record(user, Action.UPDATE, objection, after={"answered": True})
    return objection


# --- Periodic information and holidays -------------------------------------------------------


@dataclass(frozen=True)
class EntryData:
    """An entry of periodic information as the staff form validated it."""

    title: str
    category: str
    year: int
    description: str = ""
    link: str = ""
    document: UploadedFile | None = None


def publish_entry(*, user: Acting, data: EntryData) -> PeriodicInformation:
    """Publish an entry of periodic information: a link or a PDF, checked before it is kept."""
    _require_handler(user)
    if not data.link and data.document is None:
        raise _refuse("link", _("Give a link or upload a PDF."))
    if data.document is not None:
        try:
            check_upload(data.document, accept=DOCUMENT)
        except UploadRefused as refused:
            raise _refuse("document", str(refused)) from refused
    with transaction.atomic():
        entry = PeriodicInformation.objects.create(
            title=data.title,
            category=data.category,
            year=data.year,
            description=data.description,
            link=data.link,
            document=data.document,
            created_by=user if isinstance(user, User) else None,
        )
        record(user, Action.CREATE, entry, after={"title": entry.title, "year": entry.year})
        transaction.on_commit(bump_public_version)
    return entry


def remove_entry(*, user: Acting, entry: PeriodicInformation) -> None:
    _require_handler(user)
    with transaction.atomic():
        record(user, Action.DELETE, entry, before={"title": entry.title, "year": entry.year})
        entry.document.delete(save=False)
        entry.delete()
        transaction.on_commit(bump_public_version)


def add_holiday(*, user: Acting | None, date: dt.date, name: str) -> Holiday:
    """A holiday counts for the deadlines computed after it is added (none is recomputed)."""
    if user is not None:
        _require_handler(user)
    if Holiday.objects.filter(date=date).exists():
        raise _refuse("date", _("This day is already a holiday."))
    with transaction.atomic():
        holiday = Holiday.objects.create(date=date, name=name)
        record(user, Action.CREATE, holiday)
    return holiday


def remove_holiday(*, user: Acting, holiday: Holiday) -> None:
    _require_handler(user)
    with transaction.atomic():
        record(user, Action.DELETE, holiday)
        holiday.delete()
