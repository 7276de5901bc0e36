from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from sinergi.regions.choices import Level
from sinergi.regions.models import Region, RegionRelease
from sinergi.regions.services import load_regions

pytestmark = pytest.mark.django_db

SOURCE = "idn-area-data@4.0.1"
EXPECTED = {"provinces": 38, "regencies": 514, "districts": 7285, "villages": 83762}


def counts() -> dict[str, int]:
    return {
        name: Region.objects.filter(level=level).count()
        for name, level in zip(EXPECTED, Level.values, strict=True)
    }


def test_it_records_the_release_it_loaded() -> None:
    release = RegionRelease.objects.get()
    assert release.source == SOURCE
    assert {name: getattr(release, name) for name in EXPECTED} == EXPECTED
    assert counts() == EXPECTED
    assert set(Region.objects.values_list("release", flat=True).distinct()) == {SOURCE}


def test_running_the_command_twice_changes_nothing() -> None:
    out = StringIO()
    call_command("load_regions", stdout=out)
    call_command("load_regions", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == EXPECTED
    assert RegionRelease.objects.filter(source=SOURCE).count() == 1


def test_a_forced_reload_upserts_without_duplicates() -> None:
    # Without its release row the loader cannot skip, so every row is written again.
    RegionRelease.objects.all().delete()
    Region.objects.filter(code="33.17").update(name="Renamed")
    result = load_regions(data_dir=settings.REGION_DATA_DIR)
    assert not result.skipped
    assert result.source == SOURCE
    assert result.counts == EXPECTED
    assert counts() == EXPECTED
    assert Region.objects.get(code="33.17").name == "Kabupaten Rembang"
    assert RegionRelease.objects.get().villages == EXPECTED["villages"]
