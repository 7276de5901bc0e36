"""The mapping pages: assessing an actor, results, the timeline, periods and instruments."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus
from sinergi.assessments.instrument.reader import DEFAULT_FILE
from sinergi.assessments.models import Assessment, Instrument, Period, PeriodLock
from sinergi.assessments.tests import test_results
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.audit.models import Action, AuditEvent
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, ActorFactory, Personas, make_user

pytestmark = pytest.mark.django_db
period = test_results.period  # the default instrument and an open 2019 period


def login(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def form(answers: dict[str, Any], period: str = "2019") -> dict[str, Any]:
    """Answers as a browser posts them: any_of as a list, "none of these" (empty) ticked too."""
    data: dict[str, Any] = {"period": period}
    for code, value in answers.items():
        data[code] = ["", *value] if isinstance(value, list) else str(value)
    return data


def assess_url(actor: Actor) -> str:
    return f"/mapping/actors/{actor.pk}/assess/"


def preview_url(actor: Actor) -> str:
    return f"/mapping/actors/{actor.pk}/preview/"


def record(actor: Actor, answers: dict[str, Any], period: Period, user: Any = None) -> Assessment:
    return services.submit_assessment(
        user=user, actor=actor, period=period, answers=answers
    ).assessment


# --- Permissions ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(period: Period) -> None:
    actor = ActorFactory()
    result = record(actor, BEGINNER, period)
    paths = [
        assess_url(actor),
        f"/mapping/results/{result.pk}/",
        "/mapping/periods/",
        "/mapping/periods/new/",
        "/mapping/instruments/",
        "/mapping/instruments/new/",
    ]
    for path in paths:
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")
    posts = [
        preview_url(actor),
        f"/mapping/results/{result.pk}/verify/",
        f"/mapping/periods/{period.pk}/status/",
        f"/mapping/periods/{period.pk}/lock/",
        f"/mapping/instruments/{result.instrument_id}/retire/",
    ]
    for path in posts:
        assert Client().post(path)["Location"].startswith("/accounts/login/")


def test_out_of_scope_actors_and_results_are_404(personas: Personas, period: Period) -> None:
    actor = ActorFactory(village_code=KENDAL_VILLAGE)
    result = record(actor, BEGINNER, period)
    for user in (personas.rembang, personas.pendamping):
        client = login(user)
        assert client.get(assess_url(actor)).status_code == 404
        assert client.post(preview_url(actor), form(BEGINNER)).status_code == 404
        assert client.post(assess_url(actor), form(ADVANCED)).status_code == 404
        assert client.get(f"/mapping/results/{result.pk}/").status_code == 404
        assert client.post(f"/mapping/results/{result.pk}/verify/").status_code == 404
    assert Assessment.objects.count() == 1


def test_a_facilitator_assesses_only_her_own_actors(personas: Personas, period: Period) -> None:
    other = ActorFactory()
    assert login(personas.pendamping).get(assess_url(other)).status_code == 404


def test_a_viewer_reads_results_but_gets_403_on_writes(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    result = record(actor, BEGINNER, period)
    client = login(personas.viewer)
    assert client.get(f"/mapping/results/{result.pk}/").status_code == 200
    assert client.get(assess_url(actor)).status_code == 403
    assert client.post(assess_url(actor), form(ADVANCED)).status_code == 403
    assert client.post(preview_url(actor), form(ADVANCED)).status_code == 403
    assert client.post(f"/mapping/results/{result.pk}/verify/").status_code == 403
    assert Assessment.objects.count() == 1


def test_post_only_endpoints_refuse_get(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    result = record(actor, BEGINNER, period)
    client = login(personas.admin)
    for path in (
        preview_url(actor),
        f"/mapping/results/{result.pk}/verify/",
        f"/mapping/periods/{period.pk}/status/",
        f"/mapping/periods/{period.pk}/lock/",
        f"/mapping/periods/{period.pk}/unlock/",
        f"/mapping/instruments/{result.instrument_id}/publish/",
        f"/mapping/instruments/{result.instrument_id}/retire/",
    ):
        assert client.get(path).status_code == 405, path


def test_periods_and_instruments_are_404_below_national_admin(
    personas: Personas, period: Period
) -> None:
    instrument = Instrument.objects.get()
    for user in (personas.jateng, personas.rembang, personas.pendamping, personas.viewer):
        client = login(user)
        for path in (
            "/mapping/periods/new/",
            "/mapping/instruments/",
            "/mapping/instruments/new/",
            f"/mapping/instruments/{instrument.pk}/",
        ):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(f"/mapping/instruments/{instrument.pk}/retire/").status_code == 404
        status = {"status": PeriodStatus.CLOSED}
        assert client.post(f"/mapping/periods/{period.pk}/status/", status).status_code == 404
    instrument.refresh_from_db()
    period.refresh_from_db()
    assert (instrument.status, period.status) == (InstrumentStatus.PUBLISHED, PeriodStatus.OPEN)


# --- The assessment form -------------------------------------------------------------------


def test_the_form_shows_the_instruments_labels_in_the_active_language(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    english = login(personas.pendamping).get(assess_url(actor)).content.decode()
    assert "Number of workers besides the owner" in english
    assert 'inputmode="numeric"' in english
    assert 'type="radio" name="production" value="daily"' in english
    assert 'type="checkbox" name="legality" value="nib"' in english
    assert 'type="checkbox" name="legality" value=""' in english  # none of these
    assert 'hx-post="/mapping/actors/' in english
    indonesian = login(personas.pendamping, "id").get(assess_url(actor)).content.decode()
    assert "Jumlah tenaga kerja selain pemilik" in indonesian


def test_only_open_periods_are_offered(personas: Personas, period: Period) -> None:
    services.create_period(
        user=None,
        code="2018",
        name="Pemetaan 2018",
        starts_on=date(2018, 1, 1),
        ends_on=date(2018, 12, 31),
        status=PeriodStatus.CLOSED,
    )
    page = login(personas.rembang).get(assess_url(ActorFactory())).content.decode()
    assert '<option value="2019" selected>Pemetaan 2019</option>' in page
    assert '<option value="2018"' not in page


def test_without_an_open_period_the_form_says_so(personas: Personas, period: Period) -> None:
    services.set_period_status(user=None, period=period, status=PeriodStatus.CLOSED)
    page = login(personas.rembang).get(assess_url(ActorFactory())).content.decode()
    assert 'id="no-period"' in page
    assert "No mapping period is open" in page


def test_without_a_published_instrument_the_form_says_so(personas: Personas) -> None:
    services.create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    actor = ActorFactory()
    client = login(personas.rembang)
    assert "No instrument is published yet" in client.get(assess_url(actor)).content.decode()
    assert client.post(preview_url(actor), form(BEGINNER)).status_code == 200
    assert client.post(assess_url(actor), form(BEGINNER)).status_code == 400
    assert Assessment.objects.count() == 0


def test_the_preview_scores_the_answers_so_far(personas: Personas, period: Period) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = login(personas.pendamping)
    partial = client.post(
        preview_url(actor), {"period": "2019", "workers": "3", "production": "daily"}
    )
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body
    assert "6 points" in body
    assert "so far: 2 of 10 answered" in body
    full = client.post(preview_url(actor), form(ADVANCED)).content.decode()
    assert "IR 3 Advanced" in full
    assert "30 points" in full
    assert "all answered" in full
    assert Assessment.objects.count() == 0


def test_an_untouched_any_of_question_is_unanswered_and_none_of_these_is_an_answer(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    client = login(personas.rembang)
    answers = {k: v for k, v in BEGINNER.items() if k != "legality"}
    untouched = client.post(assess_url(actor), form(answers)).content.decode()
    assert "An answer is required" in untouched.split('id="q-legality"')[1]
    assert Assessment.objects.count() == 0
    preview = client.post(preview_url(actor), {"legality": ""}).content.decode()
    assert "so far: 1 of 10 answered" in preview


def test_the_preview_names_a_wrong_answer(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    body = (
        login(personas.rembang)
        .post(preview_url(actor), {"period": "2019", "workers": "-2"})
        .content.decode()
    )
    assert "Number of workers besides the owner" in body
    assert "negative" in body


def test_saving_stores_the_result_and_shows_level_and_explanation(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = login(personas.pendamping)
    response = client.post(assess_url(actor), form(BEGINNER))
    stored = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mapping/results/{stored.pk}/"
    assert (stored.level, stored.created_by, stored.source) == ("IR1", personas.pendamping, "web")
    assert stored.answers["legality"] == []
    page = client.get(response["Location"]).content.decode()
    assert "IR 1 Beginner" in page
    assert "10 of 30 points" in page
    assert "To reach IR 2: 7 more points" in page
    assert AuditEvent.objects.filter(object_type="assessment", action=Action.CREATE).exists()


def test_bad_answers_are_shown_by_question_and_nothing_is_stored(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    answers = {k: v for k, v in BEGINNER.items() if k != "capital"}
    response = login(personas.rembang).post(
        assess_url(actor), form({**answers, "workers": "banyak", "production": "hourly"})
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert Assessment.objects.count() == 0
    assert "nothing was saved" in body
    for code, fragment in (
        ("workers", "written in digits"),
        ("production", "Unknown option"),
        ("capital", "An answer is required"),
    ):
        question = body.split(f'id="q-{code}"')[1].split("</fieldset>")[0].split("</div>\n")[0]
        assert fragment in question, code
    assert 'value="banyak"' in body  # what she typed stays, to be corrected


def test_a_closed_period_is_refused_with_a_message_at_the_top(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    client = login(personas.rembang)
    page = client.get(assess_url(actor))
    services.set_period_status(user=None, period=period, status=PeriodStatus.CLOSED)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN)
    PeriodLock.objects.create(period=period, regency_id="33.17")
    response = client.post(assess_url(actor), form(ADVANCED))
    body = response.content.decode()
    assert page.status_code == 200
    assert response.status_code == 400
    assert 'id="refusal"' in body
    assert "locked for this regency" in body
    assert Assessment.objects.count() == 0


def test_a_period_closed_while_she_was_answering_is_refused(
    personas: Personas, period: Period
) -> None:
    services.create_period(
        user=None,
        code="2020",
        name="2020",
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    actor = ActorFactory()
    services.set_period_status(user=None, period=period, status=PeriodStatus.CLOSED)
    response = login(personas.rembang).post(assess_url(actor), form(ADVANCED))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Period 2019 is closed: no new results can be recorded." in body.split('id="refusal"')[1]
    assert Assessment.objects.count() == 0


def test_a_correction_supersedes_and_the_form_says_it_will(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    first = record(actor, BEGINNER, period)
    client = login(personas.pendamping)
    page = client.get(assess_url(actor) + "?period=2019").content.decode()
    assert 'id="replaces"' in page
    assert "replaces it" in page
    assert 'value="1000000"' in page  # the current answers, ready to correct
    client.post(assess_url(actor), form(ADVANCED))
    first.refresh_from_db()
    latest = Assessment.objects.latest("id")
    assert not first.counted
    assert latest.counted
    assert latest.supersedes == first
    detail = client.get(f"/mapping/results/{first.pk}/").content.decode()
    assert "no longer counts" in detail


def test_the_same_answers_sent_again_store_no_second_result(
    personas: Personas, period: Period
) -> None:
    """A form resent after its answer was lost on a weak connection is no new result."""
    actor = ActorFactory(facilitator=personas.pendamping)
    client = login(personas.pendamping)
    first = client.post(assess_url(actor), form(ADVANCED))
    again = client.post(assess_url(actor), form(ADVANCED), follow=True)
    assert again.redirect_chain[-1][0] == first["Location"]
    assert "already saved; nothing changed" in again.content.decode()
    assert Assessment.objects.count() == 1


def test_the_form_keeps_a_draft_through_its_own_script(personas: Personas, period: Period) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    page = login(personas.pendamping).get(assess_url(actor)).content.decode()
    assert f'data-draft="sinergi-draft:{personas.pendamping.pk}:{actor.pk}"' in page
    assert '<script src="/static/js/draft.js" defer></script>' in page
    assert "<script>" not in page
    for notice in ("draft-restored", "draft-offline", "draft-login", "draft-sending"):
        assert f'id="{notice}" role=' in page
    assert "draft.js" not in login(personas.pendamping).get("/actors/").content.decode()


# --- The timeline, the actor list ----------------------------------------------------------


@pytest.fixture
def periods(period: Period) -> list[Period]:
    return [
        services.create_period(
            user=None,
            code=str(year),
            name=f"Pemetaan {year}",
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
        )
        for year in (2016, 2017)
    ] + [period]


def test_the_timeline_shows_every_period_and_greys_superseded_results(
    personas: Personas, periods: list[Period]
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    old = record(actor, BEGINNER, periods[0])
    record(actor, ADVANCED, periods[0])
    record(actor, BEGINNER, periods[2])
    page = login(personas.pendamping).get(f"/actors/{actor.pk}/").content.decode()
    timeline = page.split('id="results"')[1].split("</section>")[0]
    assert timeline.index("2019") < timeline.index("2016")
    assert timeline.count('class="superseded"') == 1
    assert f"/mapping/results/{old.pk}/" in timeline.split('class="superseded"')[1]
    assert timeline.count("ir-default@2026.1") == 3
    assert "IR 3 Advanced" in timeline
    assert 'id="assess-actor"' in timeline
    assert 'id="current-level"' in page  # the latest period's level, by the name
    assert page.split('id="current-level"')[1].split("</span>")[0].endswith("IR1")


def test_a_viewer_sees_the_timeline_without_the_assess_button(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    record(actor, BEGINNER, period)
    page = login(personas.viewer).get(f"/actors/{actor.pk}/").content.decode()
    assert "IR 1 Beginner" in page
    assert 'id="assess-actor"' not in page


def test_the_timeline_query_count_does_not_grow_with_results(
    personas: Personas, periods: list[Period], django_assert_max_num_queries: Any
) -> None:
    actor = ActorFactory()
    for p in periods:
        for answers in (BEGINNER, ADVANCED, BEGINNER):
            record(actor, answers, p)
    client = login(personas.rembang)
    # 9 results in 3 periods: one query for them all. The view's audit row reads the chain's
    # head (and takes its lock on PostgreSQL); the consent history card reads one more.
    with django_assert_max_num_queries(11):  # the menu asks once whether she writes news
        assert client.get(f"/actors/{actor.pk}/").status_code == 200


def test_the_actor_list_shows_levels_and_filters_by_level_and_period(
    personas: Personas, periods: list[Period]
) -> None:
    beginner = ActorFactory(name="Ibu Pemula")
    advanced = ActorFactory(name="Ibu Maju")
    ActorFactory(name="Ibu Belum")
    record(beginner, BEGINNER, periods[2])
    record(advanced, ADVANCED, periods[0])
    client = login(personas.rembang)
    page = client.get("/actors/").content.decode()
    assert '<select id="id_level" name="level">' in page
    assert '<option value="2016">' in page
    assert '<option value="IR3">IR 3</option>' in page
    assert '<span class="badge level">IR3</span>' in page
    by_level = client.get("/actors/?level=IR3").content.decode()
    assert "Ibu Maju" in by_level
    assert "Ibu Pemula" not in by_level
    in_2019 = client.get("/actors/?period=2019").content.decode()
    assert "Ibu Pemula" in in_2019
    assert "Ibu Maju" not in in_2019
    assert "Ibu Belum" not in in_2019
    assert "is not a level" in client.get("/actors/?level=IR9").content.decode()


def test_the_actor_list_with_levels_keeps_its_query_count(
    personas: Personas, period: Period, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        record(ActorFactory(), ADVANCED, period)
    client = login(personas.rembang)
    with django_assert_max_num_queries(9):  # the level is a subquery; the menu asks about news
        assert client.get("/actors/?level=IR3").status_code == 200


# --- Verification --------------------------------------------------------------------------


def test_a_regency_officer_verifies_a_submitted_result(personas: Personas, period: Period) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    result = record(actor, BEGINNER, period, personas.pendamping)
    detail = login(personas.pendamping).get(f"/mapping/results/{result.pk}/").content.decode()
    assert "/verify/" not in detail
    assert (
        login(personas.pendamping).post(f"/mapping/results/{result.pk}/verify/").status_code == 403
    )
    client = login(personas.rembang)
    assert "/verify/" in client.get(f"/actors/{actor.pk}/").content.decode()
    response = client.post(f"/mapping/results/{result.pk}/verify/")
    result.refresh_from_db()
    assert response.status_code == 302
    assert (result.status, result.verified_by) == (AssessmentStatus.VERIFIED, personas.rembang)
    assert AuditEvent.objects.filter(
        object_type="assessment", object_id=str(result.pk), action=Action.UPDATE
    ).exists()
    again = client.post(f"/mapping/results/{result.pk}/verify/", follow=True).content.decode()
    assert "Only a submitted result can be verified" in again


def test_another_regencys_officer_cannot_verify(personas: Personas, period: Period) -> None:
    result = record(ActorFactory(), BEGINNER, period)
    assert login(personas.kendal).post(f"/mapping/results/{result.pk}/verify/").status_code == 404
    assert login(personas.jateng).post(f"/mapping/results/{result.pk}/verify/").status_code == 302


# --- Periods -------------------------------------------------------------------------------


def test_the_national_admin_creates_a_period(personas: Personas) -> None:
    client = login(personas.admin)
    data = {"code": "2016", "name": "Pemetaan 2016", "starts_on": "2016-01-01"}
    response = client.post("/mapping/periods/new/", {**data, "ends_on": "2016-12-31"})
    assert response.status_code == 302
    created = Period.objects.get(code="2016")
    assert (created.status, created.ends_on) == (PeriodStatus.OPEN, date(2016, 12, 31))
    assert AuditEvent.objects.filter(object_type="period", action=Action.CREATE).exists()
    assert "2016" in client.get("/mapping/periods/").content.decode()


def test_a_period_needs_a_new_code_and_an_end_after_its_start(personas: Personas) -> None:
    client = login(personas.admin)
    data = {"code": "2016", "name": "Pemetaan 2016", "starts_on": "2016-06-01"}
    backwards = client.post("/mapping/periods/new/", {**data, "ends_on": "2016-01-01"})
    assert backwards.status_code == 400
    assert "The end date is before the start date" in backwards.content.decode()
    client.post("/mapping/periods/new/", {**data, "ends_on": "2016-12-31"})
    twice = client.post("/mapping/periods/new/", {**data, "ends_on": "2016-12-31"})
    assert "already exists" in twice.content.decode()
    assert Period.objects.count() == 1


def test_the_national_admin_closes_and_reopens_a_period(personas: Personas, period: Period) -> None:
    client = login(personas.admin)
    url = f"/mapping/periods/{period.pk}/status/"
    assert client.post(url, {"status": PeriodStatus.CLOSED}).status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    page = login(personas.rembang).get(assess_url(ActorFactory())).content.decode()
    assert "No mapping period is open" in page
    client.post(url, {"status": PeriodStatus.OPEN})
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert client.post(url, {"status": "sideways"}).status_code == 400


def test_a_regency_officer_locks_and_unlocks_her_regency(
    personas: Personas, period: Period
) -> None:
    record(ActorFactory(), BEGINNER, period)
    client = login(personas.rembang)
    page = client.get("/mapping/periods/").content.decode()
    assert "Lock Rembang" in page.replace("Kabupaten ", "").replace("KAB. ", "")
    assert "1 result not verified yet" in page
    assert "/mapping/periods/new/" not in page
    assert f"/mapping/periods/{period.pk}/status/" not in page
    lock = f"/mapping/periods/{period.pk}/lock/"
    assert client.post(lock, {"regency": "33.17"}).status_code == 302
    assert PeriodLock.objects.filter(period=period, regency_id="33.17").exists()
    refused = client.post(assess_url(ActorFactory()), form(ADVANCED)).content.decode()
    assert "locked for this regency" in refused
    assert (
        client.post(f"/mapping/periods/{period.pk}/unlock/", {"regency": "33.17"}).status_code
        == 302
    )
    assert not PeriodLock.objects.exists()


def test_an_officer_cannot_lock_another_regency(personas: Personas, period: Period) -> None:
    lock = f"/mapping/periods/{period.pk}/lock/"
    assert login(personas.kendal).post(lock, {"regency": "33.17"}).status_code == 404
    assert login(personas.admin).post(lock, {"regency": "33.17"}).status_code == 404
    assert login(personas.pendamping).post(lock, {"regency": "33.17"}).status_code == 404
    assert not PeriodLock.objects.exists()
    assert Region.objects.filter(code="33.17").exists()


# --- Instruments ---------------------------------------------------------------------------


def test_the_admin_lists_and_reads_an_instrument(personas: Personas, period: Period) -> None:
    instrument = Instrument.objects.get()
    client = login(personas.admin)
    listing = client.get("/mapping/instruments/").content.decode()
    assert "ir-default@2026.1" in listing
    assert "in use" in listing
    detail = client.get(f"/mapping/instruments/{instrument.pk}/").content.decode()
    for text in (
        "Number of workers besides the owner",
        "3,000,000 – 14,999,999",
        "NIB and a P-IRT, halal or BPOM",
        "IR 3 Advanced",
        "Legality score ≥ 2",
        "Ready to graduate to a small business",
    ):
        assert text in detail, text
    indonesian = login(personas.admin, "id").get(f"/mapping/instruments/{instrument.pk}/")
    assert "Jumlah tenaga kerja selain pemilik" in indonesian.content.decode()


def test_an_invalid_upload_lists_its_problems_by_line_and_stores_nothing(
    personas: Personas,
) -> None:
    source = DEFAULT_FILE.read_text(encoding="utf-8").replace("min_total: 17", "min_total: -1")
    response = login(personas.admin).post("/mapping/instruments/new/", {"source": source})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="problems"' in body
    assert "line " in body.split('id="problems"')[1]
    assert Instrument.objects.count() == 0
    broken = login(personas.admin).post("/mapping/instruments/new/", {"source": "code: [x"})
    assert "line 1" in broken.content.decode() or "line 2" in broken.content.decode()


def test_an_empty_upload_asks_for_a_definition(personas: Personas) -> None:
    response = login(personas.admin).post("/mapping/instruments/new/", {"source": "  "})
    assert "Paste a definition or choose a file" in response.content.decode()


def test_a_valid_upload_is_a_draft_then_published_then_retired(
    personas: Personas, period: Period
) -> None:
    source = DEFAULT_FILE.read_text(encoding="utf-8").replace('"2026.1"', '"2026.2"')
    client = login(personas.admin)
    upload = SimpleUploadedFile("ir-2026.2.yaml", source.encode(), content_type="application/yaml")
    response = client.post("/mapping/instruments/new/", {"source": "", "file": upload})
    draft = Instrument.objects.get(version="2026.2")
    assert response["Location"] == f"/mapping/instruments/{draft.pk}/"
    assert draft.status == InstrumentStatus.DRAFT
    assert "/publish/" in client.get(response["Location"]).content.decode()
    client.post(f"/mapping/instruments/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == InstrumentStatus.PUBLISHED
    assert services.current_instrument() == draft
    page = client.get(f"/mapping/instruments/{draft.pk}/").content.decode()
    assert "/publish/" not in page
    assert "Published versions are final" in page
    assert f"/mapping/rescore/new/?instrument={draft.pk}" in page
    client.post(f"/mapping/instruments/{draft.pk}/retire/")
    draft.refresh_from_db()
    assert draft.status == InstrumentStatus.RETIRED
    again = client.post(f"/mapping/instruments/{draft.pk}/publish/", follow=True)
    assert "Only a draft can be published" in again.content.decode()
    changes = AuditEvent.objects.filter(object_type="instrument", user=personas.admin)
    assert changes.filter(action=Action.UPDATE).count() == 2


def test_the_same_version_twice_is_refused(personas: Personas, period: Period) -> None:
    source = DEFAULT_FILE.read_text(encoding="utf-8")
    response = login(personas.admin).post("/mapping/instruments/new/", {"source": source})
    assert "already exists" in response.content.decode()
    assert Instrument.objects.count() == 1


def test_the_navigation_shows_mapping_admin_links_by_role(
    personas: Personas, period: Period
) -> None:
    admin = login(personas.admin).get("/actors/").content.decode()
    officer = login(personas.rembang).get("/actors/").content.decode()
    facilitator = login(personas.pendamping).get("/actors/").content.decode()
    assert "/mapping/instruments/" in admin
    assert "/mapping/periods/" in admin
    assert "/mapping/periods/" in officer
    assert "/mapping/instruments/" not in officer
    assert "/mapping/periods/" not in facilitator
    province = make_user("prov-two", Role.PROVINCE_OFFICER, "61")
    assert "/mapping/periods/" not in login(province).get("/actors/").content.decode()


def test_the_same_answers_sent_again_after_a_lock_are_still_answered_as_saved(
    personas: Personas, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = ActorFactory(facilitator=personas.pendamping)
    client = login(personas.pendamping)
    calls = test_results.counting_checks(monkeypatch)
    first = client.post(assess_url(actor), form(ADVANCED))
    assert len(calls) == 1  # checked once, by the service
    regency = Region.objects.get(code=actor.regency_code)
    services.lock_period(user=personas.rembang, period=period, regency=regency)
    again = client.post(assess_url(actor), form(ADVANCED), follow=True)
    assert again.redirect_chain[-1][0] == first["Location"]
    assert "already saved; nothing changed" in again.content.decode()
    assert Assessment.objects.count() == 1
