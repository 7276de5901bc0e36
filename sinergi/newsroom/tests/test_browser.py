"""The newsroom in a real browser (Debian's chromium driven by Playwright): an editor of
Kemen PPPA writes an article with a photo and submits it, its reviewer publishes it, the
Dinas PPPA Jawa Tengah republishes it, and an anonymous visitor reads it and its feed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]  # feedparser ships no type hints
import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.newsroom import services
from sinergi.regions.models import Region
from sinergi.test import PASSWORD, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"newsroom-{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def log_out(page: Page) -> None:
    page.click("header button:has-text('Log out')")


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000), "teal").save(out, "JPEG")
    return out.getvalue()


def test_an_article_is_written_reviewed_republished_and_read_in_its_feed(
    page: Page, live_server: Any, live_regions: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    admin = make_user("admin-nasional", Role.NATIONAL_ADMIN, None)
    kemen = services.create_organisation(user=admin, name="Kemen PPPA", kind="ministry")
    jateng = services.create_organisation(
        user=admin,
        name="Dinas PPPA Jawa Tengah",
        kind="dinas_pppa",
        region=Region.objects.get(code="33"),
    )
    for username, organisation, role in (
        ("humas-kemenpppa", kemen, "editor"),
        ("redaktur-kemenpppa", kemen, "reviewer"),
        ("humas-jateng", jateng, "reviewer"),
    ):
        member = User.objects.create_user(username, password=PASSWORD)
        services.add_member(user=admin, organisation=organisation, member=member, role=role)
    errors: list[str] = []
    # Only what the strict CSP refused (a favicon the browser asks for is 404 by design).
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # The editor writes and submits.
    log_in(page, base, "humas-kemenpppa")
    expect(page).to_have_url(f"{base}/news/manage/")
    page.click("#new-article")
    page.select_option("#id_organisation", str(kemen.pk))
    page.fill("#id_title", "Pelatihan pemasaran digital bagi pelaku IR")
    page.fill("#id_lead", "Pelaku IR belajar memotret produk dan membuka toko daring.")
    page.fill("#id_body", "<p>Kegiatan berlangsung dua hari.</p><script>alert(1)</script>")
    page.select_option("#id_category", "berita")
    page.fill("#id_regions", "33.24")
    cover: FilePayload = {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": photo()}
    page.set_input_files("#id_cover", files=[cover])
    page.fill("#id_cover_alt", "Peserta memotret produk")
    shot(page, "write")
    page.click("form.card button[type=submit]")
    expect(page.locator("#status")).to_have_text("Draft")
    page.click("#submit-review")
    expect(page.locator("#status")).to_have_text("In review")
    expect(page.locator("#publish")).to_have_count(0)  # an editor cannot publish
    log_out(page)

    # The reviewer publishes it from her queue.
    log_in(page, base, "redaktur-kemenpppa")
    page.click("#review-queue a")
    page.click("#publish button[type=submit]")
    expect(page.locator("#status")).to_have_text("Published")
    shot(page, "published")
    log_out(page)

    # The Dinas PPPA Jawa Tengah republishes it.
    log_in(page, base, "humas-jateng")
    page.click("#republish a.button")
    page.select_option("#id_organisation", str(jateng.pk))
    page.click("form.card button[type=submit]")
    expect(page.locator("#status")).to_have_text("Published")
    expect(page.locator("main")).to_contain_text("Republished from Kemen PPPA")
    log_out(page)

    # An anonymous visitor reads the news and the article, and follows its feed.
    page.goto(f"{base}/news/")
    expect(page.locator("main")).to_contain_text("Pelatihan pemasaran digital bagi pelaku IR")
    page.click("main h2 a >> nth=-1")
    expect(page.locator("h1")).to_have_text("Pelatihan pemasaran digital bagi pelaku IR")
    expect(page.locator("img[alt='Peserta memotret produk']")).to_be_visible()
    shot(page, "article")
    feed_href = page.locator("link[type='application/rss+xml']").get_attribute("href")
    assert feed_href == f"/news/org/{kemen.slug}/feed.rss"
    feed = feedparser.parse(page.request.get(f"{base}{feed_href}").body())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Pelatihan pemasaran digital bagi pelaku IR"]
    assert not errors, errors
