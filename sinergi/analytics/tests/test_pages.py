"""Dashboard pages: each user lands on her scope, drills down within it, sorts child regions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.analytics.tests.test_scope import mapped  # noqa: F401 - fixture
from sinergi.test import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mapped")]


def page(user: User, path: str, headers: dict[str, str] | None = None) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get(path, headers=headers)


def title(response: Any) -> str:
    found = re.search(r'<h1 id="dashboard-title">(.*?)</h1>', response.content.decode())
    assert found, response.content.decode()[:500]
    return found.group(1)


@pytest.mark.parametrize("path", ["/analytics/", "/analytics/transitions/"])
def test_each_user_lands_on_her_own_scope(personas: Personas, path: str) -> None:
    assert title(page(personas.admin, path)).startswith("Indonesia")
    assert title(page(personas.jateng, path)).startswith("Jawa Tengah")
    assert title(page(personas.rembang, path)).startswith("Kabupaten Rembang")
    assert title(page(personas.viewer, path)).startswith("Kabupaten Rembang")
    mine = page(personas.pendamping, path)
    assert title(mine).startswith("Kabupaten Rembang")
    assert "Figures of the actors in your caseload." in mine.content.decode()


def test_the_admin_drills_down_with_breadcrumbs_back_up(personas: Personas) -> None:
    nation = page(personas.admin, "/analytics/?period=2019").content.decode()
    assert 'href="?region=33&amp;period=2019&amp;from=2018"' in nation
    district = page(personas.admin, "/analytics/?region=33.17.04&period=2019").content.decode()
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', district, re.S)
    assert crumbs is not None
    names = re.findall(r">([^<>]+)</(?:a|span)>", crumbs.group(0))
    assert names == ["Indonesia", "Jawa Tengah", "Kabupaten Rembang", "Sale"]
    assert 'aria-current="page">Sale</span>' in crumbs.group(0)


def test_a_regency_officer_cannot_climb_above_her_regency(personas: Personas) -> None:
    body = page(personas.rembang, "/analytics/?region=33.17.04").content.decode()
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', body, re.S)
    assert crumbs is not None
    assert "Jawa Tengah" not in crumbs.group(0)
    for code in ("33", "33.24", "61.08"):
        assert page(personas.rembang, f"/analytics/?region={code}").status_code == 404
        assert page(personas.rembang, f"/analytics/transitions/?region={code}").status_code == 404


def test_unknown_periods_are_not_found_and_the_same_period_twice_is_explained(
    personas: Personas,
) -> None:
    assert page(personas.admin, "/analytics/?period=2030").status_code == 404
    same = page(personas.admin, "/analytics/transitions/?period=2019&from=2019")
    assert same.status_code == 200
    assert "Choose two different periods." in same.content.decode()


def test_the_child_table_sorts_on_the_server_and_through_htmx(personas: Personas) -> None:
    full = page(personas.jateng, "/analytics/?period=2019&sort=-total").content.decode()
    first = re.findall(r'<td data-label="Region"><a href="\?region=([\d.]+)&amp;', full)
    assert first[:2] == ["33.17", "33.24"]
    partial = page(
        personas.jateng, "/analytics/?period=2019&sort=name", headers={"HX-Request": "true"}
    )
    body = partial.content.decode()
    assert "<html" not in body
    assert 'aria-sort="ascending"' in body
    names = re.findall(r'<td data-label="Region"><a [^>]+>([^<]+)</a>', body)
    assert names == sorted(names, key=str.lower)


def test_charts_are_inline_svg_with_titles_and_no_inline_style(personas: Personas) -> None:
    body = page(personas.admin, "/analytics/transitions/?period=2019&from=2018").content.decode()
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') >= 3
    assert '<title id="chart-matrix-t">' in body
    assert "style=" not in body
    assert "<script>" not in body


def test_a_national_dashboard_reads_a_bounded_number_of_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(personas.admin)
    with django_assert_max_num_queries(25):
        assert client.get("/analytics/?period=2019&from=2018").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/analytics/transitions/?period=2019&from=2018").status_code == 200


def test_a_level_count_links_to_the_same_actors_in_the_list(personas: Personas) -> None:
    for user in (personas.rembang, personas.pendamping, personas.admin):
        body = page(user, "/analytics/?period=2019").content.decode()
        links = re.findall(r'<a href="(/actors/\?[^"]+)">(\d+)</a>', body)
        assert len(links) == 3
        for href, shown in links:
            query = href.split("?", 1)[1].replace("&amp;", "&")
            listed = page(user, f"/api/v1/actors?{query}").json()["count"]
            assert listed == int(shown), (user, href)
