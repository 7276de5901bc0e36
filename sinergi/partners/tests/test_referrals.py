"""Referrals through the services: who may propose, send and answer, and every transition."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sinergi.audit.models import AuditEvent
from sinergi.partners import services
from sinergi.partners.choices import ReferralStatus
from sinergi.partners.facts import matches_for
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Referral
from sinergi.partners.tests.conftest import World
from sinergi.test import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_it_proposes_with_the_reasons_and_the_terms(world: World, personas: Personas) -> None:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit, note="butuh modal"
    )
    assert referral.status == ReferralStatus.PROPOSED
    assert referral.addressee_id is None
    assert referral.level == "IR1"
    assert {r["item"] for r in referral.reasons} == {"capital", "bookkeeping"}
    assert referral.terms["title"] == "Modal usaha Mekaar"
    assert referral.terms["revision"] == 1
    assert (
        AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk)).count() == 1
    )


def test_a_changed_offer_does_not_rewrite_past_referrals(world: World, personas: Personas) -> None:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    services.change_offer(
        user=personas.admin,
        offer=world.credit,
        data=services.OfferData(title="Modal baru", category="capital", levels=("IR2",)),
    )
    referral.refresh_from_db()
    world.credit.refresh_from_db()
    assert world.credit.revision == 2
    assert referral.terms["title"] == "Modal usaha Mekaar"
    assert referral.terms["levels"] == ["IR1", "IR2"]


def test_it_refuses_an_actor_out_of_scope(world: World, personas: Personas) -> None:
    with pytest.raises(services.Refused) as refused:
        services.propose_referral(user=personas.kendal, actor=world.actor, offer=world.credit)
    assert "actor" in refused.value.errors


def test_it_refuses_an_offer_she_is_not_eligible_for(world: World, personas: Personas) -> None:
    with pytest.raises(services.Refused) as refused:
        services.propose_referral(
            user=personas.kendal, actor=world.kendal_actor, offer=world.training
        )
    assert refused.value.errors == {"offer": ["No such offer."]}  # not visible in Kendal
    with pytest.raises(services.Refused) as refused:
        services.propose_referral(
            user=personas.admin, actor=world.kendal_actor, offer=world.training
        )
    assert refused.value.errors == {"offer": ["The offer does not serve her region."]}


def test_it_refuses_a_second_referral_under_way(world: World, personas: Personas) -> None:
    services.propose_referral(user=personas.rembang, actor=world.actor, offer=world.credit)
    with pytest.raises(services.Refused):
        services.propose_referral(user=personas.pendamping, actor=world.actor, offer=world.credit)


def move(world: World, user, referral: Referral, to: str, **kw) -> Referral:  # type: ignore[no-untyped-def]
    return services.move_referral(user=user, referral=referral, step=Step(to=to, **kw))


def test_the_whole_lifecycle_with_both_sides(world: World, personas: Personas) -> None:
    referral = services.propose_referral(
        user=personas.pendamping, actor=world.actor, offer=world.credit
    )
    referral = move(world, personas.pendamping, referral, "sent")
    assert referral.addressee_id == world.mekaar.pk
    assert Referral.objects.visible_to(world.staff).filter(pk=referral.pk).exists()
    assert not Referral.objects.visible_to(world.other_staff).exists()
    with pytest.raises(services.Refused) as refused:
        move(world, personas.pendamping, referral, "accepted")
    assert "other side" in refused.value.errors["to"][0]
    referral = move(world, world.staff, referral, "accepted")
    with pytest.raises(services.Refused) as refused:
        move(world, world.staff, referral, "served", date=timezone.localdate())
    assert "amount" in refused.value.errors
    referral = move(
        world, world.staff, referral, "served", date=timezone.localdate(), amount=2_500_000
    )
    assert referral.amount == 2_500_000
    referral = move(world, world.staff, referral, "completed", reason="Usaha berjalan")
    assert referral.outcome == "Usaha berjalan"
    steps = list(referral.steps.values_list("source", "target"))
    assert steps == [
        ("", "proposed"),
        ("proposed", "sent"),
        ("sent", "accepted"),
        ("accepted", "served"),
        ("served", "completed"),
    ]
    with pytest.raises(services.Refused):
        move(world, personas.admin, referral, "withdrawn", reason="x")


def test_it_refuses_to_send_without_consent_naming_it(world: World, personas: Personas) -> None:
    world.actor.consent_partners = False
    world.actor.save()
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    with pytest.raises(services.Refused) as refused:
        move(world, personas.rembang, referral, "sent")
    assert "sharing with partners" in refused.value.errors["to"][0]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROPOSED


def test_a_proposed_referral_is_invisible_to_the_partner(world: World, personas: Personas) -> None:
    services.propose_referral(user=personas.rembang, actor=world.actor, offer=world.credit)
    assert not Referral.objects.visible_to(world.staff).exists()


def test_decline_needs_a_reason(world: World, personas: Personas) -> None:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    referral = move(world, personas.rembang, referral, "sent")
    with pytest.raises(services.Refused) as refused:
        move(world, world.staff, referral, "declined", reason="  ")
    assert "reason" in refused.value.errors
    referral = move(world, world.staff, referral, "declined", reason="Di luar wilayah layanan")
    assert referral.status == "declined"
    assert referral.reason == "Di luar wilayah layanan"


def test_matches_are_ranked_among_the_offers_she_may_read(world: World, personas: Personas) -> None:
    found = matches_for(personas.rembang, [world.actor], timezone.localdate())[world.actor.pk]
    assert [m.offer for m in found] == [world.credit.pk, world.training.pk]
    kendal = matches_for(personas.kendal, [world.kendal_actor], timezone.localdate())
    assert [m.offer for m in kendal[world.kendal_actor.pk]] == [world.credit.pk]
