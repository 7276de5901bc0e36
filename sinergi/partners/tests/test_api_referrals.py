"""The referrals and matches API: who sees and moves which referral, every transition and
its refusals, what each side is shown, and that a partner never receives an NIK."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.audit.models import Action, AuditEvent
from sinergi.lib.crypto import decrypt
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory
from sinergi.partners.disclosure import for_partner
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Referral
from sinergi.partners.tests.conftest import World, result
from sinergi.partners.words import instrument_definition
from sinergi.registry.models import Actor
from sinergi.test import REMBANG_VILLAGE_2, ActorFactory, Personas, make_user

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], Client]


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


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


def propose(world: World, user: User, actor: Actor | None = None, offer: Any = None) -> Referral:
    return services.propose_referral(
        user=user, actor=actor or world.actor, offer=offer or world.credit
    )


def move(user: User, referral: Referral, to: str, **kw: Any) -> Referral:
    return services.move_referral(user=user, referral=referral, step=Step(to=to, **kw))


def transition(client: Client, referral: Referral, **body: Any) -> Any:
    return post(client, f"/api/v1/referrals/{referral.pk}/transition", body)


# --- Creating -----------------------------------------------------------------------------


def test_an_officer_proposes_a_referral(world: World, personas: Personas, api: Api) -> None:
    answer = post(
        api(personas.rembang),
        "/api/v1/referrals",
        {"actor": world.actor.pk, "offer": world.credit.pk, "note": "Butuh modal.\nSegera."},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    referral = Referral.objects.get(pk=body["id"])
    assert body["status"] == referral.status == "proposed"
    assert body["actor"]["id"] == world.actor.pk
    assert body["partner"] == world.mekaar.pk
    assert body["offer"] == {
        "id": world.credit.pk,
        "title": "Modal usaha Mekaar",
        "category": "capital",
        "revision": 1,
    }
    assert body["proposed_by"] == personas.rembang.username
    assert body["note"] == "Butuh modal.\nSegera."
    assert body["score"] == referral.score > 0
    assert body["overdue"] is False
    assert any("Bookkeeping" in reason or "bookkeeping" in reason for reason in body["reasons"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 201),
        ("jateng", 201),
        ("rembang", 201),
        ("pendamping", 201),  # her caseload
        ("kendal", 422),  # an actor she cannot see: no such actor
        ("viewer", 403),
        ("staff", 403),
        ("other_staff", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_propose_a_referral(
    world: World, personas: Personas, api: Api, persona: str, status: int
) -> None:
    answer = post(
        api(everyone(world, personas)[persona]),
        "/api/v1/referrals",
        {"actor": world.actor.pk, "offer": world.credit.pk},
    )
    assert answer.status_code == status, answer.content
    assert Referral.objects.count() == (status == 201)
    if status == 422:
        assert answer.json()["errors"] == {"actor": ["No such actor."]}


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"actor": 0, "offer": "credit"}, "actor", "no such actor"),
        ({"actor": "actor", "offer": 0}, "offer", "no such offer"),
        ({"actor": "actor", "offer": "training", "note": "a\u200bb"}, "note", "U+200B"),
        ({"actor": "actor"}, "offer", "required"),
        ({"offer": "credit"}, "actor", "required"),
        ({"actor": "x1", "offer": "credit"}, "actor", "integer"),
        ({"actor": "kendal_actor", "offer": "training"}, "actor", "no such actor"),
    ],
)
def test_a_bad_referral_field_is_named_with_the_reason(
    world: World, personas: Personas, api: Api, body: dict[str, Any], field: str, fragment: str
) -> None:
    named = {
        k: getattr(world, v).pk if isinstance(v, str) and hasattr(world, v) else v
        for k, v in body.items()
    }
    answer = post(api(personas.rembang), "/api/v1/referrals", named)
    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert list(errors) == [field]
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert not Referral.objects.exists()


def test_the_services_refusals_come_back_as_field_errors(
    world: World, personas: Personas, api: Api
) -> None:
    admin = api(personas.admin)
    ineligible = post(
        admin, "/api/v1/referrals", {"actor": world.kendal_actor.pk, "offer": world.training.pk}
    )
    assert ineligible.status_code == 422
    assert ineligible.json()["errors"] == {"offer": ["The offer does not serve her region."]}
    first = post(admin, "/api/v1/referrals", {"actor": world.actor.pk, "offer": world.credit.pk})
    assert first.status_code == 201
    again = post(admin, "/api/v1/referrals", {"actor": world.actor.pk, "offer": world.credit.pk})
    assert again.status_code == 422
    assert "under way" in again.json()["errors"]["offer"][0]


# --- Reading ------------------------------------------------------------------------------


@pytest.fixture
def referrals(world: World, personas: Personas) -> dict[str, Referral]:
    """Referrals in every state that matters to who sees them: proposed and sent to PNM
    Mekaar from Rembang, sent to the Rembang partner, sent to PNM Mekaar from Kendal."""
    neighbour = ActorFactory(village_code=REMBANG_VILLAGE_2, consent_partners=True)
    result(neighbour, world.period)
    found = {
        "proposed": propose(world, personas.rembang),
        "sent": move(personas.rembang, propose(world, personas.rembang, neighbour), "sent"),
        "regional": move(
            personas.rembang, propose(world, personas.rembang, offer=world.training), "sent"
        ),
        "kendal": move(
            personas.kendal, propose(world, personas.kendal, world.kendal_actor), "sent"
        ),
    }
    for referral in found.values():
        referral.refresh_from_db()
    return found


def test_each_persona_lists_exactly_the_referrals_she_may_see(
    world: World, personas: Personas, referrals: dict[str, Referral], api: Api
) -> None:
    every = set(referrals)
    expected = {
        "admin": every,
        "jateng": every,
        "rembang": {"proposed", "sent", "regional"},
        "kendal": {"kendal"},
        "pendamping": {"proposed", "regional"},  # her caseload: world.actor only
        "viewer": {"proposed", "sent", "regional"},
        "staff": {"sent", "kendal"},  # sent to PNM Mekaar; never the proposed one
        "other_staff": {"regional"},
    }
    for name, user in everyone(world, personas).items():
        answer = api(user).get("/api/v1/referrals")
        if user is None:
            assert answer.status_code == 401
            continue
        assert answer.status_code == 200, name
        body = answer.json()
        wanted = {referrals[k].pk for k in expected[name]}
        assert {r["id"] for r in body["items"]} == wanted, name
        assert body["count"] == len(wanted)
        for key, referral in referrals.items():
            detail = api(user).get(f"/api/v1/referrals/{referral.pk}")
            assert detail.status_code == (200 if key in expected[name] else 404), (name, key)


def test_partner_staff_get_exactly_what_disclosure_allows(
    world: World, referrals: dict[str, Referral], api: Api
) -> None:
    definition = instrument_definition()
    rows = Referral.objects.select_related("actor", "actor__village")
    expected = {r.pk: for_partner(r, definition) for r in rows}
    answer = api(world.staff).get("/api/v1/referrals").json()
    for item in answer["items"]:
        assert item == expected[item["id"]]
    detail = api(world.staff).get(f"/api/v1/referrals/{referrals['sent'].pk}").json()
    assert detail == expected[referrals["sent"].pk]
    assert set(detail) == set(expected[referrals["sent"].pk])  # no programme field at all


def test_programme_users_get_the_programmes_fields_too(
    world: World, personas: Personas, referrals: dict[str, Referral], api: Api
) -> None:
    referral = referrals["sent"]
    shown = api(personas.rembang).get(f"/api/v1/referrals/{referral.pk}").json()
    disclosed = for_partner(
        Referral.objects.select_related("actor", "actor__village").get(pk=referral.pk),
        instrument_definition(),
    )
    assert {k: v for k, v in shown.items() if k in disclosed and k != "actor"} == {
        k: v for k, v in disclosed.items() if k != "actor"
    }
    assert shown["actor"] == {"id": referral.actor_id, **disclosed["actor"]}
    assert shown["partner"] == world.mekaar.pk
    assert shown["proposed_by"] == personas.rembang.username
    assert shown["created_at"] == referral.created_at.isoformat()
    assert shown["score"] == referral.score
    assert shown["overdue"] is False


def test_the_referral_list_filters(
    world: World, personas: Personas, referrals: dict[str, Referral], api: Api
) -> None:
    admin = api(personas.admin)

    def ids(query: str) -> set[int]:
        answer = admin.get(f"/api/v1/referrals?{query}")
        assert answer.status_code == 200, answer.content
        return {r["id"] for r in answer.json()["items"]}

    assert ids("status=proposed") == {referrals["proposed"].pk}
    assert ids(f"partner={world.rembang_partner.pk}") == {referrals["regional"].pk}
    assert ids(f"offer={world.credit.pk}&status=sent") == {
        referrals["sent"].pk,
        referrals["kendal"].pk,
    }
    assert ids("overdue=true") == set()
    for query, field in (
        ("status=lost", "status"),
        ("partner=mekaar", "partner"),
        ("offer=-1", "offer"),
        ("overdue=yes", "overdue"),
    ):
        answer = admin.get(f"/api/v1/referrals?{query}")
        assert answer.status_code == 422, query
        assert field in answer.json()["errors"], query


def test_overdue_referrals_are_flagged_and_filtered(
    world: World, personas: Personas, api: Api, settings: Any
) -> None:
    settings.REFERRAL_ANSWER_DAYS = 14
    now = timezone.now()
    late = propose(world, personas.rembang)
    late = services.move_referral(
        user=personas.rembang, referral=late, step=Step(to="sent"), at=now - timedelta(days=15)
    )
    on_time = propose(world, personas.rembang, offer=world.training)
    services.move_referral(
        user=personas.rembang, referral=on_time, step=Step(to="sent"), at=now - timedelta(days=14)
    )
    client = api(personas.rembang)
    shown = {r["id"]: r["overdue"] for r in client.get("/api/v1/referrals").json()["items"]}
    assert shown == {late.pk: True, on_time.pk: False}
    assert [r["id"] for r in client.get("/api/v1/referrals?overdue=true").json()["items"]] == [
        late.pk
    ]
    assert [r["id"] for r in client.get("/api/v1/referrals?overdue=false").json()["items"]] == [
        on_time.pk
    ]
    # The partner sees which of hers are late through the filter (not the programme's flag).
    staff = api(world.staff).get("/api/v1/referrals?overdue=true").json()
    assert [r["id"] for r in staff["items"]] == [late.pk]
    assert "overdue" not in staff["items"][0]
    move(world.staff, late, "accepted")
    assert client.get("/api/v1/referrals?overdue=true").json()["count"] == 0


def test_reading_referrals_is_audited(
    world: World, referrals: dict[str, Referral], api: Api
) -> None:
    api(world.staff).get("/api/v1/referrals")
    api(world.staff).get(f"/api/v1/referrals/{referrals['sent'].pk}")
    reads = AuditEvent.objects.filter(
        action=Action.VIEW_PERSONAL, object_type="referral", user=world.staff
    ).order_by("pk")
    assert [e.note for e in reads] == ["api list", "api detail"]
    assert reads[0].after is not None
    assert sorted(reads[0].after["ids"]) == sorted([referrals["sent"].pk, referrals["kendal"].pk])


def test_the_referral_list_takes_a_fixed_number_of_queries(
    world: World, personas: Personas, api: Api, django_assert_max_num_queries: Any
) -> None:
    for _n in range(10):
        actor = ActorFactory(consent_partners=True, facilitator=personas.pendamping)
        result(actor, world.period)
        move(personas.rembang, propose(world, personas.rembang, actor), "sent")
    for user in (personas.rembang, world.staff):
        client = api(user)
        client.get("/api/v1/referrals?limit=1")  # signs the token in: not counted below
        with django_assert_max_num_queries(10):
            answer = client.get("/api/v1/referrals")
        assert answer.json()["count"] == 10


# --- Transitions --------------------------------------------------------------------------


def test_every_transition_through_the_api(world: World, personas: Personas, api: Api) -> None:
    programme, partner = api(personas.pendamping), api(world.staff)
    referral = propose(world, personas.pendamping)
    sent = transition(programme, referral, to="sent")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent"
    assert sent.json()["sent_at"]
    accepted = transition(partner, referral, to="accepted")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    served = transition(
        partner, referral, to="served", date=timezone.localdate().isoformat(), amount=2_500_000
    )
    assert served.status_code == 200, served.content
    assert (served.json()["amount"], served.json()["served_on"]) == (
        2_500_000,
        timezone.localdate().isoformat(),
    )
    completed = transition(partner, referral, to="completed", reason="Omzet naik dua kali.")
    assert completed.status_code == 200
    assert completed.json()["outcome"] == "Omzet naik dua kali."
    assert set(completed.json()) == set(for_partner(Referral.objects.get(pk=referral.pk), None))
    referral.refresh_from_db()
    assert list(referral.steps.values_list("target", "by__username")) == [
        ("proposed", personas.pendamping.username),
        ("sent", personas.pendamping.username),
        ("accepted", world.staff.username),
        ("served", world.staff.username),
        ("completed", world.staff.username),
    ]


def test_decline_and_withdraw_through_the_api(world: World, personas: Personas, api: Api) -> None:
    referral = move(personas.rembang, propose(world, personas.rembang), "sent")
    no_reason = transition(api(world.staff), referral, to="declined", reason="  ")
    assert no_reason.status_code == 422
    assert list(no_reason.json()["errors"]) == ["reason"]
    declined = transition(api(world.staff), referral, to="declined", reason="Di luar layanan")
    assert declined.status_code == 200
    assert declined.json()["reason"] == "Di luar layanan"
    other = propose(world, personas.rembang, offer=world.training)
    no_reason = transition(api(personas.rembang), other, to="withdrawn")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    withdrawn = transition(api(personas.rembang), other, to="withdrawn", reason="Pindah")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("start", "body", "field", "fragment"),
    [
        ("proposed", {"to": "accepted"}, "to", "proposed cannot become accepted"),
        ("proposed", {"to": "lost"}, "to", "unknown status"),
        ("proposed", {"to": "served"}, "to", "cannot become served"),
        ("accepted", {"to": "sent"}, "to", "accepted cannot become sent"),
        ("sent", {"to": "sent"}, "to", "sent cannot become sent"),
        ("sent", {"to": "declined"}, "reason", "give the reason"),
        ("sent", {"to": "declined", "reason": "x\u202e"}, "reason", "U+202E"),
        ("accepted", {"to": "served", "amount": 100_000}, "date", "give the date"),
        ("accepted", {"to": "served", "date": "today"}, "amount", "give the amount"),
        ("accepted", {"to": "served", "date": "today", "amount": 0}, "amount", "more than"),
        ("accepted", {"to": "served", "date": "today", "amount": 1.5}, "amount", "integer"),
        ("accepted", {"to": "served", "date": "today", "amount": "100"}, "amount", "integer"),
        ("accepted", {"to": "served", "date": "2019-02-30", "amount": 1}, "date", "date"),
        ("accepted", {"to": "served", "date": "tomorrow", "amount": 1}, "date", "future"),
        ("accepted", {"to": "accepted"}, "to", "cannot become accepted"),
        ("served", {"to": "completed"}, "reason", "describe the outcome"),
        ("sent", {"to": "accepted", "amount": 5}, "amount", "only when a credit is served"),
        ("sent", {}, "to", "required"),
    ],
)
def test_a_refused_transition_names_the_field(
    world: World,
    personas: Personas,
    api: Api,
    start: str,
    body: dict[str, Any],
    field: str,
    fragment: str,
) -> None:
    referral = propose(world, personas.rembang)
    path = ["sent", "accepted", "served"]
    for to in path[: path.index(start) + 1] if start in path else ():
        extra = {"date": timezone.localdate(), "amount": 1} if to == "served" else {}
        referral = move(personas.admin, referral, to, **extra)
    days = {"today": timezone.localdate(), "tomorrow": timezone.localdate() + timedelta(days=1)}
    if body.get("date") in days:
        body = {**body, "date": days[body["date"]].isoformat()}
    client = api(personas.admin if start == "proposed" else world.staff)
    answer = transition(client, referral, **body)
    assert answer.status_code == 422, answer.content
    errors = answer.json()["errors"]
    assert field in errors, errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    referral.refresh_from_db()
    assert referral.status == start


def test_sending_without_consent_is_refused_naming_it(
    world: World, personas: Personas, api: Api
) -> None:
    world.actor.consent_partners = False
    world.actor.save()
    referral = propose(world, personas.rembang)
    answer = transition(api(personas.rembang), referral, to="sent")
    assert answer.status_code == 422
    assert "sharing with partners" in answer.json()["errors"]["to"][0]
    referral.refresh_from_db()
    assert referral.status == "proposed"
    assert api(world.staff).get("/api/v1/referrals").json()["count"] == 0


def test_serving_a_training_takes_no_amount(world: World, personas: Personas, api: Api) -> None:
    referral = move(
        personas.rembang, propose(world, personas.rembang, offer=world.training), "sent"
    )
    move(world.other_staff, referral, "accepted")
    today = timezone.localdate().isoformat()
    staff = api(world.other_staff)
    with_amount = transition(staff, referral, to="served", date=today, amount=50_000)
    assert with_amount.status_code == 422
    assert "capital and credit" in with_amount.json()["errors"]["amount"][0]
    served = transition(staff, referral, to="served", date=today)
    assert served.status_code == 200
    assert served.json()["amount"] is None
    assert world.training.category == OfferCategory.DIGITAL


def test_each_side_takes_only_its_own_steps(world: World, personas: Personas, api: Api) -> None:
    referral = propose(world, personas.rembang)
    staff_cannot_send = transition(api(world.staff), referral, to="sent")
    assert staff_cannot_send.status_code == 404  # a proposed referral does not exist for her
    move(personas.rembang, referral, "sent")
    officer = transition(api(personas.rembang), referral, to="accepted")
    assert officer.status_code == 422
    assert "other side" in officer.json()["errors"]["to"][0]
    staff = transition(api(world.staff), referral, to="withdrawn", reason="x")
    assert staff.status_code == 422
    assert "other side" in staff.json()["errors"]["to"][0]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("jateng", 200),
        ("rembang", 200),
        ("pendamping", 200),
        ("kendal", 404),
        ("viewer", 403),
        ("staff", 404),  # proposed: not yet hers
        ("other_staff", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_send_a_referral(
    world: World, personas: Personas, api: Api, persona: str, status: int
) -> None:
    referral = propose(world, personas.rembang)
    answer = transition(api(everyone(world, personas)[persona]), referral, to="sent")
    assert answer.status_code == status, answer.content
    referral.refresh_from_db()
    assert (referral.status == "sent") is (status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("rembang", 422),  # the other side's step
        ("viewer", 403),
        ("kendal", 404),
        ("other_staff", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_accept_a_referral(
    world: World, personas: Personas, api: Api, persona: str, status: int
) -> None:
    referral = move(personas.rembang, propose(world, personas.rembang), "sent")
    answer = transition(api(everyone(world, personas)[persona]), referral, to="accepted")
    assert answer.status_code == status, answer.content


def test_wrong_methods_on_referrals_get_405(world: World, personas: Personas, api: Api) -> None:
    referral = propose(world, personas.rembang)
    client = api(personas.admin)
    assert client.delete(f"/api/v1/referrals/{referral.pk}").status_code == 405
    assert client.patch(f"/api/v1/referrals/{referral.pk}", {}).status_code == 405
    assert client.get(f"/api/v1/referrals/{referral.pk}/transition").status_code == 405
    assert client.delete("/api/v1/referrals").status_code == 405
    assert client.post(f"/api/v1/actors/{world.actor.pk}/matches").status_code == 405


@pytest.mark.parametrize("body", ["[]", "null", "7", '"sent"'])
def test_a_transition_body_that_is_not_an_object_is_refused(
    world: World, personas: Personas, api: Api, body: str
) -> None:
    referral = propose(world, personas.rembang)
    answer = api(personas.rembang).post(
        f"/api/v1/referrals/{referral.pk}/transition", body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "JSON object" in answer.json()["detail"]


# --- Matches ------------------------------------------------------------------------------


def test_matches_are_ranked_with_reasons_in_words(
    world: World, personas: Personas, api: Api
) -> None:
    answer = api(personas.rembang).get(f"/api/v1/actors/{world.actor.pk}/matches")
    assert answer.status_code == 200, answer.content
    items = answer.json()["items"]
    assert [(m["offer"], m["partner"]) for m in items] == [
        (world.credit.pk, world.mekaar.pk),
        (world.training.pk, world.rembang_partner.pk),
    ]
    assert items[0]["offer_title"] == "Modal usaha Mekaar"
    assert items[0]["partner_name"] == "PNM Mekaar"
    assert items[0]["category"] == "capital"
    assert items[0]["score"] >= items[1]["score"]
    assert all(r.startswith("Answers ") for r in items[0]["reasons"])
    limited = api(personas.rembang).get(f"/api/v1/actors/{world.actor.pk}/matches?limit=1")
    assert (limited.json()["count"], len(limited.json()["items"])) == (2, 1)
    bad = api(personas.rembang).get(f"/api/v1/actors/{world.actor.pk}/matches?limit=0")
    assert bad.status_code == 400  # as on every list
    assert "limit" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "status", "offers"),
    [
        ("admin", 200, ["credit", "training"]),
        ("jateng", 200, ["credit", "training"]),
        ("rembang", 200, ["credit", "training"]),
        ("pendamping", 200, ["credit", "training"]),
        ("viewer", 200, ["credit", "training"]),
        ("kendal", 404, []),
        ("staff", 404, []),
        ("other_staff", 404, []),
        ("anonymous", 401, []),
    ],
)
def test_who_may_see_an_actors_matches(
    world: World, personas: Personas, api: Api, persona: str, status: int, offers: list[str]
) -> None:
    answer = api(everyone(world, personas)[persona]).get(f"/api/v1/actors/{world.actor.pk}/matches")
    assert answer.status_code == status
    if status == 200:
        assert [m["offer"] for m in answer.json()["items"]] == [
            getattr(world, o).pk for o in offers
        ]


def test_kendal_is_matched_only_with_offers_she_may_read(
    world: World, personas: Personas, api: Api
) -> None:
    answer = api(personas.kendal).get(f"/api/v1/actors/{world.kendal_actor.pk}/matches")
    assert [m["offer"] for m in answer.json()["items"]] == [world.credit.pk]
    assert api(personas.kendal).get("/api/v1/actors/999999/matches").status_code == 404


# --- Partner staff and the rest of the API --------------------------------------------------


def test_partner_staff_find_nothing_of_the_registry_or_analytics(
    world: World, personas: Personas, referrals: dict[str, Referral], api: Api
) -> None:
    actor = referrals["sent"].actor
    for url in (
        "/api/v1/actors",
        f"/api/v1/actors/{actor.pk}",
        f"/api/v1/actors/{actor.pk}/matches",
        f"/api/v1/assessments?actor={actor.pk}",
        f"/api/v1/analytics/levels?period={world.period.code}",
        "/api/v1/analytics/trend",
        f"/api/v1/analytics/breakdown?period={world.period.code}&by=sector",
    ):
        assert api(personas.rembang).get(url).status_code == 200, url  # it exists
        answer = api(world.staff).get(url)
        assert answer.status_code == 404, (url, answer.content)
        assert answer.json() == {"detail": "Not found.", "errors": {}}
    changed = api(world.staff).patch(
        f"/api/v1/actors/{actor.pk}", {"phone": "0811111111"}, content_type="application/json"
    )
    assert changed.status_code == 404
    created = post(api(world.staff), "/api/v1/actors", {"name": "X"})
    assert created.status_code == 404
    scored = post(
        api(world.staff),
        "/api/v1/assessments",
        {"actor": actor.pk, "period": world.period.code, "answers": {}},
    )
    assert scored.status_code == 404


def test_an_account_without_any_role_finds_nothing_either(api: Api, world: World) -> None:
    nobody = make_user("nobody", None, None)
    assert api(nobody).get("/api/v1/actors").json() == {"detail": "Not found.", "errors": {}}
    assert api(nobody).get("/api/v1/partners").json()["count"] == 0
    assert api(nobody).get("/api/v1/referrals").json()["count"] == 0


def test_no_answer_to_a_partner_holds_an_nik(
    world: World, personas: Personas, referrals: dict[str, Referral], api: Api
) -> None:
    staff = api(world.staff)
    actors = list(Actor.objects.all())
    secrets = [a.nik_masked for a in actors] + [decrypt(a.nik_encrypted) for a in actors]
    assert all(secrets)
    assert len(secrets) == 2 * len(actors)
    answers = [
        staff.get("/api/v1/referrals"),
        staff.get(f"/api/v1/referrals?offer={world.credit.pk}&status=sent"),
        staff.get(f"/api/v1/referrals/{referrals['sent'].pk}"),
        staff.get(f"/api/v1/referrals/{referrals['kendal'].pk}"),
        staff.get("/api/v1/partners"),
        staff.get(f"/api/v1/partners/{world.mekaar.pk}"),
        staff.get("/api/v1/offers"),
        staff.get(f"/api/v1/offers/{world.credit.pk}"),
        transition(staff, referrals["sent"], to="declined"),  # refused
        transition(staff, referrals["sent"], to="accepted"),
        transition(
            staff, referrals["sent"], to="served", date=timezone.localdate().isoformat(), amount=9
        ),
        transition(staff, referrals["sent"], to="completed", reason="Lancar"),
        transition(staff, referrals["kendal"], to="declined", reason="Penuh"),
        transition(staff, referrals["proposed"], to="accepted"),  # 404
    ]
    assert [a.status_code for a in answers[8:]] == [422, 200, 200, 200, 200, 404]
    for answer in answers:
        text = answer.content.decode()
        assert "nik" not in text.lower()
        for secret in secrets:
            assert secret not in text
            assert secret[:4] + "•" not in text
    # The programme's own view of referrals carries no NIK either.
    for answer in (
        api(personas.rembang).get("/api/v1/referrals"),
        api(personas.admin).get(f"/api/v1/referrals/{referrals['sent'].pk}"),
        post(
            api(personas.rembang),
            "/api/v1/referrals",
            {"actor": referrals["sent"].actor_id, "offer": world.training.pk},
        ),
    ):
        text = answer.content.decode()
        assert answer.status_code in (200, 201)
        assert "nik" not in text.lower()
        assert not any(secret in text for secret in secrets)
