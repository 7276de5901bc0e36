"""The newsroom's people: Kemen PPPA with an editor and a reviewer, the Dinas PPPA of
Central Java with one editor-reviewer, and nobody else."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.newsroom import services
from sinergi.newsroom.models import Organisation
from sinergi.regions.models import Region
from sinergi.test import Personas


@dataclass
class Newsroom:
    kemen: Organisation
    jateng: Organisation
    editor: User  # editor of Kemen PPPA
    reviewer: User  # reviewer of Kemen PPPA
    humas_jateng: User  # reviewer (and so editor) of the Dinas PPPA Jawa Tengah
    outsider: User  # signed in, no newsroom role


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    # Local-memory caches of one name share their store across tests: pages cached by an
    # earlier test (same slugs, same public version) must not answer this one.
    for alias in ("default", "shared"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    # Messages are asserted in their source language; pages are tested in both.
    with translation.override("en"):
        yield


@pytest.fixture
def newsroom(personas: Personas) -> Newsroom:
    admin = personas.admin
    kemen = services.create_organisation(user=admin, name="Kemen PPPA", kind="ministry")
    jateng = services.create_organisation(
        user=admin,
        name="Dinas PPPA Provinsi Jawa Tengah",
        kind="dinas_pppa",
        region=Region.objects.get(code="33"),
    )
    people = {n: User.objects.create_user(n) for n in ("ed", "rev", "humas", "out")}
    services.add_member(user=admin, organisation=kemen, member=people["ed"], role="editor")
    services.add_member(user=admin, organisation=kemen, member=people["rev"], role="reviewer")
    services.add_member(user=admin, organisation=jateng, member=people["humas"], role="reviewer")
    return Newsroom(kemen, jateng, people["ed"], people["rev"], people["humas"], people["out"])


def draft(newsroom: Newsroom, title: str = "Pelatihan pembukuan di Rembang", **kwargs: Any) -> Any:
    data = {
        "title": title,
        "lead": "Pelaku IR belajar mencatat keuangan usaha.",
        "body": "<p>Kegiatan pendampingan.</p>",
        "category": "berita",
        **kwargs,
    }
    return services.write_article(
        user=newsroom.editor, organisation=newsroom.kemen, data=services.ArticleData(**data)
    )


def published(
    newsroom: Newsroom, title: str = "Pelatihan pembukuan di Rembang", **kwargs: Any
) -> Any:
    article = draft(newsroom, title, **kwargs)
    services.submit_for_review(user=newsroom.editor, article=article)
    return services.publish_article(user=newsroom.reviewer, article=article)


def jpeg(width: int = 2400, height: int = 1200, *, exif: bool = True) -> io.BytesIO:
    from PIL import Image

    picture = Image.new("RGB", (width, height), "olive")
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "KameraMerek"  # Make
        tags[0x8825] = {1: "S", 2: (7.0, 2.0, 30.0), 3: "E", 4: (111.0, 20.0, 5.0)}  # GPS
        picture.save(out, "JPEG", exif=tags)
    else:
        picture.save(out, "JPEG")
    out.seek(0)
    return out
