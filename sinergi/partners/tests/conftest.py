"""A mapped actor, partners and offers, for the partners app's tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.assessments import services as assessments
from sinergi.assessments.models import Period
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory, PartnerKind
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Offer, Partner, Referral
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.test import (
    KENDAL_VILLAGE,
    LANDAK_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE_2,
    ActorFactory,
    Personas,
    make_user,
)


@dataclass
class World:
    period: Period
    actor: Actor  # IR 1 in Rembang, consenting, weak bookkeeping
    kendal_actor: Actor
    mekaar: Partner  # national
    rembang_partner: Partner  # mapped by the Dinas of Rembang
    credit: Offer  # national capital offer answering bookkeeping and capital
    training: Offer  # Rembang training answering digital
    staff: User  # PNM Mekaar staff
    other_staff: User  # staff of the Rembang partner


def result(actor: Actor, period: Period, answers: dict[str, Any] | None = None) -> None:
    assessments.submit_assessment(
        user=None, actor=actor, period=period, answers=answers or BEGINNER
    )


@pytest.fixture
def world(personas: Personas) -> World:
    assessments.load_default_instrument()
    period = assessments.create_period(
        user=None,
        code="2019",
        name="Pemetaan 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )
    actor = ActorFactory(consent_partners=True, year_started=2015, facilitator=personas.pendamping)
    kendal_actor = ActorFactory(village_code=KENDAL_VILLAGE, consent_partners=True)
    for someone in (actor, kendal_actor):
        result(someone, period)
    mekaar = services.map_partner(
        user=personas.admin,
        data=services.PartnerData(name="PNM Mekaar", kind=PartnerKind.MICROFINANCE, region=None),
    )
    rembang_partner = services.map_partner(
        user=personas.rembang,
        data=services.PartnerData(
            name="Koperasi Wanita Rembang",
            kind=PartnerKind.ASSOCIATION,
            region=Region.objects.get(pk="33.17"),
        ),
    )
    credit = services.publish_offer(
        user=personas.admin,
        partner=mekaar,
        data=services.OfferData(
            title="Modal usaha Mekaar",
            category=OfferCategory.CAPITAL,
            levels=("IR1", "IR2"),
            items=("capital", "bookkeeping"),
        ),
    )
    training = services.publish_offer(
        user=personas.rembang,
        partner=rembang_partner,
        data=services.OfferData(
            title="Pelatihan pemasaran daring",
            category=OfferCategory.DIGITAL,
            items=("digital",),
            regions=(Region.objects.get(pk="33.17"),),
        ),
    )
    staff = make_user("mira-mekaar", None, None)
    services.add_partner_staff(
        user=personas.admin, partner=mekaar, staff=staff, manages_webhooks=True
    )
    other_staff = make_user("kori-koperasi", None, None)
    services.add_partner_staff(user=personas.rembang, partner=rembang_partner, staff=other_staff)
    return World(
        period, actor, kendal_actor, mekaar, rembang_partner, credit, training, staff, other_staff
    )


@pytest.fixture
def english() -> Any:
    """Messages read in the source language (the default for users is Indonesian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def mekaar_reader(world: World, personas: Personas) -> User:
    """PNM Mekaar staff who does not manage its webhooks (reads them only)."""
    reader = make_user("rina-mekaar", None, None)
    services.add_partner_staff(user=personas.admin, partner=world.mekaar, staff=reader)
    return reader


@pytest.fixture
def api(db: Any) -> Callable[[User | None], Client]:
    """An API client signed in with a bearer token as the user (None: anonymous), one per
    user and test."""
    clients: dict[int | None, Client] = {}

    def client_for(user: User | None) -> Client:
        key = user.pk if user is not None else None
        if key not in clients:
            headers = {"Accept-Language": "en"}
            if user is not None:
                answer = Client().post(
                    "/api/v1/auth/token",
                    {"username": user.username, "password": PASSWORD},
                    content_type="application/json",
                )
                assert answer.status_code == 200, answer.content
                headers["Authorization"] = f"Bearer {answer.json()['token']}"
            clients[key] = Client(headers=headers)
        return clients[key]

    return client_for


# --- Referral monitoring: two mapping rounds and referrals with every outcome --------------

DEVELOPING = {**ADVANCED, "bookkeeping": "none"}  # IR 2: the bookkeeping gate of IR 3 unmet


@dataclass
class Monitored:
    """The world plus a 2018 round, more actors and referrals made through the services in
    2018 and 2019 (see the `monitored` fixture)."""

    world: World
    first: Period  # 2018; world.period is 2019
    iwapi: Partner  # national association
    market: Offer  # IWAPI market access, national, any level
    actors: dict[str, Actor] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)


def when(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+07:00")


def step(user: User, referral: Referral, to: str, day: str, **details: Any) -> Referral:
    return services.move_referral(
        user=user, referral=referral, step=Step(to=to, **details), at=when(day)
    )


@pytest.fixture
def monitored(world: World, personas: Personas) -> Monitored:
    """Rembang: `actor` (the facilitator's caseload; referred to credit, served and
    completed, and to training, declined), `second` (Rembang's other kecamatan; credit
    served, and a market referral sent in 2019), `waiting` (no consent: a proposal only),
    `unreferred`; Kendal: `kendal` (credit sent, unanswered; a market proposal withdrawn) and
    `kendal_unreferred`; Landak: `landak` (market accepted, then withdrawn). 2018 → 2019:
    `actor`, `kendal` and `unreferred` move up."""
    first = assessments.create_period(
        user=None,
        code="2018",
        name="Pemetaan 2018",
        starts_on=date(2018, 1, 1),
        ends_on=date(2018, 12, 31),
    )
    iwapi = services.map_partner(
        user=personas.admin,
        data=services.PartnerData(name="IWAPI", kind=PartnerKind.ASSOCIATION, region=None),
    )
    market = services.publish_offer(
        user=personas.admin,
        partner=iwapi,
        data=services.OfferData(
            title="Pameran produk", category=OfferCategory.MARKET, items=("market_reach",)
        ),
    )
    found = Monitored(world, first, iwapi, market)
    actors = found.actors
    actors["actor"], actors["kendal"] = world.actor, world.kendal_actor
    actors["second"] = ActorFactory(village_code=REMBANG_VILLAGE_2, consent_partners=True)
    actors["waiting"] = ActorFactory(facilitator=personas.pendamping)
    actors["unreferred"] = ActorFactory(village_code=REMBANG_VILLAGE_2)
    actors["kendal_unreferred"] = ActorFactory(village_code=KENDAL_VILLAGE)
    actors["landak"] = ActorFactory(village_code=LANDAK_VILLAGE, consent_partners=True)
    for name, someone in actors.items():
        result(someone, first)
        if name not in ("actor", "kendal"):  # the world gave those two a 2019 result
            result(someone, world.period)

    admin, rembang, kendal = personas.admin, personas.rembang, personas.kendal
    staff, other = world.staff, world.other_staff
    refer = services.propose_referral
    made = found.referrals
    made["credit"] = refer(
        user=personas.pendamping, actor=actors["actor"], offer=world.credit, at=when("2018-02-20")
    )
    step(personas.pendamping, made["credit"], "sent", "2018-03-01")
    step(staff, made["credit"], "accepted", "2018-03-05")
    step(staff, made["credit"], "served", "2018-03-20", date=date(2018, 3, 20), amount=1_250_000)
    step(staff, made["credit"], "completed", "2018-04-01", reason="Modal berputar")
    made["training"] = refer(
        user=rembang, actor=actors["actor"], offer=world.training, at=when("2018-05-01")
    )
    step(rembang, made["training"], "sent", "2018-05-01")
    step(other, made["training"], "declined", "2018-05-03", reason="Kelas penuh")
    made["second_credit"] = refer(
        user=rembang, actor=actors["second"], offer=world.credit, at=when("2018-06-01")
    )
    step(rembang, made["second_credit"], "sent", "2018-06-01")
    step(staff, made["second_credit"], "accepted", "2018-06-04")
    step(
        staff,
        made["second_credit"],
        "served",
        "2018-06-11",
        date=date(2018, 6, 11),
        amount=2_000_000,
    )
    made["kendal_credit"] = refer(
        user=kendal, actor=actors["kendal"], offer=world.credit, at=when("2018-07-01")
    )
    step(kendal, made["kendal_credit"], "sent", "2018-07-01")
    made["landak_market"] = refer(
        user=admin, actor=actors["landak"], offer=market, at=when("2018-08-01")
    )
    step(admin, made["landak_market"], "sent", "2018-08-01")
    step(admin, made["landak_market"], "accepted", "2018-08-02")
    step(admin, made["landak_market"], "withdrawn", "2018-08-10", reason="Pindah usaha")
    made["waiting"] = refer(
        user=personas.pendamping,
        actor=actors["waiting"],
        offer=world.credit,
        at=when("2018-09-01"),
    )
    made["kendal_market"] = refer(
        user=kendal, actor=actors["kendal"], offer=market, at=when("2018-09-15")
    )
    step(kendal, made["kendal_market"], "withdrawn", "2018-09-20", reason="Belum siap")
    made["second_market"] = refer(
        user=rembang, actor=actors["second"], offer=market, at=when("2019-02-01")
    )
    step(rembang, made["second_market"], "sent", "2019-02-01")
    step(admin, made["second_market"], "accepted", "2019-02-02")
    step(admin, made["second_market"], "served", "2019-02-15", date=date(2019, 2, 15))
    # The 2019 round after the referrals: three actors move up, one of them not referred.
    result(actors["actor"], world.period, ADVANCED)
    result(actors["kendal"], world.period, DEVELOPING)
    result(actors["unreferred"], world.period, DEVELOPING)
    return found
