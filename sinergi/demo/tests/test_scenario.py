import hashlib
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import Client

from sinergi.accounts.models import User
from sinergi.assessments import events
from sinergi.assessments.instrument.reader import DEFAULT_FILE, load_definition
from sinergi.assessments.models import Assessment
from sinergi.audit.models import AuditEvent
from sinergi.demo import data, mapping
from sinergi.demo.plan import ACTOR_COUNT, SEED, Village, plan
from sinergi.demo.scenario import DEMO_LOGINS, PASSWORD, load_demo, transitions
from sinergi.regions.models import ModelRegion
from sinergi.registry.models import Actor, LegalityItem
from sinergi.registry.rules import check_nib, normalise_pirt, pirt_regency

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


def made_up_regions() -> tuple[dict[str, str], dict[str, list[Village]]]:
    names = {code: f"Kabupaten Contoh {code}" for code, _ in data.MODEL_REGIONS}
    villages = {
        code: [Village(f"{code}.0{d}.200{v}", f"Desa {d}{v}") for d in range(1, 4) for v in (1, 2)]
        for code in names
    }
    return names, villages


def results() -> list[tuple[Any, ...]]:
    rows = Assessment.objects.order_by("actor__nik_hash", "period__code").values_list(
        "actor__nik_hash", "period__code", "answers", "level", "verified_at", "verified_by"
    )
    return list(rows)


def test_its_plan_depends_only_on_the_seed() -> None:
    names, villages = made_up_regions()
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


def test_its_mapping_history_depends_only_on_the_seed() -> None:
    names, villages = made_up_regions()
    scenario = plan(names, villages, actors=SMALL, seed=7)
    actors, regions = scenario.actors, scenario.model_regions
    engine = load_definition(DEFAULT_FILE.read_text(encoding="utf-8")).compile()

    def history(seed: int) -> list[mapping.MappedResult]:
        levels = mapping.trajectories(actors, regions, seed=seed)
        return mapping.history(actors, regions, engine, levels, seed=seed)

    one = history(7)
    assert one == history(7)
    assert one != history(8)
    assert {r.nik for r in one} == {a.nik for a in actors}
    assert {r.year for r in one} == set(mapping.ROUNDS)
    # An actor's answers do not depend on whose others are drawn with hers.
    levels = mapping.trajectories(actors, regions, seed=7)
    some = actors[::5]
    assert mapping.history(some, regions, engine, levels, seed=7) == [
        r for r in one if r.nik in {a.nik for a in some}
    ]


def test_every_demo_business_was_running_by_the_last_closed_round() -> None:
    names, villages = made_up_regions()
    years = [a.year_started for a in plan(names, villages, seed=SEED).actors]
    assert max(years) == mapping.LAST
    assert Counter(years)[mapping.LAST] < 2 * Counter(years)[mapping.LAST - 1]


def test_a_smaller_demo_reproduces_the_evaluation_in_proportion() -> None:
    load_demo(actors=SMALL)
    matrix = transitions("2016", "2018")
    up_1_2, up_2_3 = mapping.evaluation_targets(SMALL, ACTOR_COUNT)
    assert (matrix["IR1"]["IR2"], matrix["IR2"]["IR3"]) == (up_1_2, up_2_3) == (46, 46)


def test_it_stores_the_same_results_every_time() -> None:
    load_demo(actors=SMALL)
    first = results()
    gone = Assessment.objects.filter(Q(period__code="2018") | Q(regency_code="33.17"))
    count, _ = gone.delete()
    assert load_demo(actors=SMALL).created["results"] == count > 0
    assert results() == first
    Assessment.objects.all().delete()
    assert load_demo(actors=SMALL).created["results"] == len(first)
    assert results() == first


def test_it_announces_every_result_it_stores() -> None:
    heard: list[events.ResultChange] = []
    events.result_changed.listeners.append(heard.append)
    try:
        load_demo(actors=SMALL)
    finally:
        events.result_changed.listeners.remove(heard.append)
    stored = Assessment.objects.in_bulk()
    assert len(heard) == len(stored) > 2 * SMALL
    assert {c.new.pk for c in heard if c.new} == set(stored)
    assert all(c.old is None for c in heard)
    for change in heard:
        row = stored[change.new.pk if change.new else 0]
        assert (change.period_id, change.actor_id, change.regency_code) == (
            row.period_id,
            row.actor_id,
            row.regency_code,
        )
