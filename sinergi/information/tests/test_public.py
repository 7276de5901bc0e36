from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client

from sinergi.information import services, spam
from sinergi.information.choices import Outcome
from sinergi.information.models import InformationRequest
from sinergi.information.tests.conftest import english, request_data
from sinergi.information.views import REQUESTS_PER_HOUR
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

URL = "/information/request/"


def form(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Fiktif Pemohon",
        "email": "pemohon@example.org",
        "information": "Daftar wilayah model",
        "purpose": "Penelitian",
        "delivery": "email",
        "website": "",
        "form_stamp": spam.issue_token(time.time() - 10),
        **changes,
    }


def test_the_form_is_served_with_a_csrf_token_and_a_hidden_honeypot() -> None:
    client = english(enforce_csrf_checks=True)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'class="trap"' in body
    assert 'name="website"' in body
    assert "style=" not in body
    assert "csrftoken" in response.cookies
    assert "X-Sinergi-Cache" not in response


def test_an_anonymous_visitor_submits_a_request_with_csrf(settings: Any) -> None:
    client = english(enforce_csrf_checks=True)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, form(csrfmiddlewaretoken=token))
    assert response.status_code == 200
    request = InformationRequest.objects.get()
    body = response.content.decode()
    assert request.tracking_number in body
    assert f"{request.due_on.day} " in body
    assert str(request.due_on.year) in body


def test_the_due_date_reads_as_a_date_in_words() -> None:
    response = Client().post(URL, form())
    request = InformationRequest.objects.get()
    # The Indonesian visitor (the default language) reads the Indonesian month.
    months = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November"
    months += " Desember"
    words = f"{request.due_on.day} {months.split()[request.due_on.month - 1]} {request.due_on.year}"
    assert words in response.content.decode()


def test_a_filled_honeypot_is_refused_and_nothing_stored() -> None:
    response = english().post(URL, form(website="http://spam.example"))
    assert "Leave the hidden field empty" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_form_sent_too_fast_is_refused() -> None:
    response = english().post(URL, form(form_stamp=spam.issue_token()))
    assert "too quickly" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_stale_form_is_refused() -> None:
    stale = spam.issue_token(time.time() - spam.MAX_SECONDS - 60)
    response = english().post(URL, form(form_stamp=stale))
    assert "too long ago" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_forged_or_missing_stamp_is_refused() -> None:
    for stamp in ("", "forged:stamp", str(time.time() - 10)):
        response = english().post(URL, form(form_stamp=stamp))
        assert "could not be verified" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_requests_from_one_address_are_limited_per_hour() -> None:
    client = english()
    for _ in range(REQUESTS_PER_HOUR):
        client.post(URL, form())
    assert InformationRequest.objects.count() == REQUESTS_PER_HOUR
    response = client.post(URL, form())
    assert "Too many submissions" in response.content.decode()
    assert InformationRequest.objects.count() == REQUESTS_PER_HOUR
    other = english(REMOTE_ADDR="198.51.100.7")
    other.post(URL, form())
    assert InformationRequest.objects.count() == REQUESTS_PER_HOUR + 1


def test_field_errors_name_the_field_and_store_nothing() -> None:
    response = english().post(URL, form(email="not-an-email", information="", delivery="fax"))
    form_errors = response.context["form"].errors
    assert set(form_errors) == {"email", "information", "delivery"}
    assert not InformationRequest.objects.exists()


def without_token(body: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def status(client: Client, number: str, email: str) -> str:
    response = client.post("/information/status/", {"tracking_number": number, "email": email})
    assert response.status_code == 200
    return response.content.decode()


def test_the_status_needs_the_tracking_number_and_the_matching_email(
    personas: Personas,
) -> None:
    request = services.submit_request(user=None, data=request_data())
    services.answer_request(
        user=personas.admin, request=request, outcome=Outcome.GRANTED, answer="Terlampir datanya."
    )
    client = english()
    shown = status(client, request.tracking_number.lower(), "Pemohon@Example.org")
    assert "Terlampir datanya." in shown
    assert "keberatan" in shown
    wrong_email = status(client, request.tracking_number, "orang-lain@example.org")
    unknown = status(client, "KIP-2026-999999", "pemohon@example.org")
    assert "Terlampir" not in wrong_email
    assert "No request matches" in wrong_email
    assert "No request matches" in unknown
    assert without_token(wrong_email).replace("orang-lain@example.org", "") == without_token(
        unknown
    ).replace("pemohon@example.org", "").replace("KIP-2026-999999", request.tracking_number)


def test_status_lookups_are_limited_per_hour() -> None:
    client = english()
    for _ in range(20):
        status(client, "KIP-2026-000001", "a@example.org")
    assert "Too many submissions" in status(client, "KIP-2026-000001", "a@example.org")


def test_the_public_page_shows_counts_but_no_requester(personas: Personas) -> None:
    services.submit_request(
        user=None, data=request_data(name="Nama Rahasia Fiktif", email="rahasia@example.org")
    )
    response = english().get("/information/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nama Rahasia Fiktif" not in body
    assert "rahasia@example.org" not in body
    assert "KIP-" not in body
    assert response.context["figures"][0].received == 1
    assert "10" in body
    assert "UU KIP" in body
    assert len(response.content) < 100_000
    assert "<script" not in body
    assert "style=" not in body


def test_the_public_page_is_cached_until_a_request_comes_in(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = english()
    assert client.get("/information/")["X-Sinergi-Cache"] == "miss"
    assert client.get("/information/")["X-Sinergi-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form())
    response = client.get("/information/")
    assert response["X-Sinergi-Cache"] == "miss"
    assert response.context["figures"][0].received == 1


def test_the_public_pages_link_each_other_in_the_nav() -> None:
    body = english().get("/figures/").content.decode()
    assert 'href="/information/"' in body
