"""sitemap.xml: the public articles, the organisations and the portal's public pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from sinergi.newsroom.models import Article, Organisation


class ArticleSitemap(Sitemap):  # type: ignore[type-arg]  # generic only in stubs
    changefreq = "weekly"

    def items(self) -> list[Article]:
        return list(Article.objects.public().filter(original__isnull=True).order_by("pk"))

    def lastmod(self, item: Article) -> dt.datetime:
        return item.updated_at


class OrganisationSitemap(Sitemap):  # type: ignore[type-arg]  # generic only in stubs
    changefreq = "weekly"

    def items(self) -> list[Organisation]:
        return list(Organisation.objects.order_by("pk"))


class PortalSitemap(Sitemap):  # type: ignore[type-arg]  # generic only in stubs
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["home", "portal:figures", "newsroom:article_list"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "articles": ArticleSitemap,
    "organisations": OrganisationSitemap,
    "pages": PortalSitemap,
}
