"""The partners app's pages: who reaches which (every persona, a partner's staff of each
partner, anonymous), out of scope 404, wrong method 405, CSRF on every POST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.models import User
from sinergi.partners import services
from sinergi.partners.inbox import staff_of
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Agreement, Referral, ReferralBatch
from sinergi.partners.tests.conftest import World
from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def login(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)
    return client


@dataclass
class Objects:
    agreement: Agreement
    referral: Referral  # the Rembang actor to PNM Mekaar, sent
    batch: ReferralBatch  # started by the Rembang officer


@pytest.fixture
def objects(world: World, personas: Personas) -> Objects:
    agreement = services.record_agreement(
        user=personas.rembang,
        partner=world.rembang_partner,
        data=services.AgreementData(
            kind="pks",
            number="PKS/01/2026",
            parties="Dinas PPPA Rembang; Koperasi Wanita Rembang",
            signed_on=date(2026, 1, 5),
            starts_on=date(2026, 1, 5),
            document=SimpleUploadedFile("pks.pdf", PDF, content_type="application/pdf"),
        ),
    )
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    referral = services.move_referral(user=personas.rembang, referral=referral, step=Step("sent"))
    batch = services.start_referral_batch(
        user=personas.rembang, actor_ids=[world.kendal_actor.pk], note=""
    )
    return Objects(agreement, referral, batch)


# Who: the six personas, then the staff of PNM Mekaar and of the Rembang partner.
WHO = ("admin", "jateng", "rembang", "kendal", "pendamping", "viewer", "staff", "other_staff")
MEMBERS_ONLY = (200, 200, 200, 200, 200, 200, 403, 403)
OFFICERS_OF_REMBANG = (200, 200, 200, 404, 403, 403, 403, 403)
OFFICERS = (200, 200, 200, 200, 403, 403, 403, 403)
WRITERS = (200, 200, 200, 200, 200, 403, 403, 403)

PAGES = [
    ("/partners/", MEMBERS_ONLY),
    ("/partners/new/", OFFICERS),
    ("/partners/{mekaar}/", MEMBERS_ONLY),
    ("/partners/{rembang_partner}/", (200, 200, 200, 404, 200, 200, 403, 403)),
    ("/partners/{mekaar}/edit/", (200, 403, 403, 403, 403, 403, 403, 403)),
    ("/partners/{rembang_partner}/edit/", OFFICERS_OF_REMBANG),
    ("/partners/{rembang_partner}/agreements/new/", OFFICERS_OF_REMBANG),
    ("/partners/{rembang_partner}/offers/new/", OFFICERS_OF_REMBANG),
    ("/partners/{rembang_partner}/staff/new/", OFFICERS_OF_REMBANG),
    ("/partners/offers/{training}/edit/", OFFICERS_OF_REMBANG),
    ("/partners/agreements/{agreement}/document/", (200, 200, 200, 404, 200, 200, 403, 403)),
    ("/partners/matches/", WRITERS),
    ("/partners/matches/?actor={actor}", WRITERS),
    ("/partners/referrals/", MEMBERS_ONLY),
    ("/partners/referrals/{referral}/", (200, 200, 200, 404, 200, 200, 403, 403)),
    ("/partners/batches/{batch}/", (200, 404, 200, 404, 404, 404, 403, 403)),
    ("/partners/inbox/", (403, 403, 403, 403, 403, 403, 200, 200)),
    ("/partners/inbox/{referral}/", (403, 403, 403, 403, 403, 403, 200, 404)),
]


def _path(template: str, world: World, objects: Objects) -> str:
    return template.format(
        mekaar=world.mekaar.pk,
        rembang_partner=world.rembang_partner.pk,
        training=world.training.pk,
        actor=world.actor.pk,
        agreement=objects.agreement.pk,
        referral=objects.referral.pk,
        batch=objects.batch.pk,
    )


def _users(world: World, personas: Personas) -> dict[str, User]:
    return {
        **{name: getattr(personas, name) for name in WHO[:6]},
        "staff": world.staff,
        "other_staff": world.other_staff,
    }


def test_every_page_answers_each_persona_as_the_rules_say(
    world: World, personas: Personas, objects: Objects
) -> None:
    users = _users(world, personas)
    clients = {name: login(user) for name, user in users.items()}
    found = {}
    for template, _expected in PAGES:
        path = _path(template, world, objects)
        found[template] = tuple(clients[name].get(path).status_code for name in WHO)
    assert found == dict(PAGES)


def test_anonymous_is_sent_to_login(world: World, objects: Objects) -> None:
    for template, _expected in PAGES:
        response = Client().get(_path(template, world, objects))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


POSTS = [
    "/partners/new/",
    "/partners/{rembang_partner}/edit/",
    "/partners/{rembang_partner}/agreements/new/",
    "/partners/{rembang_partner}/offers/new/",
    "/partners/{rembang_partner}/staff/new/",
    "/partners/offers/{training}/edit/",
    "/partners/referrals/new/",
    "/partners/batches/new/",
    "/partners/referrals/{referral}/",
]


def test_every_post_needs_the_csrf_token(
    world: World, personas: Personas, objects: Objects
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    for template in POSTS:
        response = client.post(_path(template, world, objects), {"step": "withdrawn"})
        assert response.status_code == 403, template
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(world.staff)
    path = f"/partners/inbox/{objects.referral.pk}/"
    assert staff.post(path, {"step": "accepted"}).status_code == 403
    objects.referral.refresh_from_db()
    assert objects.referral.status == "sent"


def test_wrong_methods_are_405(world: World, personas: Personas, objects: Objects) -> None:
    client = login(personas.admin)
    paths = {
        "post": ["/partners/", "/partners/{mekaar}/", "/partners/matches/", "/partners/referrals/"],
        "get": ["/partners/referrals/new/", "/partners/batches/new/"],
        "put": ["/partners/new/", "/partners/{mekaar}/edit/", "/partners/referrals/{referral}/"],
        "delete": ["/partners/agreements/{agreement}/document/", "/partners/batches/{batch}/"],
    }
    for method, templates in paths.items():
        for template in templates:
            response = getattr(client, method)(_path(template, world, objects))
            assert response.status_code == 405, (method, template)
    staff = login(world.staff)
    assert staff.post("/partners/inbox/").status_code == 405
    assert staff.put(f"/partners/inbox/{objects.referral.pk}/").status_code == 405


def test_writes_out_of_scope_are_404_and_read_only_ones_403(
    world: World, personas: Personas, objects: Objects
) -> None:
    kendal = login(personas.kendal)
    assert kendal.post(f"/partners/{world.rembang_partner.pk}/edit/", {}).status_code == 404
    assert (
        kendal.post(
            f"/partners/referrals/{objects.referral.pk}/", {"step": "withdrawn"}
        ).status_code
        == 404
    )
    proposal = {"actor": world.actor.pk, "offer": world.credit.pk}
    assert kendal.post("/partners/referrals/new/", proposal).status_code == 404
    viewer = login(personas.viewer)
    assert viewer.post("/partners/referrals/new/", proposal).status_code == 403
    assert viewer.post("/partners/batches/new/", {"actors": [world.actor.pk]}).status_code == 403
    path = f"/partners/referrals/{objects.referral.pk}/"
    assert viewer.post(path, {"step": "withdrawn", "withdrawn-reason": "x"}).status_code == 403
    staff = login(world.other_staff)
    assert (
        staff.post(f"/partners/inbox/{objects.referral.pk}/", {"step": "accepted"}).status_code
        == 404
    )
    objects.referral.refresh_from_db()
    assert objects.referral.status == "sent"


def test_a_partners_staff_lands_on_her_inbox_with_only_her_pages_in_the_menu(
    world: World, objects: Objects
) -> None:
    client = login(world.staff)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/partners/inbox/"
    nav = response.content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "/partners/inbox/" in nav
    for elsewhere in ("/actors/", "/regions/", "/partners/referrals/", "/partners/matches/"):
        assert elsewhere not in nav


def test_the_registrys_pages_show_a_partners_staff_nothing(world: World, objects: Objects) -> None:
    client = login(world.staff)
    actor = world.actor.pk
    assert client.get(f"/actors/{actor}/").status_code == 404
    assert client.get(f"/actors/{actor}/edit/").status_code == 404
    assert client.post(f"/actors/{actor}/nik/").status_code == 404
    assert client.get("/actors/new/").status_code == 403
    assert client.get(f"/api/v1/actors/{actor}").status_code == 404
    assert client.get("/analytics/").status_code == 404
    # The list and its export answer as for any account without a programme role: empty.
    for path in ("/actors/", "/actors/export.csv"):
        response = client.get(path)
        body = response.getvalue()
        assert world.actor.name.encode() not in body
    assert client.get("/api/v1/actors").status_code == 404


def test_the_menu_links_the_webhooks_for_those_who_manage_them(
    world: World, personas: Personas
) -> None:
    def nav(user: User) -> str:
        page = login(user).get("/partners/inbox/" if staff_of(user) else "/partners/referrals/")
        return page.content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]

    assert "/partners/webhooks/" in nav(world.staff)  # she manages the webhooks
    assert "/partners/webhooks/" not in nav(world.other_staff)
    assert "/partners/webhooks/" in nav(personas.admin)
    assert "/partners/webhooks/" not in nav(personas.rembang)
