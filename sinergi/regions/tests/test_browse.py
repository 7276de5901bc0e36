import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.regions.models import ModelRegion
from sinergi.test import Personas

pytestmark = pytest.mark.django_db
URL = "/regions/"


def client_for(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # type: ignore[arg-type]
    return client


def mark_rembang() -> ModelRegion:
    return ModelRegion.objects.create(region_id="33.17", start_year=2020, mou_number="MoU-1")


def test_anonymous_is_sent_to_login() -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["admin", "jateng", "rembang", "kendal", "pendamping", "viewer"])
def test_every_signed_in_persona_may_browse(personas: Personas, who: str) -> None:
    response = client_for(getattr(personas, who)).get(URL, {"code": "33.24"})
    assert response.status_code == 200
    assert "Kabupaten Kendal" in response.content.decode()


def test_it_lists_the_provinces_with_their_regency_counts(personas: Personas) -> None:
    response = client_for(personas.viewer).get(URL)
    assert response.status_code == 200
    assert len(response.context["children"]) == 38
    central_java = next(r for r in response.context["children"] if r.code == "33")
    assert central_java.child_count == 35
    page = response.content.decode()
    assert "Regions of Indonesia" in page
    assert 'href="/regions/?code=33"' in page


def test_it_drills_down_to_a_village_with_its_breadcrumb(personas: Personas) -> None:
    client = client_for(personas.viewer)
    regency = client.get(URL, {"code": "33.17"})
    assert [r.code for r in regency.context["trail"]] == ["33", "33.17"]
    assert regency.context["children_heading"] == "Districts"
    assert len(regency.context["children"]) == 14
    district = client.get(URL, {"code": "33.17.04"})
    assert [r.code for r in district.context["trail"]] == ["33", "33.17", "33.17.04"]
    assert {r.child_count for r in district.context["children"]} == {0}
    assert "33.17.04.2001" in {r.code for r in district.context["children"]}
    page = district.content.decode()
    assert 'href="/regions/?code=33.17"' in page
    assert 'aria-current="page"' in page
    village = client.get(URL, {"code": "3317042001"})
    assert village.status_code == 200
    assert village.context["region"].code == "33.17.04.2001"
    assert len(village.context["trail"]) == 4
    assert "there are no regions below" in village.content.decode()
    assert 'role="search"' not in village.content.decode()


def test_it_renders_in_indonesian_by_default(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.viewer)
    response = client.get(URL, {"code": "33.17"})
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()


@pytest.mark.parametrize("code", ["99", "33.99", "abc", "33.17.04.9999"])
def test_an_unknown_code_is_404(personas: Personas, code: str) -> None:
    assert client_for(personas.viewer).get(URL, {"code": code}).status_code == 404


def test_it_searches_by_name(personas: Personas) -> None:
    response = client_for(personas.viewer).get(URL, {"q": "rembang"})
    results = response.context["results"]
    assert results[0].code == "33.17"
    assert response.context["total"] == len(results)
    assert "Kabupaten Rembang" in response.content.decode()


def test_it_searches_by_dotted_or_plain_code(personas: Personas) -> None:
    client = client_for(personas.viewer)
    for q in ("33.17.04.2001", "3317042001"):
        results = client.get(URL, {"q": q}).context["results"]
        assert [r.code for r in results] == ["33.17.04.2001"]


def test_it_searches_within_the_region_being_browsed(personas: Personas) -> None:
    client = client_for(personas.viewer)
    everywhere = client.get(URL, {"q": "sumber"}).context["total"]
    in_rembang = client.get(URL, {"q": "sumber", "code": "33.17"}).context
    assert 0 < in_rembang["total"] < everywhere
    assert all(r.code.startswith("33.17.") for r in in_rembang["results"])


def test_it_caps_long_search_results(personas: Personas) -> None:
    response = client_for(personas.viewer).get(URL, {"q": "a"})
    assert response.context["total"] > 50
    assert len(response.context["results"]) == 50
    assert "refine the search" in response.content.decode()


def test_htmx_search_gets_only_the_partial(personas: Personas) -> None:
    response = client_for(personas.viewer).get(URL, {"q": "rembang"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kabupaten Rembang" in page
    assert "<html" not in page
    assert 'role="search"' not in page
    assert [t.name for t in response.templates] == ["regions/partials/_region_results.html"]


def test_htmx_with_an_empty_query_gets_the_children_again(personas: Personas) -> None:
    response = client_for(personas.viewer).get(
        URL, {"q": "", "code": "33.17"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.content.decode()
    assert len(response.context["children"]) == 14


def test_it_marks_model_regions_in_lists(personas: Personas) -> None:
    mark_rembang()
    client = client_for(personas.viewer)
    province = client.get(URL, {"code": "33"})
    marked = {r.code for r in province.context["children"] if r.is_model}
    assert marked == {"33.17"}
    assert province.content.decode().count('class="badge model"') == 1
    search = client.get(URL, {"q": "rembang"})
    assert [r.code for r in search.context["results"] if r.is_model] == ["33.17"]
    regency = client.get(URL, {"code": "33.17"})
    assert regency.context["model_region"].mou_number == "MoU-1"
    assert "MoU-1" in regency.content.decode()


def test_the_children_table_query_count_does_not_grow_with_rows(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    mark_rembang()
    client = client_for(personas.viewer)
    client.get(URL)  # warm the session and translation machinery

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    few = queries({"code": "33.17.04"})  # about twenty villages
    many = queries({"code": "33"})  # 35 regencies, one a model region
    all_provinces = queries({})
    assert few == many
    assert all_provinces <= many
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        client.get(URL, {"code": "33"})
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        client.get(URL, {"q": "a"})
