import hashlib
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.audit.models import AuditEvent
from sinergi.demo import data
from sinergi.demo.scenario import (
    ACTOR_COUNT,
    DEMO_LOGINS,
    PASSWORD,
    Village,
    load_demo,
    plan,
)
from sinergi.lib.crypto import decrypt
from sinergi.regions.models import ModelRegion
from sinergi.registry.models import Actor, LegalityItem
from sinergi.registry.rules import check_nib, check_nik, normalise_pirt, pirt_regency

pytestmark = pytest.mark.django_db

SMALL = 252  # a dozen actors per model regency keeps most tests quick
PUBLIC_14 = {
    "61.08", "33.17", "33.24", "33.07", "36.72", "16.71", "52.02",
    "53.15", "53.18", "82.71", "13.04", "32.09", "19.04", "18.01",
}  # fmt: skip


@pytest.fixture(autouse=True)
def demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = True


def counts() -> dict[str, int]:
    return {
        "model_regions": ModelRegion.objects.count(),
        "users": User.objects.count(),
        "actors": Actor.objects.count(),
        "legality": LegalityItem.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def fingerprint() -> str:
    rows = Actor.objects.order_by("nik_hash").values_list("name", "nik_masked", "business_name")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_it_loads_the_21_model_regions_with_the_public_14_not_illustrative() -> None:
    load_demo(actors=SMALL)
    regions = {m.region_id: m for m in ModelRegion.objects.all()}
    assert len(regions) == 21
    assert {code for code, m in regions.items() if not m.illustrative} == PUBLIC_14
    assert {"18.07", "21.03", "11.13"} <= {code for code, m in regions.items() if m.illustrative}
    assert all(m.start_year == 2016 for code, m in regions.items() if code in PUBLIC_14)
    assert all(m.mou_number.startswith("DEMO/KPPPA/") for m in regions.values())


def test_it_loads_the_full_scenario_with_valid_niks_in_model_villages() -> None:
    load_demo()
    actors = list(Actor.objects.select_related("village"))
    assert len(actors) == ACTOR_COUNT
    niks = [decrypt(a.nik_encrypted) for a in actors]
    assert len(set(niks)) == ACTOR_COUNT
    model_codes = {code for code, _ in data.MODEL_REGIONS}
    for actor, nik in zip(actors, niks, strict=True):
        check = check_nik(nik, sex=actor.sex, birth_date=actor.birth_date)
        assert check.ok, (actor.name, check.errors)
        assert check.birth_date == actor.birth_date
        assert check.region_prefix == actor.district_code == actor.village.parent_id
        assert actor.regency_code in model_codes
        assert actor.village_id.startswith(actor.regency_code + ".")
        assert 1960 <= actor.birth_date.year <= 2000
    assert Counter(a.sex for a in actors)["F"] / ACTOR_COUNT > 0.95
    facilitator_regions = dict(
        Membership.objects.filter(role=Role.FACILITATOR).values_list("user_id", "region")
    )
    for actor in actors:
        assert facilitator_regions.get(actor.facilitator_id or 0) == actor.regency_code
    caseloads = Counter(a.facilitator_id for a in actors).values()
    assert min(caseloads) >= 25
    assert max(caseloads) <= 45


def test_its_licence_numbers_are_well_formed() -> None:
    load_demo(actors=SMALL)
    items = LegalityItem.objects.select_related("actor")
    kinds = Counter(item.kind for item in items)
    assert kinds["pirt"]
    assert kinds["nib"]
    for item in items:
        if item.kind == "pirt":
            digits, error = normalise_pirt(item.number)
            assert error is None
            assert pirt_regency(digits) == item.actor.regency_code
            assert item.expires_on is not None
            assert item.expires_on.year % 100 == int(digits[-2:])
        if item.kind == "nib":
            assert check_nib(item.number) is None


def test_demo_logins_log_in_and_dinas_rembang_sees_only_rembang() -> None:
    load_demo(actors=SMALL)
    for username, _ in DEMO_LOGINS:
        assert Client().login(username=username, password=PASSWORD), username
    assert Client().login(username="dinas-kota-ternate", password=PASSWORD)
    assert Client().login(username="pendamping-gayo-lues-2", password=PASSWORD)

    client = Client()
    client.login(username="dinas-rembang", password=PASSWORD)
    body = client.get("/api/v1/actors?limit=500").json()
    rembang = Actor.objects.filter(regency_code="33.17").count()
    assert body["count"] == rembang > 0
    assert {item["regency_code"] for item in body["items"]} == {"33.17"}

    client.login(username="pendamping-rembang", password=PASSWORD)
    body = client.get("/api/v1/actors").json()
    caseload = Actor.objects.filter(facilitator__username="pendamping-rembang")
    assert body["count"] == caseload.count() > 0
    assert set(caseload.values_list("regency_code", flat=True)) == {"33.17"}


def test_running_it_twice_changes_nothing() -> None:
    first = load_demo(actors=SMALL)
    before = counts()
    second = load_demo(actors=SMALL)
    assert not first.already_loaded
    assert second.already_loaded
    assert counts() == before
    assert AuditEvent.objects.filter(object_type="demo_scenario").count() == 1


def test_it_loads_the_same_people_every_time() -> None:
    load_demo(actors=SMALL)
    first = fingerprint()
    Actor.objects.all().delete()
    result = load_demo(actors=SMALL)
    assert result.created["actors"] == SMALL
    assert result.created["users"] == 0
    assert fingerprint() == first


def test_its_plan_depends_only_on_the_seed() -> None:
    names = {code: f"Kabupaten Contoh {code}" for code, _ in data.MODEL_REGIONS}
    villages = {
        code: [Village(f"{code}.0{d}.200{v}", f"Desa {d}{v}") for d in range(1, 4) for v in (1, 2)]
        for code in names
    }
    one = plan(names, villages, actors=SMALL, seed=7)
    assert one == plan(names, villages, actors=SMALL, seed=7)
    assert one.actors != plan(names, villages, actors=SMALL, seed=8).actors
    assert len(one.actors) == SMALL


def test_it_refuses_outside_demo_and_debug_mode(settings: Any) -> None:
    settings.DEMO_MODE = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="SINERGI_DEMO"):
        call_command("load_demo", actors=SMALL)
    assert not User.objects.filter(username="admin").exists()
    assert not Actor.objects.exists()


def test_the_command_prints_counts_and_logins() -> None:
    out = StringIO()
    call_command("load_demo", actors=SMALL, stdout=out)
    call_command("load_demo", actors=SMALL, stdout=out)
    text = out.getvalue()
    assert f"{SMALL} actors" in text
    assert "21 model regions" in text
    assert "already loaded" in text
    for username, _ in DEMO_LOGINS:
        assert username in text
