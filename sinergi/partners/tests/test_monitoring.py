"""The referral dashboard: every figure equals a plain recount of the rows each persona may
see, in every region she may drill down to; who may open it; what a page costs."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory, PartnerKind
from sinergi.partners.tests.conftest import Monitored, step, when
from sinergi.partners.tests.monitoring_recount import recount
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

PAGE = "/partners/monitoring/"


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def exported(user: User, region: str = "") -> dict[tuple[str, str, str], str]:
    """The dashboard's figures as its CSV export gives them."""
    query = f"?period=2019&from=2018&region={region}"
    response: Any = client_for(user).get(f"{PAGE}export.csv{query}")
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["region_code"], r["period"], r["from_period"]) for r in rows} == {
        (region or _default_region(user), "2019", "2018")
    }
    return {(r["table"], r["key"], r["measure"]): r["value"] for r in rows}


def _default_region(user: User) -> str:
    return {"alice-admin": "", "jane-jateng": "33", "kiki-kendal": "33.24"}.get(
        user.username, "33.17"
    )


SCOPES = [
    ("admin", ""),
    ("admin", "33"),
    ("admin", "33.17"),
    ("admin", "33.17.04"),
    ("admin", "33.17.01.2001"),
    ("admin", "61.08"),
    ("jateng", ""),
    ("jateng", "33.24"),
    ("rembang", ""),
    ("rembang", "33.17.01"),
    ("kendal", ""),
    ("viewer", ""),
    ("pendamping", ""),
    ("pendamping", "33.17.04"),
]


@pytest.mark.parametrize(("persona", "region"), SCOPES)
def test_every_figure_equals_a_recount_of_the_rows_she_may_see(
    monitored: Monitored, personas: Personas, persona: str, region: str
) -> None:
    user = getattr(personas, persona)
    shown = exported(user, region)
    assert shown == recount(user, region or _default_region(user))


def test_an_officer_of_two_regencies_sees_both_summed(
    monitored: Monitored, personas: Personas
) -> None:
    """Her scope is two roots: every figure is summed over both, medians from the days of
    both (the kept histograms added up)."""
    Membership.objects.create(user=personas.kendal, role=Role.REGENCY_OFFICER, region_id="33.17")
    response: Any = client_for(personas.kendal).get(f"{PAGE}export.csv?period=2019&from=2018")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    shown = {
        (r["table"], r["key"], r["measure"]): r["value"] for r in csv.DictReader(io.StringIO(text))
    }
    kendal = User.objects.get(pk=personas.kendal.pk)  # her memberships read afresh
    assert shown == recount(kendal, "", children=["33.17", "33.24"])
    assert shown["summary", "median_days", "value"] == "14.0"  # 19 and 10 days in Rembang


def test_the_figures_are_those_of_the_referrals_made(
    monitored: Monitored, personas: Personas
) -> None:
    shown = exported(personas.admin)
    mekaar = str(monitored.world.mekaar.pk)
    assert shown["summary", "referrals", "value"] == "8"
    assert shown["summary", "credit", "value"] == "3250000"
    assert shown["summary", "acceptance_rate", "value"] == "0.8"  # 4 of 5 answered
    assert shown["summary", "service_rate", "value"] == "0.5"  # 3 of 6 sent
    assert shown["summary", "median_days", "value"] == "14.0"  # 19, 10, 14 days
    assert shown["partner", mekaar, "median_days"] == "14.5"
    assert shown["status", "withdrawn", "referrals"] == "2"
    # 2018 → 2019: actor, second, kendal and landak referred in 2018 (two moved up);
    # unreferred, waiting and kendal_unreferred not (one moved up).
    assert shown["summary", "referred_both_periods", "value"] == "4"
    assert shown["summary", "referred_up", "value"] == "2"
    assert shown["summary", "not_referred_both_periods", "value"] == "3"
    assert shown["summary", "not_referred_up", "value"] == "1"
    assert shown["region", "33", "referrals"] == "7"
    assert shown["region", "61", "referrals"] == "1"


def test_a_facilitator_sees_her_caseload_only(monitored: Monitored, personas: Personas) -> None:
    shown = exported(personas.pendamping)
    assert shown["summary", "referrals", "value"] == "3"  # credit and training; `waiting`
    assert ("partner", str(monitored.iwapi.pk), "referrals") not in shown
    body = client_for(personas.pendamping).get(PAGE).content.decode()
    assert "Figures of the actors in your caseload." in body


def test_a_later_result_moves_the_referred_actors_figures(
    monitored: Monitored, personas: Personas
) -> None:
    from sinergi.assessments.tests.test_results import BEGINNER
    from sinergi.partners.tests.conftest import result

    result(monitored.actors["actor"], monitored.world.period, BEGINNER)  # back to IR 1
    shown = exported(personas.rembang)
    assert shown["summary", "referred_up", "value"] == "0"
    assert shown == recount(personas.rembang, "33.17")


def page(user: User | None, path: str = PAGE) -> Any:
    return client_for(user).get(path)


@pytest.mark.parametrize(
    "path", [PAGE, f"{PAGE}export.xlsx", f"{PAGE}export.csv", f"{PAGE}?period=2019&from=2018"]
)
def test_who_may_open_the_dashboard_and_its_exports(
    monitored: Monitored, personas: Personas, path: str
) -> None:
    for persona in ("admin", "jateng", "rembang", "kendal", "pendamping", "viewer"):
        assert page(getattr(personas, persona), path).status_code == 200, persona
    # Partner staff have no dashboard: their referrals are in their own list.
    assert page(monitored.world.staff, path).status_code == 404
    assert page(monitored.world.other_staff, path).status_code == 404
    anonymous = page(None, path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert client_for(personas.admin).post(path).status_code == 405


@pytest.mark.parametrize(
    ("persona", "region"),
    [
        ("rembang", "33.24"),
        ("rembang", "33"),
        ("kendal", "33.17.04"),
        ("jateng", "61.08"),
        ("viewer", "33.24"),
        ("pendamping", "33.24"),
        ("admin", "99"),
        ("admin", "not-a-code"),
    ],
)
def test_a_region_outside_the_scope_is_not_found(
    monitored: Monitored, personas: Personas, persona: str, region: str
) -> None:
    user = getattr(personas, persona)
    for path in ("", "export.xlsx", "export.csv"):
        assert page(user, f"{PAGE}{path}?region={region}").status_code == 404


def test_unknown_periods_are_not_found_and_the_same_twice_is_explained(
    monitored: Monitored, personas: Personas
) -> None:
    assert page(personas.admin, f"{PAGE}?period=2030").status_code == 404
    same = page(personas.admin, f"{PAGE}?period=2019&from=2019")
    assert same.status_code == 200
    assert "Choose two different periods." in same.content.decode()


def test_the_page_drills_down_and_shows_money_and_rates(
    monitored: Monitored, personas: Personas
) -> None:
    body = page(personas.admin, f"{PAGE}?period=2019&from=2018").content.decode()
    assert '<span class="stat-value" id="credit">Rp3.250.000</span>' in body
    assert '<span class="stat-value" id="acceptance">80.0%</span>' in body
    assert '<a href="?region=33&amp;period=2019&amp;from=2018">Jawa Tengah</a>' in body
    district = page(personas.admin, f"{PAGE}?region=33.17.04&period=2019").content.decode()
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', district, re.S)
    assert crumbs is not None
    names = re.findall(r">([^<>]+)</(?:a|span)>", crumbs.group(0))
    assert names == ["Indonesia", "Jawa Tengah", "Kabupaten Rembang", "Sale"]
    assert "<script>" not in body
    assert "style=" not in body


def test_the_page_answers_htmx_with_its_partial(monitored: Monitored, personas: Personas) -> None:
    response = client_for(personas.rembang).get(PAGE, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="monitoring-title"' in body


def test_the_navigation_links_the_dashboard(monitored: Monitored, personas: Personas) -> None:
    assert 'id="nav-referral-dashboard"' in page(personas.viewer, "/analytics/").content.decode()


def queries(user: User, path: str) -> int:
    """Statements of the ORM a page asks (the kept counts are read on the driver's cursor:
    six statements whatever the scope, not seen here)."""
    client = client_for(user)
    client.get(path)  # sessions and caches settle
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


PAGES = [
    ("admin", f"{PAGE}?period=2019&from=2018"),
    ("rembang", PAGE),
    ("pendamping", PAGE),
    ("admin", f"{PAGE}?region=33.17.04"),
]


@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_a_page_asks_as_many_queries_however_many_partners_and_referrals(
    monitored: Monitored, personas: Personas, persona: str, path: str
) -> None:
    user = getattr(personas, persona)
    before = queries(user, path)
    assert before <= 16
    for n in range(3):
        partner = services.map_partner(
            user=personas.admin,
            data=services.PartnerData(name=f"Mitra {n}", kind=PartnerKind.NGO, region=None),
        )
        offer = services.publish_offer(
            user=personas.admin,
            partner=partner,
            data=services.OfferData(title=f"Tawaran {n}", category=OfferCategory.TRAINING),
        )
        for actor in monitored.actors.values():
            referral = services.propose_referral(
                user=personas.admin, actor=actor, offer=offer, at=when("2018-10-01")
            )
            if actor.consent_partners:
                step(personas.admin, referral, "sent", "2018-10-02")
    assert queries(user, path) == before
