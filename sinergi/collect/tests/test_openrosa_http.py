"""ODK Collect's whole conversation over real HTTP, against a live server."""

from __future__ import annotations

import http.client
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest

from sinergi.assessments import services
from sinergi.assessments.models import Assessment
from sinergi.assessments.tests.test_results import ADVANCED
from sinergi.collect.tests.odk import basic, fill_instance, multipart
from sinergi.test import PASSWORD, ActorFactory, make_personas


@pytest.mark.django_db(transaction=True)
def test_a_phone_downloads_the_form_and_sends_a_result_over_http(
    live_server: Any, live_regions: None
) -> None:
    personas = make_personas()
    services.load_default_instrument()
    services.create_period(
        user=None, code="2019", name="2019", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    actor = ActorFactory(facilitator=personas.pendamping)
    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)

    def call(method: str, path: str, body: bytes | None = None, **headers: str) -> Any:
        conn.request(method, path, body=body, headers={"X-OpenRosa-Version": "1.0", **headers})
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]  # kept beside the status
        return response

    auth = basic(personas.pendamping.username, PASSWORD)
    challenge = call("HEAD", "/openrosa/submission")
    assert challenge.status == 401
    assert "Basic" in challenge.getheader("WWW-Authenticate")
    listing = call("GET", "/openrosa/formList", Authorization=auth)
    assert listing.status == 200
    assert listing.getheader("X-OpenRosa-Version") == "1.0"
    found = re.search(r"<downloadUrl>([^<]+)</downloadUrl>", listing.body.decode())
    assert found is not None
    form = call("GET", urlsplit(found.group(1)).path, Authorization=auth).body
    preflight = call("HEAD", "/openrosa/submission", Authorization=auth)
    assert preflight.status == 204
    assert int(preflight.getheader("X-OpenRosa-Accept-Content-Length")) > 1_000_000
    xml = fill_instance(form, {"actor": actor.pk, "period": "2019", **ADVANCED})
    body, kind = multipart(xml)
    sent = call("POST", "/openrosa/submission", body, Authorization=auth, **{"Content-Type": kind})
    assert sent.status == 201, sent.body
    assert b"submit_success" in sent.body
    again = call("POST", "/openrosa/submission", body, Authorization=auth, **{"Content-Type": kind})
    assert again.status == 202
    conn.close()
    assert Assessment.objects.filter(actor=actor, source="odk").count() == 1
