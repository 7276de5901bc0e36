from __future__ import annotations

import io

import pytest
from PIL import Image

from sinergi.newsroom import services
from sinergi.newsroom.content import clean_body
from sinergi.newsroom.tests.conftest import Newsroom, draft, jpeg

pytestmark = pytest.mark.django_db


def test_the_body_keeps_the_allowed_tags_and_loses_scripts_and_handlers() -> None:
    dirty = (
        '<p onclick="x()">Hai <strong>IR</strong></p><script>alert(1)</script>'
        '<img src="x" onerror="alert(1)"><a href="javascript:alert(1)">j</a>'
        '<a href="https://kemenpppa.go.id/">k</a><h2 style="color:red">Judul</h2>'
    )
    clean = clean_body(dirty)
    assert "<script" not in clean
    assert "alert" not in clean
    assert "onerror" not in clean
    assert "onclick" not in clean
    assert "<img" not in clean
    assert "style" not in clean
    assert '<a href="https://kemenpppa.go.id/" rel="noopener noreferrer">k</a>' in clean
    assert "<p>Hai <strong>IR</strong></p>" in clean
    assert "<h2>Judul</h2>" in clean


def test_a_body_of_nothing_but_unsafe_markup_is_refused(newsroom: Newsroom) -> None:
    with pytest.raises(services.Refused) as refused:
        draft(newsroom, body="<script>alert(1)</script>")
    assert refused.value.errors == {"body": ["The body is empty once unsafe markup is removed."]}


def test_a_cover_is_resized_and_re_encoded_without_exif_or_gps(newsroom: Newsroom) -> None:
    source = jpeg(2400, 1200)
    with Image.open(source) as original:
        assert original.getexif()  # the test photo does carry EXIF with GPS
    source.seek(0)
    article = draft(newsroom, cover=source, cover_alt="Pelatihan")
    with article.cover.open("rb") as stored, Image.open(stored) as photo:
        assert photo.format == "JPEG"
        assert photo.size == (1600, 800)
        assert not photo.getexif()
        assert "exif" not in photo.info
    assert (article.cover_width, article.cover_height) == (1600, 800)


def test_a_small_png_is_kept_at_its_size_as_a_jpeg(newsroom: Newsroom) -> None:
    source = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 20, 30, 128)).save(source, "PNG")
    article = draft(newsroom, cover=source, cover_alt="Logo")
    with article.cover.open("rb") as stored, Image.open(stored) as photo:
        assert (photo.format, photo.size) == ("JPEG", (300, 200))


def test_a_file_that_is_no_picture_is_refused_on_the_cover_field(newsroom: Newsroom) -> None:
    with pytest.raises(services.Refused) as refused:
        draft(newsroom, cover=io.BytesIO(b"%PDF-1.4 not a photo"), cover_alt="x")
    assert refused.value.errors == {"cover": ["The file is not a photo (JPEG, PNG or WebP)."]}


def test_a_picture_of_too_many_pixels_is_refused_before_decoding(newsroom: Newsroom) -> None:
    source = io.BytesIO()
    Image.new("1", (10000, 5000)).save(source, "PNG")  # 50 megapixels, a few kilobytes
    with pytest.raises(services.Refused, match="too many pixels"):
        draft(newsroom, cover=source, cover_alt="x")


def test_a_cover_needs_a_description(newsroom: Newsroom) -> None:
    with pytest.raises(services.Refused) as refused:
        draft(newsroom, cover=jpeg(exif=False))
    assert list(refused.value.errors) == ["cover_alt"]
