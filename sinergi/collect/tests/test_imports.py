from __future__ import annotations

import gc
import io
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from python_calamine import CalamineWorkbook

from sinergi.audit.models import Action, AuditEvent
from sinergi.collect import actor_sheet, imports
from sinergi.collect.choices import JobStatus
from sinergi.collect.models import ImportJob
from sinergi.collect.tests.sheets import HEADER, actor_row, upload, xlsx_bytes
from sinergi.lib.crypto import lookup_hash
from sinergi.registry.models import Actor
from sinergi.test import (
    KENDAL_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE,
    ActorFactory,
    Personas,
    valid_nik,
)

pytestmark = pytest.mark.django_db
URL = "/collect/actors/import/"


def login(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def import_file(client: Client, content: bytes, name: str = "actors.xlsx") -> ImportJob:
    response = client.post(URL, {"file": upload(content, name)})
    assert response.status_code == 302, response.content
    job = ImportJob.objects.latest("id")
    assert response["Location"] == f"/collect/imports/{job.pk}/"
    return job


def issues(job: ImportJob, level: str = "error") -> list[tuple[int, str, str]]:
    return [(m["row"], m["column"], m["reason"]) for m in job.messages if m["level"] == level]


def test_it_imports_every_valid_row(personas: Personas) -> None:
    rows = [actor_row(f"Ibu {n}") for n in range(3)]
    job = import_file(login(personas.rembang.username), xlsx_bytes(rows))
    assert job.status == JobStatus.DONE, job.messages
    assert (job.total_rows, job.processed_rows, job.created_count, job.failed_count) == (3, 3, 3, 0)
    assert sorted(Actor.objects.values_list("name", flat=True)) == ["Ibu 0", "Ibu 1", "Ibu 2"]
    actor = Actor.objects.get(nik_hash=lookup_hash(rows[0][0]))
    assert (actor.sex, actor.regency_code, actor.facilitator_id) == ("F", "33.17", None)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="actor").count() == 3
    assert AuditEvent.objects.filter(action=Action.IMPORT, object_id=str(job.pk)).count() == 2
    assert job.started_at is not None
    assert job.finished_at is not None


def test_it_accepts_every_column_and_excel_typed_cells(personas: Personas) -> None:
    born = date(1990, 7, 1)
    nik = valid_nik(REMBANG_VILLAGE, born)
    row = {
        "nik": float(nik),  # typed as a number in Excel
        "name": "Ibu Lengkap",
        "sex": "perempuan",
        "birth_date": born,  # an Excel date cell
        "phone": "0812 3456 7890",
        "address": "RT 1",
        "village_code": "3317042001",
        "business_name": "Batik",
        "sector": "fashion-tekstil",
        "products": "batik tulis",
        "year_started": 2010.0,
        "consent_date": "15/01/2024",
        "consent_programme": "ya",
        "consent_partners": 0,
        "consent_publication": "Tidak",
        "facilitator": personas.pendamping.username,
        "status": "active",
        "nib": "1234567890123",
        "pirt": "2063317010123-29",
        "halal": "",
        "other_legality": "sku, Brand",
    }
    job = import_file(login(personas.rembang.username), xlsx_bytes([list(row.values())], list(row)))
    assert job.status == JobStatus.DONE, job.messages
    assert job.created_count == 1
    actor = Actor.objects.get()
    assert actor.nik_hash == lookup_hash(nik)
    assert (actor.phone, actor.year_started, actor.consent_date) == (
        "081234567890",
        2010,
        date(2024, 1, 15),
    )
    assert (actor.consent_programme, actor.consent_partners) == (True, False)
    assert actor.facilitator == personas.pendamping
    kinds = sorted(actor.legality_items.values_list("kind", "number"))
    assert kinds == [
        ("brand", ""),
        ("nib", "1234567890123"),
        ("pirt", "P-IRT No. 2063317010123-29"),
        ("sku", ""),
    ]


def test_importing_the_same_file_again_creates_no_duplicates(personas: Personas) -> None:
    client = login(personas.rembang.username)
    rows = [actor_row(f"Ibu {n}") for n in range(3)]
    import_file(client, xlsx_bytes(rows))
    again = import_file(client, xlsx_bytes(rows))
    assert again.status == JobStatus.DONE, again.messages
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 3)
    rows[1][1] = "Ibu Baru"
    third = import_file(client, xlsx_bytes(rows))
    assert (third.created_count, third.updated_count, third.skipped_count) == (0, 1, 2)
    assert Actor.objects.count() == 3
    assert Actor.objects.filter(name="Ibu Baru").exists()
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert (event.before, event.after) == ({"name": "Ibu 1"}, {"name": "Ibu Baru"})


def test_a_reimport_keeps_legality_whose_column_is_absent(personas: Personas) -> None:
    client = login(personas.rembang.username)
    row = [*actor_row(), "1234567890123", "sku"]
    import_file(client, xlsx_bytes([row], [*HEADER, "nib", "other_legality"]))
    again = import_file(client, xlsx_bytes([[*row[:-1]]], [*HEADER, "nib"]))
    assert again.skipped_count == 1, again.messages
    assert sorted(Actor.objects.get().legality_items.values_list("kind", flat=True)) == [
        "nib",
        "sku",
    ]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (
            ["nik", "name", "birth_date", "village_code", "business_name"],
            "Missing required columns: sex, sector.",
        ),
        ([*HEADER, "income", "Hobby"], "Unknown columns: income, hobby."),
        ([*HEADER, "name"], "Columns given more than once: name."),
    ],
)
def test_a_bad_header_fails_the_job_and_imports_nothing(
    personas: Personas, header: list[str], fragment: str
) -> None:
    rows = [actor_row() + [""] * (len(header) - len(HEADER))]
    job = import_file(login(personas.rembang.username), xlsx_bytes(rows, header))
    assert job.status == JobStatus.FAILED
    assert fragment in job.messages[0]["reason"]
    assert Actor.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("birth_date", "31/02/1985", "Enter a valid date."),
        ("nik", "33170A5203850001", "NIK must contain digits only."),
        ("sector", "mining", "mining is not one of the available choices"),
        ("village_code", "33.17.04.9999", "does not exist"),
        ("sex", "X", "X is not one of the available choices"),
    ],
)
def test_a_bad_cell_rejects_only_its_row_naming_column_and_reason(
    personas: Personas, column: str, value: str, fragment: str
) -> None:
    bad = actor_row("Ibu Salah")
    bad[HEADER.index(column)] = value
    job = import_file(login(personas.rembang.username), xlsx_bytes([actor_row("Ibu Benar"), bad]))
    assert job.status == JobStatus.DONE
    assert (job.created_count, job.failed_count) == (1, 1)
    [(row, col, reason)] = issues(job)
    assert (row, col) == (3, column)
    assert fragment in reason
    assert list(Actor.objects.values_list("name", flat=True)) == ["Ibu Benar"]


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("pirt", "P-IRT No. 123-45", "at least 15 digits"),
        ("nib", "12345", "NIB must be exactly 13 digits."),
        ("other_legality", "sku, ktp", "'ktp' is not a legality type"),
        ("consent_programme", "maybe", "'maybe' is not ya or tidak."),
    ],
)
def test_bad_legality_and_consent_cells_name_their_column(
    personas: Personas, column: str, value: str, fragment: str
) -> None:
    job = import_file(
        login(personas.rembang.username), xlsx_bytes([[*actor_row(), value]], [*HEADER, column])
    )
    [(row, col, reason)] = issues(job)
    assert (row, col) == (2, column)
    assert fragment in reason
    assert Actor.objects.count() == 0


def test_a_nik_repeated_in_the_file_is_refused_naming_the_first_row(personas: Personas) -> None:
    first = actor_row("Ibu Satu")
    second = actor_row("Ibu Dua")
    second[0] = first[0]
    job = import_file(login(personas.rembang.username), xlsx_bytes([first, actor_row(), second]))
    assert issues(job) == [(4, "nik", "Same NIK as row 2 of this file.")]
    assert job.created_count == 2


def test_a_probable_twin_is_imported_with_a_warning(personas: Personas) -> None:
    ActorFactory(name="Ibu Kembar", birth_date=date(1985, 3, 12))
    job = import_file(login(personas.rembang.username), xlsx_bytes([actor_row("Ibu Kembar")]))
    assert job.created_count == 1
    [(row, column, reason)] = issues(job, "warning")
    assert (row, column) == (2, "name")
    assert "Possible duplicate" in reason


def test_a_village_outside_the_uploaders_region_is_a_row_error(personas: Personas) -> None:
    job = import_file(
        login(personas.rembang.username), xlsx_bytes([actor_row(village=KENDAL_VILLAGE)])
    )
    [(row, column, reason)] = issues(job)
    assert (row, column) == (2, "village_code")
    assert "outside your region" in reason
    assert Actor.objects.count() == 0


def test_an_actor_registered_outside_her_scope_is_not_touched(personas: Personas) -> None:
    row = actor_row("Ibu Kendal", village=KENDAL_VILLAGE)
    kendal = ActorFactory(name="Ibu Kendal", nik=row[0], village_code=KENDAL_VILLAGE)
    row[1] = "Ibu Diganti"
    row[4] = REMBANG_VILLAGE  # otherwise a valid record for her: the conflict is told
    job = import_file(login(personas.rembang.username), xlsx_bytes([row]))
    [(_, column, reason)] = issues(job)
    assert column == "nik"
    assert "outside your region or caseload" in reason
    kendal.refresh_from_db()
    assert kendal.name == "Ibu Kendal"


def test_a_facilitators_imports_are_her_caseload(personas: Personas) -> None:
    job = import_file(login(personas.pendamping.username), xlsx_bytes([actor_row()]))
    assert job.created_count == 1, job.messages
    assert Actor.objects.get().facilitator == personas.pendamping


def test_running_a_finished_job_again_changes_nothing(personas: Personas) -> None:
    job = import_file(login(personas.rembang.username), xlsx_bytes([actor_row()]))
    assert imports.run_job(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.created_count) == (JobStatus.DONE, 1)
    assert Actor.objects.count() == 1


def test_the_report_lists_row_column_reason_and_level(personas: Personas) -> None:
    client = login(personas.rembang.username)
    bad = actor_row()
    bad[HEADER.index("sector")] = "mining"
    job = import_file(client, xlsx_bytes([bad]))
    response = client.get(f"/collect/imports/{job.pk}/report.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["Row", "Column", "Reason", "Level"]
    assert rows[1][:2] == [2.0, "sector"]
    assert "mining" in str(rows[1][2])
    assert rows[1][3] == "error"


def test_the_job_page_polls_until_the_job_is_finished(personas: Personas) -> None:
    client = login(personas.rembang.username)
    job = import_file(client, xlsx_bytes([actor_row()]))
    page = client.get(f"/collect/imports/{job.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert 'id="created-count">1<' in page
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    partial = client.get(f"/collect/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert "<html" not in partial


def test_a_job_leaves_the_garbage_collector_and_the_connection_as_it_found_them(
    personas: Personas,
) -> None:
    def pragmas() -> list[Any]:
        if connection.vendor != "sqlite":
            return []
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()
            cursor.execute("PRAGMA wal_autocheckpoint")
            return [cache, cursor.fetchone()]

    before = (gc.get_threshold(), gc.get_freeze_count(), pragmas())
    job = import_file(login(personas.rembang.username), xlsx_bytes([actor_row()]))
    assert job.created_count == 1
    assert (gc.get_threshold(), gc.get_freeze_count(), pragmas()) == before


def mixed_rows(personas: Personas) -> list[list[Any]]:
    """Rows of every outcome: new, cells in error, an edit, an edit out of scope, a twin of a
    registered actor, a NIK repeated further down the file."""
    edited = actor_row("Ibu Lama", born=date(1980, 1, 1))
    ActorFactory(name="Ibu Lama", nik=edited[0], birth_date=date(1980, 1, 1))
    edited[HEADER.index("business_name")] = "Usaha Baru"
    outside = actor_row("Ibu Kendal", village=KENDAL_VILLAGE, born=date(1981, 1, 1))
    ActorFactory(name="Ibu Kendal", nik=outside[0], village_code=KENDAL_VILLAGE)
    outside[HEADER.index("village_code")] = REMBANG_VILLAGE  # valid as new: the conflict is told
    ActorFactory(name="Ibu Kembar", birth_date=date(1982, 2, 2))
    bad = actor_row("Ibu Salah", born=date(1983, 3, 3))
    bad[HEADER.index("sector")] = "mining"
    first = actor_row("Ibu Satu", born=date(1984, 4, 4))
    again = actor_row("Ibu Lagi", born=date(1986, 6, 6))
    again[0] = first[0]
    return [
        first,
        bad,
        edited,
        actor_row("Ibu Kembar", born=date(1982, 2, 2)),
        outside,
        actor_row("Ibu Baru", born=date(1987, 7, 7)),
        again,
    ]


def test_chunks_give_the_report_and_actors_one_chunk_gives(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login(personas.rembang.username)
    content = xlsx_bytes(mixed_rows(personas))
    outcomes = []
    for size in (1000, 2):
        monkeypatch.setattr(imports, "CHUNK_ROWS", size)
        with transaction.atomic():
            job = import_file(client, content)
            outcomes.append(
                (
                    sorted(job.messages, key=lambda m: (m["row"], m["column"])),
                    (job.created_count, job.updated_count, job.failed_count, job.processed_rows),
                    sorted(Actor.objects.values_list("name", "business_name", "village_id")),
                    AuditEvent.objects.filter(object_type="actor").count(),
                )
            )
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1]  # messages of a chunk are listed by kind, then row
    messages, counts, actors, _audit = outcomes[0]
    assert counts == (3, 1, 3, 7)
    assert ("Ibu Lama", "Usaha Baru", REMBANG_VILLAGE) in actors
    assert [(m["row"], m["column"], m["level"]) for m in messages] == [
        (3, "sector", "error"),
        (5, "name", "warning"),  # a twin of a registered actor
        (6, "nik", "error"),  # registered outside her scope
        (8, "nik", "error"),  # the NIK of row 2
    ]


def test_a_failure_while_reading_fails_the_job_and_keeps_whole_chunks(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = actor_sheet.parse_row

    def failing(number: int, codes: Any, cells: Any) -> Any:
        if number == 5:
            raise ValueError("the sheet reader broke")
        return parse(number, codes, cells)

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(imports, "parse_row", failing)  # the worker parses
    rows = [actor_row(f"Ibu {n}", born=date(1980 + n, 1, 1)) for n in range(6)]
    job = import_file(login(personas.rembang.username), xlsx_bytes(rows))
    assert job.status == JobStatus.FAILED
    assert job.messages[-1]["reason"] == "The import stopped on an unexpected error."
    assert sorted(Actor.objects.values_list("name", flat=True)) == ["Ibu 0", "Ibu 1"]
    audit = AuditEvent.objects.get(action=Action.IMPORT, object_id=str(job.pk), after__isnull=False)
    assert audit.after is not None
    assert (audit.after["status"], audit.after["created"]) == (JobStatus.FAILED, 2)
