"""What an article's body and cover may hold: the body is cleaned to a short list of tags
(nh3), the cover re-encoded by Pillow so nothing of the original file but its pixels
remains (no EXIF, no GPS position, no comment)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

import nh3
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

TAGS = {"p", "h2", "h3", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https"}
MAX_WIDTH = 1600
MAX_PIXELS = 40_000_000  # a larger picture is refused before it is decoded
MAX_BYTES = 15 * 1024 * 1024
QUALITY = 82


def clean_body(html: str) -> str:
    """The body with only the allowed tags; links to http(s) only, opened without giving
    the target page a handle on ours."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


class ImageRefused(ValueError):
    """The upload is no picture we take; the text says why, for the user."""


@dataclass(frozen=True)
class Cover:
    content: bytes  # JPEG
    width: int
    height: int


def prepare_cover(source: IO[bytes]) -> Cover:
    """The picture as a new JPEG at most MAX_WIDTH wide, turned upright, without metadata."""
    source.seek(0, 2)
    if source.tell() > MAX_BYTES:
        raise ImageRefused(_("The photo is larger than 15 MB."))
    source.seek(0)
    try:
        with Image.open(source) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(
                    _("The photo has too many pixels (%(width)s × %(height)s).")
                    % {"width": width, "height": height}
                )
            probe.load()
            picture = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ImageRefused(_("The file is not a photo (JPEG, PNG or WebP).")) from error
    if picture.width > MAX_WIDTH:
        ratio = MAX_WIDTH / picture.width
        picture = picture.resize((MAX_WIDTH, max(1, round(picture.height * ratio))))
    out = io.BytesIO()
    # A fresh image carries no info dict, so no EXIF, ICC or comment is written.
    fresh = Image.new("RGB", picture.size)
    fresh.paste(picture)
    fresh.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return Cover(out.getvalue(), fresh.width, fresh.height)
