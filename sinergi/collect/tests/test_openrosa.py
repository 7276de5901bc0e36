"""The OpenRosa server as ODK Collect uses it: discovery, downloads, submissions, safety."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyxform.xls2xform import convert

from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.assessments.choices import PeriodStatus, Source
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.audit.models import AuditEvent
from sinergi.collect.choices import SubmissionStatus
from sinergi.collect.models import Submission
from sinergi.collect.tests.odk import basic, fill_instance, multipart
from sinergi.registry.models import Actor
from sinergi.test import KENDAL_VILLAGE, PASSWORD, ActorFactory, Personas, make_user

pytestmark = pytest.mark.django_db

FORM = "/openrosa/forms/ir-default/2026.1"


@pytest.fixture
def instrument(db: Any) -> Instrument:
    found, _created = services.load_default_instrument()
    return found


@pytest.fixture
def period(instrument: Instrument) -> Period:
    return services.create_period(
        user=None,
        code="2019",
        name="Pemetaan 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )


@pytest.fixture
def actor(personas: Personas) -> Actor:
    found: Actor = ActorFactory(facilitator=personas.pendamping)
    return found


def phone(user: Any, password: str = PASSWORD) -> Client:
    """A client that signs in as ODK Collect does: HTTP Basic on every request, no cookie."""
    return Client(HTTP_AUTHORIZATION=basic(user.username, password), HTTP_ACCEPT_LANGUAGE="en")


def xform(client: Client) -> bytes:
    response = client.get(f"{FORM}/form.xml")
    assert response.status_code == 200, response.content
    content: bytes = response.content
    return content


def send(client: Client, xml: bytes, files: dict[str, SimpleUploadedFile] | None = None) -> Any:
    data: dict[str, Any] = {
        "xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")
    }
    data.update(files or {})
    return client.post("/openrosa/submission", data)


def answers(
    actor: Actor, period: str = "2019", base: dict[str, Any] = ADVANCED, **changes: Any
) -> dict[str, Any]:
    return {"actor": actor.pk, "period": period, **base, **changes}


def said(response: Any) -> str:
    found = re.search(rb"<message[^>]*>(.*)</message>", response.content, re.S)
    assert found, response.content
    return found.group(1).decode()


# --- Discovery and downloads -----------------------------------------------------------------


def test_it_challenges_a_phone_without_credentials(instrument: Instrument) -> None:
    response = Client().get("/openrosa/formList")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response["X-OpenRosa-Version"] == "1.0"


def test_it_refuses_a_wrong_password_and_locks_after_repeated_failures(personas: Personas) -> None:
    for _attempt in range(4):
        assert phone(personas.pendamping, "wrong").get("/openrosa/formList").status_code == 401
    assert phone(personas.pendamping, "wrong").get("/openrosa/formList").status_code == 429
    locked = phone(personas.pendamping).get("/openrosa/formList")
    assert locked.status_code == 429
    assert "locked" in said(locked)


def test_a_remembered_password_stops_working_when_it_is_changed(
    personas: Personas, instrument: Instrument
) -> None:
    client = phone(personas.pendamping)
    assert client.get("/openrosa/formList").status_code == 200
    assert client.get("/openrosa/formList").status_code == 200  # remembered
    personas.pendamping.set_password("a-new-password-1")
    personas.pendamping.save()
    assert client.get("/openrosa/formList").status_code == 401
    assert (
        phone(personas.pendamping, "a-new-password-1").get("/openrosa/formList").status_code == 200
    )
    personas.pendamping.is_active = False
    personas.pendamping.save()
    assert (
        phone(personas.pendamping, "a-new-password-1").get("/openrosa/formList").status_code == 401
    )


def test_a_session_cookie_does_not_sign_in(personas: Personas, instrument: Instrument) -> None:
    client = Client()
    client.force_login(personas.pendamping)
    assert client.get("/openrosa/formList").status_code == 401


def test_form_list_offers_the_published_form_with_its_hash(
    personas: Personas, instrument: Instrument
) -> None:
    client = phone(personas.pendamping)
    response = client.get("/openrosa/formList")
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    body = response.content.decode()
    assert "<formID>ir-default</formID>" in body
    assert "<version>2026.1</version>" in body
    assert "http://testserver/openrosa/forms/ir-default/2026.1/form.xml" in body
    assert "http://testserver/openrosa/forms/ir-default/2026.1/manifest" in body
    digest = hashlib.md5(xform(client), usedforsecurity=False).hexdigest()
    assert f"<hash>md5:{digest}</hash>" in body


def test_a_viewer_gets_no_form(personas: Personas, instrument: Instrument) -> None:
    response = phone(personas.viewer).get("/openrosa/formList")
    assert response.status_code == 200
    assert "<xform>" not in response.content.decode()
    assert phone(personas.viewer).get(f"{FORM}/form.xml").status_code == 404


def test_a_retired_or_unknown_version_is_not_offered(
    personas: Personas, instrument: Instrument
) -> None:
    client = phone(personas.pendamping)
    assert client.get("/openrosa/forms/ir-default/1999.1/form.xml").status_code == 404
    services.retire_instrument(user=personas.admin, instrument=instrument)
    assert "<xform>" not in client.get("/openrosa/formList").content.decode()


def test_the_xform_mirrors_the_instrument(personas: Personas, instrument: Instrument) -> None:
    form = xform(phone(personas.pendamping)).decode()
    assert '<data id="ir-default" version="2026.1">' in form
    for code in ("workers", "monthly_turnover", "legality", "digital", "period", "actor"):
        assert f'/{code}"' in form
    assert 'constraint=". &gt;= 0"' in form  # no negative numbers
    assert 'lang="Bahasa Indonesia (id)"' in form
    assert 'lang="English (en)"' in form
    assert 'src="jr://file-csv/actors.csv"' in form


def test_the_manifest_gives_each_facilitator_only_her_caseload(
    personas: Personas, instrument: Instrument, period: Period
) -> None:
    mine = ActorFactory(facilitator=personas.pendamping, name="Ibu Mine")
    other_facilitator = make_user("pendamping-lain", Role.FACILITATOR, "33.17")
    ActorFactory(facilitator=other_facilitator, name="Ibu Other")
    client = phone(personas.pendamping)
    manifest = client.get(f"{FORM}/manifest").content.decode()
    assert "<filename>actors.csv</filename>" in manifest
    assert "<filename>periods.csv</filename>" in manifest
    rows = list(csv.reader(io.StringIO(client.get(f"{FORM}/media/actors.csv").content.decode())))
    assert rows[0] == ["name", "label"]
    assert [r[0] for r in rows[1:]] == [str(mine.pk)]
    assert mine.nik_masked in rows[1][1]
    assert "Ibu Other" not in str(rows)
    periods = client.get(f"{FORM}/media/periods.csv").content.decode()
    assert "2019" in periods
    services.set_period_status(user=personas.admin, period=period, status=PeriodStatus.CLOSED)
    assert "2019" not in client.get(f"{FORM}/media/periods.csv").content.decode()


def test_head_preflight_announces_the_size_limit(personas: Personas, settings: Any) -> None:
    assert Client().head("/openrosa/submission").status_code == 401
    response = phone(personas.pendamping).head("/openrosa/submission")
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == str(settings.OPENROSA_MAX_BYTES)


# --- Submissions ----------------------------------------------------------------------------


def test_a_submission_from_the_forms_own_instance_becomes_a_result(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor), instance_id="uuid:one")
    response = send(client, xml)
    assert response.status_code == 201, response.content
    assert 'nature="submit_success"' in response.content.decode()
    assert "IR 3" in said(response)
    result = Assessment.objects.get(actor=actor, counted=True)
    assert (result.level, result.source, result.created_by) == (
        "IR3",
        Source.ODK,
        personas.pendamping,
    )
    assert result.answers["legality"] == ["nib", "pirt"]
    submission = Submission.objects.get(instance_id="uuid:one")
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.assessment == result
    assert submission.xml == xml.decode()


def test_the_same_instance_again_is_answered_202_and_stores_nothing(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor), instance_id="uuid:twice")
    assert send(client, xml).status_code == 201
    again = send(client, xml)
    assert again.status_code == 202
    assert Assessment.objects.filter(actor=actor).count() == 1
    assert Submission.objects.count() == 1


def test_a_new_instance_with_the_same_answers_stores_a_new_result(
    personas: Personas, actor: Actor, period: Period
) -> None:
    """Unlike the web form, the API and imports: each instance is its own record, and its
    submission points at the result it made."""
    client = phone(personas.pendamping)
    form = xform(client)
    for instance_id in ("uuid:one", "uuid:two"):
        xml = fill_instance(form, answers(actor), instance_id=instance_id)
        assert send(client, xml).status_code == 201
    first, second = Submission.objects.order_by("id")
    assert first.assessment is not None
    assert second.assessment is not None
    assert second.assessment.supersedes == first.assessment
    assert Assessment.objects.get(actor=actor, counted=True) == second.assessment


def test_the_same_instance_with_other_content_is_a_conflict(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    form = xform(client)
    assert (
        send(client, fill_instance(form, answers(actor), instance_id="uuid:c")).status_code == 201
    )
    other = fill_instance(form, answers(actor, base=BEGINNER), instance_id="uuid:c")
    response = send(client, other)
    assert response.status_code == 409
    assert Assessment.objects.get(actor=actor).level == "IR3"


def test_an_edit_with_deprecated_id_creates_a_corrected_result(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    form = xform(client)
    assert (
        send(client, fill_instance(form, answers(actor), instance_id="uuid:v1")).status_code == 201
    )
    edit = fill_instance(
        form, answers(actor, base=BEGINNER), instance_id="uuid:v2", deprecated_id="uuid:v1"
    )
    assert send(client, edit).status_code == 201
    old, new = Assessment.objects.filter(actor=actor).order_by("pk")
    assert (old.counted, new.counted, new.supersedes_id) == (False, True, old.pk)
    assert new.level == "IR1"
    assert Submission.objects.get(instance_id="uuid:v2").deprecated_id == "uuid:v1"


def test_invalid_answers_are_refused_by_question_and_kept_in_the_inbox(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor, workers=-2, digital="satellite"))
    response = send(client, xml)
    assert response.status_code == 422
    message = said(response)
    assert "Number of workers besides the owner: Must not be negative (got -2)." in message
    assert "Unknown option 'satellite'" in message
    assert not Assessment.objects.exists()
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.REJECTED
    assert set(submission.errors) == {"workers", "digital"}
    assert submission.region_code == actor.village_id


def test_a_closed_period_is_refused_with_a_readable_message(
    personas: Personas, actor: Actor, period: Period
) -> None:
    services.set_period_status(user=personas.admin, period=period, status=PeriodStatus.CLOSED)
    client = phone(personas.pendamping)
    response = send(client, fill_instance(xform(client), answers(actor)))
    assert response.status_code == 422
    assert "2019" in said(response)
    assert not Assessment.objects.exists()


def test_another_facilitators_actor_is_refused_without_saying_whether_it_exists(
    personas: Personas, period: Period
) -> None:
    other_facilitator = make_user("pendamping-lain", Role.FACILITATOR, "33.17")
    theirs = ActorFactory(facilitator=other_facilitator)
    client = phone(personas.pendamping)
    form = xform(client)
    refused = send(client, fill_instance(form, answers(theirs)))
    missing = send(client, fill_instance(form, {**answers(theirs), "actor": 999_999}))
    assert refused.status_code == missing.status_code == 403
    assert said(refused).replace(str(theirs.pk), "#") == said(missing).replace("999999", "#")
    assert not Assessment.objects.exists()


def test_an_unknown_form_is_refused(personas: Personas, actor: Actor, period: Period) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor)).replace(
        b'version="2026.1"', b'version="0.1"'
    )
    response = send(client, xml)
    assert response.status_code == 400
    assert "Get Blank Form" in said(response)


@pytest.mark.parametrize(
    "payload",
    [
        # XXE: an external entity reading a local file.
        b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<data id="ir-default" version="2026.1"><period>&x;</period>'
        b"<meta><instanceID>uuid:xxe</instanceID></meta></data>",
        # Billion laughs: nested entity expansion.
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<data id="ir-default" version="2026.1"><period>&lol3;</period>'
        b"<meta><instanceID>uuid:lol</instanceID></meta></data>",
        b"this is not xml",
        b'<data id="ir-default" version="2026.1"><period>2019</period></data>',  # no instanceID
    ],
)
def test_hostile_or_broken_xml_is_refused_and_nothing_is_stored(
    personas: Personas, period: Period, payload: bytes
) -> None:
    response = send(phone(personas.pendamping), payload)
    assert response.status_code == 400
    assert b"root:" not in response.content
    assert not Submission.objects.exists()
    assert not Assessment.objects.exists()


def test_oversized_requests_and_files_are_refused(
    personas: Personas, actor: Actor, period: Period, settings: Any
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor, photo="big.jpg"))
    settings.OPENROSA_MAX_FILE_BYTES = 10_000
    big = SimpleUploadedFile("big.jpg", b"\xff" * 20_000, "image/jpeg")
    response = send(client, xml, {"big.jpg": big})
    assert response.status_code == 413
    settings.OPENROSA_MAX_BYTES = 65_536
    body, kind = multipart(xml, [("big.jpg", b"\xff" * 70_000, "image/jpeg")])
    response = client.post("/openrosa/submission", body, content_type=kind)
    assert response.status_code == 413
    assert "MB" in said(response)
    assert not Submission.objects.exists()


def test_a_photo_the_form_refers_to_is_kept(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor, photo="1700000000.jpg"))
    files = {
        "1700000000.jpg": SimpleUploadedFile("1700000000.jpg", b"\xff\xd8jpeg", "image/jpeg"),
        "stray.exe": SimpleUploadedFile("stray.exe", b"MZ", "application/octet-stream"),
    }
    assert send(client, xml, files).status_code == 201
    kept = Submission.objects.get().files.get()
    assert (kept.name, kept.content_type, kept.size) == ("1700000000.jpg", "image/jpeg", 6)


def test_each_submission_is_audited_once(personas: Personas, actor: Actor, period: Period) -> None:
    client = phone(personas.pendamping)
    send(client, fill_instance(xform(client), answers(actor)))
    send(client, fill_instance(xform(client), answers(actor, workers=-1)))
    result = AuditEvent.objects.get(object_type="assessment")
    assert (result.after or {}).get("source") == "odk"
    refused = AuditEvent.objects.get(object_type="submission")
    assert (refused.after or {}).get("status") == "rejected"


# --- The inbox ------------------------------------------------------------------------------


def test_the_regency_officer_fixes_a_rejected_submission_and_processes_it_again(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    send(client, fill_instance(xform(client), answers(actor, period="2091")))
    submission = Submission.objects.get()
    assert submission.errors == {"period": ["Period 2091 does not exist."]}
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(personas.rembang)
    listing = officer.get("/collect/submissions/")
    assert "Period 2091 does not exist." in listing.content.decode()
    page = officer.get(f"/collect/submissions/{submission.pk}/")
    assert page.status_code == 200
    fixed = submission.xml.replace("<period>2091</period>", "<period>2019</period>")
    response = officer.post(f"/collect/submissions/{submission.pk}/reprocess", {"xml": fixed})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.processed_by == personas.rembang
    assert submission.submitted_by == personas.pendamping
    assert Assessment.objects.get(counted=True).created_by == personas.rembang


def test_reprocessing_still_invalid_xml_keeps_it_in_the_inbox(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    send(client, fill_instance(xform(client), answers(actor, workers=-3)))
    submission = Submission.objects.get()
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(personas.rembang)
    response = officer.post(
        f"/collect/submissions/{submission.pk}/reprocess", {"xml": submission.xml}
    )
    assert response.status_code == 422
    changed_id = submission.xml.replace(submission.instance_id, "uuid:other")
    response = officer.post(f"/collect/submissions/{submission.pk}/reprocess", {"xml": changed_id})
    assert response.status_code == 400
    assert "instanceID" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert not Assessment.objects.exists()


def test_the_inbox_is_scoped_and_dismissing_takes_a_submission_out(
    personas: Personas, period: Period
) -> None:
    kendal_actor = ActorFactory(village_code=KENDAL_VILLAGE)
    admin = phone(personas.admin)
    send(admin, fill_instance(xform(admin), answers(kendal_actor, workers=-1)))
    submission = Submission.objects.get()
    rembang = Client()
    rembang.force_login(personas.rembang)
    assert rembang.get(f"/collect/submissions/{submission.pk}/").status_code == 404
    assert rembang.post(f"/collect/submissions/{submission.pk}/dismiss").status_code == 404
    kendal = Client()
    kendal.force_login(personas.kendal)
    assert kendal.get(f"/collect/submissions/{submission.pk}/").status_code == 200
    assert kendal.post(f"/collect/submissions/{submission.pk}/dismiss").status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DISMISSED
    assert kendal.post(f"/collect/submissions/{submission.pk}/dismiss").status_code == 403


def test_the_inbox_pages_through_every_rejected_submission(
    personas: Personas, actor: Actor, period: Period, django_assert_max_num_queries: Any
) -> None:
    Submission.objects.bulk_create(
        Submission(
            instance_id=f"uuid:inbox-{n:03d}",
            xml="<data/>",
            digest="0" * 64,
            status=SubmissionStatus.REJECTED,
            errors={"workers": [f"reason {n:03d}"]},
            region_code=actor.village_id,
            actor=actor,
        )
        for n in range(120)
    )
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(personas.rembang)
    with django_assert_max_num_queries(6):  # whatever the number of submissions
        assert len(officer.get("/collect/submissions/").context["page"]) == 50
    seen: set[str] = set()
    for number in (1, 2, 3):
        page = officer.get(f"/collect/submissions/?status=rejected&page={number}")
        assert page.status_code == 200
        text = page.content.decode()
        assert "120 submissions" in text
        assert f"Page {number} of 3" in text
        seen |= set(re.findall(r"reason \d{3}", text))
    assert len(seen) == 120
    # the tabs and an out-of-range page still answer
    assert officer.get("/collect/submissions/?status=accepted").status_code == 200
    assert "Page 3 of 3" in officer.get("/collect/submissions/?page=99").content.decode()


def test_the_xlsform_download_opens_and_converts_back(
    personas: Personas, instrument: Instrument
) -> None:
    client = Client()
    client.force_login(personas.rembang)
    response = client.get(f"/collect/forms/{instrument.pk}/xlsform.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    converted = convert(content, file_type=".xlsx", form_name="data").xform
    assert converted.encode() == xform(phone(personas.rembang))


def test_a_utf16_submission_is_kept_readable_and_can_be_fixed(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    utf8 = fill_instance(xform(client), answers(actor, period="2091"))
    utf16 = utf8.decode().replace("utf-8", "UTF-16").replace("UTF-8", "UTF-16").encode("utf-16")
    assert send(client, utf16).status_code == 422
    submission = Submission.objects.get()
    assert "<period>2091</period>" in submission.xml
    assert "UTF-16" not in submission.xml
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(personas.rembang)
    fixed = submission.xml.replace("<period>2091</period>", "<period>2019</period>")
    officer.post(f"/collect/submissions/{submission.pk}/reprocess", {"xml": fixed})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED


def test_a_submission_of_thousands_of_fields_is_not_filed(
    personas: Personas, actor: Actor, period: Period
) -> None:
    client = phone(personas.pendamping)
    xml = fill_instance(xform(client), answers(actor))
    junk = b"".join(b"<f%d/>" % n for n in range(26_000))
    response = send(client, xml.replace(b"</data>", junk + b"</data>"))
    assert response.status_code == 400
    assert len(response.content) < 2_000
    assert "more than 300 fields" in said(response)
    assert not Submission.objects.exists()
