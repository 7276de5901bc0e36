import pytest
from django.test import Client

from sinergi.test import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def token_client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.mark.parametrize(
    ("level", "count"),
    [("province", 38), ("regency", 514), ("district", 7285), ("village", 83762)],
)
def test_it_counts_every_region_of_a_level(personas: Personas, level: str, count: int) -> None:
    body = token_client(personas.viewer.username).get(f"/api/v1/regions?level={level}&limit=1")
    assert body.status_code == 200
    assert body.json()["count"] == count
    assert len(body.json()["items"]) == 1
    assert body.json()["items"][0]["level"] == level


def test_it_lists_the_children_of_a_parent(personas: Personas) -> None:
    body = token_client(personas.kendal.username).get("/api/v1/regions?parent=33&limit=500").json()
    assert body["count"] == 35
    assert {item["parent"] for item in body["items"]} == {"33"}
    assert {"code": "33.17", "name": "Kabupaten Rembang", "level": "regency", "parent": "33"} in (
        body["items"]
    )
    assert body["next"] is None


def test_it_combines_level_parent_and_query(personas: Personas) -> None:
    client = token_client(personas.admin.username)
    body = client.get("/api/v1/regions?level=regency&q=rembang").json()
    assert [item["code"] for item in body["items"]] == ["33.17"]
    by_code = client.get("/api/v1/regions?parent=33.17&q=33.17.04").json()
    assert [item["code"] for item in by_code["items"]] == ["33.17.04"]


def test_it_rejects_an_unknown_level_with_the_error_shape(personas: Personas) -> None:
    response = token_client(personas.admin.username).get("/api/v1/regions?level=hamlet")
    assert response.status_code in (400, 422)
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "level" in body["detail"]


def test_it_rejects_a_bad_limit(personas: Personas) -> None:
    response = token_client(personas.admin.username).get("/api/v1/regions?limit=0")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_an_unknown_parent_is_404(personas: Personas) -> None:
    response = token_client(personas.admin.username).get("/api/v1/regions?parent=99.99")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_anonymous_gets_401() -> None:
    response = Client().get("/api/v1/regions?level=province")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_a_signed_in_session_may_read_regions(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.pendamping)
    assert client.get("/api/v1/regions?level=province&limit=1").json()["count"] == 38


def test_the_next_cursor_walks_every_item_once(personas: Personas) -> None:
    client = token_client(personas.admin.username)
    url: str | None = "/api/v1/regions?level=province&limit=10"
    codes: list[str] = []
    pages = 0
    while url:
        body = client.get(url).json()
        assert body["count"] == 38
        codes += [item["code"] for item in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 4
    assert len(codes) == 38
    assert codes == sorted(set(codes))
    assert codes[0] == "11"


def test_plain_digit_codes_are_searched_like_dotted_ones(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.viewer)
    body = client.get("/api/v1/regions?q=3317&level=regency").json()
    assert [item["code"] for item in body["items"]] == ["33.17"]


def test_a_bad_level_names_the_field(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.viewer)
    assert list(client.get("/api/v1/regions?level=kota").json()["errors"]) == ["level"]
    assert list(client.get("/api/v1/regions?limit=0").json()["errors"]) == ["limit"]
