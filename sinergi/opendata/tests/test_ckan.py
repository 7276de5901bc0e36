"""The CKAN-compatible read API, checked against the shapes CKAN's action API documents:
the envelope {"help", "success", "result"}, package fields, and its errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sinergi.opendata import ckan

pytestmark = pytest.mark.django_db

SLUGS = ["kabupaten-kota-model-ir", "layanan-mitra", "mitra-industri-rumahan"]
PACKAGE_KEYS = {
    "id", "name", "title", "notes", "license_id", "license_title", "license_url",
    "maintainer", "maintainer_email", "author", "organization", "metadata_modified",
    "metadata_created", "tags", "extras", "resources", "state", "type", "private", "url",
}  # fmt: skip


def call(path: str, **params: Any) -> tuple[int, dict[str, Any], Any]:
    response = Client().get(f"/api/3/action/{path}", params)
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.status_code, json.loads(response.content), response


def test_package_list_names_every_dataset(catalogue: Any) -> None:
    status, body, _ = call("package_list")
    assert status == 200
    assert set(body) == {"help", "success", "result"}
    assert body["success"] is True
    assert body["help"].startswith("http://testserver/api/3/action/help_show?name=package_list")
    assert body["result"] == SLUGS


def test_package_list_pages_with_limit_and_offset(catalogue: Any) -> None:
    assert call("package_list", limit=1, offset=1)[1]["result"] == SLUGS[1:2]
    assert call("package_list", offset=2)[1]["result"] == SLUGS[2:]


def test_package_show_gives_a_ckan_package(catalogue: Any) -> None:
    status, body, _ = call("package_show", id="mitra-industri-rumahan")
    assert status == 200
    assert body["success"] is True
    package = body["result"]
    assert set(package) >= PACKAGE_KEYS
    assert package["id"] == package["name"] == "mitra-industri-rumahan"
    assert package["license_id"] == "CC-BY-4.0"
    assert package["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["maintainer_email"] == "walidata@sinergi.example"
    assert package["organization"] == {
        "name": "pusat-data-dan-informasi-kemen-pppa",
        "title": "Pusat Data dan Informasi Kemen PPPA",
    }
    assert {"name": "mitra"} in package["tags"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["walidata"] == "Pusat Data dan Informasi Kemen PPPA"
    assert extras["produsen_data"].startswith("Kementerian Pemberdayaan Perempuan")
    assert "idn-area-data" in extras["kode_referensi"]
    assert extras["cakupan_waktu"] == "2017–2019"
    assert all(set(e) == {"key", "value"} for e in package["extras"])
    # metadata_modified is ISO 8601
    assert package["metadata_modified"][:4].isdigit()
    assert package["metadata_modified"][10] == "T"


def test_package_show_resources_are_absolute_downloads(catalogue: Any) -> None:
    resources = call("package_show", id="layanan-mitra")[1]["result"]["resources"]
    assert [(r["format"], r["mimetype"]) for r in resources] == [
        ("CSV", "text/csv"),
        ("JSON", "application/json"),
    ]
    assert [r["url"] for r in resources] == [
        "http://testserver/data/layanan-mitra.csv",
        "http://testserver/data/layanan-mitra.json",
    ]
    assert all(r["id"] and r["name"] and r["description"] for r in resources)
    for r in resources:
        assert Client().get(r["url"].removeprefix("http://testserver")).status_code == 200


def test_package_show_of_an_unknown_id_is_a_ckan_not_found(catalogue: Any) -> None:
    status, body, _ = call("package_show", id="tidak-ada")
    assert status == 404
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"
    assert body["error"]["message"]
    assert "result" not in body


def test_package_show_without_an_id_is_a_validation_error(catalogue: Any) -> None:
    status, body, _ = call("package_show")
    assert status == 409
    assert body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    assert body["error"]["id"]


def test_package_search_finds_with_count_and_results(catalogue: Any) -> None:
    status, body, _ = call("package_search", q="menurut")
    assert status == 200
    result = body["result"]
    assert set(result) >= {"count", "results", "facets", "search_facets"}
    assert result["count"] == 2
    assert [p["name"] for p in result["results"]] == ["layanan-mitra", "mitra-industri-rumahan"]
    assert set(result["results"][0]) >= PACKAGE_KEYS


def test_package_search_of_everything_pages_with_rows_and_start(catalogue: Any) -> None:
    for q in ("", "*:*"):
        result = call("package_search", q=q, rows=1, start=1)[1]["result"]
        assert result["count"] == 3
        assert [p["name"] for p in result["results"]] == [SLUGS[1]]
    assert call("package_search", rows=0)[1]["result"]["results"] == []
    assert call("package_search", q="tidakadaapapun")[1]["result"]["count"] == 0


def test_package_search_gives_at_most_max_rows(catalogue: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(ckan, "MAX_ROWS", 2)
    result = call("package_search", rows=1000)[1]["result"]
    assert (result["count"], len(result["results"])) == (3, 2)
    assert ckan.DEFAULT_ROWS == 10


@pytest.mark.parametrize(
    ("params", "field"),
    [({"rows": "x"}, "rows"), ({"start": "-1"}, "start"), ({"rows": "1.5"}, "rows")],
)
def test_bad_paging_is_a_ckan_validation_error(
    catalogue: Any, params: dict[str, str], field: str
) -> None:
    status, body, _ = call("package_search", **params)
    assert status == 409
    assert body["success"] is False
    assert body["error"]["__type"] == "Validation Error"
    assert isinstance(body["error"][field], list)
    assert call("package_list", limit="x")[0] == 409


def test_the_api_takes_only_get(catalogue: Any) -> None:
    assert Client().post("/api/3/action/package_list").status_code == 405
