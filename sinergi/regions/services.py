"""Writes to the region tables: loading a Kemendagri release and recording model regions."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction

from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.regions.choices import Level, Phase
from sinergi.regions.models import ModelRegion, Region, RegionRelease

# (file, parent column, level); parents first so foreign keys always resolve.
_FILES = [
    ("provinces.csv", None, Level.PROVINCE),
    ("regencies.csv", "province_code", Level.REGENCY),
    ("districts.csv", "regency_code", Level.DISTRICT),
    ("villages.csv", "district_code", Level.VILLAGE),
]


@dataclass(frozen=True)
class LoadResult:
    source: str
    counts: dict[str, int]
    skipped: bool


def _source_name(data_dir: Path) -> str:
    package = json.loads((data_dir.parent / "package.json").read_text(encoding="utf-8"))
    return f"{package['name']}@{package['version']}"


def _insert_fresh(rows: list[Region]) -> None:
    """Plain executemany: ORM batching costs seconds per load on 91,000 rows."""
    table = Region._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (code, name, level, parent_id, release) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            [(r.code, r.name, int(r.level), r.parent_id, r.release) for r in rows],
        )


def load_regions(*, data_dir: Path, batch_size: int = 5000) -> LoadResult:
    """Upsert every region of a release; running it again with the same release changes nothing."""
    source = _source_name(data_dir)
    counts: dict[str, int] = {}
    existing = RegionRelease.objects.filter(source=source).first()
    if (
        existing is not None
        and existing.villages
        and Region.objects.filter(release=source).count()
        == (existing.provinces + existing.regencies + existing.districts + existing.villages)
    ):
        return LoadResult(source, {}, skipped=True)
    # An empty table needs no conflict handling, which makes the first load much faster.
    upsert = Region.objects.exists()
    with transaction.atomic():
        for filename, parent_col, level in _FILES:
            with (data_dir / filename).open(encoding="utf-8", newline="") as handle:
                rows = [
                    Region(
                        code=row["code"],
                        name=row["name"].strip(),
                        level=level,
                        parent_id=row[parent_col] if parent_col else None,
                        release=source,
                    )
                    for row in csv.DictReader(handle)
                ]
            if upsert:
                Region.objects.bulk_create(
                    rows,
                    batch_size=batch_size,
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=["name", "level", "parent", "release"],
                )
            else:
                _insert_fresh(rows)
            counts[filename.removesuffix(".csv")] = len(rows)
        release, _created = RegionRelease.objects.update_or_create(source=source, defaults=counts)
        record(None, Action.IMPORT, release, after=counts)
    return LoadResult(source, counts, skipped=False)


def save_model_region(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    region: Region,
    mou_number: str,
    mou_date: date | None,
    start_year: int,
    end_year: int | None,
    phase: Phase | str,
    illustrative: bool = False,
) -> ModelRegion:
    """Record or change a regency's model-region status; only regencies qualify."""
    if region.level != Level.REGENCY:
        raise ValueError("A model region must be a regency or city.")
    values = {
        "mou_number": mou_number,
        "mou_date": mou_date,
        "start_year": start_year,
        "end_year": end_year,
        "phase": str(phase),
        "illustrative": illustrative,
    }
    with transaction.atomic():
        current = ModelRegion.objects.filter(region=region).first()
        before = _snapshot(current) if current else None
        model_region, created = ModelRegion.objects.update_or_create(region=region, defaults=values)
        action = Action.CREATE if created else Action.UPDATE
        record(user, action, model_region, before=before, after=_snapshot(model_region))
    return model_region


def delete_model_region(
    *, user: AbstractBaseUser | AnonymousUser | None, model_region: ModelRegion
) -> None:
    with transaction.atomic():
        record(user, Action.DELETE, model_region, before=_snapshot(model_region))
        model_region.delete()


def _snapshot(model_region: ModelRegion) -> dict[str, Any]:
    return {
        "mou_number": model_region.mou_number,
        "mou_date": model_region.mou_date.isoformat() if model_region.mou_date else None,
        "start_year": model_region.start_year,
        "end_year": model_region.end_year,
        "phase": model_region.phase,
        "illustrative": model_region.illustrative,
    }
