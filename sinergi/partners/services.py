"""Writes of the partners app. Each function is atomic, checks the acting user's scope, and
leaves one audit row; a referral's every step also leaves a ReferralStep.

Who may do what: officers (national, province, kab/kota) map partners, agreements and offers
in their regions (national partners: the national programme only); officers and facilitators
refer the actors they may change; a partner's staff answer the referrals sent to their
organisation (sinergi.partners.lifecycle says which step belongs to which side).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User, account_of
from sinergi.accounts.scoping import is_national_admin, may_map_in, may_write
from sinergi.audit.models import Action
from sinergi.audit.services import diff, record
from sinergi.lib.formatting import thousands
from sinergi.lib.scope import Do, allowed
from sinergi.lib.uploads import DOCUMENT, UploadRefused, check_upload
from sinergi.partners import events, lifecycle
from sinergi.partners.choices import AgreementStatus, OfferCategory, ReferralStatus
from sinergi.partners.facts import facts_of, offers_on
from sinergi.partners.lifecycle import Side, Situation, Step
from sinergi.partners.matching import fit, refusal
from sinergi.partners.models import (
    Agreement,
    Offer,
    Partner,
    PartnerStaff,
    Referral,
    ReferralBatch,
    ReferralStep,
)
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

Acting = User | AnonymousUser


class Refused(Exception):
    """The write cannot happen; `errors` is keyed by field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


def _refuse(name: str, message: str) -> Refused:
    return Refused({name: [message]})


# --- Partners, agreements, offers ---------------------------------------------------------


@dataclass(frozen=True)
class PartnerData:
    """A partner's record as validated by a form or an API schema."""

    name: str
    kind: str
    region: Region | None
    serves: tuple[Region, ...] = ()
    description: str = ""
    website: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""


_PARTNER_FIELDS = (
    "name",
    "kind",
    "description",
    "website",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
)


def _partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {
        **{f: getattr(partner, f) for f in _PARTNER_FIELDS},
        "region": partner.region_id,
        "serves": sorted(r.pk for r in partner.serves.all()),
    }


def _check_mapping_region(user: Acting, region: Region | None) -> None:
    if not may_map_in(user, region.pk if region else None):
        raise _refuse(
            "region",
            _("You may map partners nationally only as the national programme.")
            if region is None
            else _("You may map partners only in your own regions."),
        )


def map_partner(*, user: Acting, data: PartnerData) -> Partner:
    """Record a partner (a potential one until an agreement is recorded) at the level of
    the region it is mapped in, which must lie in the user's regions."""
    _check_mapping_region(user, data.region)
    with transaction.atomic():
        partner = Partner(region=data.region, created_by=account_of(user))
        for name in _PARTNER_FIELDS:
            setattr(partner, name, getattr(data, name))
        partner.save()
        partner.serves.set(data.serves)
        record(user, Action.CREATE, partner, after=_partner_snapshot(partner))
    return partner


def change_partner(*, user: Acting, partner: Partner, data: PartnerData) -> Partner:
    """Change a partner's record; where it is mapped may move only within the user's
    regions."""
    if not allowed(user, Do.CHANGE, partner):
        raise _refuse("partner", _("You may not change this partner."))
    _check_mapping_region(user, data.region)
    with transaction.atomic():
        before = _partner_snapshot(partner)
        partner.region = data.region
        for name in _PARTNER_FIELDS:
            setattr(partner, name, getattr(data, name))
        partner.save()
        partner.serves.set(data.serves)
        old, new = diff(before, _partner_snapshot(partner))
        record(user, Action.UPDATE, partner, before=old, after=new)
    return partner


@dataclass(frozen=True)
class AgreementData:
    kind: str
    number: str
    parties: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date | None = None
    document: UploadedFile | None = None


def record_agreement(*, user: Acting, partner: Partner, data: AgreementData) -> Agreement:
    """Record a signed MoU or PKS; its status is active until its end date has passed. The
    signed document must be a PDF (told by its first bytes)."""
    if not allowed(user, Do.CHANGE, partner):
        raise _refuse("partner", _("You may not change this partner."))
    errors: dict[str, list[str]] = {}
    if data.starts_on < data.signed_on:
        errors["starts_on"] = [_("An agreement cannot take effect before it is signed.")]
    if data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if data.document is not None:
        try:
            check_upload(data.document, accept=DOCUMENT)
        except UploadRefused as refused:
            errors["document"] = [str(refused)]
    if errors:
        raise Refused(errors)
    today = timezone.localdate()
    with transaction.atomic():
        agreement = Agreement.objects.create(
            partner=partner,
            kind=data.kind,
            number=data.number,
            parties=data.parties,
            signed_on=data.signed_on,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            status=AgreementStatus.EXPIRED
            if data.ends_on is not None and data.ends_on < today
            else AgreementStatus.ACTIVE,
        )
        if data.document is not None:
            data.document.seek(0)
            agreement.document.save(f"{agreement.pk}.pdf", data.document, save=True)
        record(
            user,
            Action.CREATE,
            agreement,
            after={
                "partner": partner.pk,
                "kind": data.kind,
                "number": data.number,
                "parties": data.parties,
                "signed_on": data.signed_on.isoformat(),
                "starts_on": data.starts_on.isoformat(),
                "ends_on": data.ends_on.isoformat() if data.ends_on else None,
                "document": bool(data.document),
            },
        )
    return agreement


def expire_agreements(*, today: dt.date) -> int:
    """Mark active agreements whose end date has passed as expired (a daily task)."""
    with transaction.atomic():
        ending = list(
            Agreement.objects.filter(
                status=AgreementStatus.ACTIVE, ends_on__lt=today
            ).select_related("partner")
        )
        for agreement in ending:
            agreement.status = AgreementStatus.EXPIRED
            agreement.save(update_fields=["status"])
            record(
                None,
                Action.UPDATE,
                agreement,
                before={"status": "active"},
                after={"status": "expired"},
                note="past its end date",
            )
    return len(ending)


@dataclass(frozen=True)
class OfferData:
    """An offer's terms as validated by a form or an API schema (codes already checked)."""

    title: str
    category: str
    description: str = ""
    regions: tuple[Region, ...] = ()
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    capacity: int | None = None
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    legality_required: tuple[str, ...] = ()
    legality_missing: tuple[str, ...] = ()
    min_years: int = 0
    items: tuple[str, ...] = ()
    active: bool = True


_OFFER_FIELDS = (
    "title",
    "category",
    "description",
    "starts_on",
    "ends_on",
    "capacity",
    "min_years",
    "active",
)
_OFFER_LISTS = ("levels", "sectors", "legality_required", "legality_missing", "items")


def offer_problems(data: OfferData) -> dict[str, list[str]]:
    """What is wrong with an offer's terms as a whole (each field is checked by its form)."""
    errors: dict[str, list[str]] = {}
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    both = set(data.legality_required) & set(data.legality_missing)
    if both:
        errors["legality_missing"] = [
            _("%(items)s cannot be both required and missing.") % {"items": ", ".join(sorted(both))}
        ]
    if data.capacity is not None and data.capacity < 1:
        errors["capacity"] = [_("An offer with places has at least one.")]
    return errors


def terms_snapshot(offer: Offer) -> dict[str, Any]:
    """An offer's terms as a referral keeps them."""
    return {
        "title": offer.title,
        "category": offer.category,
        "partner": offer.partner.name,
        "revision": offer.revision,
        "regions": sorted(r.pk for r in offer.regions.all()),
        "starts_on": offer.starts_on.isoformat() if offer.starts_on else None,
        "ends_on": offer.ends_on.isoformat() if offer.ends_on else None,
        "capacity": offer.capacity,
        "min_years": offer.min_years,
        **{name: list(getattr(offer, name)) for name in _OFFER_LISTS},
    }


def _apply_offer(offer: Offer, data: OfferData) -> None:
    for name in _OFFER_FIELDS:
        setattr(offer, name, getattr(data, name))
    for name in _OFFER_LISTS:
        setattr(offer, name, sorted(getattr(data, name)))


def publish_offer(*, user: Acting, partner: Partner, data: OfferData) -> Offer:
    """Add an offer to a partner the user may change."""
    if not allowed(user, Do.CHANGE, partner):
        raise _refuse("partner", _("You may not change this partner."))
    errors = offer_problems(data)
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        offer = Offer(partner=partner)
        _apply_offer(offer, data)
        offer.save()
        offer.regions.set(data.regions)
        record(user, Action.CREATE, offer, after=terms_snapshot(offer))
    return offer


def change_offer(*, user: Acting, offer: Offer, data: OfferData) -> Offer:
    """Change an offer's terms: a new revision, which referrals already made do not see
    (they keep the terms they were made under)."""
    if not allowed(user, Do.CHANGE, offer):
        raise _refuse("offer", _("You may not change this offer."))
    errors = offer_problems(data)
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        before = terms_snapshot(offer)
        _apply_offer(offer, data)
        offer.revision += 1
        offer.save()
        offer.regions.set(data.regions)
        old, new = diff(before, terms_snapshot(offer))
        record(user, Action.UPDATE, offer, before=old, after=new)
    return offer


def add_partner_staff(
    *, user: Acting, partner: Partner, staff: User, manages_webhooks: bool = False
) -> PartnerStaff:
    """Bind an account to a partner organisation: the partner role. An account that holds
    a programme membership cannot also work for a partner (its reach would mix)."""
    if not allowed(user, Do.CHANGE, partner):
        raise _refuse("partner", _("You may not change this partner."))
    if staff.memberships.exists():
        raise _refuse("user", _("This account holds a programme role; use another account."))
    with transaction.atomic():
        bound, _created = PartnerStaff.objects.update_or_create(
            user=staff, defaults={"partner": partner, "manages_webhooks": manages_webhooks}
        )
        record(
            user,
            Action.UPDATE,
            staff,
            after={"partner": partner.pk, "manages_webhooks": manages_webhooks},
            note="bound to a partner",
        )
    return bound


# --- Referrals ----------------------------------------------------------------------------


def open_referral(actor: Actor, offer: Offer) -> Referral | None:
    """Her referral to this offer that is still under way, if any."""
    return (
        Referral.objects.filter(actor=actor, offer=offer, status__in=lifecycle.OPEN)
        .order_by("-id")
        .first()
    )


def propose_referral(
    *, user: Acting, actor: Actor, offer: Offer, note: str = "", at: dt.datetime | None = None
) -> Referral:
    """Refer an actor the user may change to an offer she may read and the actor is eligible
    for (refused naming the rule that fails), once at a time per actor and offer. The
    referral keeps the offer's terms and the reasons of the match. `at`: when it happened,
    for a referral recorded afterwards (the demo's history); now by default."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    if not allowed(user, Do.CHANGE, actor):
        raise _refuse("actor", _("You may not refer this actor."))
    if not Offer.objects.visible_to(user).filter(pk=offer.pk).exists():
        raise _refuse("offer", _("No such offer."))
    [facts] = facts_of([actor], today)
    [terms] = offers_on(Offer.objects.filter(pk=offer.pk), today)
    failed = refusal(facts, terms)
    if failed is not None:
        raise _refuse("offer", ineligible_message(failed))
    if open_referral(actor, offer) is not None:
        raise _refuse("offer", _("She already has a referral to this offer under way."))
    found = fit(facts, terms)
    with transaction.atomic():
        referral = Referral.objects.create(
            actor=actor,
            offer=offer,
            partner_id=offer.partner_id,
            terms=terms_snapshot(offer),
            score=found.score,
            reasons=[r._asdict() for r in found.reasons],
            level=facts.level or "",
            note=note,
            province_code=actor.province_code,
            regency_code=actor.regency_code,
            proposed_by=account_of(user),
            created_at=at,
        )
        ReferralStep.objects.create(
            referral=referral,
            source="",
            target=ReferralStatus.PROPOSED,
            by=account_of(user),
            at=at,
        )
        record(
            user,
            Action.CREATE,
            referral,
            after={"actor": actor.pk, "offer": offer.pk, "score": found.score, "note": note},
        )
        events.referrals_moved.announce(
            [events.ReferralMove(referral.pk, actor.pk, None, events.state_of(referral))]
        )
    return referral


def ineligible_message(rule: str) -> str:
    """Why an actor is not eligible for an offer, in words (matching's refusal codes)."""
    messages = {
        "closed": _("The offer is closed, outside its period, or has no place left."),
        "region": _("The offer does not serve her region."),
        "level": _("The offer is not for her level."),
        "sector": _("The offer is not for her sector."),
        "legality_required": _("She lacks a legality item the offer requires."),
        "legality_held": _("She already holds what the offer helps to get."),
        "years": _("Her business is younger than the offer requires."),
    }
    return messages[rule]


def sides_of(user: Acting, referral: Referral) -> frozenset[Side]:
    """The sides of a referral the user may act for."""
    sides: set[Side] = set()
    if is_national_admin(user):
        return frozenset(Side)
    if allowed(user, Do.CHANGE, referral.actor):
        sides.add(Side.PROGRAMME)
    if (
        referral.addressee_id is not None
        and isinstance(user, User)
        and PartnerStaff.objects.filter(user=user, partner_id=referral.addressee_id).exists()
    ):
        sides.add(Side.PARTNER)
    return frozenset(sides)


def move_referral(
    *, user: Acting, referral: Referral, step: Step, at: dt.datetime | None = None
) -> Referral:
    """Take one step of a referral's lifecycle, if the rules allow it for this user (see
    sinergi.partners.lifecycle): sent only with the actor's consent to sharing with
    partners; declined and withdrawn with a reason; served with its date, and for credit the
    amount; completed with the outcome. The partner is told (referral_changed) once the
    referral has reached it. `at`: when it happened, for steps recorded afterwards."""
    now = at or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .select_related("actor", "offer", "partner")
            .get(pk=referral.pk)
        )
        situation = Situation(
            status=referral.status,
            sides=sides_of(user, referral),
            credit=referral.terms.get("category") == OfferCategory.CAPITAL,
            consented=referral.actor.consent_partners,
            sent_on=timezone.localdate(referral.sent_at) if referral.sent_at else None,
            today=today,
        )
        errors = lifecycle.problems(situation, step)
        if errors:
            raise Refused(errors)
        before = _referral_snapshot(referral)
        was = events.state_of(referral)
        source = referral.status
        referral.status = step.to
        if step.to == ReferralStatus.SENT:
            referral.addressee_id, referral.sent_at = referral.partner_id, now
        elif step.to in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
            referral.answered_at = now
        if step.to in (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN):
            referral.reason = step.reason.strip()
        elif step.to == ReferralStatus.SERVED:
            referral.served_on, referral.amount = step.date, step.amount
        elif step.to == ReferralStatus.COMPLETED:
            referral.outcome, referral.completed_at = step.reason.strip(), now
        referral.save()
        ReferralStep.objects.create(
            referral=referral,
            source=source,
            target=step.to,
            by=account_of(user),
            reason=step.reason.strip(),
            at=now,
        )
        old, new = diff(before, _referral_snapshot(referral))
        record(user, Action.UPDATE, referral, before=old, after=new)
        events.referrals_moved.announce(
            [events.ReferralMove(referral.pk, referral.actor_id, was, events.state_of(referral))]
        )
        if referral.addressee_id is not None:
            events.referral_changed.announce(
                referral,
                "referral.created" if step.to == ReferralStatus.SENT else "referral.updated",
            )
    return referral


def _referral_snapshot(referral: Referral) -> dict[str, Any]:
    return {
        "status": referral.status,
        "reason": referral.reason,
        "served_on": referral.served_on.isoformat() if referral.served_on else None,
        "amount": referral.amount,
        "outcome": referral.outcome,
    }


# --- Referral batches ---------------------------------------------------------------------

BATCH_LIMIT = 1_000


def start_referral_batch(
    *, user: Acting, actor_ids: Sequence[int], note: str = ""
) -> ReferralBatch:
    """Queue a job that proposes and sends each actor's top match (partners.batch_tasks):
    at least one actor and at most BATCH_LIMIT, each once. The job row is committed first,
    then its task is queued (the worker always finds the row); the actors' scope is checked
    when it runs."""
    chosen = list(dict.fromkeys(actor_ids))
    if not isinstance(user, User) or not may_write(user):
        raise _refuse("actors", _("You may not refer actors."))
    if not chosen:
        raise _refuse("actors", _("Choose at least one actor."))
    if len(chosen) > BATCH_LIMIT:
        raise _refuse(
            "actors",
            _("Choose at most %(limit)s actors at a time (%(count)s chosen).")
            % {"limit": thousands(BATCH_LIMIT), "count": thousands(len(chosen))},
        )
    with transaction.atomic():
        batch = ReferralBatch.objects.create(
            created_by=user, actor_ids=chosen, note=note, total=len(chosen)
        )
        record(user, Action.CREATE, batch, after={"actors": len(chosen), "note": note})
    from sinergi.partners import batch_tasks  # the task module imports this one

    batch_tasks.run_referral_batch(batch.pk)
    return batch
