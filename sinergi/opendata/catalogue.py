"""What the catalogue says about its datasets, in the shapes harvesters read: the listing
and search, a dataset's metadata, its files (CSV, JSON), a CKAN package and a DCAT
dataset. Every public view of the catalogue goes through here, so they all agree."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sinergi.opendata import sources
from sinergi.opendata.choices import FREQUENCY_BASE
from sinergi.opendata.models import Dataset
from sinergi.opendata.sources import Cell, Table
from sinergi.regions.models import RegionRelease

FORMATS = {"csv": ("CSV", "text/csv"), "json": ("JSON", "application/json")}


def listed() -> list[Dataset]:
    """The published datasets whose source is registered: the catalogue."""
    return [d for d in Dataset.objects.filter(published=True) if sources.is_registered(d.source)]


def find(slug: str) -> Dataset | None:
    return next((d for d in listed() if d.slug == slug), None)


def search(q: str) -> list[Dataset]:
    """Datasets with every word of `q` in their name, title, description or keywords
    (CKAN's "*:*" and an empty query match all)."""
    words = [] if q.strip() in ("", "*:*") else q.lower().split()
    return [
        d
        for d in listed()
        if all(w in f"{d.slug} {d.title} {d.description} {d.keywords}".lower() for w in words)
    ]


def region_release() -> str:
    """The release of the Kemendagri region codes loaded here, e.g. idn-area-data@4.0.1."""
    release = RegionRelease.objects.order_by("-loaded_at").first()
    return release.source if release else ""


def reference_codes() -> str:
    release = region_release()
    codes = _("Kemendagri region codes")
    return f"{codes} ({release})" if release else codes


def modified(dataset: Dataset, table: Table) -> dt.datetime:
    """When the dataset last changed: its data or, when later or unknown, its metadata."""
    return max(dataset.updated_at, table.modified or dataset.updated_at)


# --- Files -----------------------------------------------------------------------------


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(table: Table) -> str:
    """Plain UTF-8, comma-separated, a header of field codes; cells as they are ("<5"
    stays "<5", a withheld cell stays empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.code for f in table.fields])
    writer.writerows([cell_text(v) for v in row] for row in table.rows)
    return out.getvalue()


def dictionary(table: Table) -> list[dict[str, Any]]:
    """The data dictionary: each field's code, title, type and description."""
    notes = _(
        'A count of people: "<5" stands for a count from 1 to 4; an empty cell is withheld '
        "so that a small count cannot be worked out."
    )
    return [
        {
            "code": f.code,
            "title": str(f.title),
            "type": f.type,
            "description": " ".join(
                s for s in (str(f.description), notes if f.protected else "") if s
            ),
        }
        for f in table.fields
    ]


def to_json(dataset: Dataset, table: Table) -> str:
    return json.dumps(
        {
            "dataset": dataset.slug,
            "title": dataset.title,
            "modified": modified(dataset, table).isoformat(),
            "fields": dictionary(table),
            "rows": [list(row) for row in table.rows],
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )


# --- Metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A listed dataset with its table built once."""

    dataset: Dataset
    table: Table

    @property
    def modified(self) -> dt.datetime:
        return modified(self.dataset, self.table)


def entry(dataset: Dataset) -> Entry:
    return Entry(dataset, sources.build(dataset.source))


def absolute(request: HttpRequest, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def download_url(request: HttpRequest, dataset: Dataset, fmt: str) -> str:
    return absolute(request, f"opendata:dataset_{fmt}", dataset.slug)


def satu_data_fields(dataset: Dataset) -> list[tuple[str, str]]:
    """The Satu Data fields CKAN's core lacks, as (key, value) for its `extras`."""
    return [
        ("produsen_data", dataset.producer),
        ("walidata", dataset.custodian),
        ("kode_referensi", reference_codes()),
        ("cakupan_wilayah", dataset.spatial),
        ("cakupan_waktu", dataset.temporal),
        ("frekuensi", dataset.frequency),
    ]


def ckan_package(request: HttpRequest, item: Entry) -> dict[str, Any]:
    """The dataset as CKAN's package_show describes a package."""
    d = item.dataset
    stamp = item.modified.isoformat()
    return {
        "id": d.slug,
        "name": d.slug,
        "title": d.title,
        "notes": d.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "url": absolute(request, "opendata:dataset_detail", d.slug),
        "license_id": d.license_id,
        "license_title": d.license_title,
        "license_url": d.license_url,
        "author": d.producer,
        "author_email": "",
        "maintainer": d.contact_name,
        "maintainer_email": d.contact_email,
        "organization": {"name": slugify(d.custodian), "title": d.custodian},
        "metadata_created": d.created_at.isoformat(),
        "metadata_modified": stamp,
        "tags": [{"name": k} for k in d.keyword_list],
        "num_tags": len(d.keyword_list),
        "extras": [{"key": k, "value": v} for k, v in satu_data_fields(d)],
        "resources": [
            {
                "id": f"{d.slug}-{fmt}",
                "package_id": d.slug,
                "name": f"{d.title} ({label})",
                "url": download_url(request, d, fmt),
                "format": label,
                "mimetype": mimetype,
                "description": _("The whole table, with a header of field codes.")
                if fmt == "csv"
                else _("The whole table with its data dictionary."),
                "last_modified": stamp,
            }
            for fmt, (label, mimetype) in FORMATS.items()
        ],
        "num_resources": len(FORMATS),
    }


DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:issued": {"@type": "xsd:dateTime"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dct:license": {"@type": "@id"},
    "dct:accrualPeriodicity": {"@type": "@id"},
    "vcard:hasEmail": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
}


def dcat_dataset(request: HttpRequest, item: Entry) -> dict[str, Any]:
    d = item.dataset
    page = absolute(request, "opendata:dataset_detail", d.slug)
    return {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": d.slug,
        "dct:title": d.title,
        "dct:description": d.description,
        "dcat:landingPage": page,
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": d.custodian},
        "dct:creator": {"@type": "foaf:Agent", "foaf:name": d.producer},
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:fn": d.contact_name,
            "vcard:hasEmail": f"mailto:{d.contact_email}",
        },
        "dct:license": d.license_url,
        "dct:spatial": {"@type": "dct:Location", "dct:title": d.spatial},
        "dct:temporal": {"@type": "dct:PeriodOfTime", "dct:title": d.temporal},
        "dct:accrualPeriodicity": FREQUENCY_BASE + d.frequency,
        "dct:modified": item.modified.isoformat(),
        "dct:conformsTo": {"@type": "dct:Standard", "dct:title": reference_codes()},
        "dcat:keyword": d.keyword_list,
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:title": f"{d.title} ({label})",
                "dcat:downloadURL": download_url(request, d, fmt),
                "dcat:accessURL": download_url(request, d, fmt),
                "dcat:mediaType": mimetype,
                "dct:format": label,
                "dct:license": d.license_url,
            }
            for fmt, (label, mimetype) in FORMATS.items()
        ],
    }


def dcat_catalog(request: HttpRequest) -> dict[str, Any]:
    home = absolute(request, "opendata:catalogue")
    return {
        "@context": DCAT_CONTEXT,
        "@id": absolute(request, "opendata:catalog_jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": _("Sinergi open data: home industries of Indonesia"),
        "dct:description": _(
            "Aggregate datasets of the Industri Rumahan programme. Counts of people from 1 "
            'to 4 are published as "<5"; other cells are withheld where needed.'
        ),
        "dct:language": settings.LANGUAGE_CODE,
        "foaf:homepage": home,
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": "Kemen PPPA"},
        "dcat:dataset": [dcat_dataset(request, entry(d)) for d in listed()],
    }
