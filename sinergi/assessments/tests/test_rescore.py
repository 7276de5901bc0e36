"""Re-scoring stored results under a new instrument version: the job, its report, the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from sinergi.assessments import events, rescoring, services, tasks
from sinergi.assessments.choices import AssessmentStatus, InstrumentStatus, PeriodStatus, Source
from sinergi.assessments.instrument.reader import DEFAULT_FILE
from sinergi.assessments.models import Assessment, Instrument, Period, RescoreJob
from sinergi.assessments.scoring import check_answers, score
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.audit.models import Action, AuditEvent
from sinergi.lib.jobs import JobStatus
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, REMBANG_VILLAGE, REMBANG_VILLAGE_2, ActorFactory, Personas

pytestmark = pytest.mark.django_db

# Total 24 with both gates met: IR 3 under the default version, IR 2 once IR 3 needs 26.
BORDER = ADVANCED | {"workers": 0, "monthly_turnover": 1_000_000, "capital": 2_000_000}
MARKETPLACE = "          - code: marketplace\n"  # the last option of the last question


def new_version(version: str, *, ir3: int = 26, without_marketplace: bool = False) -> Instrument:
    """The default instrument under another version: IR 3 at `ir3`, maybe an option fewer."""
    source = DEFAULT_FILE.read_text(encoding="utf-8")
    source = source.replace('version: "2026.1"', f'version: "{version}"')
    source = source.replace("min_total: 24", f"min_total: {ir3}")
    if without_marketplace:
        source = source[: source.index(MARKETPLACE)] + source[source.index("\nlevels:") :]
    instrument = services.upload_instrument(user=None, source=source)
    return services.publish_instrument(user=None, instrument=instrument)


@dataclass
class Mapping:
    old: Instrument
    new: Instrument
    p2018: Period
    p2019: Period
    rembang: list[Actor]  # two in one district, one in another
    kendal: Actor


def period(code: str) -> Period:
    year = int(code)
    return services.create_period(
        user=None, code=code, name=code, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
    )


def submit(actor: Actor, p: Period, answers: dict[str, Any]) -> Assessment:
    return services.submit_assessment(user=None, actor=actor, period=p, answers=answers).assessment


@pytest.fixture
def mapping(db: Any) -> Mapping:
    old, _created = services.load_default_instrument()
    p2018, p2019 = period("2018"), period("2019")
    rembang: list[Actor] = [
        ActorFactory(village_code=REMBANG_VILLAGE),
        ActorFactory(village_code=REMBANG_VILLAGE),
        ActorFactory(village_code=REMBANG_VILLAGE_2),
    ]
    kendal = ActorFactory(village_code=KENDAL_VILLAGE)
    for p in (p2018, p2019):
        submit(rembang[0], p, BORDER)
        submit(rembang[1], p, ADVANCED)
        submit(rembang[2], p, BEGINNER)
        submit(kendal, p, BORDER)
    return Mapping(old, new_version("2026.2"), p2018, p2019, rembang, kendal)


def rescore(user: Any, m: Mapping, periods: list[Period], region: str = "") -> RescoreJob:
    job = rescoring.queue_rescore(user=user, instrument=m.new, periods=periods, region_code=region)
    job.refresh_from_db()
    return job


def counted(**filters: Any) -> list[Assessment]:
    return list(Assessment.objects.filter(counted=True, **filters).order_by("actor_id", "id"))


def test_it_adds_new_results_under_the_new_version_and_keeps_the_old_ones(
    personas: Personas, mapping: Mapping
) -> None:
    old_rows = counted(period=mapping.p2019, regency_code="33.17")
    job = rescore(personas.admin, mapping, [mapping.p2019], "33.17")
    assert job.status == JobStatus.DONE
    assert (job.total, job.processed, job.rescored, job.invalid) == (3, 3, 3, 0)
    new_rows = counted(period=mapping.p2019, regency_code="33.17")
    assert [r.supersedes_id for r in new_rows] == [r.pk for r in old_rows]
    for old, new in zip(old_rows, new_rows, strict=True):
        assert new.instrument == mapping.new
        assert new.source == Source.RESCORE
        assert new.status == old.status
        assert new.answers == old.answers
        assert new.created_by == personas.admin
        old.refresh_from_db()
        assert old.counted is False
        assert old.instrument == mapping.old


def test_levels_and_scores_are_what_the_pure_engine_says(
    personas: Personas, mapping: Mapping
) -> None:
    rescore(personas.admin, mapping, [mapping.p2019], "33.17")
    scoring = services.compiled(mapping.new)
    rows = counted(period=mapping.p2019, regency_code="33.17")
    assert [r.level for r in rows] == ["IR2", "IR3", "IR1"]
    for row in rows:
        clean, problems = check_answers(scoring, row.answers)
        assert clean is not None, problems
        expected = score(scoring, clean)
        assert (row.level, row.total_score, row.aspects, row.graduate) == (
            expected.level,
            expected.total,
            expected.aspects,
            expected.graduate,
        )
        assert services.result_of(row).level == row.level


def test_other_periods_and_regions_are_untouched(personas: Personas, mapping: Mapping) -> None:
    rescore(personas.admin, mapping, [mapping.p2019], "33.17")
    untouched = counted(period=mapping.p2018) + counted(period=mapping.p2019, regency_code="33.24")
    assert len(untouched) == 5
    assert all(r.instrument_id == mapping.old.pk for r in untouched)
    assert Assessment.objects.count() == 8 + 3


def test_a_district_code_selects_only_that_districts_actors(
    personas: Personas, mapping: Mapping
) -> None:
    job = rescore(personas.admin, mapping, [mapping.p2018, mapping.p2019], "33.17.04")
    assert job.rescored == 4
    assert {r.actor_id for r in counted(instrument=mapping.new)} == {
        mapping.rembang[0].pk,
        mapping.rembang[1].pk,
    }


def test_the_whole_country_when_no_region_is_given(personas: Personas, mapping: Mapping) -> None:
    job = rescore(personas.admin, mapping, [mapping.p2018, mapping.p2019])
    assert job.rescored == 8
    assert not counted(instrument=mapping.old)


def test_the_report_counts_level_changes_by_regency(personas: Personas, mapping: Mapping) -> None:
    job = rescore(personas.admin, mapping, [mapping.p2019])
    assert job.report == {
        "levels": ["IR1", "IR2", "IR3"],
        "regencies": {
            "33.17": {
                "rescored": 3,
                "up": 0,
                "same": 2,
                "down": 1,
                "invalid": 0,
                "moves": {"IR3": {"IR2": 1, "IR3": 1}, "IR1": {"IR1": 1}},
            },
            "33.24": {
                "rescored": 1,
                "up": 0,
                "same": 0,
                "down": 1,
                "invalid": 0,
                "moves": {"IR3": {"IR2": 1}},
            },
        },
    }
    assert job.changed == 2


def test_a_lower_threshold_moves_results_up(personas: Personas, mapping: Mapping) -> None:
    almost = submit(mapping.rembang[2], mapping.p2018, BORDER | {"digital": "chat"})  # total 23
    assert almost.level == "IR2"
    lower = new_version("2026.3", ir3=22)
    job = rescoring.queue_rescore(
        user=personas.admin, instrument=lower, periods=[mapping.p2018], region_code="33.17"
    )
    job.refresh_from_db()
    counts = job.report["regencies"]["33.17"]
    assert (counts["up"], counts["same"], counts["down"]) == (1, 2, 0)
    assert counts["moves"] == {"IR2": {"IR3": 1}, "IR3": {"IR3": 2}}


def test_running_the_job_twice_changes_nothing_the_second_time(
    personas: Personas, mapping: Mapping
) -> None:
    job = rescore(personas.admin, mapping, [mapping.p2019], "33.17")
    rows = Assessment.objects.count()
    assert rescoring.run_rescore(job.pk) is None
    again = rescore(personas.admin, mapping, [mapping.p2019], "33.17")
    assert (again.status, again.total, again.rescored) == (JobStatus.DONE, 0, 0)
    assert Assessment.objects.count() == rows


def test_listeners_hear_every_change_one_at_a_time_or_in_batches(
    personas: Personas, mapping: Mapping, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes: list[events.ResultChange] = []
    batches: list[list[events.ResultMove]] = []
    monkeypatch.setattr(events.result_changed, "listeners", [changes.append])
    monkeypatch.setattr(events.results_moved, "listeners", [lambda ms: batches.append(list(ms))])
    rescore(personas.admin, mapping, [mapping.p2019])
    new_rows = counted(period=mapping.p2019)
    moves = [m for batch in batches for m in batch]
    assert sorted((m.old_id, m.new_id, m.new_level) for m in moves) == sorted(
        (r.supersedes_id, r.pk, r.level) for r in new_rows
    )
    assert sorted((c.old.pk, c.new.pk) for c in changes if c.old and c.new) == sorted(
        (r.supersedes_id, r.pk) for r in new_rows
    )
    assert len(changes) == 4
    # Both flags, and whether the answers were kept as they were (this version changed a
    # threshold only, so they were).
    old_rows = Assessment.objects.in_bulk([m.old_id for m in moves])
    new_rows_by_id = {r.pk: r for r in new_rows}
    for m in moves:
        assert m.old_id is not None
        assert m.new_id is not None
        old_row, new_row = old_rows[m.old_id], new_rows_by_id[m.new_id]
        assert (m.old_graduate, m.new_graduate) == (old_row.graduate, new_row.graduate)
        assert m.same_answers
        assert old_row.answers == new_row.answers
    assert {(c.actor_id, c.regency_code) for c in changes} == {
        (r.actor_id, r.regency_code) for r in new_rows
    }
    submit(mapping.kendal, mapping.p2019, ADVANCED)
    assert len(changes) == 5
    assert batches[-1][0].new_level == "IR3"


def test_chunks_and_batches_give_what_one_pass_gives(
    personas: Personas, mapping: Mapping, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[events.ResultMove]] = []
    monkeypatch.setattr(events.results_moved, "listeners", [lambda ms: batches.append(list(ms))])
    monkeypatch.setattr(rescoring, "RESCORE_CHUNK", 3)
    monkeypatch.setattr(rescoring, "RESCORE_BATCH", 2)
    job = rescore(personas.admin, mapping, [mapping.p2018, mapping.p2019])
    assert (job.status, job.processed, job.rescored, job.changed) == (JobStatus.DONE, 8, 8, 4)
    assert [len(b) for b in batches] == [3, 3, 2]  # one announcement per chunk
    scoring = services.compiled(mapping.new)
    for row in counted():
        assert row.instrument == mapping.new
        assert row.level == score(scoring, check_answers(scoring, row.answers)[0] or {}).level


def test_a_failure_while_scoring_fails_the_job_and_keeps_whole_chunks(
    personas: Personas, mapping: Mapping, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []  # counted in the worker process, which scores

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise ValueError("scoring broke")
        return score(*args, **kwargs)

    monkeypatch.setattr(rescoring, "RESCORE_CHUNK", 3)
    monkeypatch.setattr(rescoring, "score", failing)
    job = rescore(personas.admin, mapping, [mapping.p2018, mapping.p2019])
    assert (job.status, job.processed, job.rescored) == (JobStatus.FAILED, 3, 3)
    assert len(counted(instrument=mapping.new)) == 3
    assert len(counted(instrument=mapping.old)) == 5
    assert not calls  # the job's own process never scored
    audit = AuditEvent.objects.filter(object_type="rescore_job").latest("id")
    assert audit.after is not None
    assert audit.after["status"] == JobStatus.FAILED


def test_answers_that_no_longer_fit_are_reported_not_stored(
    personas: Personas, mapping: Mapping
) -> None:
    fewer = new_version("2026.4", without_marketplace=True)
    job = rescoring.queue_rescore(
        user=personas.admin, instrument=fewer, periods=[mapping.p2019], region_code="33.17"
    )
    job.refresh_from_db()
    # ADVANCED and BORDER choose marketplace: only BEGINNER fits
    assert (job.rescored, job.invalid) == (1, 2)
    assert job.report["regencies"]["33.17"]["invalid"] == 2
    assert (
        not Assessment.objects.filter(instrument=fewer).exclude(actor=mapping.rembang[2]).exists()
    )
    message = job.messages[0]
    assert set(message) == {"assessment", "actor", "period", "regency", "problems"}
    assert message["period"] == mapping.p2019.pk
    assert "digital" in message["problems"]
    with translation.override("en"):
        reasons = rescoring.rescore_problems(message)
    assert "Unknown option 'marketplace'" in reasons["digital"][0]
    still = Assessment.objects.get(pk=message["assessment"])
    assert still.counted
    assert still.instrument == mapping.old


def test_closed_and_locked_periods_are_rescored_too(personas: Personas, mapping: Mapping) -> None:
    services.set_period_status(user=None, period=mapping.p2018, status=PeriodStatus.CLOSED)
    services.lock_period(user=None, period=mapping.p2019, regency=Region.objects.get(code="33.17"))
    job = rescore(personas.admin, mapping, [mapping.p2018, mapping.p2019], "33.17")
    assert job.rescored == 6


def test_a_verified_result_stays_verified(personas: Personas, mapping: Mapping) -> None:
    row = counted(period=mapping.p2019, actor=mapping.kendal)[0]
    services.verify_assessment(user=personas.kendal, assessment=row)
    rescore(personas.admin, mapping, [mapping.p2019], "33.24")
    new = counted(period=mapping.p2019, actor=mapping.kendal)[0]
    assert new.status == AssessmentStatus.VERIFIED
    assert new.verified_by == personas.kendal
    assert new.verified_at == Assessment.objects.get(pk=row.pk).verified_at


def test_the_run_is_audited_once_not_per_result(personas: Personas, mapping: Mapping) -> None:
    before = AuditEvent.objects.count()
    job = rescore(personas.admin, mapping, [mapping.p2019])
    events = AuditEvent.objects.filter(object_type="rescore_job", object_id=str(job.pk))
    assert [e.action for e in events.order_by("id")] == [Action.CREATE, Action.UPDATE]
    done = events.get(action=Action.UPDATE)
    assert done.user == personas.admin
    assert done.after is not None
    assert (done.after["rescored"], done.after["changed"], done.after["invalid"]) == (4, 2, 0)
    assert AuditEvent.objects.count() == before + 2


def test_only_a_national_admin_rescores_and_only_with_a_published_version(
    personas: Personas, mapping: Mapping
) -> None:
    with pytest.raises(services.Refused) as refused:
        rescoring.queue_rescore(user=personas.jateng, instrument=mapping.new, periods=[])
    assert set(refused.value.errors) == {"user", "periods"}
    draft = services.upload_instrument(
        user=None, source=DEFAULT_FILE.read_text(encoding="utf-8").replace('"2026.1"', '"2027.1"')
    )
    with pytest.raises(services.Refused) as refused:
        rescoring.queue_rescore(
            user=personas.admin, instrument=draft, periods=[mapping.p2019], region_code="99.99"
        )
    assert set(refused.value.errors) == {"instrument", "region_code"}
    assert not RescoreJob.objects.exists()


# --- Pages -----------------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_pages_are_only_for_national_admins(personas: Personas, mapping: Mapping) -> None:
    job = rescore(personas.admin, mapping, [mapping.p2019])
    pages = [f"/mapping/rescore/new/?instrument={mapping.new.pk}", f"/mapping/rescore/{job.pk}/"]
    for page in pages:
        assert Client().get(page).status_code == 302
        assert login(personas.admin).get(page).status_code == 200
        for who in ("jateng", "rembang", "kendal", "pendamping", "viewer"):
            assert login(getattr(personas, who)).get(page).status_code == 404, (page, who)
        assert login(personas.admin).put(page).status_code == 405
    assert login(personas.jateng).post(pages[0], {"periods": [mapping.p2019.pk]}).status_code == 404
    assert RescoreJob.objects.count() == 1


def test_a_draft_or_unknown_version_is_404(personas: Personas, mapping: Mapping) -> None:
    services.retire_instrument(user=None, instrument=mapping.old)
    client = login(personas.admin)
    assert client.get(f"/mapping/rescore/new/?instrument={mapping.old.pk}").status_code == 404
    assert client.get("/mapping/rescore/new/?instrument=999999").status_code == 404
    assert client.get("/mapping/rescore/new/?instrument=x").status_code == 404
    page = client.get("/mapping/rescore/new/").content.decode()
    assert "ir-default@2026.2" in page


def test_the_form_starts_a_job_and_shows_its_report(personas: Personas, mapping: Mapping) -> None:
    client = login(personas.admin)
    response = client.post(
        f"/mapping/rescore/new/?instrument={mapping.new.pk}",
        {"periods": [mapping.p2019.pk], "region_code": "3317"},
    )
    job = RescoreJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mapping/rescore/{job.pk}/"
    assert job.region_code == "33.17"
    assert job.status == JobStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert "REMBANG" in page.upper()
    assert "IR3 → IR2" in page
    assert 'id="rescored-count">3<' in page
    assert "hx-get" not in page


def test_the_form_names_the_wrong_fields(personas: Personas, mapping: Mapping) -> None:
    url = f"/mapping/rescore/new/?instrument={mapping.new.pk}"
    client = login(personas.admin)
    response = client.post(url, {"region_code": "Rembang"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"periods", "region_code"}
    assert "Choose at least one period." in form.errors["periods"]
    assert "33.17" in form.errors["region_code"][0]
    response = client.post(url, {"periods": [mapping.p2019.pk, 999999], "region_code": "99.99"})
    assert set(response.context["form"].errors) == {"periods", "region_code"}
    assert "No region has the code 99.99." in response.context["form"].errors["region_code"]
    assert not RescoreJob.objects.exists()


def test_htmx_polls_a_running_job_with_the_progress_partial(
    personas: Personas, mapping: Mapping
) -> None:
    job = RescoreJob.objects.create(
        instrument=mapping.new, created_by=personas.admin, total=10_000, processed=2_500
    )
    job.periods.set([mapping.p2019])
    client = login(personas.admin)
    full = client.get(f"/mapping/rescore/{job.pk}/").content.decode()
    assert "<html" in full
    partial = client.get(f"/mapping/rescore/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert f'hx-get="/mapping/rescore/{job.pk}/"' in partial
    assert 'value="25"' in partial
    assert "2.500" in partial or "2,500" in partial


def test_the_job_page_lists_results_not_rescored(personas: Personas, mapping: Mapping) -> None:
    fewer = new_version("2026.4", without_marketplace=True)
    job = rescoring.queue_rescore(
        user=personas.admin, instrument=fewer, periods=[mapping.p2019], region_code="33.24"
    )
    page = login(personas.admin).get(f"/mapping/rescore/{job.pk}/").content.decode()
    assert "Results not re-scored" in page
    assert f"/actors/{mapping.kendal.pk}/" in page
    assert "Unknown option &#x27;marketplace&#x27;" in page


def test_a_published_target_must_differ_for_rows_to_change(
    personas: Personas, mapping: Mapping
) -> None:
    assert Instrument.objects.filter(status=InstrumentStatus.PUBLISHED).count() == 2
    job = rescoring.queue_rescore(
        user=personas.admin, instrument=mapping.old, periods=[mapping.p2019]
    )
    job.refresh_from_db()
    assert (job.total, job.rescored) == (0, 0)


def stalled_rescore(personas: Personas, m: Mapping, attempts: int) -> RescoreJob:
    """A re-score left running by a consumer that was killed ten minutes ago."""
    before = timezone.now() - timedelta(minutes=10)
    job = RescoreJob.objects.create(
        instrument=m.new,
        created_by=personas.admin,
        status=JobStatus.RUNNING,
        started_at=before,
        heartbeat_at=before,
        attempts=attempts,
        processed=2,
    )
    job.periods.set([m.p2019])
    return job


def test_a_rescore_whose_consumer_was_killed_runs_again(
    personas: Personas, mapping: Mapping
) -> None:
    job = stalled_rescore(personas, mapping, attempts=1)
    tasks.recover_stalled_rescores()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rescored) == (JobStatus.DONE, 2, 4)
    assert len(counted(period=mapping.p2019)) == 4  # one counted result each, none doubled


def test_a_rescore_out_of_attempts_is_failed_saying_what_was_kept(
    personas: Personas, mapping: Mapping
) -> None:
    job = stalled_rescore(personas, mapping, attempts=3)
    tasks.recover_stalled_rescores()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert (
        "process was killed 3 times" in job.report["stopped"] or "3 kali" in job.report["stopped"]
    )
    page = login(personas.admin).get(f"/mapping/rescore/{job.pk}/").content.decode()
    assert 'id="job-stopped"' in page
