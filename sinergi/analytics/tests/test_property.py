"""Property: after any sequence of writes, every figure the API returns equals a brute-force
recount from the raw rows (and a rebuild from the raw rows changes nothing)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import permutations
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.analytics import aggregates
from sinergi.analytics.tests import recount
from sinergi.analytics.tests.test_aggregates import DEVELOPING, snapshot
from sinergi.assessments import rescoring, services
from sinergi.assessments.models import Assessment, Instrument
from sinergi.assessments.tests.test_rescore import BORDER, new_version
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.registry.services import update_actor
from sinergi.test import (
    KENDAL_VILLAGE,
    LANDAK_VILLAGE,
    REMBANG_VILLAGE,
    REMBANG_VILLAGE_2,
    Personas,
    make_user,
)

pytestmark = pytest.mark.django_db

VILLAGES = (REMBANG_VILLAGE, REMBANG_VILLAGE_2, KENDAL_VILLAGE, LANDAK_VILLAGE)
REGIONS = ("", "33", "33.17", "33.17.01", "33.24.01", LANDAK_VILLAGE)
PERIODS = ("2017", "2018", "2019")
SECTORS = ("makanan-minuman", "kerajinan", "jasa")
GRADUATING = ADVANCED | {"workers": 6, "legality": ["nib", "halal", "sku"]}
ANSWERS = (BEGINNER, DEVELOPING, ADVANCED, BORDER, GRADUATING)
ACTORS = 5

actor_index = st.integers(0, ACTORS - 1)
period_index = st.integers(0, len(PERIODS) - 1)
operation = st.one_of(
    st.tuples(st.just("submit"), actor_index, period_index, st.integers(0, len(ANSWERS) - 1)),
    st.tuples(st.just("delete"), actor_index, period_index, st.booleans()),
    st.tuples(st.just("rescore"), st.integers(0, 2), st.sets(period_index, min_size=1)),
    st.tuples(
        st.just("move"),
        actor_index,
        st.integers(0, len(VILLAGES) - 1),
        st.integers(0, len(SECTORS) - 1),
        st.integers(0, 2),
    ),
)


def api(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.content)
    return response.json()


def region_query(code: str) -> str:
    return f"&region={code}" if code else ""


def check_everything(client: Client) -> None:
    order = ("IR1", "IR2", "IR3")
    raw = recount.Raw()
    for code in REGIONS:
        region = code or None
        for period in PERIODS:
            body = api(client, f"/api/v1/analytics/levels?period={period}{region_query(code)}")
            want = raw.levels(period, region)
            assert body["counts"] == {lv: want[lv] for lv in order}, (code, period)
            assert body["total"] == sum(want.values())
            assert body["registered"] == raw.registered(region)
        pairs = permutations(PERIODS, 2) if len(code) < 3 else [PERIODS[:2], PERIODS[1:]]
        for first, second in pairs:
            body = api(
                client,
                f"/api/v1/analytics/transitions?from={first}&to={second}{region_query(code)}",
            )
            want_moves = raw.transitions(first, second, region)
            assert body["matrix"] == {a: {b: want_moves[a, b] for b in order} for a in order}
            rank = {lv: i for i, lv in enumerate(order)}
            assert body["up"] == sum(n for (a, b), n in want_moves.items() if rank[b] > rank[a])
            assert body["down"] == sum(n for (a, b), n in want_moves.items() if rank[b] < rank[a])
            assert body["same"] == sum(n for (a, b), n in want_moves.items() if a == b)
    for code, by in (
        ("", "sector"),
        ("33.17", "sector"),
        ("", "legality"),
        ("33", "graduate"),
        ("33.17", "facilitator"),
        ("33.24.01", "facilitator"),
    ):
        for period in PERIODS:
            body = api(
                client,
                f"/api/v1/analytics/breakdown?period={period}&by={by}{region_query(code)}",
            )
            got = {
                i["key"]: Counter({k: v for k, v in i["counts"].items() if v})
                for i in body["items"]
            }
            want_groups = raw.by_group(period, code or None, by)
            assert {k: v for k, v in got.items() if v} == want_groups, (code, by, period)
    body = api(client, "/api/v1/analytics/breakdown?period=2019&by=region&from=2017")
    for item in body["items"]:
        assert item["total"] == sum(raw.levels("2019", item["key"]).values())
        assert item["registered"] == raw.registered(item["key"])
        assert item["transitions"]["total"] == sum(
            raw.transitions("2017", "2019", item["key"]).values()
        )


def apply(step: tuple[Any, ...], world: dict[str, Any]) -> None:
    kind, *args = step
    actors: list[Actor] = world["actors"]
    if kind == "submit":
        actor, period, answers = actors[args[0]], world["periods"][args[1]], ANSWERS[args[2]]
        services.submit_assessment(user=None, actor=actor, period=period, answers=answers)
    elif kind == "delete":
        rows = Assessment.objects.filter(actor=actors[args[0]], period=world["periods"][args[1]])
        row = rows.filter(counted=True).first() if args[2] else rows.filter(counted=False).first()
        if row is not None:
            services.delete_assessment(user=world["admin"], assessment=row)
    elif kind == "rescore":
        target: Instrument = world["versions"][args[0]]
        chosen = [world["periods"][i] for i in sorted(args[1])]
        rescoring.queue_rescore(user=world["admin"], instrument=target, periods=chosen)
    elif kind == "move":
        actor = Actor.objects.get(pk=actors[args[0]].pk)
        update_actor(
            user=world["admin"],
            actor=actor,
            data={"sector": SECTORS[args[2]], "facilitator": world["facilitators"][args[3]]},
            village=Region.objects.get(code=VILLAGES[args[1]]),
            facilitator=world["facilitators"][args[3]],
        )


@given(steps=st.lists(operation, min_size=1, max_size=14))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_figure_equals_a_recount_from_the_raw_results(
    personas: Personas, steps: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        default, _created = services.load_default_instrument()
        periods = [
            services.create_period(
                user=None,
                code=code,
                name=code,
                starts_on=date(int(code), 1, 1),
                ends_on=date(int(code), 12, 31),
            )
            for code in PERIODS
        ]
        other = make_user("fasilitator-kendal", Role.FACILITATOR, "33.24")
        world = {
            "admin": personas.admin,
            "periods": periods,
            "versions": [default, new_version("2026.2", ir3=26), new_version("2026.3", ir3=22)],
            "facilitators": [None, personas.pendamping, other],
            "actors": [
                recount.register(village_code=VILLAGES[i % len(VILLAGES)], sector=SECTORS[i % 3])
                for i in range(ACTORS)
            ],
        }
        for step in steps:
            apply(step, world)
        client = Client()
        client.force_login(personas.admin)
        check_everything(client)
        kept = snapshot()
        aggregates.rebuild()
        assert snapshot() == kept
        transaction.set_rollback(True)
