"""The DCAT catalogue: JSON-LD with an inline context, and valid RDF (parsed by rdflib
without fetching anything)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

pytestmark = pytest.mark.django_db

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# An open namespace: rdflib's closed DCAT one warns when pytest inspects the module.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET_KEYS = {
    "dct:title", "dct:description", "dct:publisher", "dcat:contactPoint", "dct:license",
    "dct:spatial", "dct:temporal", "dct:accrualPeriodicity", "dct:modified", "dcat:keyword",
    "dcat:distribution", "dct:creator",
}  # fmt: skip


def catalog() -> tuple[Any, bytes]:
    response = Client().get("/data/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return json.loads(response.content), response.content


def test_it_is_a_dcat_catalog_with_an_inline_context(catalogue: Any) -> None:
    data, _ = catalog()
    assert data["@type"] == "dcat:Catalog"
    assert isinstance(data["@context"], dict)
    assert data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert data["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert {"foaf", "vcard"} <= set(data["@context"])
    assert len(data["dcat:dataset"]) == 3


def test_each_dataset_carries_the_dcat_fields(catalogue: Any) -> None:
    data, _ = catalog()
    for dataset in data["dcat:dataset"]:
        assert dataset["@type"] == "dcat:Dataset"
        assert set(dataset) >= DATASET_KEYS
        assert dataset["dcat:contactPoint"]["vcard:hasEmail"] == "mailto:walidata@sinergi.example"
        assert dataset["dct:license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert dataset["dct:accrualPeriodicity"].startswith(
            "http://publications.europa.eu/resource/authority/frequency/"
        )
        media = {d["dcat:mediaType"]: d["dcat:downloadURL"] for d in dataset["dcat:distribution"]}
        slug = dataset["dct:identifier"]
        assert media == {
            "text/csv": f"http://testserver/data/{slug}.csv",
            "application/json": f"http://testserver/data/{slug}.json",
        }


def test_it_parses_as_rdf(catalogue: Any) -> None:
    _, body = catalog()
    graph = Graph().parse(data=body, format="json-ld")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 3
    page = URIRef("http://testserver/data/layanan-mitra/")
    assert page in datasets
    assert (page, DCTERMS.title, Literal("Layanan mitra menurut kategori")) in graph
    assert (page, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    downloads = {graph.value(d, DCAT.downloadURL) for d in graph.objects(page, DCAT.distribution)}
    assert downloads == {
        URIRef("http://testserver/data/layanan-mitra.csv"),
        URIRef("http://testserver/data/layanan-mitra.json"),
    }
    contact = graph.value(page, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:walidata@sinergi.example")
    modified = graph.value(page, DCTERMS.modified)
    assert isinstance(modified, Literal)
    assert modified.datatype == URIRef("http://www.w3.org/2001/XMLSchema#dateTime")


def test_the_catalogue_page_links_the_dcat_catalogue(catalogue: Any) -> None:
    body = Client().get("/data/").content.decode()
    assert 'type="application/ld+json" href="/data/catalog.jsonld"' in body
