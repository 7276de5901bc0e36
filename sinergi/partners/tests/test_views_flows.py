"""The partners app's pages at work: mapping, agreements, offers, staff accounts, matching,
referrals and their steps from both sides, with errors shown by field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.partners import services
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Offer, Partner, PartnerStaff, Referral
from sinergi.partners.tests.conftest import World, result
from sinergi.partners.tests.test_views import PDF, login
from sinergi.test import PASSWORD, ActorFactory, Personas

pytestmark = pytest.mark.django_db


def errors(response: Any) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def test_an_officer_maps_a_potential_partner_in_her_regency(personas: Personas) -> None:
    client = login(personas.rembang)
    form = client.get("/partners/new/").context["form"]
    assert [code for code, _label in form.fields["region"].choices] == ["33.17"]
    response = client.post(
        "/partners/new/",
        {"name": "IWAPI Rembang", "kind": "association", "region": "33.17", "serves": "33.17.04"},
    )
    partner = Partner.objects.get(name="IWAPI Rembang")
    assert response["Location"] == f"/partners/{partner.pk}/"
    assert partner.region_id == "33.17"
    assert [r.pk for r in partner.serves.all()] == ["33.17.04"]
    page = client.get("/partners/?standing=potential&level=regency").content.decode()
    assert "IWAPI Rembang" in page


def test_only_the_national_programme_maps_nationally(personas: Personas) -> None:
    choices = login(personas.admin).get("/partners/new/").context["form"].fields["region"].choices
    assert choices[0][0] == ""
    assert {"33", "33.17", "61.08"} <= {code for code, _label in choices}
    province = login(personas.jateng).get("/partners/new/").context["form"]
    codes = [code for code, _label in province.fields["region"].choices]
    assert codes[0] == "33"
    assert "33.17" in codes
    assert all(code == "33" or code.startswith("33.") for code in codes)
    response = login(personas.jateng).post("/partners/new/", {"name": "X", "kind": "ngo"})
    assert response.status_code == 400
    assert "region" in errors(response)
    response = login(personas.rembang).post(
        "/partners/new/", {"name": "X", "kind": "ngo", "region": "33.24"}
    )
    assert "region" in errors(response)
    assert not Partner.objects.filter(name="X").exists()


def test_partner_form_errors_name_their_fields(personas: Personas) -> None:
    response = login(personas.rembang).post(
        "/partners/new/",
        {"name": "", "kind": "bank", "region": "33.17", "serves": "33.17 99.99", "website": "x y"},
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"name", "serves", "website"}
    assert "99.99" in errors(response)["serves"][0]


def test_the_partner_list_filters(world: World, personas: Personas) -> None:
    services.record_agreement(
        user=personas.admin,
        partner=world.mekaar,
        data=services.AgreementData(
            kind="mou",
            number="MoU/1",
            parties="Kemen PPPA; PNM",
            signed_on=date(2025, 1, 1),
            starts_on=date(2025, 1, 1),
        ),
    )
    client = login(personas.rembang)

    def names(query: str) -> list[str]:
        page = client.get(f"/partners/?{query}").context["page"]
        return [p.name for p in page]

    assert names("") == ["Koperasi Wanita Rembang", "PNM Mekaar"]
    assert names("level=national") == ["PNM Mekaar"]
    assert names("level=regency") == ["Koperasi Wanita Rembang"]
    assert names("standing=active") == ["PNM Mekaar"]
    assert names("standing=potential") == ["Koperasi Wanita Rembang"]
    assert names("kind=microfinance") == ["PNM Mekaar"]
    assert names("q=koperasi") == ["Koperasi Wanita Rembang"]
    assert names("level=province") == []
    assert names("kind=nonsense") == []
    assert "kind" in client.get("/partners/?kind=nonsense").context["form"].errors


def test_an_agreement_keeps_its_signed_pdf_served_as_an_attachment(
    world: World, personas: Personas
) -> None:
    client = login(personas.rembang)
    path = f"/partners/{world.rembang_partner.pk}/agreements/new/"
    data = {
        "kind": "pks",
        "number": "PKS/7/2026",
        "parties": "Dinas; Koperasi",
        "signed_on": "2026-02-01",
        "starts_on": "2026-02-01",
    }
    refused = client.post(
        path, {**data, "document": SimpleUploadedFile("pks.pdf", b"MZ not a pdf at all")}
    )
    assert refused.status_code == 400
    assert list(errors(refused)) == ["document"]
    early = client.post(path, {**data, "starts_on": "2026-01-01"})
    assert list(errors(early)) == ["starts_on"]
    saved = client.post(path, {**data, "document": SimpleUploadedFile("pks.pdf", PDF)})
    assert saved.status_code == 302
    agreement = world.rembang_partner.agreements.get()
    response = client.get(f"/partners/agreements/{agreement.pk}/document/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.getvalue() == PDF
    detail = client.get(f"/partners/{world.rembang_partner.pk}/").content.decode()
    assert "PKS/7/2026" in detail
    assert "1 February 2026" in detail
    assert (
        login(personas.kendal).get(f"/partners/agreements/{agreement.pk}/document/").status_code
        == 404
    )


OFFER = {
    "title": "Pendampingan P-IRT",
    "category": "certification",
    "regions": "33.17",
    "levels": ["IR1"],
    "sectors": ["makanan-minuman"],
    "legality_missing": ["pirt"],
    "items": ["legality"],
    "min_years": "0",
    "capacity": "20",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "active": "on",
}


def test_an_offer_is_published_with_eligibility_as_data(world: World, personas: Personas) -> None:
    client = login(personas.rembang)
    page = client.get(f"/partners/{world.rembang_partner.pk}/offers/new/")
    form = page.context["form"]
    assert ("IR1", "IR 1 Pemula") in form.fields["levels"].choices or any(
        code == "IR1" for code, _label in form.fields["levels"].choices
    )
    assert "bookkeeping" in {code for code, _label in form.fields["items"].choices}
    response = client.post(f"/partners/{world.rembang_partner.pk}/offers/new/", OFFER)
    assert response.status_code == 302
    offer = Offer.objects.get(title="Pendampingan P-IRT")
    assert (offer.levels, offer.sectors, offer.legality_missing, offer.items) == (
        ["IR1"],
        ["makanan-minuman"],
        ["pirt"],
        ["legality"],
    )
    assert [r.pk for r in offer.regions.all()] == ["33.17"]
    edit = client.post(f"/partners/offers/{offer.pk}/edit/", {**OFFER, "capacity": "30"})
    assert edit.status_code == 302
    offer.refresh_from_db()
    assert (offer.capacity, offer.revision) == (30, 2)


def test_offer_errors_name_their_fields(world: World, personas: Personas) -> None:
    client = login(personas.rembang)
    path = f"/partners/{world.rembang_partner.pk}/offers/new/"
    response = client.post(
        path,
        {
            **OFFER,
            "levels": ["IR9"],
            "items": ["nonsense"],
            "capacity": "0",
            "min_years": "",
        },
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"levels", "items", "capacity", "min_years"}
    # The record as a whole is checked once its fields are (services.offer_problems).
    response = client.post(path, {**OFFER, "ends_on": "2025-12-31", "legality_required": ["pirt"]})
    assert set(errors(response)) == {"ends_on", "legality_missing"}
    assert not Offer.objects.filter(title=OFFER["title"]).exists()


def test_an_officer_adds_a_partner_staff_account(world: World, personas: Personas) -> None:
    client = login(personas.rembang)
    path = f"/partners/{world.rembang_partner.pk}/staff/new/"
    data = {
        "username": "sri-koperasi",
        "first_name": "Sri",
        "is_active": "on",
        "password1": "Koperasi-Rembang-2026",
        "password2": "Koperasi-Rembang-2026",
        "manages_webhooks": "on",
    }
    mismatch = client.post(path, {**data, "password2": "other-password-1"})
    assert mismatch.status_code == 400
    assert list(errors(mismatch)) == ["password2"]
    assert client.post(path, data).status_code == 302
    staff = PartnerStaff.objects.get(user__username="sri-koperasi")
    assert staff.partner == world.rembang_partner
    assert staff.manages_webhooks
    assert not staff.user.memberships.exists()
    taken = client.post(path, data)
    assert list(errors(taken)) == ["username"]
    # Two staff accounts: the partner is still one row for everyone who reads it.
    listing = [p.name for p in client.get("/partners/").context["page"]]
    assert listing.count("Koperasi Wanita Rembang") == 1
    assert client.get(f"/partners/{world.rembang_partner.pk}/").status_code == 200
    newcomer = Client()
    assert newcomer.login(username="sri-koperasi", password="Koperasi-Rembang-2026")
    assert newcomer.get("/").headers["Location"] == "/partners/inbox/"


def test_matching_shows_each_actors_offers_with_reasons_in_words(
    world: World, personas: Personas
) -> None:
    client = login(personas.rembang)
    response = client.get(f"/partners/matches/?actor={world.actor.pk}")
    [row] = response.context["rows"]
    assert [m["offer"] for m in row["matches"]] == [world.credit, world.training]
    page = response.content.decode()
    assert "Answers Bookkeeping" in page or "Answers bookkeeping" in page.lower()
    assert "Propose" in page
    detail = client.get(f"/actors/{world.actor.pk}/").content.decode()
    assert f"/partners/matches/?actor={world.actor.pk}" in detail
    viewer_detail = login(personas.viewer).get(f"/actors/{world.actor.pk}/").content.decode()
    assert "/partners/matches/" not in viewer_detail


def test_matching_filters_by_level_region_sector_and_missing_legality(
    world: World, personas: Personas
) -> None:
    from sinergi.registry.models import LegalityItem
    from sinergi.test import ActorFactory

    LegalityItem.objects.create(actor=world.actor, kind="pirt", number="")
    other = ActorFactory(village_code="33.17.01.2001", sector="kerajinan")
    client = login(personas.admin)

    def actors(query: str) -> set[int]:
        return {
            row["actor"].pk for row in client.get(f"/partners/matches/?{query}").context["rows"]
        }

    assert actors("level=IR1&region=33.17") == {world.actor.pk}
    assert actors("region=33.17.01") == {other.pk}
    assert actors("sector=kerajinan") == {other.pk}
    assert actors("missing=pirt&region=33.17") == {other.pk}
    assert actors("level=IR1") == {world.actor.pk, world.kendal_actor.pk}
    bad = client.get("/partners/matches/?region=nowhere")
    assert "region" in bad.context["form"].errors
    kendal = login(personas.kendal).get("/partners/matches/?level=IR1").context["rows"]
    assert {row["actor"].pk for row in kendal} == {world.kendal_actor.pk}


def test_a_proposal_from_the_matching_page_then_sent_from_its_page(
    world: World, personas: Personas
) -> None:
    client = login(personas.pendamping)
    response = client.post(
        "/partners/referrals/new/", {"actor": world.actor.pk, "offer": world.credit.pk}
    )
    referral = Referral.objects.get()
    assert response["Location"] == f"/partners/referrals/{referral.pk}/"
    again = client.post(
        "/partners/referrals/new/", {"actor": world.actor.pk, "offer": world.credit.pk}, follow=True
    )
    assert "already has a referral" in again.content.decode()
    page = client.get(f"/partners/referrals/{referral.pk}/")
    assert [f["to"] for f in page.context["forms"]] == ["sent", "withdrawn"]
    client.post(f"/partners/referrals/{referral.pk}/", {"step": "sent"})
    referral.refresh_from_db()
    assert referral.status == "sent"
    after = client.get(f"/partners/referrals/{referral.pk}/")
    assert [f["to"] for f in after.context["forms"]] == ["withdrawn"]


def test_sending_without_consent_is_refused_naming_it(world: World, personas: Personas) -> None:
    world.actor.consent_partners = False
    world.actor.save()
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit
    )
    response = login(personas.rembang).post(f"/partners/referrals/{referral.pk}/", {"step": "sent"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "sharing with partners" in page
    referral.refresh_from_db()
    assert referral.status == "proposed"


def _sent(world: World, personas: Personas, offer: Offer | None = None) -> Referral:
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=offer or world.credit
    )
    return services.move_referral(user=personas.rembang, referral=referral, step=Step("sent"))


def test_the_partner_answers_from_her_inbox_with_errors_by_field(
    world: World, personas: Personas
) -> None:
    referral = _sent(world, personas)
    client = login(world.staff)
    path = f"/partners/inbox/{referral.pk}/"
    page = client.get(path)
    assert [f["to"] for f in page.context["forms"]] == ["accepted", "declined"]
    wrong_side = client.post(path, {"step": "withdrawn", "withdrawn-reason": "x"})
    assert wrong_side.status_code == 400
    assert "other side" in wrong_side.content.decode()
    declined = client.post(path, {"step": "declined", "declined-reason": " "})
    assert declined.status_code == 400
    [entry] = [f for f in declined.context["forms"] if f["to"] == "declined"]
    assert list(entry["form"].errors) == ["reason"]
    assert client.post(path, {"step": "accepted"}).status_code == 302
    today = timezone.localdate()
    no_amount = client.post(path, {"step": "served", "served-date": today.isoformat()})
    [entry] = [f for f in no_amount.context["forms"] if f["to"] == "served"]
    assert list(entry["form"].errors) == ["amount"]
    early = (today - timedelta(days=2)).isoformat()
    before = client.post(path, {"step": "served", "served-date": early, "served-amount": "5"})
    [entry] = [f for f in before.context["forms"] if f["to"] == "served"]
    assert entry["form"].errors["date"] == [
        "The actor cannot be served before the referral was sent."
    ]
    future = (today + timedelta(days=2)).isoformat()
    late = client.post(path, {"step": "served", "served-date": future, "served-amount": "1250000"})
    [entry] = [f for f in late.context["forms"] if f["to"] == "served"]
    assert list(entry["form"].errors) == ["date"]
    served = client.post(
        path,
        {"step": "served", "served-date": today.isoformat(), "served-amount": "1250000"},
        follow=True,
    )
    text = served.content.decode()
    assert "Rp1.250.000" in text
    assert timezone.localdate().strftime("%B %Y") in text
    assert [f["to"] for f in served.context["forms"]] == ["completed"]
    too_late = client.post(path, {"step": "declined", "declined-reason": "x"})
    assert "cannot become declined" in too_late.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.amount) == ("served", 1_250_000)
    client.post(path, {"step": "completed", "completed-reason": "Modal dipakai membeli oven"})
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "Modal dipakai membeli oven")
    officer = login(personas.rembang).get("/partners/referrals/?status=completed").content.decode()
    assert world.actor.name in officer


def test_the_referral_list_filters_and_flags_overdue(
    world: World, personas: Personas, settings: Any
) -> None:
    settings.REFERRAL_ANSWER_DAYS = 14
    late = _sent(world, personas)
    Referral.objects.filter(pk=late.pk).update(sent_at=timezone.now() - timedelta(days=20))
    fresh = _sent(world, personas, world.training)
    client = login(personas.rembang)

    def found(query: str) -> dict[int, bool]:
        page = client.get(f"/partners/referrals/?{query}").context["page"]
        return {row["referral"].pk: row["overdue"] for row in page}

    assert found("") == {late.pk: True, fresh.pk: False}
    assert found("overdue=on") == {late.pk: True}
    assert found(f"partner={world.rembang_partner.pk}") == {fresh.pk: False}
    assert found("category=capital") == {late.pk: True}
    assert found("status=accepted") == {}
    assert "Overdue" in client.get("/partners/referrals/").content.decode()
    inbox = login(world.staff).get("/partners/inbox/?overdue=on").context["page"]
    assert [row["item"]["id"] for row in inbox] == [late.pk]


def test_no_partner_staff_page_holds_an_nik_clear_or_masked(
    world: World, personas: Personas
) -> None:
    from sinergi.lib.crypto import decrypt

    referral = _sent(world, personas)
    second = _sent(world, personas, world.training)
    pages = []
    for staff, mine in ((world.staff, referral), (world.other_staff, second)):
        client = login(staff)
        pages += [client.get("/", follow=True), client.get("/partners/inbox/")]
        pages += [
            client.get("/partners/inbox/?status=sent"),
            client.get(f"/partners/inbox/{mine.pk}/"),
        ]
        pages.append(client.post(f"/partners/inbox/{mine.pk}/", {"step": "declined"}))
        pages.append(client.post(f"/partners/inbox/{mine.pk}/", {"step": "accepted"}, follow=True))
    actor = world.actor
    secrets = {decrypt(actor.nik_encrypted), actor.nik_masked, actor.nik_masked.rstrip("•")}
    assert all(p.status_code in (200, 400) for p in pages)
    for page in pages:
        body = page.content.decode()
        assert actor.name in body
        for secret in secrets:
            assert secret not in body
        assert "•••" not in body


def _count_queries(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_lists_take_the_same_queries_for_more_rows(world: World, personas: Personas) -> None:
    from sinergi.test import ActorFactory

    officer, staff = login(personas.admin), login(world.staff)
    paths = {
        officer: ["/partners/", "/partners/referrals/", "/partners/matches/?level=IR1"],
        staff: ["/partners/inbox/"],
    }
    _sent(world, personas)
    before = {p: _count_queries(c, p) for c, ps in paths.items() for p in ps}
    for i in range(6):
        services.map_partner(
            user=personas.admin,
            data=services.PartnerData(name=f"Mitra {i}", kind="ngo", region=None),
        )
        actor = ActorFactory(consent_partners=True)
        from sinergi.partners.tests.conftest import result

        result(actor, world.period)
        referral = services.propose_referral(user=personas.admin, actor=actor, offer=world.credit)
        services.move_referral(user=personas.admin, referral=referral, step=Step("sent"))
    after = {p: _count_queries(c, p) for c, ps in paths.items() for p in ps}
    assert after == before
    assert max(after.values()) <= 16


def test_a_user_without_the_partner_role_gets_no_inbox(personas: Personas) -> None:
    lone = User.objects.create_user(username="lone", password=PASSWORD)
    client = Client()
    client.force_login(lone)
    assert client.get("/partners/inbox/").status_code == 403
    assert client.get("/partners/").status_code == 403


def test_an_agreement_past_its_end_leaves_the_partner_potential(
    world: World, personas: Personas
) -> None:
    client = login(personas.rembang)
    response = client.post(
        f"/partners/{world.rembang_partner.pk}/agreements/new/",
        {
            "kind": "mou",
            "number": "MoU/2019/3",
            "parties": "Dinas; Koperasi",
            "signed_on": "2019-01-10",
            "starts_on": "2019-01-10",
            "ends_on": "2021-01-09",
        },
    )
    assert response.status_code == 302
    detail = client.get(f"/partners/{world.rembang_partner.pk}/").content.decode()
    assert "Expired" in detail
    potential = [p.name for p in client.get("/partners/?standing=potential").context["page"]]
    assert "Koperasi Wanita Rembang" in potential


def test_the_national_admin_may_take_either_sides_step(world: World, personas: Personas) -> None:
    referral = _sent(world, personas)
    client = login(personas.admin)
    page = client.get(f"/partners/referrals/{referral.pk}/")
    assert [f["to"] for f in page.context["forms"]] == ["accepted", "declined", "withdrawn"]
    client.post(f"/partners/referrals/{referral.pk}/", {"step": "accepted"})
    referral.refresh_from_db()
    assert referral.status == "accepted"
    officer = login(personas.rembang)
    page = officer.get(f"/partners/referrals/{referral.pk}/")
    assert [f["to"] for f in page.context["forms"]] == ["withdrawn"]
    blank = officer.post(
        f"/partners/referrals/{referral.pk}/", {"step": "withdrawn", "withdrawn-reason": ""}
    )
    [entry] = blank.context["forms"]
    assert list(entry["form"].errors) == ["reason"]


def test_actors_with_large_ids_keep_them_whole_in_links_and_forms(
    world: World, personas: Personas
) -> None:
    """Numbers are grouped for people (3.025) but never inside a link or a form value."""
    actor = ActorFactory(id=12345, consent_partners=True)
    result(actor, world.period)
    client = login(personas.rembang)
    detail = client.get(f"/actors/{actor.pk}/").content.decode()
    assert 'href="/partners/matches/?actor=12345"' in detail
    page = client.get("/partners/matches/?actor=12345").content.decode()
    assert 'name="actors" value="12345"' in page
    assert 'name="actor" value="12345"' in page
    response = client.post("/partners/batches/new/", {"actors": ["12345"]})
    assert response.status_code == 302
