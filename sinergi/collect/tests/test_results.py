"""Importing mapping results from a spreadsheet: the template, each refusal, idempotency."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest
import xlsxwriter
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from sinergi.assessments import services
from sinergi.assessments.choices import PeriodStatus, Source
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER, counting_checks
from sinergi.audit.models import Action, AuditEvent
from sinergi.collect import results, results_sheet, tasks
from sinergi.collect.choices import JobKind, JobStatus
from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import upload
from sinergi.regions.models import Region
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, ActorFactory, Personas, valid_nik

pytestmark = pytest.mark.django_db
URL = "/collect/results/import/"
CODES = list(BEGINNER)
HEADER = ["id", "nik", "name", "period", *CODES]
KEY = "ir-default@2026.1"


@pytest.fixture
def period(db: Any) -> Period:
    services.load_default_instrument()
    return services.create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )


def cells(answers: dict[str, Any]) -> list[Any]:
    """Answers as a person types them: any_of comma-separated, '-' for none of these."""
    return [
        (", ".join(v) or "-") if isinstance(v, list) else v for v in (answers[c] for c in CODES)
    ]


def row(actor: Actor | None = None, answers: dict[str, Any] = BEGINNER, **given: Any) -> list[Any]:
    values = {"id": actor.pk if actor else "", "nik": "", "name": "", "period": "2019"}
    values.update(given)
    return [values["id"], values["nik"], values["name"], values["period"], *cells(answers)]


def workbook(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, instrument: str | None = KEY
) -> bytes:
    """A results sheet and, unless instrument is None, the sheet naming the version."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("results")
    sheet.write_row(0, 0, list(header))
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    if instrument is not None:
        book.add_worksheet("Instrumen").write_row(0, 0, ["instrument", instrument])
    book.close()
    return buffer.getvalue()


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def run(user: Any, content: bytes) -> ImportJob:
    response = login(user).post(URL, {"file": upload(content, "hasil.xlsx")})
    assert response.status_code == 302, response.content
    job = ImportJob.objects.latest("id")
    assert job.kind == JobKind.RESULTS
    return job


def errors(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(m["row"], m["column"], m["reason"]) for m in job.messages if m["level"] == "error"]


def counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.created_count, job.updated_count, job.skipped_count, job.failed_count


# --- Storing -----------------------------------------------------------------------------------


def test_it_stores_each_row_through_the_assessment_service(
    personas: Personas, period: Period
) -> None:
    by_id, by_nik = ActorFactory(), ActorFactory(nik=(nik := valid_nik()))
    job = run(personas.rembang, workbook([row(by_id), row(None, ADVANCED, nik=nik)]))
    assert job.status == JobStatus.DONE, job.messages
    assert counts(job) == (2, 0, 0, 0)
    stored = {a.actor_id: a for a in Assessment.objects.all()}
    assert (stored[by_id.pk].level, stored[by_nik.pk].level) == ("IR1", "IR3")
    assert stored[by_nik.pk].answers["legality"] == ["nib", "pirt"]
    assert {a.source for a in stored.values()} == {Source.IMPORT}
    assert {a.created_by_id for a in stored.values()} == {personas.rembang.pk}
    assert all(a.counted and a.instrument.key == KEY for a in stored.values())
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="assessment").count() == 2
    done = AuditEvent.objects.filter(action=Action.IMPORT, object_id=str(job.pk)).latest("id")
    assert (done.after or {})["created"] == 2


def test_the_same_file_again_stores_nothing(personas: Personas, period: Period) -> None:
    actors = [ActorFactory() for _ in range(3)]
    content = workbook([row(a, ADVANCED if n else BEGINNER) for n, a in enumerate(actors)])
    run(personas.rembang, content)
    again = run(personas.rembang, content)
    assert again.status == JobStatus.DONE, again.messages
    assert counts(again) == (0, 0, 3, 0)
    assert Assessment.objects.count() == 3


def test_each_row_is_checked_once_whether_it_is_stored_or_a_repeat(
    personas: Personas, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_checks(monkeypatch)
    content = workbook([row(ActorFactory(), ADVANCED) for _ in range(3)])
    assert counts(run(personas.rembang, content)) == (3, 0, 0, 0)
    assert counts(run(personas.rembang, content)) == (0, 0, 3, 0)
    assert len(calls) == 6


def test_other_answers_store_a_correction_that_supersedes_the_result(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    first = services.submit_assessment(
        user=personas.rembang, actor=actor, period=period, answers=BEGINNER
    ).assessment
    job = run(personas.rembang, workbook([row(actor, ADVANCED)]))
    assert counts(job) == (0, 1, 0, 0)
    latest = Assessment.objects.get(counted=True)
    assert (latest.level, latest.supersedes_id) == ("IR3", first.pk)


def test_a_result_of_another_version_is_not_the_same(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    services.submit_assessment(user=None, actor=actor, period=period, answers=BEGINNER)
    Assessment.objects.update(instrument=made_up_version())
    job = run(personas.rembang, workbook([row(actor, BEGINNER)]))
    assert counts(job) == (0, 1, 0, 0)


def made_up_version(status: str = "published") -> Instrument:
    default = Instrument.objects.get()
    return Instrument.objects.create(
        code="ir-default",
        version="2027.1",
        title="x",
        source=default.source,
        definition={**default.definition, "version": "2027.1"},
        status=status,
    )


def test_numbers_may_be_typed_as_text_or_rupiah_and_codes_in_any_case(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    answers = {
        **ADVANCED,
        "workers": 3.0,  # an Excel number
        "monthly_turnover": "Rp20.000.000",
        "capital": " 60000000 ",
        "production": "Daily",
        "legality": ["NIB", "pirt"],
    }
    job = run(personas.rembang, workbook([row(actor, answers)]))
    assert counts(job) == (1, 0, 0, 0), job.messages
    stored = Assessment.objects.get()
    assert stored.answers == {**ADVANCED, "legality": ["nib", "pirt"]}


def test_rows_without_answers_are_passed_over(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    blank = [actor.pk, "", actor.name, "2019", *([""] * len(CODES))]
    job = run(personas.rembang, workbook([blank, [], row(actor)]))
    assert counts(job) == (1, 0, 0, 0), job.messages
    assert job.processed_rows == 3


# --- Refusals, by column -----------------------------------------------------------------------


def test_unknown_and_out_of_scope_actors_get_the_same_message(
    personas: Personas, period: Period
) -> None:
    elsewhere = ActorFactory(village_code=KENDAL_VILLAGE)
    elsewhere_nik, unknown_nik = valid_nik(KENDAL_VILLAGE), valid_nik(KENDAL_VILLAGE)
    ActorFactory(village_code=KENDAL_VILLAGE, nik=elsewhere_nik)
    missing = elsewhere.pk + 1000
    rows = [row(elsewhere), row(None, id=missing), row(nik=elsewhere_nik), row(nik=unknown_nik)]
    job = run(personas.rembang, workbook(rows))
    assert counts(job) == (0, 0, 0, 4)
    assert errors(job) == [
        (2, "id", f"No actor with id {elsewhere.pk} in your region or caseload."),
        (3, "id", f"No actor with id {missing} in your region or caseload."),
        (4, "nik", "No actor with this NIK in your region or caseload."),
        (5, "nik", "No actor with this NIK in your region or caseload."),
    ]
    report = str(job.messages)
    assert elsewhere_nik not in report
    assert unknown_nik not in report
    assert Assessment.objects.count() == 0


def test_a_facilitator_imports_results_of_her_caseload_only(
    personas: Personas, period: Period
) -> None:
    hers, other = ActorFactory(facilitator=personas.pendamping), ActorFactory()
    job = run(personas.pendamping, workbook([row(hers), row(other)]))
    assert counts(job) == (1, 0, 0, 1)
    assert errors(job) == [(3, "id", f"No actor with id {other.pk} in your region or caseload.")]


def test_an_id_and_a_nik_of_different_actors_are_refused(
    personas: Personas, period: Period
) -> None:
    first, second = ActorFactory(), ActorFactory(nik=(nik := valid_nik()))
    own_nik = valid_nik()
    third = ActorFactory(nik=own_nik)
    job = run(personas.rembang, workbook([row(first, nik=nik), row(third, nik=own_nik)]))
    assert counts(job) == (1, 0, 0, 1)
    assert errors(job) == [
        (2, "nik", "The id and the NIK do not name the same actor in your region or caseload.")
    ]
    assert Assessment.objects.get().actor == third
    assert second.assessments.count() == 0


def test_bad_identifiers_and_a_missing_period_are_named(personas: Personas, period: Period) -> None:
    actor = ActorFactory()
    rows = [row(None, id="abc"), row(None, nik="3317 0452"), row(None), row(actor, period="")]
    job = run(personas.rembang, workbook(rows))
    assert errors(job) == [
        (2, "id", "'abc' is not an actor id: her number in Sinergi, in digits."),
        (3, "nik", "A NIK has 16 digits."),
        (4, "id", "Give the actor's id or her NIK."),
        (5, "period", "The period code is required."),
    ]


def test_unknown_closed_and_locked_periods_are_refused(personas: Personas, period: Period) -> None:
    closed = services.create_period(
        user=None,
        code="2018",
        name="2018",
        starts_on=date(2018, 1, 1),
        ends_on=date(2018, 12, 31),
        status=PeriodStatus.CLOSED,
    )
    locked = services.create_period(
        user=None, code="2020", name="2020", starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31)
    )
    services.lock_period(user=None, period=locked, regency=Region.objects.get(code="33.17"))
    actor = ActorFactory()
    rows = [row(actor, period="2015"), row(actor, period=closed.code), row(actor, period="2020")]
    job = run(personas.rembang, workbook(rows))
    assert counts(job) == (0, 0, 0, 3)
    assert errors(job) == [
        (2, "period", "Unknown period '2015'. Periods open now: 2019, 2020."),
        (3, "period", "Period 2018 is closed: no new results can be recorded."),
        (
            4,
            "period",
            "Results of period 2020 are locked for this regency after verification; ask the "
            "regency officer to unlock them.",
        ),
    ]


def test_identical_answers_in_a_closed_period_are_unchanged_not_refused(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory()
    content = workbook([row(actor)])
    run(personas.rembang, content)
    services.set_period_status(user=None, period=period, status=PeriodStatus.CLOSED)
    again = run(personas.rembang, content)
    assert counts(again) == (0, 0, 1, 0)


def test_bad_answers_are_named_by_their_question_column(personas: Personas, period: Period) -> None:
    answers = {
        **BEGINNER,
        "workers": -1,
        "monthly_turnover": "banyak",
        "capital": "",
        "production": "sometimes",
        "legality": ["nib", "sim"],
        "digital": "",
    }
    job = run(personas.rembang, workbook([row(ActorFactory(), answers)]))
    assert counts(job) == (0, 0, 0, 1)
    found = {column: reason for _row, column, reason in errors(job)}
    assert found == {
        "workers": "Must not be negative (got -1).",
        "monthly_turnover": "Must be a whole number written in digits (got 'banyak').",
        "capital": "An answer is required.",
        "production": "Unknown option 'sometimes'; choose one of: irregular, weekly, daily.",
        "legality": "Unknown option 'sim'; choose any of: "
        "sku, iumk, nib, pirt, halal, bpom, brand.",
        "digital": "An answer is required.",
    }
    assert Assessment.objects.count() == 0


def test_a_blank_any_of_cell_asks_for_a_dash(personas: Personas, period: Period) -> None:
    values = row(ActorFactory())
    values[HEADER.index("legality")] = ""
    job = run(personas.rembang, workbook([values]))
    assert errors(job) == [
        (2, "legality", "An answer is required; write - when none of the options applies.")
    ]


def test_the_same_actor_and_period_twice_is_refused_on_the_second_row(
    personas: Personas, period: Period
) -> None:
    actor = ActorFactory(nik=(nik := valid_nik()))
    job = run(personas.rembang, workbook([row(actor), row(None, ADVANCED, nik=nik)]))
    assert counts(job) == (1, 0, 0, 1)
    assert errors(job) == [(3, "nik", "Same actor and period as row 2 of this file.")]
    assert Assessment.objects.get().level == "IR1"


# --- The header and the instrument version -----------------------------------------------------


def test_unknown_and_missing_columns_fail_the_job(personas: Personas, period: Period) -> None:
    header = ["id", "period", *CODES[:-1], "omzet"]
    job = run(personas.rembang, workbook([row(ActorFactory())], header=header))
    assert job.status == JobStatus.FAILED
    [(number, column, reason)] = errors(job)
    assert (number, column) == (1, "")
    assert "Missing required columns: digital." in reason
    assert "Unknown columns: omzet." in reason
    assert f"This file is read as {KEY}." in reason
    assert Assessment.objects.count() == 0


def test_a_file_needs_an_id_or_a_nik_column(personas: Personas, period: Period) -> None:
    job = run(personas.rembang, workbook([], header=["name", "period", *CODES]))
    assert job.status == JobStatus.FAILED
    assert "needs an id or a nik column" in errors(job)[0][2]


def test_a_retired_or_unknown_version_fails_the_job(personas: Personas, period: Period) -> None:
    made_up_version("retired")
    for key, reason in (
        ("ir-default@2027.1", "which is retired and scores no new results"),
        ("ir-default@1999", "which is not published in Sinergi"),
    ):
        job = run(personas.rembang, workbook([row(ActorFactory())], instrument=key))
        assert job.status == JobStatus.FAILED
        assert reason in errors(job)[0][2]
    assert Assessment.objects.count() == 0


def test_another_published_version_scores_with_that_version_and_warns(
    personas: Personas, period: Period
) -> None:
    older = Instrument.objects.get()
    services.publish_instrument(user=None, instrument=made_up_version("draft"))
    job = run(personas.rembang, workbook([row(ActorFactory())], instrument=older.key))
    assert counts(job) == (1, 0, 0, 0)
    assert Assessment.objects.get().instrument == older
    [warning] = [m for m in job.messages if m["level"] == "warning"]
    assert "not the current ir-default@2027.1" in warning["reason"]


def test_a_file_without_the_version_sheet_is_read_with_the_current_one(
    personas: Personas, period: Period
) -> None:
    job = run(personas.rembang, workbook([row(ActorFactory())], instrument=None))
    assert counts(job) == (1, 0, 0, 0)
    [warning] = [m for m in job.messages if m["level"] == "warning"]
    assert f"scored with the current version, {KEY}" in warning["reason"]


# --- The template, the page --------------------------------------------------------------------


def download(client: Client, query: str = "") -> list[list[list[Any]]]:
    response = client.get(URL + "template.xlsx" + query)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["results", "Petunjuk", "Instrumen"]
    return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]


def test_the_template_has_the_columns_a_help_sheet_and_its_version(
    personas: Personas, period: Period
) -> None:
    sheet, help_sheet, version = download(login(personas.rembang))
    assert sheet == [HEADER]
    by_column = {line[0]: line for line in help_sheet[1:]}
    assert list(by_column) == HEADER
    assert by_column["period"][5] == "2019"
    assert by_column["legality"][1:4] == [
        "required",
        "Legalitas usaha yang dimiliki",
        "Business permits and certificates held",
    ]
    assert "- when none applies" in by_column["legality"][4]
    assert "nib = " in by_column["legality"][5]
    assert by_column["nik"][2:4] == [
        "NIK pelaku, bila nomornya tidak ada di tangan",
        "The actor's NIK, when her id is not at hand",
    ]
    assert version[0] == ["instrument", KEY]


def test_a_prefilled_template_sent_back_unchanged_stores_nothing(
    personas: Personas, period: Period
) -> None:
    assessed, fresh = ActorFactory(name="Ibu Ani"), ActorFactory(name="Ibu Budi")
    ActorFactory(village_code=KENDAL_VILLAGE, name="Ibu Lain")
    services.submit_assessment(user=None, actor=assessed, period=period, answers=ADVANCED)
    sheet, _help, _version = download(login(personas.rembang), "?period=2019")
    assert [line[:4] for line in sheet[1:]] == [
        [float(assessed.pk), "", "Ibu Ani", "2019"],
        [float(fresh.pk), "", "Ibu Budi", "2019"],
    ]
    assert sheet[1][HEADER.index("legality")] == "nib, pirt"
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="assessment").exists()
    job = run(personas.rembang, workbook(sheet[1:]))
    assert counts(job) == (0, 0, 1, 0), job.messages


def test_a_template_of_an_unpublished_version_is_404(personas: Personas, period: Period) -> None:
    draft = made_up_version("draft")
    response = login(personas.rembang).get(f"{URL}template.xlsx?instrument={draft.pk}")
    assert response.status_code == 404


def test_the_mapping_pages_link_to_the_import(personas: Personas, period: Period) -> None:
    client = login(personas.rembang)
    for page in ("/actors/", "/mapping/periods/"):
        assert URL in client.get(page).content.decode()
    assert URL not in login(personas.viewer).get("/actors/").content.decode()
    upload_page = client.get(URL).content.decode()
    assert "/collect/results/import/template.xlsx" in upload_page
    assert "My actors, for period 2019" in upload_page


def test_checking_unchanged_rows_takes_the_same_queries_for_more_rows(
    personas: Personas, period: Period
) -> None:
    actors = [ActorFactory() for _ in range(20)]
    for actor in actors:
        services.submit_assessment(user=None, actor=actor, period=period, answers=BEGINNER)
    job_counts = []
    for size in (5, 20):
        job = ImportJob.objects.create(
            kind=JobKind.RESULTS, uploaded_by=personas.rembang, original_name="x.xlsx"
        )
        job.file.save("x.xlsx", upload(workbook([row(a) for a in actors[:size]])))
        with CaptureQueriesContext(connection) as queries:
            results.run_job(job.pk)
        job.refresh_from_db()
        assert counts(job) == (0, 0, size, 0)
        job_counts.append(len(queries))
    assert job_counts[0] == job_counts[1]


class Killed(BaseException):
    """A consumer killed mid-run: the job stops where it is."""


def test_a_results_import_killed_mid_run_is_resumed_with_no_result_stored_twice(
    personas: Personas, period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    actors = [ActorFactory() for _ in range(5)]
    content = workbook([row(a, ADVANCED if n % 2 else BEGINNER) for n, a in enumerate(actors)])
    job = ImportJob(kind=JobKind.RESULTS, uploaded_by=personas.rembang, original_name="h.xlsx")
    job.file.save("h.xlsx", upload(content, "h.xlsx"), save=False)
    job.save()
    write = results.ResultsImport._import_chunk
    written: list[int] = []

    def dies(self: results.ResultsImport, rows: list[results_sheet.Row]) -> None:
        if written:
            raise Killed
        written.append(len(rows))
        write(self, rows)

    monkeypatch.setattr(results, "CHUNK_ROWS", 2)
    with monkeypatch.context() as patch:
        patch.setattr(results.ResultsImport, "_import_chunk", dies)
        with pytest.raises(Killed):
            results.run_job(job.pk)
    assert Assessment.objects.count() == 2
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    tasks.recover_stalled_imports()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert counts(job) == (3, 0, 2, 0)  # the two stored before are repeats, not corrections
    assert Assessment.objects.count() == 5
    assert Assessment.objects.filter(counted=True).count() == 5
