"""Storing results: the API, corrections, closed and locked periods, scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from sinergi.assessments import events, services
from sinergi.assessments.choices import PeriodStatus
from sinergi.assessments.models import Assessment, Period
from sinergi.assessments.scoring import check_answers
from sinergi.audit.models import Action, AuditEvent
from sinergi.regions.models import Region
from sinergi.test import KENDAL_VILLAGE, ActorFactory, Personas

pytestmark = pytest.mark.django_db

BEGINNER = {
    "workers": 0,
    "monthly_turnover": 1_000_000,
    "capital": 2_000_000,
    "production": "irregular",
    "equipment": "manual",
    "market_reach": "village",
    "bookkeeping": "none",
    "legality": [],
    "network": "none",
    "digital": "none",
}
ADVANCED = {
    "workers": 3,
    "monthly_turnover": 20_000_000,
    "capital": 60_000_000,
    "production": "daily",
    "equipment": "machine",
    "market_reach": "wider",
    "bookkeeping": "separate",
    "legality": ["nib", "pirt"],
    "network": "partner",
    "digital": "marketplace",
}


@pytest.fixture
def period(db: Any) -> Period:
    services.load_default_instrument()
    return services.create_period(
        user=None,
        code="2019",
        name="Pemetaan 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )


def api(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client: Client, actor: int, answers: dict[str, Any], period: str = "2019") -> Any:
    return client.post(
        "/api/v1/assessments",
        {"actor": actor, "period": period, "answers": answers},
        content_type="application/json",
    )


def test_it_scores_and_stores_a_result(personas: Personas, period: Period) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    response = post(api(personas.pendamping), actor.pk, ADVANCED)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == "IR3"
    assert body["total_score"] == 30
    assert body["aspects"]["legality"] == 3
    assert body["instrument"] == "ir-default@2026.1"
    assert body["period"] == "2019"
    assert body["explanation"]
    stored = Assessment.objects.get()
    assert stored.counted
    assert stored.answers["legality"] == ["nib", "pirt"]
    assert AuditEvent.objects.filter(object_type="assessment", action=Action.CREATE).exists()


def test_a_correction_adds_a_result_and_only_the_latest_counts(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    client = api(personas.rembang)
    first = post(client, actor.pk, BEGINNER).json()
    second = post(client, actor.pk, ADVANCED).json()
    assert (first["level"], second["level"]) == ("IR1", "IR3")
    history = client.get(f"/api/v1/assessments?actor={actor.pk}").json()
    assert history["count"] == 2
    by_id = {item["id"]: item for item in history["items"]}
    assert by_id[first["id"]]["superseded"] is True
    assert by_id[second["id"]]["counted"] is True
    assert Assessment.objects.get(pk=second["id"]).supersedes_id == first["id"]


def test_the_same_answers_again_store_nothing_new(personas: Personas, period: Period) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = api(personas.pendamping)
    first = post(client, actor.pk, ADVANCED)
    again = post(
        client, actor.pk, dict(reversed(list(ADVANCED.items()))) | {"legality": ["pirt", "nib"]}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["level"] == "IR3"
    assert Assessment.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="assessment").count() == 1
    changed = post(client, actor.pk, ADVANCED | {"workers": 4})
    assert changed.status_code == 201
    assert Assessment.objects.get(counted=True).pk == changed.json()["id"]


@pytest.mark.parametrize(
    ("change", "code", "fragment"),
    [
        ({"workers": -1}, "workers", "Must not be negative"),
        ({"workers": "banyak"}, "workers", "written in digits"),
        ({"production": "hourly"}, "production", "Unknown option 'hourly'"),
        ({"legality": ["nib", "sim"]}, "legality", "Unknown option"),
        ({"colour": "red"}, "colour", "no question 'colour'"),
    ],
)
def test_bad_answers_are_named_by_question_and_nothing_is_stored(
    personas: Personas, period: Period, change: dict[str, Any], code: str, fragment: str
) -> None:
    actor = ActorFactory()
    response = post(api(personas.rembang), actor.pk, {**BEGINNER, **change})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [code]
    assert fragment in response.json()["errors"][code][0]
    assert not Assessment.objects.exists()


def test_a_missing_answer_is_named(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    answers = {k: v for k, v in BEGINNER.items() if k != "capital"}
    response = post(api(personas.rembang), actor.pk, answers)
    assert response.status_code == 422
    assert "required" in response.json()["errors"]["capital"][0]


def test_a_closed_or_locked_period_refuses_results(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    client = api(personas.rembang)
    services.lock_period(
        user=personas.rembang, period=period, regency=Region.objects.get(code="33.17")
    )
    locked = post(client, actor.pk, BEGINNER)
    assert locked.status_code == 422
    assert "locked" in locked.json()["errors"]["period"][0]
    services.set_period_status(user=personas.admin, period=period, status=PeriodStatus.CLOSED)
    closed = post(client, actor.pk, BEGINNER)
    assert "closed" in closed.json()["errors"]["period"][0]
    assert not Assessment.objects.exists()


def test_an_unknown_period_is_named(personas: Personas, period: Period) -> None:
    response = post(api(personas.rembang), ActorFactory().pk, BEGINNER, period="2099")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["period"]


def test_scope_and_roles_decide_who_may_record(personas: Personas, period: Period) -> None:
    kendal_actor = ActorFactory(village_code=KENDAL_VILLAGE)
    other = ActorFactory()  # in Rembang but not in the facilitator's caseload
    assert post(api(personas.rembang), kendal_actor.pk, BEGINNER).status_code == 404
    assert post(api(personas.pendamping), other.pk, BEGINNER).status_code == 404
    assert post(api(personas.viewer), other.pk, BEGINNER).status_code == 403
    assert (
        Client().post("/api/v1/assessments", {}, content_type="application/json").status_code == 401
    )
    assert api(personas.kendal).get(f"/api/v1/assessments?actor={other.pk}").status_code == 404
    assert not Assessment.objects.exists()


def test_a_listener_hears_every_counted_change(personas: Personas, period: Period) -> None:
    heard: list[events.ResultChange] = []
    events.result_changed.listeners.append(heard.append)
    try:
        actor = ActorFactory()
        first = services.submit_assessment(
            user=personas.rembang, actor=actor, period=period, answers=BEGINNER
        ).assessment
        second = services.submit_assessment(
            user=personas.rembang, actor=actor, period=period, answers=ADVANCED
        ).assessment
    finally:
        events.result_changed.listeners.remove(heard.append)
    assert [(c.old, c.new) for c in heard] == [(None, first), (first, second)]


def test_the_actor_list_filters_by_level_in_a_period(personas: Personas, period: Period) -> None:
    later = services.create_period(
        user=None, code="2020", name="2020", starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31)
    )
    beginner, advanced, unassessed = ActorFactory(), ActorFactory(), ActorFactory()
    for actor, answers in ((beginner, BEGINNER), (advanced, ADVANCED)):
        services.submit_assessment(
            user=personas.rembang, actor=actor, period=period, answers=answers
        )
    services.submit_assessment(
        user=personas.rembang, actor=beginner, period=later, answers=ADVANCED
    )
    client = api(personas.rembang)
    in_2019 = client.get("/api/v1/actors?period=2019").json()
    assert {(i["id"], i["level"]) for i in in_2019["items"]} == {
        (beginner.pk, "IR1"),
        (advanced.pk, "IR3"),
    }
    assert [
        i["id"] for i in client.get("/api/v1/actors?period=2019&level=IR1").json()["items"]
    ] == [beginner.pk]
    latest = {i["id"]: i["level"] for i in client.get("/api/v1/actors").json()["items"]}
    assert latest == {beginner.pk: "IR3", advanced.pk: "IR3", unassessed.pk: None}
    assert client.get(f"/api/v1/actors/{beginner.pk}").json()["level"] == "IR3"
    assert list(client.get("/api/v1/actors?period=1999").json()["errors"]) == ["period"]
    assert list(client.get("/api/v1/actors?level=IR9").json()["errors"]) == ["level"]


# --- One door: the same answers again store nothing, whatever the channel ----------------


def submit(actor: Any, period: Period, **options: Any) -> services.Submitted:
    """The advanced answers for the actor, through the service, as the system."""
    return services.submit_assessment(
        user=None, actor=actor, period=period, answers=ADVANCED, **options
    )


def test_the_service_stores_nothing_for_the_answers_it_counts_already(period: Period) -> None:
    actor = ActorFactory()
    first = submit(actor, period)
    heard: list[Any] = []
    events.result_changed.listeners.append(heard.append)
    try:
        again = submit(actor, period)
    finally:
        events.result_changed.listeners.remove(heard.append)
    assert (first.stored, again.stored) == (True, False)
    assert again.assessment == first.assessment
    assert again.result == first.result
    assert heard == []
    assert AuditEvent.objects.filter(object_type="assessment").count() == 1


def test_store_repeat_stores_the_same_answers_as_a_new_result(period: Period) -> None:
    actor = ActorFactory()
    first = submit(actor, period)
    again = submit(actor, period, store_repeat=True)
    assert again.stored
    assert again.assessment.supersedes == first.assessment
    assert Assessment.objects.get(counted=True) == again.assessment


def test_the_api_answers_a_repeat_200_even_in_a_period_closed_since(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = api(personas.pendamping)
    first = post(client, actor.pk, ADVANCED)
    services.set_period_status(user=None, period=period, status=PeriodStatus.CLOSED)
    again = post(client, actor.pk, ADVANCED)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert post(client, actor.pk, BEGINNER).status_code == 422  # a change is refused
    assert Assessment.objects.count() == 1


def counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call of check_answers by the assessment service, counted."""
    calls: list[int] = []

    def counted(*args: Any) -> Any:
        calls.append(1)
        return check_answers(*args)

    monkeypatch.setattr("sinergi.assessments.services.check_answers", counted)
    return calls


def test_the_api_checks_the_answers_once(
    personas: Personas, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = api(personas.pendamping)
    calls = counting_checks(monkeypatch)
    assert post(client, actor.pk, ADVANCED).status_code == 201
    assert len(calls) == 1
    assert post(client, actor.pk, ADVANCED).status_code == 200
    assert len(calls) == 2
