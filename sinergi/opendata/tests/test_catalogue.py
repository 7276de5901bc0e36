"""The public catalogue: listing and search, a dataset's page, its CSV and JSON, and the
round trip from the source to the files."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.opendata import sources
from sinergi.opendata.builders import offers, partners
from sinergi.opendata.services import DatasetData, save_dataset, snapshot
from sinergi.opendata.sources import Field, Table
from sinergi.opendata.tests.conftest import describe
from sinergi.partners.models import Partner

pytestmark = pytest.mark.django_db


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_catalogue_lists_every_dataset_for_the_anonymous(catalogue: Any) -> None:
    response = Client().get("/data/")
    body = response.content.decode()
    assert response.status_code == 200
    for dataset in catalogue.values():
        assert f'href="/data/{dataset.slug}/"' in body
        assert dataset.title in body
    assert len(response.content) < 100_000
    assert "<script" not in body


def test_the_catalogue_is_in_bahasa_indonesia_first(catalogue: Any) -> None:
    assert '<html lang="id">' in Client().get("/data/").content.decode()


def test_the_public_nav_links_the_catalogue(catalogue: Any) -> None:
    assert 'href="/data/"' in Client().get("/figures/").content.decode()


def test_its_search_finds_by_every_word(catalogue: Any) -> None:
    body = Client().get("/data/", {"q": "mitra kategori"}).content.decode()
    assert 'href="/data/layanan-mitra/"' in body
    assert 'href="/data/mitra-industri-rumahan/"' not in body
    assert 'href="/data/kabupaten-kota-model-ir/"' not in body


def test_a_dataset_page_shows_metadata_dictionary_and_preview(catalogue: Any) -> None:
    response = Client().get("/data/kabupaten-kota-model-ir/")
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Pusat Data dan Informasi Kemen PPPA",  # walidata
        "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak",  # produsen data
        "idn-area-data",  # the release of the reference codes
        "https://creativecommons.org/licenses/by/4.0/",
        "walidata@sinergi.example",
        "2017–2019",
        "mou_number",  # the dictionary
        "DEMO/KPPPA/1/2016",  # the preview
        "2016-05-02",
    ):
        assert text in body, text
    assert len(response.content) < 100_000


def test_an_unknown_dataset_is_404(catalogue: Any) -> None:
    for path in ("/data/nothing/", "/data/nothing.csv", "/data/nothing.json"):
        assert Client().get(path).status_code == 404
    assert "Content-Disposition" not in Client().get("/data/nothing.csv")


def test_a_dataset_whose_builder_is_missing_is_not_listed(catalogue: Any) -> None:
    describe("tingkat-ir", "levels-not-registered", "Tingkat IR")
    assert "tingkat-ir" not in Client().get("/data/").content.decode()
    assert Client().get("/data/tingkat-ir/").status_code == 404
    assert Client().get("/data/tingkat-ir.csv").status_code == 404


def test_withdrawing_a_dataset_renews_the_cached_catalogue(
    catalogue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert "layanan-mitra" in Client().get("/data/").content.decode()
    dataset = catalogue["layanan-mitra"]
    data = DatasetData(**{**snapshot(dataset), "published": False})
    with django_capture_on_commit_callbacks(execute=True):
        save_dataset(user=None, dataset=dataset, data=data)
    assert "layanan-mitra" not in Client().get("/data/").content.decode()
    assert Client().get("/data/layanan-mitra/").status_code == 404
    assert Client().get("/api/3/action/package_show", {"id": "layanan-mitra"}).status_code == 404
    assert b"layanan-mitra" not in Client().get("/api/3/action/package_list").content
    assert b"layanan-mitra" not in Client().get("/data/catalog.jsonld").content


def test_a_new_partner_renews_the_cached_files(
    catalogue: Any, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert b"33.24" not in Client().get("/data/mitra-industri-rumahan.csv").content
    with django_capture_on_commit_callbacks(execute=True):
        Partner.objects.create(name="Koperasi Kendal", kind="microfinance", region_id="33.24")
    assert b"33.24,Kabupaten Kendal" in Client().get("/data/mitra-industri-rumahan.csv").content


def test_the_csv_is_plain_utf8_with_a_header_of_field_codes(catalogue: Any) -> None:
    response = Client().get("/data/kabupaten-kota-model-ir.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="kabupaten-kota-model-ir.csv"' in response["Content-Disposition"]
    assert not response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = rows_of(response.content.decode("utf-8"))
    assert header[:3] == ["region_code", "region_name", "province_code"]
    assert rows == [
        ["33.17", "Kabupaten Rembang", "33", "Jawa Tengah", "model", "2016", "",
         "DEMO/KPPPA/1/2016", "2016-05-02", "no"],
        ["33.24", "Kabupaten Kendal", "33", "Jawa Tengah", "replication", "2018", "2020",
         "", "", "no"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    "slug", ["kabupaten-kota-model-ir", "mitra-industri-rumahan", "layanan-mitra"]
)
def test_the_csv_and_the_json_hold_the_same_table_as_the_builder(catalogue: Any, slug: str) -> None:
    client = Client()
    table = sources.build(catalogue[slug].source)
    header, *rows = rows_of(client.get(f"/data/{slug}.csv").content.decode())
    data = json.loads(client.get(f"/data/{slug}.json").content)
    assert set(data) == {"dataset", "title", "modified", "fields", "rows"}
    assert data["dataset"] == slug
    assert header == [f["code"] for f in data["fields"]] == [f.code for f in table.fields]
    as_text = [["" if v is None else str(v) for v in row] for row in data["rows"]]
    assert rows == as_text
    assert len(rows) == len(table.rows)
    assert all(f["title"] and f["type"] in ("string", "integer", "date") for f in data["fields"])


def test_round_trip_the_csv_totals_equal_the_source_and_the_page(catalogue: Any) -> None:
    client = Client()
    header, *rows = rows_of(client.get("/data/mitra-industri-rumahan.csv").content.decode())
    column = header.index("partners")
    assert sum(int(r[column]) for r in rows) == 4 == sum(int(str(r[5])) for r in partners().rows)
    by_level = {r[0]: int(r[column]) for r in rows if r[1] in ("", "33", "33.17")}
    assert by_level == {"national": 1, "province": 1, "regency": 2}
    page = client.get("/data/mitra-industri-rumahan/").content.decode()
    assert all(f"<td>{r[column]}</td>" in page for r in rows)

    header, *rows = rows_of(client.get("/data/layanan-mitra.csv").content.decode())
    totals = {r[0]: (int(r[2]), r[4]) for r in rows}
    assert totals == {"capital": (2, "30"), "training": (1, "12")}
    assert sum(t[0] for t in totals.values()) == sum(int(str(r[2])) for r in offers().rows) == 3


PROTECTED = Table(
    (
        Field("region_code", "Kode wilayah", "string"),
        Field("ir1", "IR 1", "integer", "Pelaku IR 1", protected=True),
        Field("ir2", "IR 2", "integer", "Pelaku IR 2", protected=True),
    ),
    [("33.17", "<5", ""), ("33.24", 12, 7)],
)


@pytest.fixture
def protected_source() -> Any:
    sources.register("fake_levels", lambda: PROTECTED)
    yield
    sources.unregister("fake_levels")


def test_protected_cells_are_written_as_they_are_and_explained(
    catalogue: Any, protected_source: Any
) -> None:
    describe("tingkat-ir", "fake_levels", "Tingkat IR")
    client = Client()
    assert rows_of(client.get("/data/tingkat-ir.csv").content.decode()) == [
        ["region_code", "ir1", "ir2"],
        ["33.17", "<5", ""],
        ["33.24", "12", "7"],
    ]
    data = json.loads(client.get("/data/tingkat-ir.json").content)
    assert data["rows"][0] == ["33.17", "<5", ""]
    ir1 = next(f for f in data["fields"] if f["code"] == "ir1")
    assert ir1["description"].startswith("Pelaku IR 1 ")
    assert '"<5"' in ir1["description"]
    region = next(f for f in data["fields"] if f["code"] == "region_code")
    assert region["description"] == ""
    page = client.get("/data/tingkat-ir/").content.decode()
    assert "<td>&lt;5</td>" in page
    assert page.count("&lt;5") >= 3  # the cell, the dictionary, the note under it


def test_the_page_previews_the_first_20_rows(catalogue: Any) -> None:
    rows = [(f"row-{n:02}",) for n in range(25)]
    sources.register("many", lambda: Table((Field("code", "Kode", "string"),), rows))
    try:
        describe("banyak", "many", "Banyak baris")
        body = Client().get("/data/banyak/").content.decode()
    finally:
        sources.unregister("many")
    assert "<td>row-19</td>" in body
    assert "row-20" not in body


def test_a_json_download_may_be_read_from_other_sites(catalogue: Any) -> None:
    response = Client().get("/data/layanan-mitra.json")
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_catalogue_and_the_ckan_list_take_the_same_queries_for_more_datasets(
    catalogue: Any, django_assert_max_num_queries: Any
) -> None:
    def queries(path: str) -> int:
        caches["shared"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(path).status_code == 200
        return len(captured)

    paths = ("/data/", "/api/3/action/package_list")
    before = [queries(p) for p in paths]
    for n in range(5):
        describe(f"lagi-{n}", "offers", f"Lagi {n}")
    assert [queries(p) for p in paths] == before
    with django_assert_max_num_queries(3):
        Client().get("/data/?q=x")
