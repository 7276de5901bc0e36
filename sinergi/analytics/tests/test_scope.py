"""Who sees which figures: every analytics endpoint answers within the caller's scope only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.analytics.tests import recount
from sinergi.analytics.tests.test_aggregates import submit
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.test import KENDAL_VILLAGE, LANDAK_VILLAGE, Personas

pytestmark = pytest.mark.django_db

ENDPOINTS = (
    "/api/v1/analytics/levels?period=2019",
    "/api/v1/analytics/transitions?from=2018&to=2019",
    "/api/v1/analytics/trend?",
    "/api/v1/analytics/breakdown?period=2019&by=sector",
)


@pytest.fixture
def mapped(personas: Personas, rounds: Any) -> None:
    """Two Rembang actors (one in the facilitator's caseload), one in Kendal, one in Landak."""
    p2018, p2019 = rounds
    hers = recount.register(facilitator=personas.pendamping)
    others = [
        recount.register(),
        recount.register(village_code=KENDAL_VILLAGE),
        recount.register(village_code=LANDAK_VILLAGE),
    ]
    for actor in (hers, *others):
        submit(actor, p2018, BEGINNER)
        submit(actor, p2019, ADVANCED if actor is hers else BEGINNER)


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def status(user: User | None, path: str) -> int:
    return int(client_for(user).get(path).status_code)


def total(user: User, region: str = "") -> Any:
    suffix = f"&region={region}" if region else ""
    response = client_for(user).get(f"/api/v1/analytics/levels?period=2019{suffix}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.usefixtures("mapped")
def test_each_role_lands_on_its_own_scope(personas: Personas) -> None:
    assert (total(personas.admin)["region"], total(personas.admin)["total"]) == (None, 4)
    assert (total(personas.jateng)["region"], total(personas.jateng)["total"]) == ("33", 3)
    assert (total(personas.rembang)["region"], total(personas.rembang)["total"]) == ("33.17", 2)
    assert (total(personas.kendal)["region"], total(personas.kendal)["total"]) == ("33.24", 1)
    assert (total(personas.viewer)["region"], total(personas.viewer)["total"]) == ("33.17", 2)


@pytest.mark.usefixtures("mapped")
def test_a_facilitator_sees_her_caseload_only(personas: Personas) -> None:
    body = total(personas.pendamping)
    assert (body["region"], body["total"], body["registered"]) == ("33.17", 1, 1)
    assert body["counts"]["IR3"] == 1
    moves = client_for(personas.pendamping).get("/api/v1/analytics/transitions?from=2018&to=2019")
    assert moves.json()["up"] == 1
    assert total(personas.pendamping, "33.17.04")["total"] == 1


@pytest.mark.usefixtures("mapped")
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_region_outside_the_scope_is_not_found(personas: Personas, path: str) -> None:
    outside = {
        "jateng": ("61", "61.08", "11"),
        "rembang": ("33", "33.24", "33.24.01.2001", "61.08"),
        "kendal": ("33.17", "33.17.04"),
        "pendamping": ("33", "33.24"),
        "viewer": ("33", "33.24"),
    }
    for who, codes in outside.items():
        for code in codes:
            assert status(getattr(personas, who), f"{path}&region={code}") == 404, (who, code)
    for code in ("99.99", "abc", "33.17.99"):
        assert status(personas.admin, f"{path}&region={code}") == 404
    assert status(None, path) == 401
    assert status(personas.rembang, f"{path}&region=33.17.04") == 200
    assert status(personas.jateng, f"{path}&region=33.24") == 200


def test_a_user_without_a_role_sees_nothing(db: Any, rounds: Any) -> None:
    nobody = User.objects.create_user(username="nobody", password="x-1")
    for path in ENDPOINTS:
        assert status(nobody, path) == 404


@pytest.mark.usefixtures("mapped")
def test_bad_periods_and_breakdowns_are_refused(personas: Personas) -> None:
    client = client_for(personas.admin)
    bad = client.get("/api/v1/analytics/levels?period=2030")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"period": ["Period 2030 does not exist."]}
    same = client.get("/api/v1/analytics/transitions?from=2019&to=2019")
    assert same.status_code == 422
    assert "to" in same.json()["errors"]
    assert client.get("/api/v1/analytics/breakdown?period=2019&by=colour").status_code == 422
    national = client.get("/api/v1/analytics/breakdown?period=2019&by=facilitator")
    assert national.status_code == 422
    regency = client.get("/api/v1/analytics/breakdown?period=2019&by=facilitator&region=33.17")
    assert regency.status_code == 200
