"""The demo reproduces the 2019 evaluation: over the 21 model kab/kota, between the 2016
baseline and the 2018 round, 547 actors move IR 1 -> IR 2 and 546 IR 2 -> IR 3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from sinergi.accounts.models import User
from sinergi.analytics.tests import recount
from sinergi.demo.scenario import load_demo, transitions

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def full_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def api(username: str, path: str) -> Any:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_admin_sees_547_and_546_between_2016_and_2018() -> None:
    body = api("admin", "/api/v1/analytics/transitions?from=2016&to=2018")
    assert body["matrix"]["IR1"]["IR2"] == 547
    assert body["matrix"]["IR2"]["IR3"] == 546
    assert body["naik_kelas"] == [
        {"from": "IR1", "to": "IR2", "actors": 547},
        {"from": "IR2", "to": "IR3", "actors": 546},
    ]
    assert body["matrix"] == transitions("2016", "2018")
    assert body["up"] == sum(
        body["matrix"][a][b] for a, b in (("IR1", "IR2"), ("IR2", "IR3"), ("IR1", "IR3"))
    )


def test_the_model_regencies_add_up_to_the_nation() -> None:
    raw = recount.Raw()
    nation = api("admin", "/api/v1/analytics/levels?period=2018")
    assert nation["counts"] == {k: raw.levels("2018")[k] for k in ("IR1", "IR2", "IR3")}
    assert nation["registered"] == 3024
    phases = api("admin", "/api/v1/analytics/breakdown?period=2018&from=2016&by=phase")
    steps = sum(item["transitions"]["up"] for item in phases["items"])
    assert steps == api("admin", "/api/v1/analytics/transitions?from=2016&to=2018")["up"]
    assert [item["key"] for item in phases["items"]] == ["model"]


def test_rembang_sees_its_own_share_of_the_moves() -> None:
    body = api("dinas-rembang", "/api/v1/analytics/transitions?from=2016&to=2018")
    assert body["region"] == "33.17"
    raw = recount.Raw()
    assert body["total"] == sum(raw.transitions("2016", "2018", "33.17").values())
    assert 0 < body["up"] < 547 + 546


def test_the_dashboard_shows_the_same_numbers_in_a_light_page() -> None:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    response = client.get("/analytics/transitions/?from=2016&period=2018")
    body = response.content.decode()
    assert '<span class="stat-value" id="step-IR1-IR2">547</span>' in body
    assert '<span class="stat-value" id="step-IR2-IR3">546</span>' in body
    assert len(response.content) < 150_000
    levels = client.get("/analytics/")
    assert len(levels.content) < 150_000
    assert "Pemetaan 2018" in levels.content.decode()  # the latest period with results
