"""What matching needs, read from the database: an actor's facts and needs (her latest
counted result explained by its own instrument), and offers' terms on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Count, Q, QuerySet

from sinergi.assessments.models import Assessment
from sinergi.assessments.services import result_of
from sinergi.lib.scope import Principal
from sinergi.partners.choices import ReferralStatus
from sinergi.partners.matching import Facts, Match, Matcher, Need, Terms, needs_of
from sinergi.partners.models import Offer
from sinergi.regions.codes import ancestors
from sinergi.registry.models import Actor, LegalityItem

# Referrals that take one of an offer's places.
TAKING_A_PLACE = (
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.SERVED,
    ReferralStatus.COMPLETED,
)


def latest_results(actor_ids: Iterable[int], on: dt.date) -> dict[int, Assessment]:
    """Each actor's counted result of her latest period begun by `on`."""
    found: dict[int, Assessment] = {}
    rows = (
        Assessment.objects.filter(
            actor_id__in=list(actor_ids), counted=True, period__starts_on__lte=on
        )
        .select_related("instrument", "period")
        .order_by("actor_id", "-period__starts_on")
    )
    for row in rows:
        found.setdefault(row.actor_id, row)
    return found


def needs_from(result: Assessment) -> tuple[Need, ...]:
    """Her weak items: the steps the instrument's explanation proposes towards her next
    level, marked where they close one of its gates."""
    explanation = result_of(result).explanation
    if explanation is None or explanation.next_level is None:
        return ()
    return needs_of(
        ((r.aspect, r.question, r.current, r.next, r.points) for r in explanation.rises),
        (g.aspect for g in explanation.unmet_gates),
    )


def facts_of(actors: Sequence[Actor], today: dt.date) -> list[Facts]:
    """Matching facts of actors on a day: her legality items, and her needs from her latest
    counted result of a period begun by then."""
    results = latest_results((a.pk for a in actors), today)
    held: dict[int, set[str]] = {a.pk: set() for a in actors}
    items = LegalityItem.objects.filter(actor_id__in=list(held))
    for actor_id, kind in items.values_list("actor_id", "kind"):
        held[actor_id].add(kind)
    facts = []
    for actor in actors:
        result = results.get(actor.pk)
        facts.append(
            Facts(
                actor=actor.pk,
                regions=frozenset(ancestors(actor.village_id)),
                sector=actor.sector,
                legality=frozenset(held[actor.pk]),
                years=today.year - actor.year_started if actor.year_started else None,
                level=result.level if result else None,
                needs=needs_from(result) if result else (),
            )
        )
    return facts


def offers_on(offers: QuerySet[Offer], today: dt.date) -> list[Terms]:
    """The terms of offers on a day, with whether each is open (active, in its period, and
    with a place left)."""
    rows = (
        offers.annotate(taken=Count("referrals", filter=Q(referrals__status__in=TAKING_A_PLACE)))
        .select_related("partner")
        .prefetch_related("regions", "partner__serves")
    )
    return [terms_of(offer, today, offer.taken) for offer in rows]


def offer_regions(offer: Offer) -> frozenset[str]:
    """Where an offer is available: its own regions, else those its partner serves, else
    the region its partner is mapped in; empty (everywhere) for a national partner that
    names none."""
    own = frozenset(r.pk for r in offer.regions.all())
    served = frozenset(r.pk for r in offer.partner.serves.all())
    mapped = frozenset({offer.partner.region_id}) if offer.partner.region_id else frozenset()
    return own or served or mapped


def terms_of(offer: Offer, today: dt.date, taken: int) -> Terms:
    return Terms(
        offer=offer.pk,
        partner=offer.partner_id,
        category=offer.category,
        regions=offer_regions(offer),
        levels=frozenset(offer.levels),
        sectors=frozenset(offer.sectors),
        legality_required=frozenset(offer.legality_required),
        legality_missing=frozenset(offer.legality_missing),
        min_years=offer.min_years,
        items=frozenset(offer.items),
        open=offer.active
        and (offer.starts_on is None or offer.starts_on <= today)
        and (offer.ends_on is None or today <= offer.ends_on)
        and (offer.capacity is None or taken < offer.capacity),
    )


def matches_for(
    user: Principal, actors: Sequence[Actor], today: dt.date, limit: int | None = None
) -> dict[int, list[Match]]:
    """Each actor's eligible offers among those the user may read, best first."""
    matcher = Matcher(offers_on(Offer.objects.visible_to(user), today))
    return {facts.actor: matcher.match(facts, limit) for facts in facts_of(actors, today)}
