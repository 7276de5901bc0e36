"""The demo fills the catalogue through the service, and nothing the catalogue answers
names a demo actor (name, NIK, masked NIK or business)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.demo.scenario import load_demo
from sinergi.lib.crypto import decrypt
from sinergi.opendata import sources
from sinergi.opendata.models import Dataset
from sinergi.registry.models import Actor

pytestmark = pytest.mark.django_db

SMALL = 252  # as in sinergi/demo/tests: a dozen actors per model regency


@pytest.fixture
def demo(settings: Any) -> None:
    settings.DEMO_MODE = True
    load_demo(actors=SMALL)


def test_the_demo_describes_every_registered_source_and_names_no_actor(demo: None) -> None:
    datasets = {d.source: d for d in Dataset.objects.all()}
    assert {"model_regions", "partners", "offers"} <= set(datasets)
    assert set(datasets) <= set(sources.names())
    for dataset in datasets.values():
        assert dataset.producer == "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak"
        assert dataset.custodian == "Pusat Data dan Informasi Kemen PPPA"
        assert dataset.license_id == "CC-BY-4.0"
    assert load_demo(actors=SMALL).created["open_datasets"] == 0
    # One demo load serves both checks (it takes a minute).
    check_the_catalogue_is_filled_and_names_no_actor()


def check_the_catalogue_is_filled_and_names_no_actor() -> None:
    client = Client()
    slugs = list(Dataset.objects.values_list("slug", flat=True))
    paths = [
        "/data/",
        "/data/catalog.jsonld",
        "/api/3/action/package_list",
        "/api/3/action/package_search?rows=1000",
        *(f"/api/3/action/package_show?id={s}" for s in slugs),
        *(f"/data/{s}{suffix}" for s in slugs for suffix in ("/", ".csv", ".json")),
    ]
    bodies = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(response.content) < 100_000, path
        bodies[path] = response.content.decode()
    assert bodies["/data/kabupaten-kota-model-ir.csv"].count("\n") == 22  # header + 21
    assert "PNM Mekaar" not in bodies["/data/mitra-industri-rumahan.csv"]  # counts only
    actors = list(Actor.objects.all())
    assert actors
    secrets = {
        text
        for a in actors
        for text in (a.name, a.nik_masked, decrypt(a.nik_encrypted), a.business_name)
        if len(text) > 5
    }
    leaks = [(p, s) for p, body in bodies.items() for s in secrets if s in body]
    assert leaks == []
