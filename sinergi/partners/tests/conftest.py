"""A mapped actor, partners and offers, for the partners app's tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.assessments import services as assessments
from sinergi.assessments.models import Period
from sinergi.assessments.tests.test_results import BEGINNER
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory, PartnerKind
from sinergi.partners.models import Offer, Partner
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, PASSWORD, ActorFactory, Personas, make_user


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
