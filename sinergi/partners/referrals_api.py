"""GET|POST /api/v1/referrals, GET /api/v1/referrals/{id}, POST
/api/v1/referrals/{id}/transition, and GET /api/v1/actors/{id}/matches.

A referral is shown to a partner's staff only as `partners.disclosure.for_partner` builds
it; programme users get the same with the programme's own fields added. Nobody gets an NIK
here, in any form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictInt

from sinergi.accounts.scoping import audit_region, may_write, memberships
from sinergi.assessments.instrument.definition import Definition
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.lib.errors import InvalidInput
from sinergi.lib.pagination import MAX_LIMIT, cursor_page, limit_of
from sinergi.lib.scope import Do, Principal, allowed
from sinergi.partners import checks, lifecycle, services
from sinergi.partners.choices import ReferralStatus
from sinergi.partners.disclosure import PARTNER_RELATED, for_partner
from sinergi.partners.facts import matches_for
from sinergi.partners.models import Offer, Referral
from sinergi.partners.words import instrument_definition, reasons_text
from sinergi.registry.models import Actor
from sinergi.registry.queries import get_actor

router = Router(tags=["referrals"])


# --- Matches ------------------------------------------------------------------------------


class MatchOut(Schema):
    offer: int
    partner: int
    score: float
    reasons: list[str]
    offer_title: str
    partner_name: str
    category: str


class MatchPage(Schema):
    count: int
    items: list[MatchOut]
    next: str | None


@router.get(
    "/actors/{actor_id}/matches",
    response=MatchPage,
    summary="The offers an actor is eligible for, best first, with the reasons",
)
def list_matches(request: HttpRequest, actor_id: int) -> dict[str, Any]:
    actor = get_actor(request.user, actor_id)
    limit = limit_of(request, MAX_LIMIT)
    found = matches_for(request.user, [actor], timezone.localdate())[actor.pk]
    offers = Offer.objects.select_related("partner").in_bulk([m.offer for m in found])
    definition = instrument_definition()
    items = [
        {
            "offer": m.offer,
            "partner": m.partner,
            "score": m.score,
            "reasons": reasons_text((r._asdict() for r in m.reasons), definition),
            "offer_title": offers[m.offer].title,
            "partner_name": offers[m.offer].partner.name,
            "category": offers[m.offer].category,
        }
        for m in found
    ]
    return {"count": len(items), "items": items[:limit], "next": None}


# --- Referrals ----------------------------------------------------------------------------


class OfferTerms(Schema):
    id: int
    title: str
    category: str
    revision: int


class ActorBrief(Schema):
    id: int | None = None  # programme users only
    name: str
    phone: str
    village: str
    village_code: str
    business_name: str
    sector: str
    products: str
    level: str


class ReferralOut(Schema):
    """A referral: to a partner's staff exactly what disclosure.for_partner gives; to the
    programme the same with the fields marked below. Its routes answer with `exclude_unset`,
    so that the staff's answers carry none of the programme's keys, not even as null."""

    id: int
    status: str
    offer: OfferTerms
    actor: ActorBrief
    reasons: list[str]
    note: str
    sent_at: str | None
    reason: str
    served_on: str | None
    amount: int | None
    outcome: str
    updated_at: str
    # Programme users only:
    partner: int | None = None
    score: float | None = None
    proposed_by: str | None = None
    created_at: str | None = None
    overdue: bool | None = None


class ReferralPage(Schema):
    count: int
    items: list[ReferralOut]
    next: str | None


class ReferralIn(Schema):
    actor: int
    offer: int
    note: str = ""


class TransitionIn(Schema):
    to: str
    reason: str = ""
    amount: StrictInt | None = None  # whole Rupiah
    date: dt.date | None = None


def _for_programme(user: Principal) -> bool:
    """Programme members see the programme's view; anyone else (a partner's staff) only
    what the partner may know."""
    return bool(memberships(user))


def _referrals(user: Principal) -> tuple[QuerySet[Referral], Callable[[list[Referral]], list[Any]]]:
    """The referrals the user may see, loaded for her view of them, and that view."""
    definition = instrument_definition()
    rows = Referral.objects.visible_to(user).select_related(*PARTNER_RELATED)
    if not _for_programme(user):
        return rows, lambda page: [for_partner(r, definition) for r in page]
    return rows.select_related("proposed_by"), lambda page: _programme_view(page, definition)


def _programme_view(rows: list[Referral], definition: Definition | None) -> list[dict[str, Any]]:
    today = timezone.localdate()
    items = []
    for referral in rows:
        shown = for_partner(referral, definition)
        sent_on = timezone.localdate(referral.sent_at) if referral.sent_at else None
        items.append(
            {
                **shown,
                "actor": {"id": referral.actor_id, **shown["actor"]},
                "partner": referral.partner_id,
                "score": referral.score,
                "proposed_by": referral.proposed_by.username if referral.proposed_by else None,
                "created_at": referral.created_at.isoformat(),
                "overdue": lifecycle.overdue(
                    referral.status, sent_on, today, settings.REFERRAL_ANSWER_DAYS
                ),
            }
        )
    return items


def _overdue_on(today: dt.date) -> Q:
    """Sent and not answered within REFERRAL_ANSWER_DAYS (what lifecycle.overdue decides):
    sent on a day before `today - days`, in local time."""
    cutoff = today - dt.timedelta(days=settings.REFERRAL_ANSWER_DAYS)
    start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    return Q(status__in=lifecycle.AWAITING_PARTNER, sent_at__lt=start)


def _audit_read(request: HttpRequest, ids: list[int], note: str) -> None:
    """A read of actors' personal data (name, phone, village): one audit row, as for actors."""
    record(
        request.user,
        Action.VIEW_PERSONAL,
        Subject("referral", repr=f"{len(ids)} referrals", region=audit_region(request.user)),
        after={"ids": ids},
        note=note,
    )


def _one_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    rows, view = _referrals(request.user)
    found: list[dict[str, Any]] = view([get_object_or_404(rows, pk=referral_id)])
    return found[0]


@router.get(
    "/referrals", response=ReferralPage, exclude_unset=True, summary="List referrals you may see"
)
def list_referrals(request: HttpRequest) -> dict[str, Any]:
    rows, view = _referrals(request.user)
    status = checks.choice(request, "status", ReferralStatus.values)
    if status:
        rows = rows.filter(status=status)
    for name in ("partner", "offer"):
        wanted = checks.row_id(request, name)
        if wanted is not None:
            rows = rows.filter(**{f"{name}_id": wanted})
    overdue = checks.yes_no(request, "overdue")
    if overdue is not None:
        condition = _overdue_on(timezone.localdate())
        rows = rows.filter(condition) if overdue else rows.exclude(condition)
    page = cursor_page(request, rows, view)
    _audit_read(request, [item["id"] for item in page["items"]], "api list")
    return page


@router.get(
    "/referrals/{referral_id}", response=ReferralOut, exclude_unset=True, summary="One referral"
)
def read_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    shown = _one_referral(request, referral_id)
    _audit_read(request, [shown["id"]], "api detail")
    return shown


@router.post(
    "/referrals",
    response={201: ReferralOut},
    exclude_unset=True,
    summary="Refer an actor to an offer (proposed)",
)
def create_referral(request: HttpRequest, body: ReferralIn) -> Status[dict[str, Any]]:
    if not may_write(request.user):
        raise HttpError(403, _("Your role may not refer actors."))
    errors: checks.Errors = {}
    note = checks.text(errors, "note", body.note, multiline=True)
    actor = Actor.objects.visible_to(request.user).filter(pk=body.actor).first()
    if actor is None:
        errors["actor"] = [_("No such actor.")]
    offers = Offer.objects.visible_to(request.user).select_related("partner")
    offer = offers.filter(pk=body.offer).first()
    if offer is None:
        errors["offer"] = [_("No such offer.")]
    if errors or actor is None or offer is None:
        raise InvalidInput(errors)
    try:
        referral = services.propose_referral(user=request.user, actor=actor, offer=offer, note=note)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return Status(201, _one_referral(request, referral.pk))


@router.post(
    "/referrals/{referral_id}/transition",
    response=ReferralOut,
    exclude_unset=True,
    summary="Move a referral on: sent, accepted, declined, served, completed or withdrawn",
)
def transition_referral(
    request: HttpRequest, referral_id: int, body: TransitionIn
) -> dict[str, Any]:
    referral = get_object_or_404(Referral.objects.visible_to(request.user), pk=referral_id)
    if not allowed(request.user, Do.CHANGE, referral):
        raise HttpError(403, _("You may see this referral but not move it on."))
    errors: checks.Errors = {}
    reason = checks.text(errors, "reason", body.reason, multiline=True)
    if errors:
        raise InvalidInput(errors)
    step = lifecycle.Step(to=body.to, reason=reason, amount=body.amount, date=body.date)
    try:
        services.move_referral(user=request.user, referral=referral, step=step)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return _one_referral(request, referral.pk)
