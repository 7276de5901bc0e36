"""A small catalogue: two model regions, partners mapped at three levels with offers, and a
dataset for each of the app's own sources, recorded through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.cache import caches

from sinergi.opendata.models import Dataset
from sinergi.opendata.services import DatasetData, save_dataset
from sinergi.partners import services as partners
from sinergi.partners.models import Partner
from sinergi.regions.models import Region
from sinergi.regions.services import save_model_region

DATASETS = {
    "kabupaten-kota-model-ir": ("model_regions", "Kabupaten/kota model IR dan MoU"),
    "mitra-industri-rumahan": ("partners", "Mitra menurut wilayah dan jenis"),
    "layanan-mitra": ("offers", "Layanan mitra menurut kategori"),
}


def describe(slug: str, source: str, title: str, **more: Any) -> Dataset:
    data = DatasetData(
        slug=slug,
        title=title,
        description=f"Deskripsi {title}",
        source=source,
        producer="Kementerian Pemberdayaan Perempuan dan Perlindungan Anak",
        custodian="Pusat Data dan Informasi Kemen PPPA",
        contact_name="Pusdatin",
        contact_email="walidata@sinergi.example",
        temporal="2017–2019",
        keywords="industri rumahan, mitra",
        **more,
    )
    return save_dataset(user=None, dataset=None, data=data)


@pytest.fixture(autouse=True)
def fresh_public_pages() -> None:
    # Writes inside a test's transaction never commit, so the public version never moves
    # on its own; a page cached by an earlier test must not answer in this one.
    caches["shared"].clear()


@pytest.fixture
def catalogue(db: Any, personas: Any) -> dict[str, Dataset]:
    save_model_region(
        user=None,
        region=Region.objects.get(code="33.17"),
        mou_number="DEMO/KPPPA/1/2016",
        mou_date=date(2016, 5, 2),
        start_year=2016,
        end_year=None,
        phase="model",
    )
    save_model_region(
        user=None,
        region=Region.objects.get(code="33.24"),
        mou_number="",
        mou_date=None,
        start_year=2018,
        end_year=2020,
        phase="replication",
    )
    mekaar = Partner.objects.create(name="PNM Mekaar", kind="microfinance")
    Partner.objects.create(name="IWAPI Jateng", kind="association", region_id="33")
    Partner.objects.create(name="Koperasi Rembang", kind="microfinance", region_id="33.17")
    Partner.objects.create(name="BMT Rembang", kind="microfinance", region_id="33.17")
    for title, category, capacity in (
        ("Modal usaha", "capital", 30),
        ("Kredit ultra mikro", "capital", None),
        ("Pelatihan", "training", 12),
    ):
        partners.publish_offer(
            user=personas.admin,
            partner=mekaar,
            data=partners.OfferData(
                title=title, category=category, items=("capital",), capacity=capacity
            ),
        )
    return {slug: describe(slug, *plan) for slug, plan in DATASETS.items()}
