from __future__ import annotations

from datetime import timedelta
from typing import Any

import feedparser  # type: ignore[import-untyped]  # feedparser ships no type hints
import pytest
from django.test import Client
from django.utils import timezone

from sinergi.newsroom import services
from sinergi.newsroom.tests.conftest import Newsroom, draft, jpeg, published
from sinergi.registry.models import Actor
from sinergi.test import ActorFactory

pytestmark = pytest.mark.django_db


def _get(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_list_filters_by_organisation_region_and_category(newsroom: Newsroom) -> None:
    rembang = published(newsroom, "Pelatihan di Rembang", category="berita")
    rembang.regions.set(["33.17"])
    published(newsroom, "Agenda nasional", category="agenda")
    assert "Pelatihan di Rembang" in _get("/news/?region=33")
    assert "Agenda nasional" not in _get("/news/?region=33")
    assert "Pelatihan di Rembang" not in _get("/news/?category=agenda")
    page = _get("/news/?organisation=dinas-pppa-provinsi-jawa-tengah")
    assert "Agenda nasional" not in page
    assert 'href="/news/category/agenda/feed.rss"' in _get("/news/?category=agenda")


def test_nothing_unpublished_scheduled_or_withdrawn_reaches_the_public(
    newsroom: Newsroom,
) -> None:
    draft(newsroom, "Masih draf")
    soon = draft(newsroom, "Terjadwal besok")
    services.publish_article(
        user=newsroom.reviewer, article=soon, publish_at=timezone.now() + timedelta(days=1)
    )
    gone = published(newsroom, "Ditarik")
    services.withdraw_article(user=newsroom.reviewer, article=gone, reason="keliru")
    for path in (
        "/news/",
        "/news/feed.rss",
        "/news/feed.atom",
        "/sitemap.xml",
        "/news/org/kemen-pppa/",
    ):
        page = _get(path)
        assert "Masih draf" not in page
        assert "Terjadwal besok" not in page
        assert "Ditarik" not in page
    assert Client().get(f"/news/{soon.slug}/").status_code == 404
    assert Client().get(f"/news/{gone.slug}/").status_code == 404


def test_the_article_page_has_canonical_opengraph_and_structured_data(newsroom: Newsroom) -> None:
    article = published(newsroom, cover=jpeg(), cover_alt="Peserta belajar")
    page = _get(f"/news/{article.slug}/")
    url = f"http://testserver/news/{article.slug}/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert f'<meta property="og:image" content="{url}cover.jpg">' in page
    assert 'itemtype="https://schema.org/NewsArticle"' in page
    assert 'type="application/rss+xml"' in page
    assert 'type="application/atom+xml"' in page
    assert "<script" not in page
    assert len(page.encode()) < 100_000
    cover = Client().get(f"/news/{article.slug}/cover.jpg")
    assert cover.status_code == 200
    assert cover["Content-Type"] == "image/jpeg"


def test_a_republication_credits_and_links_the_original_and_points_canonical_at_it(
    newsroom: Newsroom,
) -> None:
    original = published(newsroom)
    copy = services.republish_article(
        user=newsroom.humas_jateng, original=original, organisation=newsroom.jateng
    )
    page = _get(f"/news/{copy.slug}/")
    assert "Republished from Kemen PPPA" in page or "Diterbitkan ulang dari Kemen PPPA" in page
    assert f'href="/news/{original.slug}/"' in page
    assert f'<link rel="canonical" href="http://testserver/news/{original.slug}/">' in page


def test_corrections_show_on_the_article_page(newsroom: Newsroom) -> None:
    article = published(newsroom)
    services.correct_article(user=newsroom.editor, article=article, note="Tanggal diperbaiki.")
    assert "Tanggal diperbaiki." in _get(f"/news/{article.slug}/")


@pytest.mark.parametrize(
    "path",
    [
        "/news/feed.rss",
        "/news/feed.atom",
        "/news/org/kemen-pppa/feed.rss",
        "/news/org/kemen-pppa/feed.atom",
        "/news/region/33/feed.rss",
        "/news/region/33/feed.atom",
        "/news/category/berita/feed.rss",
        "/news/category/berita/feed.atom",
    ],
)
def test_every_feed_parses_as_a_valid_feed(newsroom: Newsroom, path: str) -> None:
    article = published(newsroom)
    article.regions.set(["33.17"])
    parsed = feedparser.parse(Client().get(path).content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if path.endswith(".atom") else "rss20")
    assert [e.title for e in parsed.entries] == [article.title]
    assert parsed.entries[0].link == f"http://testserver/news/{article.slug}/"


def test_a_feed_of_an_unknown_category_or_organisation_is_404() -> None:
    assert Client().get("/news/category/gosip/feed.rss").status_code == 404
    assert Client().get("/news/org/tidak-ada/feed.atom").status_code == 404


def test_the_sitemap_lists_articles_organisations_and_portal_pages(newsroom: Newsroom) -> None:
    article = published(newsroom)
    sitemap = _get("/sitemap.xml")
    assert f"<loc>http://testserver/news/{article.slug}/</loc>" in sitemap
    assert "<loc>http://testserver/news/org/kemen-pppa/</loc>" in sitemap
    assert "<loc>http://testserver/figures/</loc>" in sitemap


def test_public_pages_are_cached_until_an_article_is_published(
    newsroom: Newsroom, django_capture_on_commit_callbacks: object
) -> None:
    for path in ("/news/", "/news/feed.atom", "/sitemap.xml"):
        assert Client().get(path)["X-Sinergi-Cache"] == "miss"
        assert Client().get(path)["X-Sinergi-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        published(newsroom, "Kabar baru")
    response = Client().get("/news/")
    assert response["X-Sinergi-Cache"] == "miss"
    assert "Kabar baru" in response.content.decode()


def test_no_public_page_or_feed_shows_an_actor_s_name_or_nik(
    newsroom: Newsroom, personas: object
) -> None:
    actor: Actor = ActorFactory()
    article = published(newsroom)
    article.regions.set([actor.village_id])
    for path in (
        "/news/",
        f"/news/{article.slug}/",
        "/news/org/kemen-pppa/",
        "/news/feed.rss",
        f"/news/region/{actor.village_id}/feed.atom",
        "/sitemap.xml",
    ):
        page = _get(path)
        assert actor.name not in page


def test_the_list_and_the_feeds_read_in_a_fixed_number_of_queries(
    newsroom: Newsroom, django_assert_max_num_queries: Any
) -> None:
    original = published(newsroom, "Asli")
    services.republish_article(
        user=newsroom.humas_jateng, original=original, organisation=newsroom.jateng
    )
    for n in range(12):
        published(newsroom, f"Kabar {n}").regions.set(["33.17"])
    for path in ("/news/", "/news/?page=2", "/news/feed.rss", "/news/region/33/feed.atom"):
        with django_assert_max_num_queries(8):
            page = _get(path)
        assert len(page.encode()) < 100_000


def test_the_news_reads_in_bahasa_indonesia_first_and_switches_to_english(
    newsroom: Newsroom, settings: Any
) -> None:
    published(newsroom)
    assert '<html lang="id">' in _get("/news/")
    switch = Client().get("/language/en/?next=/news/")
    assert switch["Location"] == "/news/"
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get("/news/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>News</h1>" in page
