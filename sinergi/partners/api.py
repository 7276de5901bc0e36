"""GET|POST /api/v1/partners and /offers, GET|PATCH /api/v1/partners/{id} and /offers/{id};
with the referrals and matches of sinergi.partners.referrals_api under the same router.

Lists and details go through `visible_to`: a partner's staff reach only their own partner
and its offers, and anything out of scope is 404. Partners and offers are written by
officers only (not facilitators, viewers or a partner's staff: 403), through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sinergi.accounts.scoping import may_map_in, memberships
from sinergi.lib.errors import InvalidInput
from sinergi.lib.pagination import cursor_page
from sinergi.lib.scope import Do, Principal, allowed
from sinergi.partners import checks, services
from sinergi.partners.choices import AgreementStatus, OfferCategory, PartnerKind
from sinergi.partners.facts import TAKING_A_PLACE, terms_of
from sinergi.partners.models import Agreement, Offer, Partner, Referral
from sinergi.partners.referrals_api import router as referrals_router
from sinergi.regions.codes import normalise

router = Router(tags=["partners"])
router.add_router("", referrals_router)


def _may_map(user: Principal) -> bool:
    """Whether the user may record partners and offers anywhere (officers, not facilitators,
    viewers or a partner's staff)."""
    return any(may_map_in(user, m.region_id) for m in memberships(user))


# --- Partners -----------------------------------------------------------------------------


class AgreementOut(Schema):
    id: int
    kind: str
    number: str
    parties: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    has_document: bool


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    region: str | None  # null: mapped nationally
    serves: list[str]
    description: str
    website: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    potential: bool  # no active agreement
    offers: int
    agreements: list[AgreementOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class PartnerPage(Schema):
    count: int
    items: list[PartnerOut]
    next: str | None


class PartnerIn(Schema):
    name: str | None = None
    kind: str | None = None
    region: str | None = None
    serves: list[str] | None = None
    description: str | None = None
    website: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    address: str | None = None


_AGREEMENT_FIELDS = (
    "id",
    "kind",
    "number",
    "parties",
    "signed_on",
    "starts_on",
    "ends_on",
    "status",
)


def _partners(user: Principal) -> QuerySet[Partner]:
    active = Agreement.objects.filter(partner=OuterRef("pk"), status=AgreementStatus.ACTIVE)
    return (
        Partner.objects.visible_to(user)
        .annotate(offer_count=Count("offers", distinct=True), agreed=Exists(active))
        .prefetch_related("serves", "agreements")
    )


def _serialize_partners(rows: list[Partner]) -> list[dict[str, Any]]:
    return [
        {
            **{f: getattr(p, f) for f in ("id", "name", "kind", *checks.CONTACTS)},
            "region": p.region_id,
            "serves": sorted(r.pk for r in p.serves.all()),
            "potential": not p.agreed,  # type: ignore[attr-defined]  # annotated
            "offers": p.offer_count,  # type: ignore[attr-defined]  # annotated
            "agreements": [
                {**{f: getattr(a, f) for f in _AGREEMENT_FIELDS}, "has_document": bool(a.document)}
                for a in p.agreements.all()
            ],
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }
        for p in rows
    ]


def _get_partner(user: Principal, partner_id: int) -> Partner:
    return get_object_or_404(_partners(user), pk=partner_id)


@router.get("/partners", response=PartnerPage, summary="List partners you may see")
def list_partners(request: HttpRequest) -> dict[str, Any]:
    partners = _partners(request.user)
    kind = checks.choice(request, "kind", PartnerKind.values)
    if kind:
        partners = partners.filter(kind=kind)
    region = checks.param(request, "region")
    if region:
        code = normalise(region)
        if not code:
            raise InvalidInput(
                {"region": [_("'%(value)s' is not a region code.") % {"value": region}]}
            )
        partners = partners.filter(Partner.reach.within(code))
    q = checks.param(request, "q")
    if q:
        partners = partners.filter(name__icontains=q)
    potential = checks.yes_no(request, "potential")
    if potential is not None:
        partners = partners.filter(Q(agreed=not potential))
    return cursor_page(request, partners, _serialize_partners)


@router.get("/partners/{partner_id}", response=PartnerOut, summary="One partner")
def read_partner(request: HttpRequest, partner_id: int) -> dict[str, Any]:
    return _serialize_partners([_get_partner(request.user, partner_id)])[0]


@router.post("/partners", response={201: PartnerOut}, summary="Map a partner")
def create_partner(request: HttpRequest, body: PartnerIn) -> Status[dict[str, Any]]:
    if not _may_map(request.user):
        raise HttpError(403, _("Your role may not map partners."))
    data = checks.partner_data(body.dict())
    try:
        partner = services.map_partner(user=request.user, data=data)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return Status(201, _serialize_partners([_get_partner(request.user, partner.pk)])[0])


@router.patch("/partners/{partner_id}", response=PartnerOut, summary="Change a partner")
def change_partner(request: HttpRequest, partner_id: int, body: PartnerIn) -> dict[str, Any]:
    partner = _get_partner(request.user, partner_id)
    if not (_may_map(request.user) and allowed(request.user, Do.CHANGE, partner)):
        raise HttpError(403, _("You may see this partner but not change it."))
    given = body.dict(exclude_unset=True)
    data = checks.partner_data({**checks.partner_values(partner), **given})
    try:
        services.change_partner(user=request.user, partner=partner, data=data)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return _serialize_partners([_get_partner(request.user, partner.pk)])[0]


# --- Offers -------------------------------------------------------------------------------


class OfferOut(Schema):
    id: int
    partner: int
    partner_name: str
    title: str
    category: str
    description: str
    regions: list[str]  # as entered (empty: where its partner serves)
    # Where it is available: its regions, else those its partner serves, else where the
    # partner is mapped; empty: everywhere.
    available_in: list[str]
    starts_on: dt.date | None
    ends_on: dt.date | None
    capacity: int | None  # null: no limit
    taken: int  # places taken by referrals sent to the partner
    open: bool  # active, in its period, with a place left
    levels: list[str]
    sectors: list[str]
    legality_required: list[str]
    legality_missing: list[str]
    min_years: int
    items: list[str]
    active: bool
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OfferPage(Schema):
    count: int
    items: list[OfferOut]
    next: str | None


class OfferIn(Schema):
    partner: int | None = None
    title: str | None = None
    category: str | None = None
    description: str | None = None
    regions: list[str] | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    capacity: int | None = None
    levels: list[str] | None = None
    sectors: list[str] | None = None
    legality_required: list[str] | None = None
    legality_missing: list[str] | None = None
    min_years: int | None = None
    items: list[str] | None = None
    active: bool | None = None


def _offers(user: Principal) -> QuerySet[Offer]:
    places = (
        Referral.objects.filter(offer=OuterRef("pk"), status__in=TAKING_A_PLACE)
        .order_by()
        .values("offer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Offer.objects.visible_to(user)
        .annotate(taken=Coalesce(Subquery(places), 0))
        .select_related("partner")
        .prefetch_related("regions", "partner__serves")
    )


def _open_on(today: dt.date) -> Q:
    """The offers open on a day (what facts.terms_of decides of one loaded offer)."""
    return (
        Q(active=True)
        & (Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        & (Q(capacity__isnull=True) | Q(capacity__gt=F("taken")))
    )


def _serialize_offers(rows: list[Offer]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    items = []
    for offer in rows:
        terms = terms_of(offer, today, offer.taken)  # type: ignore[attr-defined]  # annotated
        items.append(
            {
                **{
                    f: getattr(offer, f)
                    for f in (
                        "id",
                        "title",
                        "category",
                        "description",
                        "starts_on",
                        "ends_on",
                        "capacity",
                        "min_years",
                        "active",
                        "revision",
                        "created_at",
                        "updated_at",
                        *checks.OFFER_LISTS,
                    )
                },
                "partner": offer.partner_id,
                "partner_name": offer.partner.name,
                "regions": sorted(r.pk for r in offer.regions.all()),
                "available_in": sorted(terms.regions),
                "taken": offer.taken,  # type: ignore[attr-defined]  # annotated
                "open": terms.open,
            }
        )
    return items


def _get_offer(user: Principal, offer_id: int) -> Offer:
    return get_object_or_404(_offers(user), pk=offer_id)


@router.get("/offers", response=OfferPage, summary="List offers you may see")
def list_offers(request: HttpRequest) -> dict[str, Any]:
    offers = _offers(request.user)
    partner = checks.row_id(request, "partner")
    if partner is not None:
        offers = offers.filter(partner_id=partner)
    category = checks.choice(request, "category", OfferCategory.values)
    if category:
        offers = offers.filter(category=category)
    is_open = checks.yes_no(request, "open")
    if is_open is not None:
        condition = _open_on(timezone.localdate())
        offers = offers.filter(condition) if is_open else offers.exclude(condition)
    return cursor_page(request, offers, _serialize_offers)


@router.get("/offers/{offer_id}", response=OfferOut, summary="One offer")
def read_offer(request: HttpRequest, offer_id: int) -> dict[str, Any]:
    return _serialize_offers([_get_offer(request.user, offer_id)])[0]


@router.post("/offers", response={201: OfferOut}, summary="Publish an offer of a partner")
def create_offer(request: HttpRequest, body: OfferIn) -> Status[dict[str, Any]]:
    if not _may_map(request.user):
        raise HttpError(403, _("Your role may not publish offers."))
    partners = Partner.objects.visible_to(request.user)
    partner = None if body.partner is None else partners.filter(pk=body.partner).first()
    if partner is None:
        raise InvalidInput({"partner": [_("No such partner.")]})
    if not allowed(request.user, Do.CHANGE, partner):
        raise HttpError(403, _("You may see this partner but not change its offers."))
    data = checks.offer_data(body.dict())
    try:
        offer = services.publish_offer(user=request.user, partner=partner, data=data)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return Status(201, _serialize_offers([_get_offer(request.user, offer.pk)])[0])


@router.patch("/offers/{offer_id}", response=OfferOut, summary="Change an offer (a new revision)")
def change_offer(request: HttpRequest, offer_id: int, body: OfferIn) -> dict[str, Any]:
    offer = _get_offer(request.user, offer_id)
    if not (_may_map(request.user) and allowed(request.user, Do.CHANGE, offer)):
        raise HttpError(403, _("You may see this offer but not change it."))
    given = body.dict(exclude_unset=True)
    if given.get("partner", offer.partner_id) != offer.partner_id:
        raise InvalidInput({"partner": [_("An offer stays with its partner.")]})
    data = checks.offer_data({**checks.offer_values(offer), **given})
    try:
        services.change_offer(user=request.user, offer=offer, data=data)
    except services.Refused as exc:
        raise InvalidInput(exc.errors) from exc
    return _serialize_offers([_get_offer(request.user, offer.pk)])[0]
