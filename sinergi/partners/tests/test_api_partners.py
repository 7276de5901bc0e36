"""The partners and offers API: who may read and write what, what the lists hold, and every
validated field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.audit.models import Action, AuditEvent
from sinergi.partners import services
from sinergi.partners.choices import AgreementKind, OfferCategory, PartnerKind
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Agreement, Offer, Partner
from sinergi.partners.tests.conftest import World
from sinergi.regions.models import Region
from sinergi.test import Personas, make_user

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], Client]


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, body, content_type="application/json")


def everyone(world: World, personas: Personas) -> dict[str, User | None]:
    return {
        "admin": personas.admin,
        "jateng": personas.jateng,
        "rembang": personas.rembang,
        "kendal": personas.kendal,
        "pendamping": personas.pendamping,
        "viewer": personas.viewer,
        "staff": world.staff,
        "other_staff": world.other_staff,
        "anonymous": None,
    }


@pytest.fixture
def mapped(world: World, personas: Personas) -> dict[str, Partner]:
    """More partners: one mapped in Central Java, one in Kendal, and an agreement for PNM
    Mekaar (so that it is no longer a potential partner)."""
    jateng = services.map_partner(
        user=personas.jateng,
        data=services.PartnerData(
            name="Universitas Diponegoro",
            kind=PartnerKind.UNIVERSITY,
            region=Region.objects.get(pk="33"),
        ),
    )
    kendal = services.map_partner(
        user=personas.kendal,
        data=services.PartnerData(
            name="Bank Kendal", kind=PartnerKind.BANK, region=Region.objects.get(pk="33.24")
        ),
    )
    services.record_agreement(
        user=personas.admin,
        partner=world.mekaar,
        data=services.AgreementData(
            kind=AgreementKind.MOU,
            number="MOU-01/2019",
            parties="Kemen PPPA, PNM",
            signed_on=date(2019, 1, 10),
            starts_on=date(2019, 1, 10),
        ),
    )
    services.publish_offer(
        user=personas.kendal,
        partner=kendal,
        data=services.OfferData(title="Kredit Kendal", category=OfferCategory.CAPITAL),
    )
    return {"jateng": jateng, "kendal": kendal}


# --- Partners -----------------------------------------------------------------------------


def test_each_persona_lists_exactly_the_partners_of_her_scope(
    world: World, personas: Personas, mapped: dict[str, Partner], api: Api
) -> None:
    national = {world.mekaar.pk}
    expected = {
        "admin": {world.mekaar, world.rembang_partner, mapped["jateng"], mapped["kendal"]},
        "jateng": {world.mekaar, world.rembang_partner, mapped["jateng"], mapped["kendal"]},
        # Partners mapped by the province are read by its kab/kota.
        "rembang": {world.mekaar, world.rembang_partner, mapped["jateng"]},
        "kendal": {world.mekaar, mapped["kendal"], mapped["jateng"]},
        "pendamping": {world.mekaar, world.rembang_partner, mapped["jateng"]},
        "viewer": {world.mekaar, world.rembang_partner, mapped["jateng"]},
        "staff": {world.mekaar},
        "other_staff": {world.rembang_partner},
    }
    for name, user in everyone(world, personas).items():
        answer = api(user).get("/api/v1/partners")
        if user is None:
            assert answer.status_code == 401
            continue
        assert answer.status_code == 200, name
        body = answer.json()
        assert {p["id"] for p in body["items"]} == {p.pk for p in expected[name]}, name
        assert body["count"] == len(expected[name])
        if name not in ("staff", "other_staff"):
            assert national <= {p["id"] for p in body["items"]}, name
        for item in body["items"]:  # each field recounted through the ORM
            partner = Partner.objects.get(pk=item["id"])
            assert item["name"] == partner.name
            assert item["region"] == partner.region_id
            assert item["offers"] == Offer.objects.filter(partner=partner).count()
            active = Agreement.objects.filter(partner=partner, status="active").exists()
            assert item["potential"] is not active
            assert [a["number"] for a in item["agreements"]] == list(
                partner.agreements.values_list("number", flat=True)
            )


def test_kendal_never_sees_rembangs_partner(world: World, personas: Personas, api: Api) -> None:
    kendal = api(personas.kendal)
    assert kendal.get(f"/api/v1/partners/{world.rembang_partner.pk}").status_code == 404
    assert kendal.get(f"/api/v1/partners/{world.mekaar.pk}").status_code == 200
    assert kendal.get("/api/v1/partners?q=Koperasi").json()["count"] == 0
    assert kendal.get("/api/v1/partners/999999").status_code == 404


def test_partner_staff_read_only_their_own_partner(world: World, api: Api) -> None:
    staff = api(world.staff)
    assert staff.get(f"/api/v1/partners/{world.mekaar.pk}").status_code == 200
    assert staff.get(f"/api/v1/partners/{world.rembang_partner.pk}").status_code == 404
    other = api(world.other_staff)
    assert other.get(f"/api/v1/partners/{world.mekaar.pk}").status_code == 404


def test_the_list_filters_by_kind_region_name_and_potential(
    world: World, personas: Personas, mapped: dict[str, Partner], api: Api
) -> None:
    admin = api(personas.admin)

    def ids(query: str) -> set[int]:
        answer = admin.get(f"/api/v1/partners?{query}")
        assert answer.status_code == 200, answer.content
        return {p["id"] for p in answer.json()["items"]}

    assert ids("kind=microfinance") == {world.mekaar.pk}
    # Mapped in the region or below it; national partners are mapped in none.
    assert ids("region=33") == {world.rembang_partner.pk, mapped["jateng"].pk, mapped["kendal"].pk}
    assert ids("region=33.17") == {world.rembang_partner.pk}
    assert ids("region=3317") == {world.rembang_partner.pk}
    assert ids("q=mekaar") == {world.mekaar.pk}
    assert ids("potential=false") == {world.mekaar.pk}
    assert ids("potential=true") == set(
        Partner.objects.exclude(agreements__status="active").values_list("pk", flat=True)
    )
    assert ids("potential=true&region=33.24") == {mapped["kendal"].pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=bakery", "kind"),
        ("region=abc", "region"),
        ("potential=maybe", "potential"),
        ("limit=0", "limit"),
        ("cursor=x", "cursor"),
    ],
)
def test_a_bad_partner_filter_names_itself(
    world: World, personas: Personas, api: Api, query: str, field: str
) -> None:
    answer = api(personas.admin).get(f"/api/v1/partners?{query}")
    assert answer.status_code in (400, 422)
    assert field in answer.json()["errors"]


def test_the_list_pages_with_a_cursor(world: World, personas: Personas, api: Api) -> None:
    admin = api(personas.admin)
    first = admin.get("/api/v1/partners?limit=1").json()
    assert first["count"] == 2
    assert len(first["items"]) == 1
    second = admin.get(first["next"]).json()
    assert second["next"] is None
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {
        world.mekaar.pk,
        world.rembang_partner.pk,
    }


def new_partner(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "IWAPI Rembang",
        "kind": "association",
        "region": "33.17",
        "serves": ["33.17", "33.17.04"],
        "description": "Ikatan Wanita Pengusaha Indonesia.\nCabang Rembang.",
        "website": "https://iwapi.or.id",
        "contact_name": "Ibu Ratna",
        "contact_phone": "0812 3456 7890",
        "contact_email": "rembang@iwapi.or.id",
        "address": "Jl. Pemuda 1, Rembang",
        **overrides,
    }


def test_an_officer_maps_a_partner_in_her_region(
    world: World, personas: Personas, api: Api
) -> None:
    answer = post(api(personas.rembang), "/api/v1/partners", new_partner())
    assert answer.status_code == 201, answer.content
    body = answer.json()
    partner = Partner.objects.get(pk=body["id"])
    assert (partner.name, partner.region_id, partner.contact_phone) == (
        "IWAPI Rembang",
        "33.17",
        "081234567890",
    )
    assert body["serves"] == ["33.17", "33.17.04"]
    assert body["potential"] is True
    assert body["offers"] == 0
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="partner", object_id=str(partner.pk)
    ).exists()


@pytest.mark.parametrize(
    ("persona", "region", "status"),
    [
        ("admin", None, 201),
        ("jateng", "33", 201),
        ("jateng", "33.24", 201),
        ("rembang", "33.17", 201),
        ("kendal", "33.24", 201),
        ("kendal", "33.17", 422),  # not her region
        ("rembang", None, 422),  # national: the national programme only
        ("pendamping", "33.17", 403),
        ("viewer", "33.17", 403),
        ("staff", None, 403),
        ("anonymous", None, 401),
    ],
)
def test_who_may_map_a_partner(
    world: World, personas: Personas, api: Api, persona: str, region: str | None, status: int
) -> None:
    user = everyone(world, personas)[persona]
    before = Partner.objects.count()
    answer = post(api(user), "/api/v1/partners", new_partner(region=region, serves=[]))
    assert answer.status_code == status, answer.content
    assert Partner.objects.count() == before + (status == 201)
    if status == 422:
        assert "region" in answer.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "rembang_status", "national_status"),
    [
        ("admin", 200, 200),
        ("jateng", 200, 403),
        ("rembang", 200, 403),
        ("kendal", 404, 403),
        ("pendamping", 403, 403),
        ("viewer", 403, 403),
        ("staff", 404, 403),
        ("other_staff", 403, 404),
        ("anonymous", 401, 401),
    ],
)
def test_who_may_change_a_partner(
    world: World,
    personas: Personas,
    api: Api,
    persona: str,
    rembang_status: int,
    national_status: int,
) -> None:
    client = api(everyone(world, personas)[persona])
    for partner, status in (
        (world.rembang_partner, rembang_status),
        (world.mekaar, national_status),
    ):
        answer = patch(client, f"/api/v1/partners/{partner.pk}", {"contact_name": "Ibu Baru"})
        assert answer.status_code == status, (partner, answer.content)
        partner.refresh_from_db()
        assert (partner.contact_name == "Ibu Baru") is (status == 200)


def test_patch_changes_only_what_is_given(world: World, personas: Personas, api: Api) -> None:
    services.change_partner(
        user=personas.rembang,
        partner=world.rembang_partner,
        data=services.PartnerData(
            name="Koperasi Wanita Rembang",
            kind="association",
            region=Region.objects.get(pk="33.17"),
            serves=(Region.objects.get(pk="33.17.04"),),
            contact_email="kop@example.id",
        ),
    )
    answer = patch(
        api(personas.rembang), f"/api/v1/partners/{world.rembang_partner.pk}", {"kind": "ngo"}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["kind"], body["contact_email"], body["serves"]) == (
        "ngo",
        "kop@example.id",
        ["33.17.04"],
    )
    event = (
        AuditEvent.objects.filter(action=Action.UPDATE, object_type="partner")
        .order_by("-pk")
        .first()
    )
    assert event is not None
    assert event.after == {"kind": "ngo"}


def test_an_officer_may_not_move_a_partner_out_of_her_region(
    world: World, personas: Personas, api: Api
) -> None:
    answer = patch(
        api(personas.rembang), f"/api/v1/partners/{world.rembang_partner.pk}", {"region": None}
    )
    assert answer.status_code == 422
    assert "region" in answer.json()["errors"]
    world.rembang_partner.refresh_from_db()
    assert world.rembang_partner.region_id == "33.17"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("name", "", "required"),
        ("name", "x" * 201, "at most 200"),
        ("name", "Koperasi\u202eWanita", "U+202E"),
        ("name", 12, "valid string"),
        ("kind", "bakery", "unknown: bakery"),
        ("kind", None, "choose among"),
        ("region", "33.99", "no region"),
        ("serves", ["33.17", "99.99"], "99.99"),
        ("serves", "33.17", "valid list"),
        ("description", "Baik\u200b", "U+200B"),
        ("website", "iwapi dot org", "valid url"),
        ("website", "ftp://iwapi.or.id", "valid url"),
        ("contact_name", "x" * 151, "at most 150"),
        ("contact_phone", "12ab", "8 to 15 digits"),
        ("contact_email", "ratna@", "valid email"),
        ("address", "Jl.\u2066 Pemuda", "U+2066"),
    ],
)
def test_a_bad_partner_field_is_named_with_the_reason(
    world: World, personas: Personas, api: Api, field: str, value: Any, fragment: str
) -> None:
    answer = post(api(personas.rembang), "/api/v1/partners", new_partner(**{field: value}))
    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert list(errors) == [field]
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert not Partner.objects.filter(name__startswith="IWAPI").exists()


@pytest.mark.parametrize("body", ["[]", "null", "1", '"x"', "[{}]"])
def test_a_body_that_is_not_a_json_object_is_refused(
    world: World, personas: Personas, api: Api, body: str
) -> None:
    client = api(personas.admin)
    for method, url in (
        (client.post, "/api/v1/partners"),
        (client.patch, f"/api/v1/partners/{world.mekaar.pk}"),
        (client.post, "/api/v1/offers"),
        (client.patch, f"/api/v1/offers/{world.credit.pk}"),
        (client.post, "/api/v1/referrals"),
    ):
        answer = method(url, body, content_type="application/json")
        assert answer.status_code == 400, (url, answer.content)
        assert answer.json()["errors"] == {
            "__all__": ["The request body must be a JSON object ({...})."]
        }


def test_wrong_methods_get_405(world: World, personas: Personas, api: Api) -> None:
    client = api(personas.admin)
    assert client.delete(f"/api/v1/partners/{world.mekaar.pk}").status_code == 405
    assert client.put(f"/api/v1/partners/{world.mekaar.pk}").status_code == 405
    assert client.patch("/api/v1/partners").status_code == 405
    assert client.delete(f"/api/v1/offers/{world.credit.pk}").status_code == 405
    assert client.put("/api/v1/offers").status_code == 405
    assert Partner.objects.filter(pk=world.mekaar.pk).exists()


# --- Offers -------------------------------------------------------------------------------


def test_each_persona_lists_exactly_the_offers_of_her_scope(
    world: World, personas: Personas, mapped: dict[str, Partner], api: Api
) -> None:
    kendal_offer = Offer.objects.get(partner=mapped["kendal"])
    expected = {
        "admin": {world.credit, world.training, kendal_offer},
        "jateng": {world.credit, world.training, kendal_offer},
        "rembang": {world.credit, world.training},
        "kendal": {world.credit, kendal_offer},
        "pendamping": {world.credit, world.training},
        "viewer": {world.credit, world.training},
        "staff": {world.credit},
        "other_staff": {world.training},
    }
    for name, user in everyone(world, personas).items():
        answer = api(user).get("/api/v1/offers")
        if user is None:
            assert answer.status_code == 401
            continue
        body = answer.json()
        assert {o["id"] for o in body["items"]} == {o.pk for o in expected[name]}, name
        for item in body["items"]:
            offer = Offer.objects.select_related("partner").get(pk=item["id"])
            assert (item["title"], item["partner"], item["partner_name"]) == (
                offer.title,
                offer.partner_id,
                offer.partner.name,
            )
            assert item["levels"] == offer.levels
            assert item["items"] == sorted(offer.items)
            assert item["regions"] == sorted(offer.regions.values_list("pk", flat=True))
    assert api(personas.kendal).get(f"/api/v1/offers/{world.training.pk}").status_code == 404
    assert api(world.staff).get(f"/api/v1/offers/{world.training.pk}").status_code == 404
    assert api(world.staff).get(f"/api/v1/offers/{world.credit.pk}").status_code == 200


def test_offers_filter_by_partner_category_and_open(
    world: World, personas: Personas, api: Api
) -> None:
    today = timezone.localdate()
    ended = services.publish_offer(
        user=personas.admin,
        partner=world.mekaar,
        data=services.OfferData(
            title="Pelatihan 2018",
            category=OfferCategory.TRAINING,
            starts_on=date(2018, 1, 1),
            ends_on=date(2018, 12, 31),
        ),
    )
    full = services.publish_offer(
        user=personas.admin,
        partner=world.mekaar,
        data=services.OfferData(title="Satu tempat", category=OfferCategory.MENTORING, capacity=1),
    )
    services.publish_offer(
        user=personas.admin,
        partner=world.mekaar,
        data=services.OfferData(
            title="Nanti", category=OfferCategory.MARKET, starts_on=today + timedelta(days=9)
        ),
    )
    closed = services.publish_offer(
        user=personas.admin,
        partner=world.mekaar,
        data=services.OfferData(title="Tutup", category=OfferCategory.OTHER, active=False),
    )
    referral = services.propose_referral(user=personas.rembang, actor=world.actor, offer=full)
    services.move_referral(user=personas.rembang, referral=referral, step=Step(to="sent"))
    admin = api(personas.admin)

    def ids(query: str) -> list[int]:
        answer = admin.get(f"/api/v1/offers?{query}")
        assert answer.status_code == 200, answer.content
        return sorted(o["id"] for o in answer.json()["items"])

    assert ids(f"partner={world.rembang_partner.pk}") == [world.training.pk]
    assert ids("category=capital") == [world.credit.pk]
    assert ids("open=true") == sorted([world.credit.pk, world.training.pk])
    assert set(ids("open=false")) == {ended.pk, full.pk, closed.pk} | set(
        Offer.objects.filter(title="Nanti").values_list("pk", flat=True)
    )
    shown = {o["id"]: o for o in admin.get("/api/v1/offers").json()["items"]}
    assert (shown[full.pk]["taken"], shown[full.pk]["open"]) == (1, False)
    assert (shown[world.credit.pk]["taken"], shown[world.credit.pk]["open"]) == (0, True)
    for query, field in (
        ("partner=x", "partner"),
        ("category=food", "category"),
        ("open=1", "open"),
    ):
        answer = admin.get(f"/api/v1/offers?{query}")
        assert answer.status_code == 422
        assert field in answer.json()["errors"]


def new_offer(partner: Partner, **overrides: Any) -> dict[str, Any]:
    return {
        "partner": partner.pk,
        "title": "Pendampingan P-IRT",
        "category": "certification",
        "description": "Bantuan pengurusan P-IRT.\nGratis.",
        "regions": ["33.17"],
        "starts_on": "2019-01-01",
        "ends_on": "2030-12-31",
        "capacity": 40,
        "levels": ["IR1"],
        "sectors": ["makanan-minuman"],
        "legality_required": ["nib"],
        "legality_missing": ["pirt"],
        "min_years": 1,
        "items": ["bookkeeping"],
        "active": True,
        **overrides,
    }


def test_an_officer_publishes_and_changes_an_offer(
    world: World, personas: Personas, api: Api
) -> None:
    client = api(personas.rembang)
    answer = post(client, "/api/v1/offers", new_offer(world.rembang_partner))
    assert answer.status_code == 201, answer.content
    created = answer.json()
    offer = Offer.objects.get(pk=created["id"])
    assert (offer.revision, offer.capacity, offer.legality_missing) == (1, 40, ["pirt"])
    assert created["regions"] == ["33.17"]
    assert created["open"] is True
    changed = patch(client, f"/api/v1/offers/{offer.pk}", {"capacity": 60, "levels": ["IR2"]})
    assert changed.status_code == 200, changed.content
    offer.refresh_from_db()
    assert (offer.revision, offer.capacity, offer.levels, offer.title) == (
        2,
        60,
        ["IR2"],
        "Pendampingan P-IRT",
    )
    assert changed.json()["revision"] == 2
    moved = patch(client, f"/api/v1/offers/{offer.pk}", {"partner": world.mekaar.pk})
    assert moved.status_code == 422
    assert "partner" in moved.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "partner", "status"),
    [
        ("admin", "mekaar", 201),
        ("admin", "rembang_partner", 201),
        ("jateng", "rembang_partner", 201),
        ("jateng", "mekaar", 403),
        ("rembang", "rembang_partner", 201),
        ("rembang", "mekaar", 403),
        ("kendal", "rembang_partner", 422),  # a partner she cannot see: no such partner
        ("pendamping", "rembang_partner", 403),
        ("viewer", "rembang_partner", 403),
        ("staff", "mekaar", 403),
        ("other_staff", "rembang_partner", 403),
        ("anonymous", "mekaar", 401),
    ],
)
def test_who_may_publish_an_offer(
    world: World, personas: Personas, api: Api, persona: str, partner: str, status: int
) -> None:
    before = Offer.objects.count()
    answer = post(
        api(everyone(world, personas)[persona]),
        "/api/v1/offers",
        new_offer(getattr(world, partner), regions=[]),
    )
    assert answer.status_code == status, answer.content
    assert Offer.objects.count() == before + (status == 201)
    if status == 422:
        assert answer.json()["errors"] == {"partner": ["No such partner."]}


@pytest.mark.parametrize(
    ("persona", "training_status", "credit_status"),
    [
        ("admin", 200, 200),
        ("jateng", 200, 403),
        ("rembang", 200, 403),
        ("kendal", 404, 403),
        ("pendamping", 403, 403),
        ("viewer", 403, 403),
        ("staff", 404, 403),
        ("other_staff", 403, 404),
        ("anonymous", 401, 401),
    ],
)
def test_who_may_change_an_offer(
    world: World,
    personas: Personas,
    api: Api,
    persona: str,
    training_status: int,
    credit_status: int,
) -> None:
    client = api(everyone(world, personas)[persona])
    for offer, status in ((world.training, training_status), (world.credit, credit_status)):
        answer = patch(client, f"/api/v1/offers/{offer.pk}", {"capacity": 7})
        assert answer.status_code == status, (offer, answer.content)
        offer.refresh_from_db()
        assert (offer.revision == 2) is (status == 200)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("title", "", "required"),
        ("title", "x" * 201, "at most 200"),
        ("title", "P-IRT\u200d", "U+200D"),
        ("category", "food", "unknown: food"),
        ("description", "a\u202eb", "U+202E"),
        ("regions", ["33.17", "00.00"], "00.00"),
        ("starts_on", "2019-02-30", "date"),
        ("ends_on", "tomorrow", "date"),
        ("ends_on", "2018-12-31", "before the start date"),
        ("capacity", 0, "at least one"),
        ("capacity", "many", "integer"),
        ("levels", ["IR1", "IR9"], "unknown: IR9"),
        ("sectors", ["mining"], "unknown: mining"),
        ("legality_required", ["passport"], "unknown: passport"),
        ("legality_missing", ["nib"], "both required and missing"),
        ("legality_missing", ["visa"], "unknown: visa"),
        ("min_years", -1, "0 to 100"),
        ("min_years", 101, "0 to 100"),
        ("items", ["bookkeeping", "astrology"], "unknown: astrology"),
        ("active", "perhaps", "boolean"),
    ],
)
def test_a_bad_offer_field_is_named_with_the_reason(
    world: World, personas: Personas, api: Api, field: str, value: Any, fragment: str
) -> None:
    client = api(personas.rembang)
    body = new_offer(world.rembang_partner, **{field: value})
    answer = post(client, "/api/v1/offers", body)
    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert list(errors) == [field]
    assert fragment.lower() in " ".join(errors[field]).lower()
    # The same checks on a change, which then raises no revision.
    del body["partner"]
    changed = patch(client, f"/api/v1/offers/{world.training.pk}", body)
    assert changed.status_code == 422
    assert field in changed.json()["errors"]
    world.training.refresh_from_db()
    assert world.training.revision == 1


def test_an_offer_without_a_partner_is_refused_naming_it(
    world: World, personas: Personas, api: Api
) -> None:
    body = new_offer(world.rembang_partner)
    del body["partner"]
    answer = post(api(personas.rembang), "/api/v1/offers", body)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"partner": ["No such partner."]}


def test_the_lists_take_a_fixed_number_of_queries(
    world: World, personas: Personas, api: Api, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        partner = services.map_partner(
            user=personas.rembang,
            data=services.PartnerData(
                name=f"Mitra {n}",
                kind="other",
                region=Region.objects.get(pk="33.17"),
                serves=(Region.objects.get(pk="33.17.04"),),
            ),
        )
        services.record_agreement(
            user=personas.rembang,
            partner=partner,
            data=services.AgreementData(
                kind="pks",
                number=f"PKS-{n}",
                parties="Dinas, mitra",
                signed_on=date(2019, 1, 1),
                starts_on=date(2019, 1, 1),
            ),
        )
        services.publish_offer(
            user=personas.rembang,
            partner=partner,
            data=services.OfferData(
                title=f"Tawaran {n}",
                category="training",
                regions=(Region.objects.get(pk="33.17"),),
            ),
        )
    client = api(personas.rembang)
    client.get("/api/v1/partners?limit=1")  # signs the token in: not counted below
    for url, rows in (("/api/v1/partners", 14), ("/api/v1/offers", 14)):
        with django_assert_max_num_queries(8):
            answer = client.get(url)
        assert answer.json()["count"] == rows


def test_a_partner_with_two_staff_is_listed_once(
    world: World, personas: Personas, api: Api
) -> None:
    second = make_user("mia-mekaar", None, None)
    services.add_partner_staff(user=personas.admin, partner=world.mekaar, staff=second)
    for user in (personas.rembang, personas.admin, world.staff, second):
        partners = api(user).get("/api/v1/partners").json()
        assert (
            len(partners["items"]) == partners["count"] == len({p["id"] for p in partners["items"]})
        )
        offers = api(user).get("/api/v1/offers").json()
        assert len(offers["items"]) == offers["count"] == len({o["id"] for o in offers["items"]})
    assert api(second).get("/api/v1/partners").json()["count"] == 1


def test_partner_staff_never_write_partners_or_offers(world: World, api: Api) -> None:
    staff = api(world.staff)
    assert post(staff, "/api/v1/offers", new_offer(world.mekaar, regions=[])).status_code == 403
    assert patch(staff, f"/api/v1/offers/{world.credit.pk}", {"title": "X"}).status_code == 403
    assert patch(staff, f"/api/v1/partners/{world.mekaar.pk}", {"name": "X"}).status_code == 403
    assert not Offer.objects.filter(Q(title="X") | Q(partner__name="X")).exists()
