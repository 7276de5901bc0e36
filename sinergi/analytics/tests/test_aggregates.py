"""The counts follow every write: submissions, corrections, deletions, re-scores, moves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.analytics import aggregates, slices
from sinergi.analytics.models import CountedResult, LevelCount, RegisteredCount, TransitionCount
from sinergi.analytics.slices import Standing
from sinergi.analytics.tests import recount
from sinergi.assessments import events, rescoring, services
from sinergi.assessments.models import Assessment, Period
from sinergi.assessments.tests.test_rescore import BORDER, new_version
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.regions.models import Region
from sinergi.registry.services import update_actor
from sinergi.test import KENDAL_VILLAGE, REMBANG_VILLAGE, REMBANG_VILLAGE_2, Personas

pytestmark = pytest.mark.django_db

DEVELOPING = BEGINNER | {"workers": 2, "monthly_turnover": 5_000_000, "capital": 10_000_000,
                         "production": "weekly", "equipment": "semi", "market_reach": "regency",
                         "bookkeeping": "simple", "legality": ["sku"]}  # fmt: skip


def get(user: Any, path: str) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def submit(actor: Any, p: Period, answers: dict[str, Any]) -> Assessment:
    return services.submit_assessment(user=None, actor=actor, period=p, answers=answers).assessment


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every non-zero count, for comparing two ways of reaching the same state."""
    return {
        "registered": set(
            RegisteredCount.objects.exclude(actors=0).values_list(
                "region", "dim", "value", "actors"
            )
        ),
        "levels": set(
            LevelCount.objects.exclude(actors=0).values_list(
                "period_id", "region", "dim", "value", "level", "actors"
            )
        ),
        "pairs": set(
            TransitionCount.objects.exclude(actors=0).values_list(
                "period_a_id",
                "period_b_id",
                "region",
                "dim",
                "value",
                "level_a",
                "level_b",
                "actors",
            )
        ),
        "copies": set(
            CountedResult.objects.values_list(
                "actor_id", "period_id", "level", "graduate", "legality"
            )
        ),
    }


def test_a_submitted_result_is_counted_at_once(personas: Personas, rounds: Any) -> None:
    p2018, _p2019 = rounds
    actor = recount.register(facilitator=personas.pendamping)
    submit(actor, p2018, ADVANCED)
    body = get(personas.admin, "/api/v1/analytics/levels?period=2018")
    assert body == {
        "period": "2018",
        "region": None,
        "counts": {"IR1": 0, "IR2": 0, "IR3": 1},
        "total": 1,
        "registered": 1,
    }
    village = get(personas.admin, f"/api/v1/analytics/levels?period=2018&region={REMBANG_VILLAGE}")
    assert village["counts"]["IR3"] == 1
    kendal = get(personas.admin, "/api/v1/analytics/levels?period=2018&region=33.24")
    assert kendal["total"] == 0


def test_a_correction_moves_the_actor_and_her_transitions(personas: Personas, rounds: Any) -> None:
    p2018, p2019 = rounds
    actor = recount.register()
    submit(actor, p2018, BEGINNER)
    submit(actor, p2019, BEGINNER)
    moves = get(personas.admin, "/api/v1/analytics/transitions?from=2018&to=2019&region=33.17")
    assert (moves["same"], moves["up"]) == (1, 0)
    submit(actor, p2019, DEVELOPING)  # the facilitator corrects the 2019 answers
    moves = get(personas.admin, "/api/v1/analytics/transitions?from=2018&to=2019&region=33.17")
    assert moves["matrix"]["IR1"] == {"IR1": 0, "IR2": 1, "IR3": 0}
    assert (moves["up"], moves["same"], moves["down"], moves["total"]) == (1, 0, 0, 1)
    assert moves["naik_kelas"] == [
        {"from": "IR1", "to": "IR2", "actors": 1},
        {"from": "IR2", "to": "IR3", "actors": 0},
    ]
    backwards = get(personas.admin, "/api/v1/analytics/transitions?from=2019&to=2018")
    assert backwards["matrix"]["IR2"]["IR1"] == 1
    assert (backwards["down"], backwards["up"]) == (1, 0)


def test_deleting_a_correction_brings_back_the_result_it_replaced(
    personas: Personas, rounds: Any
) -> None:
    _p2018, p2019 = rounds
    actor = recount.register()
    first = submit(actor, p2019, BEGINNER)
    mistaken = submit(actor, p2019, ADVANCED)
    current = services.delete_assessment(user=personas.admin, assessment=mistaken)
    assert current is not None
    assert (current.pk, current.counted) == (first.pk, True)
    assert recount.Raw().levels("2019") == {"IR1": 1}
    body = get(personas.admin, "/api/v1/analytics/levels?period=2019")
    assert body["counts"] == {"IR1": 1, "IR2": 0, "IR3": 0}
    assert services.delete_assessment(user=personas.admin, assessment=current) is None
    assert get(personas.admin, "/api/v1/analytics/levels?period=2019")["total"] == 0
    assert not Assessment.objects.filter(actor=actor).exists()


def test_a_rescore_moves_the_counts_with_its_results(personas: Personas, rounds: Any) -> None:
    p2018, p2019 = rounds
    actor = recount.register()
    submit(actor, p2018, BORDER)  # IR 3 now, IR 2 once IR 3 needs 26
    submit(actor, p2019, BORDER)
    stricter = new_version("2026.2")
    rescoring.queue_rescore(user=personas.admin, instrument=stricter, periods=[p2018, p2019])
    assert Assessment.objects.filter(counted=True, level="IR2").count() == 2
    body = get(personas.admin, "/api/v1/analytics/levels?period=2018&region=33")
    assert body["counts"] == {"IR1": 0, "IR2": 1, "IR3": 0}
    moves = get(personas.admin, "/api/v1/analytics/transitions?from=2018&to=2019")
    assert moves["matrix"]["IR2"]["IR2"] == 1
    assert moves["total"] == 1


def test_a_moved_actor_takes_her_history_along(personas: Personas, rounds: Any) -> None:
    p2018, p2019 = rounds
    actor = recount.register(facilitator=personas.pendamping)
    submit(actor, p2018, BEGINNER)
    submit(actor, p2019, ADVANCED)
    update_actor(
        user=personas.admin,
        actor=actor,
        data={"sector": "kerajinan", "facilitator": None},
        village=Region.objects.get(code=KENDAL_VILLAGE),
        facilitator=None,
    )
    rembang = get(personas.admin, "/api/v1/analytics/transitions?from=2018&to=2019&region=33.17")
    kendal = get(personas.admin, "/api/v1/analytics/transitions?from=2018&to=2019&region=33.24")
    assert (rembang["total"], kendal["total"], kendal["up"]) == (0, 1, 1)
    sectors = get(personas.admin, "/api/v1/analytics/breakdown?period=2019&by=sector")
    assert [(i["key"], i["total"], i["registered"]) for i in sectors["items"]] == [
        ("kerajinan", 1, 1)
    ]
    people = get(
        personas.admin, "/api/v1/analytics/breakdown?period=2019&by=facilitator&region=33.24"
    )
    assert [(i["key"], i["total"]) for i in people["items"]] == [("", 1)]
    assert (
        get(personas.admin, "/api/v1/analytics/levels?period=2018&region=33.17")["registered"] == 0
    )
    kept = snapshot()
    aggregates.rebuild()
    assert snapshot() == kept


def test_rebuilding_from_the_raw_rows_gives_the_same_counts(
    personas: Personas, rounds: Any
) -> None:
    p2018, p2019 = rounds
    actors = [recount.register(village_code=v) for v in (REMBANG_VILLAGE, REMBANG_VILLAGE_2)]
    actors.append(recount.register(village_code=KENDAL_VILLAGE, facilitator=personas.pendamping))
    for actor, answers in zip(actors, (BEGINNER, DEVELOPING, ADVANCED), strict=True):
        submit(actor, p2018, answers)
        submit(actor, p2019, ADVANCED if answers is BEGINNER else DEVELOPING)
    kept = snapshot()
    aggregates.rebuild()
    assert snapshot() == kept


def test_a_single_write_hands_over_what_a_rescore_reads_back(
    personas: Personas, rounds: Any
) -> None:
    p2018, _p2019 = rounds
    actor = recount.register()
    moves: list[Any] = []
    events.results_moved.listeners.append(moves.extend)
    try:
        stored = submit(actor, p2018, DEVELOPING | {"legality": ["sku", "nib", "pirt"]})
    finally:
        events.results_moved.listeners.remove(moves.extend)
    (move,) = moves
    assert move.new_answers["legality"] == ["nib", "pirt", "sku"]
    assert move.new_graduate is stored.graduate
    carried = aggregates._standings(moves)
    read = aggregates._standings([move._replace(new_graduate=None, new_answers=None)])
    assert carried == read == {stored.pk: Standing(stored.level, stored.graduate, 0b1101)}


def test_a_rescored_result_that_stands_as_before_costs_no_query(
    personas: Personas, rounds: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    p2018, _p2019 = rounds
    cursors: list[Any] = []  # the listener's reads and writes go through the driver's cursor
    driver_cursor = aggregates._driver_cursor

    def counted_cursor() -> Any:
        cursors.append(driver_cursor())
        return cursors[-1]

    monkeypatch.setattr(aggregates, "_driver_cursor", counted_cursor)
    actor = recount.register()
    stored = submit(actor, p2018, DEVELOPING)
    kept = snapshot()
    same = events.ResultMove(
        *(p2018.pk, actor.pk, stored.regency_code, stored.pk, stored.level),
        *(stored.pk + 1, stored.level, stored.graduate),
        old_graduate=stored.graduate,
        same_answers=True,
    )
    cursors.clear()
    aggregates.on_results([same])
    assert (len(cursors), snapshot()) == (0, kept)
    # Anything a count depends on that differs, and the move is replayed.
    for moved in (
        same._replace(same_answers=False, new_answers={"legality": ["nib"]}),
        same._replace(new_graduate=not stored.graduate, new_answers=stored.answers),
        same._replace(new_level="IR3", new_answers=stored.answers),
        same._replace(old_graduate=None, new_answers={"legality": ["nib"]}),
    ):
        cursors.clear()
        aggregates.on_results([moved])
        assert cursors
        copy = CountedResult.objects.get(actor=actor, period=p2018)
        assert slices.Standing(copy.level, copy.graduate, copy.legality) == Standing(
            str(moved.new_level),
            bool(moved.new_graduate),
            slices.legality_bits(aggregates._kinds((moved.new_answers or {}).get("legality"))),
        )
        aggregates.on_results([moved._replace(old_level=moved.new_level, new_level=stored.level,
                                              new_graduate=stored.graduate,
                                              new_answers=stored.answers)])  # fmt: skip
    assert snapshot() == kept


@pytest.mark.parametrize(
    "legality",
    [
        ["sku", "nib", "pirt"],
        ["brand", "brand", "halal"],  # a repeat counts once
        ["sim", "nib"],  # an unknown kind adds nothing
        [],
        "nib",  # not a list: none, as for an instrument that asks it another way
        None,
        [1, "bpom"],
    ],
)
def test_the_database_reads_legality_bits_as_python_does(
    personas: Personas, rounds: Any, legality: Any
) -> None:
    p2018, _p2019 = rounds
    stored = submit(recount.register(), p2018, DEVELOPING)
    answers = dict(stored.answers)
    if legality is None:
        del answers["legality"]
    else:
        answers["legality"] = legality
    Assessment.objects.filter(pk=stored.pk).update(answers=answers)
    expected = slices.legality_bits(aggregates._kinds(answers.get("legality")))
    assert aggregates._read_standings([stored.pk])[stored.pk].legality == expected
