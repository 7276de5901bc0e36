"""Who reads which partners, offers and referrals, through the one scoping mechanism."""

from __future__ import annotations

from datetime import date

import pytest

from sinergi.accounts.choices import Role
from sinergi.audit.models import AuditEvent
from sinergi.lib.scope import Do, allowed
from sinergi.partners import services
from sinergi.partners.choices import PartnerKind
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Offer, Partner, Referral
from sinergi.partners.tests.conftest import World
from sinergi.regions.models import Region
from sinergi.test import Personas, make_user

pytestmark = pytest.mark.django_db


def names(user: object) -> set[str]:
    return set(Partner.objects.visible_to(user).values_list("name", flat=True))  # type: ignore[arg-type]


def test_each_member_reads_national_partners_and_those_of_her_regions_above_and_below(
    world: World, personas: Personas
) -> None:
    jateng = services.map_partner(
        user=personas.jateng,
        data=services.PartnerData(
            name="Klinik Halal Jateng",
            kind=PartnerKind.GOVERNMENT,
            region=Region.objects.get(pk="33"),
        ),
    )
    everyone = {"PNM Mekaar", "Klinik Halal Jateng"}
    assert names(personas.admin) == everyone | {"Koperasi Wanita Rembang"}
    assert names(personas.jateng) == everyone | {"Koperasi Wanita Rembang"}
    assert names(personas.rembang) == everyone | {"Koperasi Wanita Rembang"}
    assert names(personas.kendal) == everyone
    assert names(personas.pendamping) == everyone | {"Koperasi Wanita Rembang"}
    assert names(personas.viewer) == everyone | {"Koperasi Wanita Rembang"}
    district_facilitator = make_user("dina-distrik", Role.FACILITATOR, "33.17.04")
    assert names(district_facilitator) == everyone | {"Koperasi Wanita Rembang"}
    assert names(world.staff) == {"PNM Mekaar"}
    assert names(make_user("nobody", None, None)) == set()
    for user in (personas.kendal, personas.rembang):
        assert allowed(user, Do.VIEW, jateng)
        assert not allowed(user, Do.CHANGE, jateng)
    assert allowed(personas.jateng, Do.CHANGE, jateng)
    assert not allowed(personas.kendal, Do.VIEW, world.rembang_partner)
    assert allowed(world.staff, Do.VIEW, world.mekaar)
    assert not allowed(world.staff, Do.VIEW, world.rembang_partner)


def test_only_officers_of_the_region_change_a_partner(world: World, personas: Personas) -> None:
    changers = set(
        Partner.objects.visible_to(personas.rembang, Do.CHANGE).values_list("name", flat=True)
    )
    assert changers == {"Koperasi Wanita Rembang"}
    with pytest.raises(services.Refused):
        services.map_partner(
            user=personas.rembang,
            data=services.PartnerData(name="X", kind=PartnerKind.OTHER, region=None),
        )
    with pytest.raises(services.Refused):
        services.map_partner(
            user=personas.pendamping,
            data=services.PartnerData(
                name="X", kind=PartnerKind.OTHER, region=Region.objects.get(pk="33.17")
            ),
        )
    assert set(Offer.objects.visible_to(personas.kendal)) == {world.credit}


def test_a_referral_reaches_the_actors_officers_her_facilitator_and_its_partner(
    world: World, personas: Personas
) -> None:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    services.move_referral(user=personas.rembang, referral=referral, step=Step("sent"))
    readers = {
        name
        for name, user in vars(personas).items()
        if Referral.objects.visible_to(user).filter(pk=referral.pk).exists()
    }
    assert readers == {"admin", "jateng", "rembang", "pendamping", "viewer"}
    assert Referral.objects.visible_to(world.staff).get() == referral
    assert not Referral.objects.visible_to(world.other_staff).exists()
    assert not allowed(world.staff, Do.REVEAL_NIK, referral)
    assert not Referral.objects.visible_to(personas.viewer, Do.CHANGE).exists()


def test_agreements_past_their_end_date_expire(world: World, personas: Personas) -> None:
    agreement = services.record_agreement(
        user=personas.admin,
        partner=world.mekaar,
        data=services.AgreementData(
            kind="pks", number="PKS.1/2024", parties="KPPPA dan PNM",
            signed_on=date(2024, 1, 2), starts_on=date(2024, 1, 2), ends_on=date(2026, 12, 31),
        ),
    )  # fmt: skip
    assert agreement.status == "active"
    assert services.expire_agreements(today=date(2026, 12, 31)) == 0
    assert services.expire_agreements(today=date(2027, 1, 1)) == 1
    agreement.refresh_from_db()
    assert agreement.status == "expired"
    assert AuditEvent.objects.filter(object_type="agreement", note="past its end date").exists()
